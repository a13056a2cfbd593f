package catalog

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

// Test GUIDs: short names are fine for the graph; lowerGUID only folds case.
const (
	all   = patchbay.AllComputersGroupID
	child = "c0000000-0000-0000-0000-000000000001"
	grand = "c0000000-0000-0000-0000-000000000002"
	other = "c0000000-0000-0000-0000-000000000003"
)

var t0 = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// rb builds a revision for tests.
type rb struct{ r patchbay.Revision }

func rv(uid string, n int, typ patchbay.UpdateType) *rb {
	return &rb{patchbay.Revision{RevisionKey: patchbay.RevisionKey{UpdateID: uid, RevisionNumber: n}, Type: typ}}
}

// pre adds one prerequisite clause (an AtLeastOne when len > 1).
func (b *rb) pre(uids ...string) *rb {
	b.r.Prerequisites = append(b.r.Prerequisites, patchbay.Clause{UpdateIDs: uids})
	return b
}

// cat adds an IsCategory clause.
func (b *rb) cat(uids ...string) *rb {
	b.r.Prerequisites = append(b.r.Prerequisites, patchbay.Clause{UpdateIDs: uids, IsCategory: true})
	return b
}

// bun adds one bundle clause over exact revisions "uid" at revision 1 unless keys given.
func (b *rb) bun(keys ...patchbay.RevisionKey) *rb {
	b.r.Bundled = append(b.r.Bundled, patchbay.Clause{Revisions: keys})
	return b
}

func (b *rb) sup(uids ...string) *rb { b.r.Superseded = append(b.r.Superseded, uids...); return b }

func (b *rb) expired() *rb { b.r.PublicationState = "Expired"; return b }

func (b *rb) ctype(t string) *rb { b.r.CategoryType = t; return b }

func (b *rb) drv(d ...patchbay.Driver) *rb { b.r.Driver = append(b.r.Driver, d...); return b }

func k(uid string, n int) patchbay.RevisionKey {
	return patchbay.RevisionKey{UpdateID: uid, RevisionNumber: n}
}

// entries assigns RevisionIDs 10, 20, 30… in order.
func entries(bs ...*rb) []Entry {
	out := make([]Entry, len(bs))
	for j, b := range bs {
		r := b.r
		out[j] = Entry{ID: int32(10 * (j + 1)), Revision: &r, Core: []byte("<core " + r.UpdateID + ">")}
	}
	return out
}

func approve(uid string, rev int, group string, a patchbay.Action) patchbay.Approval {
	return patchbay.Approval{UpdateID: uid, RevisionNumber: rev, GroupID: group, Action: a,
		DownloadPriority: patchbay.PriorityNormal, LastChange: t0}
}

var groups = []patchbay.TargetGroup{
	{ID: all, Name: "All Computers"},
	{ID: child, Name: "Child", ParentID: all},
	{ID: grand, Name: "Grandchild", ParentID: child},
	{ID: other, Name: "Other", ParentID: all},
}

func mustBuild(t testing.TB, in Input) *Catalog {
	t.Helper()
	if in.Groups == nil {
		in.Groups = groups
	}
	if in.Now.IsZero() {
		in.Now = t0.Add(time.Hour)
	}
	c, err := Build(in)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return c
}

func TestBuildRejectsAmbiguousIDs(t *testing.T) {
	r1 := rv("a", 1, patchbay.TypeSoftware).r
	r2 := rv("b", 1, patchbay.TypeSoftware).r
	r1b := rv("A", 1, patchbay.TypeSoftware).r
	tests := []struct {
		name string
		in   []Entry
	}{
		{"nil revision", []Entry{{ID: 1}}},
		{"duplicate id", []Entry{{ID: 1, Revision: &r1}, {ID: 1, Revision: &r2}}},
		{"duplicate key, case-insensitive", []Entry{{ID: 1, Revision: &r1}, {ID: 2, Revision: &r1b}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(Input{Revisions: tc.in})
			if got := patchbay.ErrorCode(err); got != patchbay.EInvalid {
				t.Errorf("Build() error = %v, want code %q", err, patchbay.EInvalid)
			}
		})
	}
}

