package catalog

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

// chain is the OOBE example of protocol-wusp.md §5.11: Company →
// ProductFamily → Product → update, one level per round.
func chain() []Entry {
	return entries(
		rv("company", 1, patchbay.TypeCategory).ctype("Company"),                          // 10
		rv("family", 1, patchbay.TypeCategory).ctype("ProductFamily").cat("company"),      // 20
		rv("product", 1, patchbay.TypeCategory).ctype("Product").cat("family"),            // 30
		rv("class", 1, patchbay.TypeCategory).ctype("UpdateClassification"),               // 40
		rv("det1", 1, patchbay.TypeDetectoid),                                             // 50
		rv("det2", 1, patchbay.TypeDetectoid),                                             // 60
		rv("u", 1, patchbay.TypeSoftware).cat("product").cat("class").pre("det1", "det2"), // 70
	)
}

func TestSelectRounds(t *testing.T) {
	c := mustBuild(t, Input{Revisions: chain()})
	type round struct {
		installed, other []int32
		want             []int32
		wantLeaf         []bool
	}
	tests := []struct {
		name   string
		rounds []round
	}{
		{"category chain, one level per round", []round{
			{nil, nil, []int32{10, 40, 50, 60}, []bool{false, false, false, false}},
			{[]int32{10, 40, 50}, []int32{60}, []int32{20}, []bool{false}},
			{[]int32{10, 40, 50, 20}, []int32{60}, []int32{30}, []bool{false}},
			{[]int32{10, 40, 50, 20, 30}, []int32{60}, []int32{70}, []bool{true}},
			{[]int32{10, 40, 50, 20, 30}, []int32{60, 70}, nil, nil},
		}},
		{"AtLeastOne satisfied by the second member", []round{
			{[]int32{10, 20, 30, 40, 60}, nil, []int32{50, 70}, []bool{false, true}},
		}},
		{"unsatisfied prerequisite withheld: detectoids cached but not installed", []round{
			{[]int32{10, 20, 30, 40}, []int32{50, 60}, nil, nil},
		}},
		{"other cached ids satisfy nothing", []round{
			{nil, []int32{10, 20, 30, 40, 50, 60}, nil, nil},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for n, r := range tc.rounds {
				res := c.Select(nil, Query{InstalledNonLeaf: r.installed, OtherCached: r.other})
				var leaf []bool
				for _, o := range res.NewUpdates {
					leaf = append(leaf, o.IsLeaf)
				}
				if got := ids(res.NewUpdates); !slices.Equal(got, r.want) || !slices.Equal(leaf, r.wantLeaf) {
					t.Errorf("round %d: Select = %v leaf %v, want %v leaf %v", n, got, leaf, r.want, r.wantLeaf)
				}
				if res.Truncated {
					t.Errorf("round %d: Truncated = true without Max", n)
				}
			}
		})
	}
}

func TestSelectNonLeafFirst(t *testing.T) {
	c := mustBuild(t, Input{Revisions: entries(
		rv("leaf1", 1, patchbay.TypeSoftware),            // 10
		rv("det", 1, patchbay.TypeDetectoid),             // 20
		rv("leaf2", 1, patchbay.TypeSoftware).pre("det"), // 30
		rv("cat", 1, patchbay.TypeCategory),              // 40
		rv("leaf3", 1, patchbay.TypeSoftware).cat("cat"), // 50
		rv("leaf4", 1, patchbay.TypeSoftware),            // 60
	)})
	res := c.Select(nil, Query{})
	if got, want := ids(res.NewUpdates), []int32{20, 40, 10, 60}; !slices.Equal(got, want) {
		t.Errorf("Select = %v, want %v (non-leaf first, then by id)", got, want)
	}
}

func TestSelectPaging(t *testing.T) {
	var bs []*rb
	for j := range 25 {
		bs = append(bs, rv(fmt.Sprintf("det%d", j), 1, patchbay.TypeDetectoid))
	}
	for j := range 40 {
		bs = append(bs, rv(fmt.Sprintf("u%d", j), 1, patchbay.TypeSoftware).pre(fmt.Sprintf("det%d", j%25)))
	}
	c := mustBuild(t, Input{Revisions: entries(bs...)})
	for _, max := range []int{1, 7, 25, 30} {
		var installed, other []int32
		seen := map[int32]bool{}
		for calls := 0; ; calls++ {
			if calls > 200 {
				t.Fatalf("Max %d: no end after %d calls", max, calls)
			}
			res := c.Select(nil, Query{InstalledNonLeaf: installed, OtherCached: other, Max: max})
			if len(res.NewUpdates) > max {
				t.Fatalf("Max %d: page of %d", max, len(res.NewUpdates))
			}
			if res.Truncated && len(res.NewUpdates) == 0 {
				t.Fatalf("Max %d: Truncated with an empty page", max)
			}
			nonLeaf := false
			for _, o := range res.NewUpdates {
				if seen[o.ID] {
					t.Fatalf("Max %d: %d offered twice", max, o.ID)
				}
				seen[o.ID] = true
				if o.IsLeaf {
					other = append(other, o.ID)
				} else {
					installed = append(installed, o.ID) // every detectoid "evaluates installed"
					nonLeaf = true
				}
			}
			// The client loop of protocol-wusp.md §5.2 step 5.
			if !res.Truncated && !nonLeaf {
				break
			}
		}
		if len(seen) != 65 {
			t.Errorf("Max %d: %d revisions delivered, want 65", max, len(seen))
		}
	}
}

