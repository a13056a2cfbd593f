package refcatalog

import "time"

// category is a Company, ProductFamily, Product or UpdateClassification
// (MS-WSUSSS §3.1.1; CategoryInformation/@CategoryType).
type category struct {
	name         string
	ctype        string
	parent       *rev
	displayOrder int
	names        map[string]string // translated titles, by language
	prof         profile
	win          winVersion // products of the Windows family
	archs        []string
	weight       int  // share of the software updates
	excluded     bool // ExcludedByDefault
}

// winVersion is the Windows version a product targets.
type winVersion struct {
	major, minor, build, productType int
}

// companyID and windowsFamilyID are the real GUIDs of Microsoft Corporation
// and of the Windows product family (wsus-rs docs/56309036…, docs/6964aab4…).
const (
	companyID       = "56309036-4c77-4dd9-951a-99ee9c246a94"
	windowsFamilyID = "6964aab4-c5b5-43bd-a17d-ffb4346a8e1d"
)

// classificationTable lists the standard update classifications with their
// real GUIDs (docs/protocol-wsusss.md §10.5, checked against the wsus-rs
// GetRevisionIdList and SyncUpdates captures) and revision numbers.
var classificationTable = []struct {
	name, id string
	num      int
	de, fr   string
}{
	{"Critical Updates", "E6CF1350-C01B-414D-A61F-263D14D133B4", 100, "Kritische Updates", "Mises à jour critiques"},
	{"Security Updates", "0FA1201D-4330-4FA8-8AE9-B877473B6441", 100, "Sicherheitsupdates", "Mises à jour de sécurité"},
	{"Definition Updates", "E0789628-CE08-4437-BE74-2495B842F43B", 100, "Definitionsupdates", "Mises à jour de définitions"},
	{"Updates", "CD5FFD1E-E932-4E3A-BF74-18BF0B1BBD83", 100, "Updates", "Mises à jour"},
	{"Update Rollups", "28BC880E-0592-4CBF-8F95-C79B17911D5F", 100, "Updaterollups", "Correctifs cumulatifs"},
	{"Service Packs", "68C5B0A3-D1A6-4553-AE49-01D3A7827828", 100, "Service Packs", "Service Packs"},
	{"Feature Packs", "B54E7D24-7ADD-428F-8B75-90A396FA584F", 100, "Feature Packs", "Packs de fonctionnalités"},
	{"Tools", "B4832BD8-E735-4761-8DAF-37F882276DAB", 100, "Tools", "Outils"},
	{"Drivers", "EBFC1FC5-71A4-4F7B-9ACA-3B9A503104A0", 100, "Treiber", "Pilotes"},
	{"Upgrades", "3689BDC8-B205-4AF4-8D4A-A63924C5E9D5", 100, "Upgrades", "Mises à niveau"},
	{"Applications", "5C9376AB-8CE6-464A-B136-22113DD69801", 2, "Anwendungen", "Applications"},
}

