package catalog

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"patchbay"
)

// synth generates a WSUS-shaped catalog of about n revisions: 40 categories
// (company, families, products, classifications), 500 detectoids in short
// prerequisite chains, software updates in 1–2 products and one
// classification with 1–2 detectoid clauses, bundles of 1–3 leaves,
// supersedence chains, second revisions, and 5% drivers; approved updates
// spread over a small group tree.
func synth(n, approved int) Input {
	rnd := rand.New(rand.NewPCG(1, 2))
	guid := func(kind string, j int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum(kind), j) }
	var revs []Entry
	add := func(r *patchbay.Revision) {
		revs = append(revs, Entry{ID: int32(len(revs) + 1), Revision: r, Core: make([]byte, 600)})
	}
	newRev := func(uid string, n int, t patchbay.UpdateType) *patchbay.Revision {
		return &patchbay.Revision{RevisionKey: patchbay.RevisionKey{UpdateID: uid, RevisionNumber: n}, Type: t}
	}
	company := guid("cat", 0)
	add(&patchbay.Revision{RevisionKey: patchbay.RevisionKey{UpdateID: company, RevisionNumber: 1}, Type: patchbay.TypeCategory, CategoryType: "Company"})
	var products, classes []string
	for j := 1; j < 40; j++ {
		r := newRev(guid("cat", j), 1, patchbay.TypeCategory)
		switch {
		case j <= 3:
			r.CategoryType = "ProductFamily"
			r.Prerequisites = []patchbay.Clause{{UpdateIDs: []string{company}, IsCategory: true}}
		case j <= 29:
			r.CategoryType = "Product"
			r.Prerequisites = []patchbay.Clause{{UpdateIDs: []string{guid("cat", 1+j%3)}, IsCategory: true}}
			products = append(products, r.UpdateID)
		default:
			r.CategoryType = "UpdateClassification"
			classes = append(classes, r.UpdateID)
		}
		add(r)
	}
	var dets []string
	for j := range 500 {
		r := newRev(guid("det", j), 1, patchbay.TypeDetectoid)
		if j%5 != 0 { // chains of five: each needs the previous one
			r.Prerequisites = []patchbay.Clause{{UpdateIDs: []string{dets[j-1]}}}
		}
		dets = append(dets, r.UpdateID)
		add(r)
	}
	var updates []string
	for j := 0; len(revs) < n; j++ {
		uid := guid("upd", j)
		t := patchbay.TypeSoftware
		if j%20 == 19 {
			t = patchbay.TypeDriver
		}
		r := newRev(uid, 100, t)
		ps := []string{products[rnd.IntN(len(products))]}
		if rnd.IntN(4) == 0 {
			ps = append(ps, products[rnd.IntN(len(products))])
		}
		r.Prerequisites = []patchbay.Clause{
			{UpdateIDs: ps, IsCategory: true},
			{UpdateIDs: []string{classes[rnd.IntN(len(classes))]}, IsCategory: true},
		}
		for range 1 + rnd.IntN(2) {
			cl := patchbay.Clause{}
			for range 1 + rnd.IntN(3) {
				cl.UpdateIDs = append(cl.UpdateIDs, dets[rnd.IntN(len(dets))])
			}
			r.Prerequisites = append(r.Prerequisites, cl)
		}
		if t == patchbay.TypeDriver {
			hw := fmt.Sprintf(`PCI\VEN_%04X&DEV_%04X`, j%97, j%89)
			r.Driver = []patchbay.Driver{{HardwareID: hw, DriverVerDate: fmt.Sprintf("2025-%02d-01", 1+j%12), DriverVerVersion: fmt.Sprintf("1.0.%d.0", j)}}
		}
		if j%4 == 0 && t == patchbay.TypeSoftware { // a bundle of 1–3 fresh leaves
			for m := range 1 + rnd.IntN(3) {
				mid := guid("mem", j*4+m)
				mr := newRev(mid, 1, patchbay.TypeSoftware)
				mr.Prerequisites = r.Prerequisites[:2]
				add(mr)
				r.Bundled = append(r.Bundled, patchbay.Clause{Revisions: []patchbay.RevisionKey{mr.RevisionKey}})
			}
		}
		if j%5 != 0 && len(updates) > 0 {
			r.Superseded = []string{updates[len(updates)-1]}
		}
		add(r)
		if j%10 == 3 {
			r2 := *r
			r2.RevisionNumber = 101
			add(&r2)
		}
		updates = append(updates, uid)
	}
	grps := []patchbay.TargetGroup{{ID: patchbay.AllComputersGroupID, Name: "All Computers"}}
	for g := range 5 {
		parent := patchbay.AllComputersGroupID
		if g > 2 {
			parent = guid("grp", 1)
		}
		grps = append(grps, patchbay.TargetGroup{ID: guid("grp", g+1), ParentID: parent})
	}
	var aps []patchbay.Approval
	at := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for j, p := range rnd.Perm(len(updates))[:min(approved, len(updates))] {
		g := grps[j%len(grps)].ID
		aps = append(aps, patchbay.Approval{UpdateID: updates[p], RevisionNumber: 100, GroupID: g,
			Action: patchbay.ActionInstall, LastChange: at.Add(time.Duration(j) * time.Minute)})
	}
	var declined []string
	for j := 0; j < len(updates); j += 50 {
		declined = append(declined, updates[j])
	}
	return Input{Revisions: revs, Groups: grps, Approvals: aps, Declined: declined, Version: 1, Now: at.Add(time.Hour)}
}

