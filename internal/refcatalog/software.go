package refcatalog

import (
	"fmt"
	"time"
)

// profile selects the series, rules, handler and file names of a product.
type profile uint8

const (
	profNone profile = iota
	profWindows
	profDefender
	profEdge
	profApp
	profOffice
	profSQL
	profDotnet
	profDrivers
)

// handler is the installation handler of a leaf or standalone update.
type handler uint8

const (
	handlerCmd handler = iota // CommandLineInstallation
	handlerCbs                // Component-Based Servicing
)

// series is a kind of update a product ships again and again, such as the
// monthly cumulative update. The title formats take, in order: the month
// ("2024-05"), the product, the architecture, the KB number and a version.
type series struct {
	key     string
	class   string // classification name
	weight  int
	handler handler
	chain   bool   // each new one supersedes the previous ones
	eula    bool   // carries EulaID and EulaFile
	leaves  [2]int // bundle size range; a zero minimum allows standalone updates
	kb      int    // fixed KB number (Defender, MSRT), or zero for a fresh one
	title   string
}

// seriesTable is the update series of each profile.
var seriesTable = map[profile][]series{
	profWindows: {
		{key: "cu", class: "Security Updates", weight: 8, handler: handlerCbs, chain: true, leaves: [2]int{1, 2}, title: "%[1]s Cumulative Update for %[2]s for %[3]s-based Systems (KB%[4]d)"},
		{key: "ssu", class: "Critical Updates", weight: 3, handler: handlerCbs, chain: true, leaves: [2]int{1, 1}, title: "%[1]s Servicing Stack Update for %[2]s for %[3]s-based Systems (KB%[4]d)"},
		{key: "net", class: "Security Updates", weight: 4, handler: handlerCbs, chain: true, leaves: [2]int{2, 4}, title: "%[1]s Cumulative Update for .NET Framework 3.5 and 4.8.1 for %[2]s for %[3]s (KB%[4]d)"},
		{key: "du", class: "Critical Updates", weight: 2, handler: handlerCbs, leaves: [2]int{1, 3}, title: "%[1]s Dynamic Update for %[2]s for %[3]s-based Systems (KB%[4]d)"},
		{key: "upd", class: "Updates", weight: 3, handler: handlerCbs, leaves: [2]int{0, 1}, title: "%[1]s Update for %[2]s for %[3]s-based Systems (KB%[4]d)"},
		{key: "msrt", class: "Update Rollups", weight: 1, chain: true, leaves: [2]int{1, 1}, kb: 890830, title: "Windows Malicious Software Removal Tool %[3]s - v5.%[5]s (KB%[4]d)"},
		{key: "fu", class: "Upgrades", weight: 1, handler: handlerCbs, eula: true, leaves: [2]int{2, 4}, title: "Feature update to %[2]s, version %[5]s"},
		{key: "fod", class: "Feature Packs", weight: 1, handler: handlerCbs, leaves: [2]int{1, 3}, title: "%[2]s Features on Demand for %[3]s-based Systems (KB%[4]d)"},
	},
	profDefender: {
		{key: "sig", class: "Definition Updates", weight: 8, chain: true, leaves: [2]int{2, 8}, kb: 2267602, title: "Security Intelligence Update for %[2]s - KB%[4]d (Version %[5]s) - Current Channel (Broad)"},
		{key: "plat", class: "Updates", weight: 2, chain: true, leaves: [2]int{1, 3}, kb: 4052623, title: "Update for %[2]s antimalware platform - KB%[4]d (Version %[5]s) - Current Channel (Broad)"},
	},
	profEdge: {
		{key: "stable", class: "Updates", weight: 1, chain: true, leaves: [2]int{0, 1}, title: "Microsoft Edge-Stable Channel Version %[5]s Update for %[3]s based Edge"},
	},
	profOffice: {
		{key: "sec", class: "Security Updates", weight: 6, chain: true, leaves: [2]int{1, 1}, title: "Security Update for %[2]s (KB%[4]d) %[3]s-Bit Edition"},
		{key: "upd", class: "Updates", weight: 3, leaves: [2]int{0, 1}, title: "Update for %[2]s (KB%[4]d) %[3]s-Bit Edition"},
		{key: "crit", class: "Critical Updates", weight: 1, leaves: [2]int{1, 1}, title: "Critical Update for %[2]s (KB%[4]d) %[3]s-Bit Edition"},
		{key: "sp", class: "Service Packs", weight: 1, eula: true, leaves: [2]int{1, 2}, title: "Service Pack %[5]s for %[2]s (KB%[4]d) %[3]s-Bit Edition"},
	},
	profSQL: {
		{key: "gdr", class: "Security Updates", weight: 3, chain: true, leaves: [2]int{1, 1}, title: "Security Update for %[2]s RTM GDR (KB%[4]d)"},
		{key: "cu", class: "Updates", weight: 3, chain: true, leaves: [2]int{1, 1}, title: "Cumulative Update %[5]s for %[2]s (KB%[4]d)"},
		{key: "sp", class: "Service Packs", weight: 1, eula: true, leaves: [2]int{1, 1}, title: "%[2]s Service Pack %[5]s (KB%[4]d)"},
		{key: "fp", class: "Feature Packs", weight: 1, leaves: [2]int{1, 2}, title: "Feature Pack for %[2]s (KB%[4]d)"},
	},
	profDotnet: {
		{key: "sec", class: "Security Updates", weight: 4, chain: true, leaves: [2]int{1, 3}, title: "%[1]s Security Update for %[2]s (%[5]s) %[3]s Client (KB%[4]d)"},
		{key: "upd", class: "Updates", weight: 2, chain: true, leaves: [2]int{0, 1}, title: "%[1]s Update for %[2]s (%[5]s) %[3]s Server (KB%[4]d)"},
	},
	profApp: {
		{key: "sec", class: "Security Updates", weight: 3, chain: true, leaves: [2]int{1, 1}, title: "Security Update for %[2]s (KB%[4]d)"},
		{key: "upd", class: "Updates", weight: 2, leaves: [2]int{0, 1}, title: "Update for %[2]s (KB%[4]d)"},
		{key: "tools", class: "Tools", weight: 1, leaves: [2]int{0, 1}, title: "%[2]s Tools Update (KB%[4]d)"},
		{key: "apps", class: "Applications", weight: 1, eula: true, leaves: [2]int{1, 1}, title: "%[2]s version %[5]s"},
	},
}