// productTable lists the product families and products. An id is given
// only where the real GUID appears in ../shared (docs/protocol-wsusss.md
// §10.5, wsus-rs docs); the others come from the seeded generator.
var productTable = []struct {
	family   string
	familyID string
	products []productSpec
}{
	{"Windows", windowsFamilyID, []productSpec{
		{name: "Windows 10", id: "a3c2375d-0c8a-42f9-bce0-28333e198407", prof: profWindows, win: winVersion{10, 0, 19045, 1}, archs: []string{"x86", "x64", "ARM64"}, weight: 9},
		{name: "Windows 10, version 1903 and later", id: "b3c75dc1-155f-4be4-b015-3f1a91758e52", prof: profWindows, win: winVersion{10, 0, 19041, 1}, archs: []string{"x86", "x64", "ARM64"}, weight: 7},
		{name: "Windows 11", id: "72e7624a-5b00-45d2-b92f-e561c0a6a160", prof: profWindows, win: winVersion{10, 0, 22631, 1}, archs: []string{"x64", "ARM64"}, weight: 10},
		{name: "Microsoft Server operating system-21H2", id: "71718f13-7324-4b0f-8f9e-2ca9dc978e53", prof: profWindows, win: winVersion{10, 0, 20348, 3}, archs: []string{"x64"}, weight: 5},
		{name: "Microsoft Server operating system-24H2", id: "b256987d-4693-4c87-955d-dbb9341205eb", prof: profWindows, win: winVersion{10, 0, 26100, 3}, archs: []string{"x64"}, weight: 5},
		{name: "Windows Server 2019", prof: profWindows, win: winVersion{10, 0, 17763, 3}, archs: []string{"x64"}, weight: 5},
		{name: "Windows Server 2016", prof: profWindows, win: winVersion{10, 0, 14393, 3}, archs: []string{"x64"}, weight: 3},
		{name: "Windows Server 2012 R2", prof: profWindows, win: winVersion{6, 3, 9600, 3}, archs: []string{"x64"}, weight: 2},
		{name: "Windows 10 LTSB", prof: profWindows, win: winVersion{10, 0, 14393, 1}, archs: []string{"x86", "x64"}, weight: 2},
		{name: "Windows 10 GDR-DU", prof: profWindows, win: winVersion{10, 0, 19041, 1}, archs: []string{"x86", "x64"}, weight: 1},
		{name: "Windows 11 Dynamic Update", prof: profWindows, win: winVersion{10, 0, 22621, 1}, archs: []string{"x64", "ARM64"}, weight: 1},
		{name: "OOBE ZDP", id: "dd78b8a1-0b20-45c1-add6-4da72e9364cf", prof: profWindows, win: winVersion{6, 3, 9600, 1}, archs: []string{"x64"}, excluded: true},
		{name: "Microsoft Defender Antivirus", id: "8c3fcc84-7410-4a95-8b89-a166a0190486", prof: profDefender, archs: []string{"x64", "x86", "ARM64"}, weight: 9},
		{name: "Microsoft Defender for Endpoint", prof: profDefender, archs: []string{"x64"}, weight: 1},
		{name: "Microsoft Edge", prof: profEdge, archs: []string{"x64", "x86", "ARM64"}, weight: 3},
		{name: "Windows Admin Center", prof: profApp, archs: []string{"x64"}, weight: 1},
		{name: "Windows 10 and later drivers", prof: profDrivers, archs: []string{"x64"}},
		{name: "Windows 11 Client, version 22H2 and later, Servicing Drivers", prof: profDrivers, archs: []string{"x64"}},
		{name: "Windows Server 2022 and later drivers", prof: profDrivers, archs: []string{"x64"}},
	}},
	{"Office", "", []productSpec{
		{name: "Office 2013", prof: profOffice, archs: []string{"32", "64"}, weight: 2},
		{name: "Office 2016", prof: profOffice, archs: []string{"32", "64"}, weight: 4},
		{name: "Office 2019", prof: profOffice, archs: []string{"32", "64"}, weight: 2},
		{name: "Office LTSC 2021", prof: profOffice, archs: []string{"32", "64"}, weight: 1},
		{name: "Office LTSC 2024", prof: profOffice, archs: []string{"32", "64"}, weight: 1},
		{name: "Microsoft 365 Apps/Office 2019/Office LTSC", prof: profOffice, archs: []string{"32", "64"}, weight: 2},
	}},
	{"SQL Server", "", []productSpec{
		{name: "SQL Server 2016", prof: profSQL, archs: []string{"x64"}, weight: 1},
		{name: "SQL Server 2017", prof: profSQL, archs: []string{"x64"}, weight: 1},
		{name: "SQL Server 2019", prof: profSQL, archs: []string{"x64"}, weight: 2},
		{name: "SQL Server 2022", prof: profSQL, archs: []string{"x64"}, weight: 2},
		{name: "Microsoft SQL Server Management Studio v20", prof: profApp, archs: []string{"x64"}, weight: 1},
	}},
	{"Developer Tools, Runtimes, and Redistributables", "", []productSpec{
		{name: ".NET 6.0", prof: profDotnet, archs: []string{"x64", "x86", "ARM64"}, weight: 2},
		{name: ".NET 8.0", prof: profDotnet, archs: []string{"x64", "x86", "ARM64"}, weight: 3},
		{name: ".NET 9.0", prof: profDotnet, archs: []string{"x64", "x86", "ARM64"}, weight: 2},
		{name: "Visual Studio 2019", prof: profApp, archs: []string{"x64"}, weight: 1},
		{name: "Visual Studio 2022", prof: profApp, archs: []string{"x64"}, weight: 2},
	}},
	{"Exchange", "", []productSpec{
		{name: "Exchange Server 2016", prof: profApp, archs: []string{"x64"}, weight: 1},
		{name: "Exchange Server 2019", prof: profApp, archs: []string{"x64"}, weight: 1},
	}},
	{"System Center", "", []productSpec{
		{name: "System Center 2019 - Operations Manager", prof: profApp, archs: []string{"x64"}, weight: 1},
		{name: "System Center 2022 - Data Protection Manager", prof: profApp, archs: []string{"x64"}, weight: 1},
	}},
	{"Skype for Business", "", []productSpec{
		{name: "Skype for Business Server 2019", prof: profApp, archs: []string{"x64"}, weight: 1},
	}},
}