func TestSelectLatestRevisionOnly(t *testing.T) {
	c := mustBuild(t, Input{Revisions: entries(
		rv("u", 1, patchbay.TypeSoftware), // 10
		rv("u", 3, patchbay.TypeSoftware), // 20
		rv("u", 2, patchbay.TypeSoftware), // 30
	)})
	res := c.Select(nil, Query{})
	if got := ids(res.NewUpdates); !slices.Equal(got, []int32{20}) {
		t.Errorf("Select = %v, want [20]", got)
	}
	res = c.Select(nil, Query{OtherCached: []int32{10, 20, 999, 10}})
	if !slices.Equal(res.OutOfScope, []int32{10, 999}) || len(res.NewUpdates) != 0 {
		t.Errorf("Select(cached 10, 20, 999) = new %v, out %v, want new [], out [10 999]", ids(res.NewUpdates), res.OutOfScope)
	}
}

func TestSelectOutOfScopeWhenPrerequisiteNoLongerInstalled(t *testing.T) {
	c := mustBuild(t, Input{Revisions: chain()})
	// The client cached u (70) while det1 was installed; now it is not.
	res := c.Select(nil, Query{InstalledNonLeaf: []int32{10, 20, 30, 40}, OtherCached: []int32{50, 60, 70}})
	if !slices.Equal(res.OutOfScope, []int32{70}) {
		t.Errorf("OutOfScope = %v, want [70]", res.OutOfScope)
	}
}

func TestSelectCategoryFilter(t *testing.T) {
	ents := append(chain(), entries(
		rv("p2", 1, patchbay.TypeCategory).ctype("Product"),
		rv("w", 1, patchbay.TypeSoftware).cat("p2"),
	)...)
	ents[7].ID, ents[8].ID = 80, 90
	c := mustBuild(t, Input{Revisions: ents})
	q := Query{FilterCategories: []string{"PRODUCT"}}
	if got := ids(c.Select(nil, q).NewUpdates); !slices.Equal(got, []int32{10, 40, 50, 60}) {
		t.Errorf("filtered first round = %v, want [10 40 50 60]", got)
	}
	q.InstalledNonLeaf = []int32{10, 20, 30, 40, 50}
	q.OtherCached = []int32{60, 80, 90}
	q.TwoGroupOutOfScope = true
	res := c.Select(nil, q)
	if got := ids(res.NewUpdates); !slices.Equal(got, []int32{70}) {
		t.Errorf("filtered last round = %v, want [70]", got)
	}
	if !slices.Equal(res.DeployedOutOfScope, []int32{80, 90}) || len(res.OutOfScope) != 0 {
		t.Errorf("DeployedOutOfScope = %v, OutOfScope = %v, want [80 90], []", res.DeployedOutOfScope, res.OutOfScope)
	}
}

