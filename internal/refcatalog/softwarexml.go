package refcatalog

import (
	"fmt"
	"math/rand/v2"
)

// renderSoftware writes a bundle, leaf or standalone software update in the
// shape of the real ones (wsus-rs docs/a2fef9b0… bundle, docs/266f6222…
// leaf; MS-WUSP §3.1.1.1 for the XPATHs a server reads).
func (g *gen) renderSoftware(w *xw, r *rev, rr *rand.Rand) {
	sw := r.sw
	installable := r.kind != kindBundle // has files, rules and a handler
	root := []string{"xmlns:pub", nsPub}
	if installable {
		root = append(root, "xmlns:bar", nsBar, "xmlns:lar", nsLar)
		if sw.ser.handler == handlerCbs {
			root = append(root, "xmlns:cbs", nsCbs, "xmlns:cbsar", nsCbsar)
		} else {
			root = append(root, "xmlns:cmd", nsCmd)
		}
	}
	w.start("upd:Update", append(root, "xmlns:upd", nsUpd)...)
	w.empty("upd:UpdateIdentity", "UpdateID", r.idText, "RevisionNumber", itoa(r.num))
	g.writeProperties(w, r)
	g.writeLocalized(w, r)
	writeRelationships(w, r)
	if installable {
		writeRules(w, rr, sw, stampSeconds(r.created))
		w.start("upd:Files")
		for _, f := range sw.files {
			writeFile(w, f, "")
		}
		w.end("upd:Files")
		writeHandlerData(w, rr, sw)
	}
	w.end("upd:Update")
}

// handlerURI is Properties/@Handler for sw.
func handlerURI(sw *software) string {
	if sw.ser.handler == handlerCbs {
		return nsCbs
	}
	return nsCmd
}

func (g *gen) writeProperties(w *xw, r *rev) {
	sw := r.sw
	top := r.kind != kindLeaf && !sw.hidden
	attrs := []string{"UpdateType", "Software", "DefaultPropertiesLanguage", "en"}
	if top {
		switch sw.class.cat.name {
		case "Security Updates", "Critical Updates", "Definition Updates":
			attrs = append(attrs, "AutoSelectOnWebSites", "true")
		}
		attrs = append(attrs, "ExplicitlyDeployable", "true")
		if sw.severity != "" {
			attrs = append(attrs, "MsrcSeverity", sw.severity)
		}
		if sw.eulaID != "" {
			attrs = append(attrs, "EulaID", sw.eulaID)
		}
	}
	size := 0
	for _, f := range sw.files {
		size += f.size
	}
	if r.kind != kindBundle {
		attrs = append(attrs, "Handler", handlerURI(sw))
	}
	if !sw.hidden {
		attrs = append(attrs, "MaxDownloadSize", itoa(size), "MinDownloadSize", "0")
	}
	attrs = append(attrs,
		"PublicationState", "Published", "CreationDate", stamp(r.created), "PublisherID", publisherSoftware)
	w.start("upd:Properties", attrs...)
	if r.kind != kindBundle {
		if sw.ser.handler == handlerCbs {
			w.empty("upd:InstallationBehavior", "RebootBehavior", "CanRequestReboot")
			w.empty("upd:UninstallationBehavior", "RebootBehavior", "CanRequestReboot")
		} else {
			w.empty("upd:InstallationBehavior", "Impact", "Minor")
		}
	}
	if top {
		w.elem("upd:SupportUrl", "https://support.microsoft.com")
		w.elem("upd:KBArticleID", itoa(sw.kb))
	}
	w.end("upd:Properties")
}

func (g *gen) writeLocalized(w *xw, r *rev) {
	sw := r.sw
	w.start("upd:LocalizedPropertiesCollection")
	if r.kind == kindLeaf || sw.hidden {
		// Bundle members carry an English title only (docs/266f6222…,
		// docs/1f9bd9bb…).
		w.start("upd:LocalizedProperties")
		w.elem("upd:Language", "en")
		w.elem("upd:Title", sw.leafName)
		w.end("upd:LocalizedProperties")
		w.end("upd:LocalizedPropertiesCollection")
		return
	}
	product := sw.product.cat.name
	for _, lang := range g.opt.Languages {
		w.start("upd:LocalizedProperties")
		w.elem("upd:Language", lang)
		w.elem("upd:Title", sw.titles[lang])
		w.elem("upd:Description", description(lang, sw.class.cat.name, product, sw.kb))
		if sw.ser.handler == handlerCbs && sw.class.cat.name != "Upgrades" {
			w.elem("upd:UninstallNotes", uninstallNotes(lang))
		}
		w.elem("upd:MoreInfoUrl", fmt.Sprintf("https://support.microsoft.com/help/%d", sw.kb))
		w.elem("upd:SupportUrl", "https://support.microsoft.com")
		w.end("upd:LocalizedProperties")
	}
	for i, f := range sw.eula {
		writeFile(w, f, g.opt.Languages[i])
	}
	w.end("upd:LocalizedPropertiesCollection")
}