type productSpec struct {
	name     string
	id       string
	prof     profile
	win      winVersion
	archs    []string
	weight   int // zero: no software updates
	excluded bool
}

// buildCategories adds the company, families, products and classifications.
func (g *gen) buildCategories() {
	// Reserve the fixed GUIDs first, so that no generated one can collide.
	g.seen[companyID] = true
	for _, f := range productTable {
		g.seen[f.familyID] = true
		for _, p := range f.products {
			g.seen[p.id] = true
		}
	}
	for _, c := range classificationTable {
		g.seen[lowerGUID(c.id)] = true
	}
	created := time.Date(2005, time.September, 22, 0, 5, 11, 471e6, time.UTC)
	g.company = g.add(&rev{
		id: companyID, idText: "56309036-4C77-4DD9-951A-99EE9C246A94", num: 101,
		kind: kindCompany, created: created,
		cat: &category{name: "Microsoft", ctype: "Company", displayOrder: 1},
	})
	for i, f := range productTable {
		id, text := f.familyID, f.familyID
		if id == "" {
			id = g.guid()
			text = id
		} else {
			text = upperGUID(id)
		}
		fam := g.add(&rev{
			id: id, idText: text, num: 100, kind: kindFamily,
			created: created.Add(time.Duration(i+1) * 24 * time.Hour),
			cat:     &category{name: f.family, ctype: "ProductFamily", parent: g.company, displayOrder: 2 + i},
		})
		g.families = append(g.families, fam)
		for j, p := range f.products {
			id := p.id
			if id == "" {
				id = g.guid()
			}
			num := 200 + g.rng.IntN(3)
			if p.name == "OOBE ZDP" {
				num = 202
			}
			g.products = append(g.products, g.add(&rev{
				id: id, num: num, kind: kindProduct,
				created: created.AddDate(2+j%12, i, j),
				cat: &category{name: p.name, ctype: "Product", parent: fam, prof: p.prof,
					win: p.win, archs: p.archs, weight: p.weight, excluded: p.excluded},
			}))
		}
	}
	for i, c := range classificationTable {
		g.classifications[c.name] = g.add(&rev{
			id: lowerGUID(c.id), idText: c.id, num: c.num, kind: kindClassification,
			created: created.AddDate(0, 0, -300+i),
			cat: &category{name: c.name, ctype: "UpdateClassification", displayOrder: i + 1,
				names: map[string]string{"de": c.de, "fr": c.fr}},
		})
	}
}

