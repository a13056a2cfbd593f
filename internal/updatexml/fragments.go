package updatexml

import (
	"slices"
	"strings"

	"patchbay"
)

// The fragment writers reproduce what WSUS (an XmlDocument-based .NET
// service) emits, learnt from real captures (protocol-wusp.md §7.1):
//
//   - element and attribute prefixes are dropped (upd:Title → Title,
//     xsi:type → type); in Core, elements of the BaseApplicabilityRules,
//     MsiApplicabilityRules and WindowsDriver namespaces get "b.", "m." and
//     "d." instead (MS-WUSP §3.1.1.1);
//   - xmlns:p declarations are dropped, and so are default declarations of
//     the MSUS schema namespaces; a default declaration of any other
//     namespace is kept, as WSUS kept xmlns="urn:schemas-microsoft-com:asm.v3"
//     on a CBS assembly (cbs/cbs-rollupfix-core-reduced.xml);
//   - a copied element keeps its source form: <a /> stays self-closing (with a
//     space before "/>"), <a></a> stays a pair; a rebuilt element (Core
//     Properties, ExtendedProperties) is self-closing when it has no content;
//   - attributes are written in double quotes, in source order, with &, <, >,
//     " and TAB/LF/CR escaped; text escapes &, < and > (and CR);
//   - no whitespace is added; comments and processing instructions are dropped.
//
// Deviations from the letter of MS-WUSP §3.1.1.1, each seen on a real WSUS:
//
//   - Core Properties carries its kept attributes in the spec's order, not the
//     source's, without children, and leaves out ExplicitlyDeployable and
//     AutoSelectOnWebSites when "false", their default (scan/000008 against
//     docs/dd78b8a1…: ExplicitlyDeployable="false" → <Properties UpdateType="Category" />;
//     pywsus and wsuspect Core fragments: UpdateType, ExplicitlyDeployable,
//     AutoSelectOnWebSites).
//   - Extended starts with the Properties node renamed ExtendedProperties and
//     also leaves out PerUser="false" (scan/000010 against docs/dd78b8a1…).

// coreProperties are the Properties attributes kept in Core, in output order.
var coreProperties = []string{"UpdateType", "ExplicitlyDeployable", "AutoSelectOnWebSites", "OSUpgrade", "EulaID"}

// extendedDropped are the Properties attributes removed from Extended.
var extendedDropped = map[string]bool{
	"UpdateType": true, "ExplicitlyDeployable": true, "AutoSelectOnWebSites": true, "EulaID": true,
	"PublicationState": true, "PublisherID": true, "CreationDate": true, "IsPublic": true,
	"LegacyName": true, "DetectoidType": true, "OSUpgrade": true,
}

// droppedWhenFalse are boolean attributes WSUS leaves out when they hold their
// default value "false".
var droppedWhenFalse = map[string]bool{"ExplicitlyDeployable": true, "AutoSelectOnWebSites": true, "PerUser": true}

// fragments derives the Metadata Table entries of MS-WUSP §3.1.1.1 from a
// document that has passed the revision checks.
func fragments(root *node) []patchbay.Fragment {
	out := []patchbay.Fragment{
		{Kind: patchbay.FragmentCore, XML: coreFragment(root)},
		{Kind: patchbay.FragmentExtended, XML: extendedFragment(root)},
	}
	lpc := root.elem("LocalizedPropertiesCollection")
	if lpc == nil {
		return out
	}
	for _, lp := range lpc.elems("LocalizedProperties") {
		var w writer
		w.element(lp)
		out = append(out, patchbay.Fragment{
			Kind:   patchbay.FragmentLocalizedProperties,
			Locale: strings.TrimSpace(lp.elem("Language").text()),
			XML:    w.b,
		})
	}
	for _, ef := range lpc.elems("EulaFile") {
		var w writer
		w.element(ef)
		lang, _ := ef.attr("Language")
		geo, _ := ef.attr("GeoId")
		out = append(out, patchbay.Fragment{
			Kind:   patchbay.FragmentEula,
			Locale: strings.TrimSpace(lang),
			GeoID:  strings.TrimSpace(geo),
			XML:    w.b,
		})
	}
	return out
}