// software is the detail of a bundle, leaf or standalone update.
type software struct {
	product  *rev
	class    *rev
	ser      *series
	arch     string
	kb       int
	version  string
	severity string // MsrcSeverity, security updates only
	titles   map[string]string
	leafName string // leaves: the package title

	prereqAnd  []string   // detectoids every one of which must be installed
	prereqOr   [][]string // clauses of detectoids, one of each must be installed
	superseded []string
	bundled    []ref
	parent     *rev
	hidden     bool // a bundle inside a bundle: not deployable on its own
	files      []*file
	eula       []*file // one per language
	eulaID     string
}

// chainState tracks one chain of superseding updates.
type chainState struct {
	n   int
	ids []string
}

// buildSoftware adds software updates until budget revisions are used.
func (g *gen) buildSoftware(budget int) {
	var products []*rev
	total := 0
	for _, p := range g.products {
		if p.cat.weight > 0 && p.cat.prof != profDrivers {
			products = append(products, p)
			total += p.cat.weight
		}
	}
	chains := map[string]*chainState{}
	for budget > 0 {
		n := g.rng.IntN(total)
		var p *rev
		for _, c := range products {
			if n -= c.cat.weight; n < 0 {
				p = c
				break
			}
		}
		sers := seriesTable[p.cat.prof]
		sum := 0
		for i := range sers {
			sum += sers[i].weight
		}
		k := g.rng.IntN(sum)
		var s *series
		for i := range sers {
			if k -= sers[i].weight; k < 0 {
				s = &sers[i]
				break
			}
		}
		arch := pick(g.rng, p.cat.archs)
		key := p.id + "/" + s.key + "/" + arch
		ch := chains[key]
		if ch == nil {
			ch = &chainState{}
			chains[key] = ch
		}
		leaves := 0
		if s.leaves[0] > 0 || g.rng.IntN(2) == 0 {
			leaves = between(g.rng, max(1, s.leaves[0]), max(1, s.leaves[1]))
		}
		if 1+leaves > budget {
			leaves = 0
		}
		budget -= g.addUpdate(p, s, arch, ch, leaves, budget)
	}
}