// renderCategory writes a category document in the shape of the real
// Company, ProductFamily and Product documents (wsus-rs docs/56309036…,
// docs/6964aab4…, docs/dd78b8a1…).
func (g *gen) renderCategory(w *xw, r *rev) {
	c := r.cat
	product := r.kind == kindProduct
	winRule := product && c.prof == profWindows
	root := []string{}
	switch {
	case r.kind == kindFamily:
		root = append(root, "xmlns:cat", nsCat, "xmlns:lar", nsLar)
	case winRule:
		root = append(root, "xmlns:pub", nsPub, "xmlns:bar", nsBar, "xmlns:cat", nsCat)
	default:
		root = append(root, "xmlns:pub", nsPub, "xmlns:lar", nsLar, "xmlns:cat", nsCat)
	}
	w.start("upd:Update", append(root, "xmlns:upd", nsUpd)...)
	w.empty("upd:UpdateIdentity", "UpdateID", r.idText, "RevisionNumber", itoa(r.num))
	publisher := publisherClassic
	if product {
		publisher = publisherCategory
		w.start("upd:Properties", "DefaultPropertiesLanguage", "en", "UpdateType", "Category",
			"ExplicitlyDeployable", "false", "PerUser", "false", "IsPublic", "true",
			"Handler", nsCat, "PublicationState", "Published",
			"CreationDate", stamp(r.created), "PublisherID", publisher)
	} else {
		w.start("upd:Properties", "DefaultPropertiesLanguage", "en", "IsPublic", "true",
			"UpdateType", "Category", "Handler", nsCat, "PublicationState", "Published",
			"CreationDate", stamp(r.created), "PublisherID", publisher)
	}
	w.end("upd:Properties")
	w.start("upd:LocalizedPropertiesCollection")
	for _, lang := range g.opt.Languages {
		title := c.name
		if t, ok := c.names[lang]; ok {
			title = t
		}
		w.start("upd:LocalizedProperties")
		w.elem("upd:Language", lang)
		w.elem("upd:Title", title)
		w.elem("upd:Description", categoryDescription(lang, c, title))
		w.end("upd:LocalizedProperties")
	}
	w.end("upd:LocalizedPropertiesCollection")
	if c.parent != nil {
		// A category names its parent through an IsCategory prerequisite
		// (docs/6964aab4…, docs/dd78b8a1…).
		w.start("upd:Relationships")
		w.start("upd:Prerequisites")
		w.start("upd:AtLeastOne", "IsCategory", "true")
		w.empty("upd:UpdateIdentity", "UpdateID", c.parent.id)
		w.end("upd:AtLeastOne")
		w.end("upd:Prerequisites")
		w.end("upd:Relationships")
	}
	w.start("upd:ApplicabilityRules")
	w.start("upd:IsInstalled")
	if winRule {
		w.empty("bar:WindowsVersion", "Comparison", "GreaterThanOrEqualTo",
			"MajorVersion", itoa(c.win.major), "MinorVersion", itoa(c.win.minor),
			"ProductType", itoa(c.win.productType), "xmlns:bar", nsBar)
	} else {
		w.empty("lar:True")
	}
	w.end("upd:IsInstalled")
	w.end("upd:ApplicabilityRules")
	if product {
		w.start("upd:HandlerSpecificData", "xsi:type", "cat:Category", "xmlns:xsi", nsXsi, "xmlns:pub", nsPub)
		attrs := []string{"CategoryType", "Product", "ProhibitsSubcategories", "true"}
		if c.excluded {
			attrs = append(attrs, "ExcludedByDefault", "true")
		}
		w.empty("cat:CategoryInformation", append(attrs, "xmlns:cat", nsCat)...)
	} else {
		w.start("upd:HandlerSpecificData", "xsi:type", "cat:Category", "xmlns:xsi", nsXsi)
		prohibitsSub, prohibitsUpd := "false", "true"
		if c.ctype == "UpdateClassification" {
			prohibitsSub, prohibitsUpd = "true", "false"
		}
		w.empty("cat:CategoryInformation", "CategoryType", c.ctype,
			"ProhibitsSubcategories", prohibitsSub, "ProhibitsUpdates", prohibitsUpd,
			"DisplayOrder", itoa(c.displayOrder))
	}
	w.end("upd:HandlerSpecificData")
	w.end("upd:Update")
}

// upperGUID and lowerGUID change the letter case of a GUID. Real documents
// spell the same GUID both ways (docs/56309036… identity against the
// references to it), so consumers must compare without case.
func upperGUID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func lowerGUID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'F' {
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}