func kindNum(s string) int {
	return map[string]int{"cat": 1, "det": 2, "upd": 3, "mem": 4, "grp": 5}[s]
}

var sink *Catalog

func BenchmarkBuild20k(b *testing.B) {
	in := synth(20000, 3000)
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	for b.Loop() {
		c, err := Build(in)
		if err != nil {
			b.Fatal(err)
		}
		sink = c
	}
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/1e6, "alloc-MB/op")
	b.ReportMetric(float64(len(in.Revisions)), "revisions")
	// Live size of one snapshot.
	sink = nil
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	c, _ := Build(in)
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc))/1e6, "live-MB")
	runtime.KeepAlive(c)
}

// scanClient runs the client loop of protocol-wusp.md §5.2 to the end and
// returns its final lists: categories and every other detectoid evaluate installed.
func scanClient(c *Catalog, groups []string, max int) (installed, other []int32, rounds int) {
	var since time.Time // the watermark of the NewCookie
	for {
		rounds++
		res := c.Select(groups, Query{InstalledNonLeaf: installed, OtherCached: other, Max: max, Since: since})
		since = res.Watermark
		if len(res.NewUpdates) == 0 {
			return installed, other, rounds
		}
		for _, o := range res.NewUpdates {
			if !o.IsLeaf && o.ID%2 == 0 || !o.IsLeaf && o.ID < 41 {
				installed = append(installed, o.ID)
			} else {
				other = append(other, o.ID)
			}
		}
	}
}

func benchSelect(b *testing.B, q Query) {
	c := benchCatalog(b)
	groups := []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum("grp"), 4)}
	b.ReportAllocs()
	var res Result
	for b.Loop() {
		res = c.Select(groups, q)
	}
	b.ReportMetric(float64(len(res.NewUpdates)), "new")
	b.ReportMetric(float64(len(res.ChangedUpdates)), "changed")
}

var benchCat *Catalog

func benchCatalog(b *testing.B) *Catalog {
	if benchCat == nil {
		c, err := Build(synth(20000, 3000))
		if err != nil {
			b.Fatal(err)
		}
		benchCat = c
	}
	return benchCat
}

func BenchmarkSelectFirstScan(b *testing.B) {
	benchSelect(b, Query{Max: 30})
}

func BenchmarkSelectDifferential(b *testing.B) {
	c := benchCatalog(b)
	groups := []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum("grp"), 4)}
	inst, other, rounds := scanClient(c, groups, 0)
	b.Logf("client cache: %d installed non-leaf, %d other, %d rounds", len(inst), len(other), rounds)
	benchSelect(b, Query{InstalledNonLeaf: inst, OtherCached: other, Max: 30, Since: c.Watermark()})
}

// BenchmarkFirstScanComplete runs a fresh client's whole software pass in
// pages of 30, as WSUS pages (protocol-wusp.md trap 24).
func BenchmarkFirstScanComplete(b *testing.B) {
	c := benchCatalog(b)
	groups := []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum("grp"), 4)}
	b.ReportAllocs()
	var rounds int
	for b.Loop() {
		_, _, rounds = scanClient(c, groups, 30)
	}
	b.ReportMetric(float64(rounds), "calls")
}

func TestSynthScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20,000-revision catalog")
	}
	in := synth(20000, 3000)
	c, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	g := []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum("grp"), 4)}
	inst, other, rounds := scanClient(c, g, 30)
	if rounds < 3 || len(inst) == 0 || len(other) < 5000 {
		t.Errorf("scan: %d rounds, %d installed, %d other", rounds, len(inst), len(other))
	}
	res := c.Select(g, Query{InstalledNonLeaf: inst, OtherCached: other, Since: c.Watermark()})
	if len(res.NewUpdates)+len(res.OutOfScope)+len(res.ChangedUpdates) != 0 {
		t.Errorf("differential call: %d new, %d out of scope, %d changed", len(res.NewUpdates), len(res.OutOfScope), len(res.ChangedUpdates))
	}
	// Every offered revision is the latest of its update.
	for _, id := range append(inst, other...) {
		if in, _ := c.Lookup(id); !in.Latest {
			t.Fatalf("offered %d, not the latest revision", id)
		}
	}
}