// writeRelationships writes SupersededUpdates, Prerequisites and
// BundledUpdates, in that order (docs/a2fef9b0…). Top-level updates belong
// to their classification and product through IsCategory clauses; bundle
// members name the product in a plain AtLeastOne (docs/266f6222…).
func writeRelationships(w *xw, r *rev) {
	sw := r.sw
	w.start("upd:Relationships")
	if len(sw.superseded) > 0 {
		w.start("upd:SupersededUpdates")
		for _, id := range sw.superseded {
			w.empty("upd:UpdateIdentity", "UpdateID", id)
		}
		w.end("upd:SupersededUpdates")
	}
	w.start("upd:Prerequisites")
	for _, id := range sw.prereqAnd {
		w.empty("upd:UpdateIdentity", "UpdateID", id)
	}
	for _, clause := range sw.prereqOr {
		w.start("upd:AtLeastOne")
		for _, id := range clause {
			w.empty("upd:UpdateIdentity", "UpdateID", id)
		}
		w.end("upd:AtLeastOne")
	}
	switch {
	case sw.hidden:
		// Plain clauses naming the classification and product, already
		// in prereqOr (docs/1f9bd9bb…).
	case r.kind == kindLeaf:
		w.start("upd:AtLeastOne")
		w.empty("upd:UpdateIdentity", "UpdateID", sw.product.id)
		w.end("upd:AtLeastOne")
	default:
		for _, id := range []string{sw.class.id, sw.product.id} {
			w.start("upd:AtLeastOne", "IsCategory", "true")
			w.empty("upd:UpdateIdentity", "UpdateID", id)
			w.end("upd:AtLeastOne")
		}
	}
	w.end("upd:Prerequisites")
	if len(sw.bundled) > 0 {
		w.start("upd:BundledUpdates")
		w.start("upd:AtLeastOne")
		for _, b := range sw.bundled {
			w.empty("upd:UpdateIdentity", "UpdateID", b.id, "RevisionNumber", itoa(b.num))
		}
		w.end("upd:AtLeastOne")
		w.end("upd:BundledUpdates")
	}
	w.end("upd:Relationships")
}

// writeHandlerData writes HandlerSpecificData for the CommandLineInstallation
// (docs/266f6222…) or CBS handler (wsus-m0-cbs/cbs-rollupfix-extended.xml).
func writeHandlerData(w *xw, r *rand.Rand, sw *software) {
	if sw.ser.handler == handlerCbs {
		w.start("upd:HandlerSpecificData", "xsi:type", "cbs:Cbs", "xmlns:xsi", nsXsi)
		w.empty("cbs:CbsData", "PackageIdentity", "", "xmlns:cbs", nsCbs)
		w.end("upd:HandlerSpecificData")
		return
	}
	w.start("upd:HandlerSpecificData", "xsi:type", "cmd:CommandLineInstallation", "xmlns:xsi", nsXsi)
	attrs := []string{"Program", sw.files[0].name}
	if args := pick(r, []string{"", "/q", "/quiet /norestart", "WD /q", "/q /ProductSelection"}); args != "" {
		attrs = append(attrs, "Arguments", args)
	}
	w.start("cmd:InstallCommand", append(attrs, "xmlns:cmd", nsCmd)...)
	w.empty("cmd:ReturnCode", "Code", "0", "Result", "Succeeded")
	if r.IntN(2) == 0 {
		w.empty("cmd:ReturnCode", "Code", "3010", "Result", "Succeeded", "Reboot", "true")
	}
	w.end("cmd:InstallCommand")
	w.end("upd:HandlerSpecificData")
}