// addUpdate adds one top-level update (a bundle with leaves, or a standalone
// update when leaves is zero) and returns how many revisions it used.
func (g *gen) addUpdate(p *rev, s *series, arch string, ch *chainState, leaves, budget int) int {
	i := ch.n
	ch.n++
	created := epoch.AddDate(0, 0, 14*i).Add(time.Duration(g.rng.IntN(14*24*3600)) * time.Second).
		Add(time.Duration(g.rng.IntN(1000)) * time.Millisecond)
	kb := s.kb
	if kb == 0 {
		g.kb += 1 + g.rng.IntN(40)
		kb = g.kb
	}
	sw := &software{
		product: p, class: g.classifications[s.class], ser: s, arch: arch, kb: kb,
		version: seriesVersion(p.cat.prof, s, i, g.rng.IntN(100)),
	}
	if s.class == "Security Updates" {
		sw.severity = pick(g.rng, severities)
	}
	sw.titles = make(map[string]string, len(g.opt.Languages))
	for _, lang := range g.opt.Languages {
		sw.titles[lang] = fmt.Sprintf(translateTitle(lang, s.title), created.Format("2006-01"),
			p.cat.name, arch, kb, sw.version)
	}
	g.prerequisites(sw, p, arch)
	if s.chain && len(ch.ids) > 0 {
		// Newest first, at most ten, as a cumulative update lists the ones it
		// replaces (docs/a2fef9b0… supersedes ten).
		for j := len(ch.ids) - 1; j >= 0 && len(sw.superseded) < 10; j-- {
			sw.superseded = append(sw.superseded, ch.ids[j])
		}
	}
	base := 200
	if g.rng.IntN(10) == 0 {
		base = 100
	}
	top := &rev{id: g.guid(), num: base, kind: kindStandalone, created: created, sw: sw}
	if s.chain {
		ch.ids = append(ch.ids, top.id)
	}
	if s.eula {
		sw.eulaID = g.guid()
		for _, lang := range g.opt.Languages {
			sw.eula = append(sw.eula, g.newFile(fileEula, fmt.Sprintf("eula_%s.txt", lang), created, 0))
		}
	}
	used := 1
	// Some updates are revised: r200 and r201 (and sometimes r202), each a
	// document of its own with the same UpdateID.
	extra := 0
	if g.rng.IntN(25) == 0 {
		extra = 1
		if g.rng.IntN(4) == 0 {
			extra = 2
		}
	}
	reviseLeaves := leaves > 0 && extra > 0 && g.rng.IntN(2) == 0
	cost := 1 + leaves + extra
	if reviseLeaves {
		cost += leaves * extra
	}
	if cost > budget {
		extra, reviseLeaves = 0, false
	}
	if leaves == 0 {
		top.kind = kindStandalone
		g.addFiles(sw, p, s, arch, kb, 0, created)
		g.add(top)
		for e := 1; e <= extra; e++ {
			g.add(revise(top, e))
			used++
		}
		return used
	}
	top.kind = kindBundle
	newLeaf := func(parent *rev, l int) *rev {
		lsw := &software{product: p, class: sw.class, ser: s, arch: arch, kb: kb, version: sw.version, parent: parent}
		lsw.leafName = leafName(p.cat.prof, p.cat.win.build, p.cat.name, arch, kb, sw.version, l)
		g.prerequisites(lsw, p, arch)
		g.addFiles(lsw, p, s, arch, kb, l, created)
		used++
		return g.add(&rev{id: g.guid(), num: base, kind: kindLeaf, created: created.Add(-time.Duration(l+1) * time.Minute), sw: lsw})
	}
	// Defender bundles sometimes hold a non-deployable "HIDDEN" bundle that
	// holds leaves of its own (docs/1f9bd9bb…, docs/ccb78947…).
	nested := p.cat.prof == profDefender && leaves >= 3 && !reviseLeaves && extra == 0 &&
		cost+1 <= budget && g.rng.IntN(3) == 0
	var leafRevs []*rev
	for l := 0; l < leaves; l++ {
		if nested && l == 0 {
			hsw := &software{product: p, class: sw.class, ser: s, arch: arch, kb: kb, version: sw.version,
				parent: top, hidden: true, prereqOr: [][]string{{sw.class.id}, {p.id}},
				leafName: fmt.Sprintf("HIDDEN: Defender Engine %s for EngineBroad (Installer 1.1.%d.%d-Q)", sw.version, 24000+g.rng.IntN(100), 1000+g.rng.IntN(9000))}
			h := &rev{id: g.guid(), num: base, kind: kindBundle, created: created.Add(-time.Second), sw: hsw}
			for ; l < 2; l++ {
				lr := newLeaf(h, l)
				hsw.bundled = append(hsw.bundled, ref{lr.id, lr.num})
			}
			g.add(h)
			used++
			sw.bundled = append(sw.bundled, ref{h.id, h.num})
		}
		lr := newLeaf(top, l)
		leafRevs = append(leafRevs, lr)
		sw.bundled = append(sw.bundled, ref{lr.id, lr.num})
	}
	g.add(top)
	for e := 1; e <= extra; e++ {
		nt := revise(top, e)
		if reviseLeaves {
			nsw := *nt.sw
			nsw.bundled = nil
			for _, lr := range leafRevs {
				nl := revise(lr, e)
				g.add(nl)
				used++
				nsw.bundled = append(nsw.bundled, ref{nl.id, nl.num})
			}
			nt.sw = &nsw
		}
		g.add(nt)
		used++
	}
	return used
}

