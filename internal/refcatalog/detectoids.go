package refcatalog

import (
	"fmt"
	"time"
)

// detectoid is an update of type Detectoid: applicability rules only, used
// as a prerequisite (MS-WSUSSS §4 Sample 2).
type detectoid struct {
	title     string
	rule      func(w *xw) // writes the IsInstalled rule
	prereqs   []string
	usesMsi   bool
	detType   string // DetectoidType, when set
	isPublic  bool
	publisher string
}

// archTable maps architecture names to bar:Processor/@Architecture values
// (PROCESSOR_ARCHITECTURE_*; the SyncUpdates capture m0/000005 has 0, 5, 6, 12).
var archTable = []struct {
	name string
	code int
}{{"x86", 0}, {"x64", 9}, {"ARM64", 12}}

// buildDetectoids adds about n detectoids: architectures, one per product,
// languages, then version detectoids of the Windows products.
func (g *gen) buildDetectoids(n int) {
	created := time.Date(2006, time.May, 22, 19, 10, 10, 172e6, time.UTC)
	add := func(d *detectoid) *rev {
		created = created.Add(time.Duration(17+g.rng.IntN(400)) * time.Hour)
		num := 100 + g.rng.IntN(3)
		if g.rng.IntN(3) == 0 {
			num = 200 + g.rng.IntN(2)
		}
		if d.publisher == "" {
			d.publisher = publisherClassic
		}
		return g.add(&rev{id: g.guid(), num: num, kind: kindDetectoid, created: created, det: d})
	}
	for _, a := range archTable {
		code := a.code
		g.archDetectoids[a.name] = add(&detectoid{
			title: a.name,
			rule: func(w *xw) {
				w.empty("bar:Processor", "Architecture", itoa(code), "xmlns:bar", nsBar)
			},
		})
	}
	count := len(archTable)
	for _, p := range g.products {
		c := p.cat
		if c.prof == profDrivers || c.prof == profNone {
			continue
		}
		g.productDet[c] = add(g.productDetectoid(c))
		count++
	}
	for _, lang := range append([]string{"en", "de", "fr", "ja", "zh-cn", "es", "it", "pt-br"}, g.opt.Languages...) {
		if count >= n && len(g.langDetectoids) >= 3 {
			break
		}
		l := lang
		g.langDetectoids = append(g.langDetectoids, add(&detectoid{
			title: "Windows language " + l, detType: "Application Locale",
			rule: func(w *xw) { w.empty("bar:WindowsLanguage", "Language", l, "xmlns:bar", nsBar) },
		}))
		count++
	}
	var wins []*category
	for _, p := range g.products {
		if p.cat.prof == profWindows && p.cat.weight > 0 {
			wins = append(wins, p.cat)
		}
	}
	for i := 0; count < n; i++ {
		c := wins[i%len(wins)]
		ubr := 100 + (i/len(wins))*73 + g.rng.IntN(50)
		v := c.win
		g.versionDet[c] = append(g.versionDet[c], add(&detectoid{
			title:   fmt.Sprintf("%s build %d.%d or later", c.name, v.build, ubr),
			prereqs: []string{g.productDet[c].id},
			rule: func(w *xw) {
				w.start("lar:And", "xmlns:lar", nsLar)
				w.empty("bar:WindowsVersion", "Comparison", "EqualTo", "MajorVersion", itoa(v.major),
					"MinorVersion", itoa(v.minor), "BuildNumber", itoa(v.build), "xmlns:bar", nsBar)
				w.empty("bar:RegDword", "Key", "HKEY_LOCAL_MACHINE",
					"Subkey", `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, "Value", "UBR",
					"Comparison", "GreaterThanOrEqualTo", "Data", itoa(ubr), "xmlns:bar", nsBar)
				w.end("lar:And")
			},
		}))
		count++
	}
}

// productDetectoid detects that product c is installed.
func (g *gen) productDetectoid(c *category) *detectoid {
	d := &detectoid{title: c.name}
	switch c.prof {
	case profWindows:
		v := c.win
		d.rule = func(w *xw) {
			w.start("lar:And", "xmlns:lar", nsLar)
			w.start("lar:Not")
			w.empty("bar:WindowsVersion", "AllSuitesMustBePresent", "true", "SuiteMask", "128", "xmlns:bar", nsBar)
			w.end("lar:Not")
			w.empty("bar:WindowsVersion", "Comparison", "EqualTo", "MajorVersion", itoa(v.major),
				"MinorVersion", itoa(v.minor), "BuildNumber", itoa(v.build),
				"ProductType", itoa(v.productType), "xmlns:bar", nsBar)
			w.end("lar:And")
		}
	case profSQL, profOffice:
		// Installed MSI products, as the detectoid of MS-WSUSSS §4 Sample 2.
		code := "{" + upperGUID(g.guid()) + "}"
		d.usesMsi = true
		d.rule = func(w *xw) {
			w.empty("mar:MsiProductInstalled", "ProductCode", code, "xmlns:mar", nsMar)
		}
	case profDefender:
		d.rule = func(w *xw) {
			w.start("lar:And", "xmlns:lar", nsLar)
			w.empty("bar:RegKeyExists", "Key", "HKEY_LOCAL_MACHINE", "Subkey", `SOFTWARE\Microsoft\Windows Defender`, "xmlns:bar", nsBar)
			w.start("lar:Not")
			w.empty("bar:RegDword", "Key", "HKEY_LOCAL_MACHINE", "Subkey", `SOFTWARE\Policies\Microsoft\Windows Defender`,
				"Value", "DisableAntiSpyware", "Comparison", "EqualTo", "Data", "1", "xmlns:bar", nsBar)
			w.end("lar:Not")
			w.end("lar:And")
		}
	default:
		key := `SOFTWARE\Microsoft\` + c.name
		if c.prof == profDotnet {
			key = `SOFTWARE\dotnet\Setup\InstalledVersions\x64\sharedfx\Microsoft.NETCore.App`
		}
		d.rule = func(w *xw) {
			w.empty("bar:RegKeyExists", "Key", "HKEY_LOCAL_MACHINE", "Subkey", key, "xmlns:bar", nsBar)
		}
	}
	return d
}

// renderDetectoid writes a detectoid document.
func (g *gen) renderDetectoid(w *xw, r *rev) {
	d := r.det
	root := []string{"xmlns:pub", nsPub, "xmlns:bar", nsBar, "xmlns:lar", nsLar}
	if d.usesMsi {
		root = append(root, "xmlns:mar", nsMar)
	}
	w.start("upd:Update", append(root, "xmlns:upd", nsUpd)...)
	w.empty("upd:UpdateIdentity", "UpdateID", r.idText, "RevisionNumber", itoa(r.num))
	attrs := []string{"DefaultPropertiesLanguage", "en", "UpdateType", "Detectoid",
		"ExplicitlyDeployable", "false", "IsPublic", "false"}
	if d.detType != "" {
		attrs = append(attrs, "DetectoidType", d.detType)
	}
	w.start("upd:Properties", append(attrs, "PublicationState", "Published",
		"CreationDate", stamp(r.created), "PublisherID", d.publisher)...)
	w.end("upd:Properties")
	w.start("upd:LocalizedPropertiesCollection")
	w.start("upd:LocalizedProperties")
	w.elem("upd:Language", "en")
	w.elem("upd:Title", d.title)
	w.end("upd:LocalizedProperties")
	w.end("upd:LocalizedPropertiesCollection")
	if len(d.prereqs) > 0 {
		w.start("upd:Relationships")
		w.start("upd:Prerequisites")
		for _, id := range d.prereqs {
			w.empty("upd:UpdateIdentity", "UpdateID", id)
		}
		w.end("upd:Prerequisites")
		w.end("upd:Relationships")
	} else {
		w.empty("upd:Relationships")
	}
	w.start("upd:ApplicabilityRules")
	w.start("upd:IsInstalled")
	d.rule(w)
	w.end("upd:IsInstalled")
	w.end("upd:ApplicabilityRules")
	w.end("upd:Update")
}