func TestBuildEmpty(t *testing.T) {
	c := mustBuild(t, Input{})
	r := c.Select(nil, Query{})
	if len(r.NewUpdates) != 0 || r.Truncated || !r.DriverSyncNotNeeded {
		t.Errorf("Select on empty catalog = %+v", r)
	}
}

func TestMissingReferences(t *testing.T) {
	c := mustBuild(t, Input{
		Revisions: entries(
			rv("det", 1, patchbay.TypeDetectoid),                           // 10
			rv("u1", 1, patchbay.TypeSoftware).pre("gone"),                 // 20: never satisfiable
			rv("u2", 1, patchbay.TypeSoftware).pre("gone", "det"),          // 30: satisfiable through det
			rv("u3", 1, patchbay.TypeSoftware).cat("no-product"),           // 40: category missing
			rv("b", 1, patchbay.TypeSoftware).bun(k("nobody", 1)),          // 50: bundle of nothing
			rv("b2", 1, patchbay.TypeSoftware).bun(k("det", 7)),            // 60: revision replaced
			rv("u4", 1, patchbay.TypeSoftware).pre().sup("expired-update"), // 70: empty clause ignored
		),
		Approvals: []patchbay.Approval{
			approve("unknown", 1, all, patchbay.ActionInstall),
			approve("u4", 1, "no-such-group", patchbay.ActionInstall),
			approve("u4", 1, all, "Reinstall"),
		},
	})
	want := []Problem{
		{0, UnknownApprovalGroup, "no-such-group"},
		{0, UnknownApprovalUpdate, "unknown"},
		{20, MissingPrerequisite, "gone"},
		{30, MissingPrerequisite, "gone"},
		{40, MissingCategory, "no-product"},
		{50, MissingBundled, "nobody/1"},
		{60, BundledRevisionReplaced, "det/7"},
		{70, UnknownAction, "Reinstall"},
	}
	if diff := cmp.Diff(want, c.Problems()); diff != "" {
		t.Errorf("Problems() mismatch (-want +got):\n%s", diff)
	}
	for id, want := range map[int32]bool{10: true, 20: false, 30: true, 40: false, 50: false, 60: true, 70: true} {
		if in, _ := c.Lookup(id); in.Satisfiable != want {
			t.Errorf("Lookup(%d).Satisfiable = %v, want %v", id, in.Satisfiable, want)
		}
	}
	// Rounds: the unsatisfiable ones never come, whatever is installed.
	r := c.Select(nil, Query{})
	if got, want := ids(r.NewUpdates), []int32{10, 60, 70}; !slices.Equal(got, want) {
		t.Errorf("first round = %v, want %v", got, want)
	}
	r = c.Select(nil, Query{InstalledNonLeaf: []int32{10}, OtherCached: []int32{60, 70}})
	if got, want := ids(r.NewUpdates), []int32{30}; !slices.Equal(got, want) {
		t.Errorf("second round = %v, want %v", got, want)
	}
}