func TestChangedUpdates(t *testing.T) {
	revs := entries(
		rv("a", 1, patchbay.TypeSoftware), // 10
		rv("b", 1, patchbay.TypeSoftware), // 20
		rv("c", 1, patchbay.TypeSoftware), // 30
		rv("d", 1, patchbay.TypeSoftware), // 40
	)
	apA := approve("a", 1, all, patchbay.ActionInstall)
	apB := approve("b", 1, all, patchbay.ActionInstall)
	c1 := mustBuild(t, Input{Revisions: revs, Approvals: []patchbay.Approval{apA, apB}, Epoch: t0})
	cached := []int32{10, 20, 30, 40}
	if got := ids(c1.Select(nil, Query{OtherCached: cached}).ChangedUpdates); !slices.Equal(got, cached) {
		t.Errorf("fresh cookie: ChangedUpdates = %v, want every cached needed revision %v", got, cached)
	}
	w := c1.Select(nil, Query{OtherCached: cached}).Watermark
	if got := c1.Select(nil, Query{OtherCached: cached, Since: w}).ChangedUpdates; len(got) != 0 {
		t.Errorf("same generation: ChangedUpdates = %v, want none", ids(got))
	}

	// The administrator sets a deadline on a, unapproves b, and a new
	// revision makes d non-leaf.
	apA.Deadline, apA.LastChange = t0.Add(48*time.Hour), t0.Add(2*time.Hour)
	revs2 := append(slices.Clone(revs), entries(rv("e", 1, patchbay.TypeSoftware).pre("d"))...)
	revs2[4].ID = 50
	now := t0.Add(3 * time.Hour)
	c2 := mustBuild(t, Input{Revisions: revs2, Approvals: []patchbay.Approval{apA}, Previous: c1, Now: now})
	res := c2.Select(nil, Query{OtherCached: cached, Since: w})
	got := map[int32]Offer{}
	for _, o := range res.ChangedUpdates {
		got[o.ID] = o
	}
	if len(got) != 3 {
		t.Fatalf("ChangedUpdates = %v, want 10, 20, 40", ids(res.ChangedUpdates))
	}
	if d := got[10].Deployment; d.Action != patchbay.ActionInstall || !d.Deadline.Equal(apA.Deadline) || !d.LastChangeTime.After(w) {
		t.Errorf("a's deployment = %+v, want Install with the new deadline", d)
	}
	if d := got[20].Deployment; d.Action != patchbay.ActionEvaluate {
		t.Errorf("b's deployment = %+v, want Evaluate after unapproval", d)
	}
	if got[40].IsLeaf {
		t.Errorf("d IsLeaf = true, want false after e names it")
	}
	// Carried over: a third generation with nothing changed reports nothing new.
	c3 := mustBuild(t, Input{Revisions: revs2, Approvals: []patchbay.Approval{apA}, Previous: c2, Now: now.Add(time.Hour)})
	if got := c3.Select(nil, Query{OtherCached: cached, Since: res.Watermark}).ChangedUpdates; len(got) != 0 {
		t.Errorf("unchanged generation: ChangedUpdates = %v, want none", ids(got))
	}
	if !c3.Watermark().Equal(c2.Watermark()) {
		t.Errorf("Watermark moved without a change: %v → %v", c2.Watermark(), c3.Watermark())
	}
}

func TestSelectDeterministic(t *testing.T) {
	in := Input{Revisions: chain(), Approvals: []patchbay.Approval{approve("u", 1, child, patchbay.ActionInstall)}, Epoch: t0}
	a := mustBuild(t, in).Select([]string{child, other}, Query{InstalledNonLeaf: []int32{10, 20, 30, 40, 50}, OtherCached: []int32{60, 5}})
	for range 20 {
		b := mustBuild(t, in).Select([]string{other, child}, Query{InstalledNonLeaf: []int32{50, 40, 30, 20, 10}, OtherCached: []int32{5, 60}})
		if diff := cmp.Diff(a, b); diff != "" {
			t.Fatalf("Select not deterministic (-first +later):\n%s", diff)
		}
	}
}

func TestSelectConcurrent(t *testing.T) {
	c := mustBuild(t, Input{Revisions: chain(), Approvals: []patchbay.Approval{approve("u", 1, child, patchbay.ActionInstall)}})
	want := c.Select([]string{child}, Query{InstalledNonLeaf: []int32{10, 20, 30, 40, 50}})
	done := make(chan Result)
	for range 8 {
		go func() { done <- c.Select([]string{child}, Query{InstalledNonLeaf: []int32{10, 20, 30, 40, 50}}) }()
	}
	for range 8 {
		if diff := cmp.Diff(want, <-done); diff != "" {
			t.Errorf("concurrent Select differs (-want +got):\n%s", diff)
		}
	}
}

func TestChangedUpdatesWhenWinningGroupChanges(t *testing.T) {
	revs := entries(rv("x", 1, patchbay.TypeSoftware))
	block := approve("x", 1, other, patchbay.ActionBlock)
	inst := approve("x", 1, child, patchbay.ActionInstall)
	c1 := mustBuild(t, Input{Revisions: revs, Approvals: []patchbay.Approval{block, inst}, Epoch: t0})
	g := []string{child, other}
	if d, _ := c1.Deployment(g, 10); d.Action != patchbay.ActionPreDeploymentCheck {
		t.Fatalf("before: Action = %s, want PreDeploymentCheck (Block wins)", d.Action)
	}
	w := c1.Watermark()
	c2 := mustBuild(t, Input{Revisions: revs, Approvals: []patchbay.Approval{inst}, Previous: c1, Now: t0.Add(5 * time.Hour)})
	res := c2.Select(g, Query{OtherCached: []int32{10}, Since: w})
	if len(res.ChangedUpdates) != 1 || res.ChangedUpdates[0].Deployment.Action != patchbay.ActionInstall {
		t.Errorf("after the Block is removed: ChangedUpdates = %+v, want 10 with Install", res.ChangedUpdates)
	}
}