// revise returns revision r.num+e of r, published later.
func revise(r *rev, e int) *rev {
	n := *r
	n.num = r.num + e
	n.created = r.created.AddDate(0, 0, 3*e).Add(time.Duration(e) * 37 * time.Minute)
	n.seed = 0
	return &n
}

var severities = []string{"Critical", "Important", "Important", "Important", "Critical", "Moderate", "Low", "Important"}

// prerequisites fills the CNF of sw: the product and architecture
// detectoids must all be installed, one of the product's version detectoids
// must be, and a top-level update belongs to its classification and product
// through IsCategory clauses (MS-WUSP §3.1.1.1 Prerequisite Table).
func (g *gen) prerequisites(sw *software, p *rev, arch string) {
	if d := g.productDet[p.cat]; d != nil {
		sw.prereqAnd = append(sw.prereqAnd, d.id)
	}
	if d := g.archDetectoids[arch]; d != nil {
		sw.prereqAnd = append(sw.prereqAnd, d.id)
	}
	if vs := g.versionDet[p.cat]; len(vs) > 0 {
		n := between(g.rng, 1, min(3, len(vs)))
		start := g.rng.IntN(len(vs))
		var clause []string
		for j := 0; j < n; j++ {
			clause = append(clause, vs[(start+j)%len(vs)].id)
		}
		sw.prereqOr = append(sw.prereqOr, clause)
	}
}

// seriesVersion is the version string shown in a title.
func seriesVersion(p profile, s *series, i, r int) string {
	switch {
	case p == profDefender && s.key == "sig":
		return fmt.Sprintf("1.%d.%d.0", 381+i/40, (i%40)*12+r%12)
	case p == profDefender:
		return fmt.Sprintf("4.18.%d.%d", 23000+i*10, 1000+r)
	case p == profEdge:
		return fmt.Sprintf("%d.0.%d.%d", 90+i/4, 2000+i*37, r)
	case s.key == "msrt":
		return fmt.Sprintf("%d", 70+i)
	case s.key == "fu":
		return []string{"21H2", "22H2", "23H2", "24H2", "25H2"}[i%5]
	case s.key == "sp":
		return fmt.Sprintf("%d", 1+i%3)
	case p == profSQL:
		return fmt.Sprintf("%d", 1+i)
	case p == profDotnet:
		return fmt.Sprintf("%d.0.%d", 6+i/50, 1+i%50)
	}
	return fmt.Sprintf("%d.%d", 1+i/12, i%12)
}

// leafName is the title of a bundle member, in the style of real leaves
// ("AM Engine 1.1.26080.3 for Defender amd64fre Broad", package names).
func leafName(p profile, build int, product, arch string, kb int, version string, l int) string {
	switch p {
	case profWindows:
		parts := []string{"", "-express", "-baseless", "-ndp481"}
		return fmt.Sprintf("%s-KB%d-%s%s", winPackage(build), kb, archFile(arch), parts[l%len(parts)])
	case profDefender:
		parts := []string{"Full Deltas", "AM Engine", "AM Delta", "MpSigStub", "Base Signatures", "NIS Signatures", "Platform", "Delta Patch"}
		return fmt.Sprintf("%s %s for Defender %sfre [Broad]", parts[l%len(parts)], version, archFile(arch))
	}
	return fmt.Sprintf("%s (KB%d) %s package %d", product, kb, arch, l+1)
}

// winPackage is the prefix of Windows package names for a build
// ("Windows10.0-KB5026368-arm64.cab", "Windows11.0-KB5065431-arm64.psf").
func winPackage(build int) string {
	switch {
	case build >= 22000:
		return "Windows11.0"
	case build >= 10000:
		return "Windows10.0"
	}
	return "Windows8.1"
}

// archFile is the architecture as file names spell it.
func archFile(arch string) string {
	switch arch {
	case "x64", "64":
		return "x64"
	case "x86", "32":
		return "x86"
	case "ARM64":
		return "arm64"
	}
	return arch
}