func TestLookupGraph(t *testing.T) {
	c := mustBuild(t, Input{Revisions: entries(
		rv("company", 1, patchbay.TypeCategory).ctype("Company"),                 // 10
		rv("product", 1, patchbay.TypeCategory).ctype("Product").cat("company"),  // 20
		rv("class", 1, patchbay.TypeCategory).ctype("UpdateClassification"),      // 30
		rv("det", 1, patchbay.TypeDetectoid),                                     // 40
		rv("u", 1, patchbay.TypeSoftware).cat("product").cat("class").pre("det"), // 50
		rv("u", 2, patchbay.TypeSoftware).cat("product").cat("class").pre("det"), // 60
		rv("v", 1, patchbay.TypeSoftware).sup("u").bun(k("m", 1)),                // 70
		rv("m", 1, patchbay.TypeSoftware),                                        // 80
		rv("old-only", 1, patchbay.TypeSoftware).pre("ghost-leaf"),               // 90
	)})
	got, ok := c.Lookup(60)
	if !ok {
		t.Fatal("Lookup(60) not found")
	}
	want := Info{
		ID: 60, Key: k("u", 2), Type: patchbay.TypeSoftware, Latest: true, IsLeaf: true, Satisfiable: true,
		Prerequisites:  [][]int32{{20}, {30}, {40}},
		CategoryClause: []bool{true, true, false},
		SupersededBy:   []int32{70},
		Categories:     []int32{20, 30},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lookup(60) mismatch (-want +got):\n%s", diff)
	}
	if in, _ := c.Lookup(50); in.Latest {
		t.Error("Lookup(50).Latest = true, want false (revision 2 exists)")
	}
	if in, _ := c.Lookup(80); !in.IsLeaf || !slices.Equal(in.BundledBy, []int32{70}) {
		t.Errorf("Lookup(80) = %+v, want a leaf bundled by 70", in)
	}
	if in, _ := c.Lookup(70); !slices.Equal(in.Supersedes, []int32{60}) {
		t.Errorf("Lookup(70).Supersedes = %v, want [60]", in.Supersedes)
	}
	if got := c.CategoryMembers(20); !slices.Equal(got, []int32{60}) {
		t.Errorf("CategoryMembers(20) = %v, want [60]", got)
	}
	if got := c.Categories("product"); !slices.Equal(got, []int32{20}) {
		t.Errorf("Categories(product) = %v, want [20]", got)
	}
	if id, ok := c.RevisionID("U"); !ok || id != 60 {
		t.Errorf("RevisionID(U) = %d, %v, want 60, true", id, ok)
	}
	if _, ok := c.Lookup(999); ok {
		t.Error("Lookup(999) found")
	}
}

func TestIsLeaf(t *testing.T) {
	c := mustBuild(t, Input{Revisions: entries(
		rv("company", 1, patchbay.TypeCategory),                        // 10: named by an IsCategory clause
		rv("product", 1, patchbay.TypeCategory).cat("company"),         // 20: named by nothing
		rv("det", 1, patchbay.TypeDetectoid),                           // 30: bare prerequisite
		rv("alt", 1, patchbay.TypeDetectoid),                           // 40: in an AtLeastOne
		rv("u", 1, patchbay.TypeSoftware).pre("det").pre("alt", "det"), // 50
		rv("bundle", 1, patchbay.TypeSoftware).bun(k("member", 1)),     // 60
		rv("member", 1, patchbay.TypeSoftware),                         // 70: bundle members are leaves
		rv("x", 1, patchbay.TypeSoftware).pre("y"),                     // 80: an old revision names y
		rv("x", 2, patchbay.TypeSoftware),                              // 90
		rv("y", 1, patchbay.TypeDetectoid),                             // 100: still non-leaf (Prerequisite Table holds all revisions)
		rv("unused-class", 1, patchbay.TypeCategory),                   // 110
	)})
	want := map[int32]bool{10: false, 20: true, 30: false, 40: false, 50: true, 60: true, 70: true, 90: true, 100: false, 110: true}
	for id, w := range want {
		if in, _ := c.Lookup(id); in.IsLeaf != w {
			t.Errorf("Lookup(%d).IsLeaf = %v, want %v", id, in.IsLeaf, w)
		}
	}
}

func TestHolder(t *testing.T) {
	var h Holder
	if h.Load() != nil {
		t.Fatal("zero Holder.Load() != nil")
	}
	a, b := mustBuild(t, Input{Version: 1}), mustBuild(t, Input{Version: 2})
	if old := h.Swap(a); old != nil {
		t.Errorf("first Swap returned %v", old)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			if v := h.Load().Version(); v != 1 && v != 2 {
				t.Errorf("Load().Version() = %d", v)
				return
			}
		}
	}()
	if old := h.Swap(b); old != a {
		t.Error("Swap did not return the previous catalog")
	}
	<-done
	if h.Load().Version() != 2 {
		t.Errorf("Load().Version() = %d, want 2", h.Load().Version())
	}
}

func ids(os []Offer) []int32 {
	out := make([]int32, len(os))
	for j, o := range os {
		out[j] = o.ID
	}
	return out
}