// coreFragment is UpdateIdentity, the reduced Properties, Relationships and
// ApplicabilityRules, with Core element naming.
func coreFragment(root *node) []byte {
	w := writer{core: true}
	if n := root.elem("UpdateIdentity"); n != nil {
		w.element(n)
	}
	if props := root.elem("Properties"); props != nil {
		var attrs []attr
		for _, name := range coreProperties {
			v, ok := props.attr(name)
			if !ok || (droppedWhenFalse[name] && isFalse(v)) {
				continue
			}
			attrs = append(attrs, attr{local: name, value: v})
		}
		w.start("Properties", attrs)
		w.b = append(w.b, " />"...)
	}
	for _, name := range []string{"Relationships", "ApplicabilityRules"} {
		if n := root.elem(name); n != nil {
			w.element(n)
		}
	}
	return w.b
}

// extendedFragment is ExtendedProperties, Files and HandlerSpecificData.
func extendedFragment(root *node) []byte {
	var w writer
	if props := root.elem("Properties"); props != nil {
		var attrs []attr
		for _, a := range props.attrs {
			if a.isDecl || (a.prefix == "" && extendedDropped[a.local]) ||
				(a.prefix == "" && droppedWhenFalse[a.local] && isFalse(a.value)) {
				continue
			}
			attrs = append(attrs, a)
		}
		w.start("ExtendedProperties", attrs)
		if len(props.content) == 0 {
			w.b = append(w.b, " />"...)
		} else {
			w.b = append(w.b, '>')
			w.content(props)
			w.b = append(w.b, "</ExtendedProperties>"...)
		}
	}
	for _, name := range []string{"Files", "HandlerSpecificData"} {
		if n := root.elem(name); n != nil {
			w.element(n)
		}
	}
	return w.b
}

func isFalse(v string) bool {
	v = strings.TrimSpace(v)
	return strings.EqualFold(v, "false") || v == "0"
}

// writer appends fragment XML. core selects the Core element naming.
type writer struct {
	b    []byte
	core bool
}

func (w *writer) name(n *node) string {
	if w.core {
		switch n.ns {
		case nsBaseRules:
			return "b." + n.local
		case nsMsiRules:
			return "m." + n.local
		case nsWindowsDriver:
			return "d." + n.local
		}
	}
	return n.local
}

// element writes n and its subtree.
func (w *writer) element(n *node) {
	name := w.name(n)
	w.start(name, n.attrs)
	switch {
	case len(n.content) == 0 && n.selfClosing:
		w.b = append(w.b, " />"...)
	default:
		w.b = append(w.b, '>')
		w.content(n)
		w.b = append(w.b, "</"...)
		w.b = append(w.b, name...)
		w.b = append(w.b, '>')
	}
}

func (w *writer) content(n *node) {
	for _, c := range n.content {
		if c.el != nil {
			w.element(c.el)
		} else {
			w.text(c.text)
		}
	}
}

// start writes "<name attrs" without closing the tag.
func (w *writer) start(name string, attrs []attr) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	var seen []string
	var seenSet map[string]bool
	for _, a := range attrs {
		key := a.local
		switch {
		case a.isDecl && a.prefix == "" && !strings.HasPrefix(a.value, "http://schemas.microsoft.com/msus/"):
			key = "xmlns" // a foreign default namespace survives, see above
		case a.isDecl:
			continue
		case a.prefix == "xml":
			key = "xml:" + a.local
		}
		// A duplicate after prefix removal (a:type and type) would make the
		// fragment unreadable; the first one wins. A set replaces the slice
		// for elements with many attributes, keeping the check linear.
		if seenSet != nil {
			if seenSet[key] {
				continue
			}
			seenSet[key] = true
		} else {
			if slices.Contains(seen, key) {
				continue
			}
			if seen = append(seen, key); len(seen) > 16 {
				seenSet = make(map[string]bool, len(attrs))
				for _, k := range seen {
					seenSet[k] = true
				}
			}
		}
		w.b = append(w.b, ' ')
		w.b = append(w.b, key...)
		w.b = append(w.b, '=', '"')
		w.escape(a.value, true)
		w.b = append(w.b, '"')
	}
}

func (w *writer) text(s string) { w.escape(s, false) }

func (w *writer) escape(s string, inAttr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '"':
			if inAttr {
				esc = "&quot;"
			}
		case '\n':
			if inAttr {
				esc = "&#xA;"
			}
		case '\t':
			if inAttr {
				esc = "&#x9;"
			}
		}
		if esc == "" {
			continue
		}
		w.b = append(w.b, s[last:i]...)
		w.b = append(w.b, esc...)
		last = i + 1
	}
	w.b = append(w.b, s[last:]...)
}
