package catalog

import (
	"slices"
	"testing"
	"time"

	"patchbay"
)

func deployCatalog(t *testing.T, in Input) *Catalog {
	t.Helper()
	in.Revisions = entries(
		rv("x", 1, patchbay.TypeSoftware),                                                  // 10
		rv("y", 1, patchbay.TypeSoftware),                                                  // 20
		rv("bundle", 1, patchbay.TypeSoftware).bun(k("m1", 1)).bun(k("m2", 1), k("m3", 1)), // 30
		rv("m1", 1, patchbay.TypeSoftware).pre("det"),                                      // 40
		rv("m2", 1, patchbay.TypeSoftware),                                                 // 50
		rv("m3", 1, patchbay.TypeSoftware),                                                 // 60
		rv("det", 1, patchbay.TypeDetectoid),                                               // 70
		rv("z", 1, patchbay.TypeSoftware).pre("det"),                                       // 80
		rv("declined-det", 1, patchbay.TypeDetectoid),                                      // 90
		rv("needs-declined", 1, patchbay.TypeSoftware).pre("declined-det"),                 // 100
		rv("declined", 1, patchbay.TypeSoftware),                                           // 110
	)
	in.Epoch = t0
	return mustBuild(t, in)
}

// actions returns RevisionID → wire Action of everything in scope for groups.
func actions(c *Catalog, groups ...string) map[int32]patchbay.Action {
	out := map[int32]patchbay.Action{}
	for _, id := range c.ids {
		if d, ok := c.Deployment(groups, id); ok {
			out[id] = d.Action
		}
	}
	return out
}

func TestDeployments(t *testing.T) {
	const (
		I = patchbay.ActionInstall
		O = patchbay.ActionOptionalInstall
		E = patchbay.ActionEvaluate
		B = patchbay.ActionBundle
		P = patchbay.ActionPreDeploymentCheck
		U = patchbay.ActionUninstall
	)
	declined := []string{"declined-det", "DECLINED"}
	tests := []struct {
		name      string
		approvals []patchbay.Approval
		approved  bool // ApprovedOnly
		groups    []string
		want      map[int32]patchbay.Action
	}{
		{
			// 90 is declined but 100, offered for evaluation, needs it.
			name:   "nothing approved: every non-declined update is Evaluate (trap 27)",
			groups: []string{child},
			want:   map[int32]patchbay.Action{10: E, 20: E, 30: E, 40: E, 50: E, 60: E, 70: E, 80: E, 90: E, 100: E},
		},
		{
			name:     "approved only, nothing approved",
			approved: true,
			want:     map[int32]patchbay.Action{},
		},
		{
			name:      "approved only: approval plus prerequisite closure",
			approved:  true,
			approvals: []patchbay.Approval{approve("z", 1, all, I)},
			want:      map[int32]patchbay.Action{80: I, 70: E},
		},
		{
			name:      "approved bundle: members get Bundle, their prerequisites Evaluate",
			approved:  true,
			approvals: []patchbay.Approval{approve("bundle", 1, all, I)},
			want:      map[int32]patchbay.Action{30: I, 40: B, 50: B, 60: B, 70: E},
		},
		{
			name:      "a member's own approval beats Bundle",
			approved:  true,
			approvals: []patchbay.Approval{approve("bundle", 1, all, I), approve("m2", 1, all, O)},
			want:      map[int32]patchbay.Action{30: I, 40: B, 50: O, 60: B, 70: E},
		},
		{
			name:      "blocked bundle is sent as PreDeploymentCheck and pulls no Bundle members",
			approved:  true,
			approvals: []patchbay.Approval{approve("bundle", 1, all, patchbay.ActionBlock)},
			want:      map[int32]patchbay.Action{30: P, 40: E, 50: E, 60: E, 70: E},
		},
		{
			name:      "a declined prerequisite of a deployed update is still delivered",
			approved:  true,
			approvals: []patchbay.Approval{approve("needs-declined", 1, all, I)},
			want:      map[int32]patchbay.Action{100: I, 90: E},
		},
		{
			name:      "approvals of declined updates are ignored",
			approved:  true,
			approvals: []patchbay.Approval{approve("declined", 1, all, I)},
			want:      map[int32]patchbay.Action{},
		},
		{
			name:      "child and grandchild inherit All Computers",
			approved:  true,
			approvals: []patchbay.Approval{approve("x", 1, all, I)},
			groups:    []string{grand},
			want:      map[int32]patchbay.Action{10: I},
		},
		{
			name:     "own approval beats inherited, Block included",
			approved: true,
			approvals: []patchbay.Approval{
				approve("x", 1, all, I), approve("x", 1, child, patchbay.ActionBlock),
				approve("y", 1, child, I), approve("y", 1, grand, U),
			},
			groups: []string{grand},
			want:   map[int32]patchbay.Action{10: P, 20: U},
		},
		{
			name:      "a sibling's approval does not apply",
			approved:  true,
			approvals: []patchbay.Approval{approve("x", 1, other, I)},
			groups:    []string{child},
			want:      map[int32]patchbay.Action{},
		},
		{
			name:     "several groups: Block beats Install, Install beats Uninstall",
			approved: true,
			approvals: []patchbay.Approval{
				approve("x", 1, child, I), approve("x", 1, other, patchbay.ActionBlock),
				approve("y", 1, child, U), approve("y", 1, other, I),
			},
			groups: []string{child, other},
			want:   map[int32]patchbay.Action{10: P, 20: I},
		},
		{
			name:      "approval of an older revision applies to the latest",
			approved:  true,
			approvals: []patchbay.Approval{{UpdateID: "X", RevisionNumber: 0, GroupID: all, Action: I, LastChange: t0}},
			want:      map[int32]patchbay.Action{10: I},
		},
		{
			name:      "unknown groups fall back to All Computers",
			approved:  true,
			approvals: []patchbay.Approval{approve("x", 1, all, I), approve("y", 1, child, I)},
			groups:    []string{"no-such-group"},
			want:      map[int32]patchbay.Action{10: I},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := deployCatalog(t, Input{Approvals: tc.approvals, ApprovedOnly: tc.approved, Declined: declined})
			got := actions(c, tc.groups...)
			if !mapsEqual(got, tc.want) {
				t.Errorf("deployments = %v, want %v", got, tc.want)
			}
		})
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestDeploymentFields(t *testing.T) {
	dl := t0.Add(72 * time.Hour)
	early := t0.Add(24 * time.Hour)
	ap := approve("x", 1, child, patchbay.ActionInstall)
	ap.Deadline, ap.DownloadPriority = dl, patchbay.PriorityHigh
	ap2 := approve("x", 1, other, patchbay.ActionInstall)
	ap2.Deadline = early
	opt := approve("y", 1, child, patchbay.ActionOptionalInstall)
	c := deployCatalog(t, Input{Approvals: []patchbay.Approval{ap, ap2, opt}, Declined: []string{"declined"}})

	d, _ := c.Deployment([]string{child}, 10)
	if d.Action != patchbay.ActionInstall || !d.Deadline.Equal(dl) || !d.IsAssigned ||
		d.DownloadPriority != patchbay.PriorityHigh || d.GroupID != child || d.Approved != patchbay.ActionInstall || d.ID < 1<<30 {
		t.Errorf("Deployment(child, 10) = %+v", d)
	}
	if d2, _ := c.Deployment([]string{child, other}, 10); !d2.Deadline.Equal(early) {
		t.Errorf("two groups: Deadline = %v, want the earlier %v", d2.Deadline, early)
	}
	if d, _ := c.Deployment([]string{child}, 20); d.IsAssigned {
		t.Errorf("OptionalInstall IsAssigned = true, want false (§2.2.2.2.4)")
	}
	ev, _ := c.Deployment([]string{child}, 80)
	if ev.Action != patchbay.ActionEvaluate || !ev.IsAssigned || ev.ID != 80 || ev.Approved != "" || !ev.LastChangeTime.Equal(t0) {
		t.Errorf("implicit Deployment(child, 80) = %+v, want Evaluate, IsAssigned, id 80 (protocol-wusp.md §5.6)", ev)
	}
	// Deployment ids survive a rebuild from scratch.
	c2 := deployCatalog(t, Input{Approvals: []patchbay.Approval{ap, ap2, opt}, Declined: []string{"declined"}})
	for _, id := range c.ids {
		a, _ := c.Deployment([]string{child}, id)
		b, _ := c2.Deployment([]string{child}, id)
		if a.ID != b.ID {
			t.Errorf("deployment id of %d changed across rebuilds: %d → %d", id, a.ID, b.ID)
		}
	}
	if _, ok := c.Deployment([]string{child}, 110); ok {
		t.Error("declined revision 110 is deployed")
	}
}

func TestBadGroupParents(t *testing.T) {
	c := mustBuild(t, Input{
		Revisions: entries(rv("x", 1, patchbay.TypeSoftware), rv("y", 1, patchbay.TypeSoftware)),
		Groups: []patchbay.TargetGroup{
			{ID: "g1", ParentID: "g2"}, {ID: "g2", ParentID: "g1"}, {ID: "g3", ParentID: "missing"}, {ID: "g4"},
			{ID: "g5", ParentID: "g3"},
		},
		Approvals: []patchbay.Approval{approve("x", 1, all, patchbay.ActionInstall),
			approve("y", 1, "g3", patchbay.ActionInstall)},
		ApprovedOnly: true,
	})
	for _, g := range []string{"g1", "g2", "g3", "g4"} {
		if d, ok := c.Deployment([]string{g}, 10); !ok || d.Action != patchbay.ActionInstall {
			t.Errorf("group %s: Deployment = %+v, %v; want All Computers' Install", g, d, ok)
		}
	}
	if d, ok := c.Deployment([]string{"g5"}, 20); !ok || d.Action != patchbay.ActionInstall {
		t.Errorf("g5 below g3: Deployment(y) = %+v, %v; want g3's Install", d, ok)
	}
	var bad []string
	for _, p := range c.Problems() {
		if p.Kind == BadGroupParent {
			bad = append(bad, p.Ref)
		}
	}
	if !slices.Equal(bad, []string{"g1", "g2", "g3"}) {
		t.Errorf("BadGroupParent problems = %v, want [g1 g2 g3]", bad)
	}
}

func TestSelectBundleRounds(t *testing.T) {
	c := deployCatalog(t, Input{Approvals: []patchbay.Approval{approve("bundle", 1, all, patchbay.ActionInstall)}, ApprovedOnly: true})
	res := c.Select(nil, Query{})
	got := map[int32]patchbay.Action{}
	for _, o := range res.NewUpdates {
		got[o.ID] = o.Deployment.Action
		if o.ID == 50 && !o.IsLeaf {
			t.Error("bundle member 50 IsLeaf = false, want true (trap 21)")
		}
	}
	want := map[int32]patchbay.Action{70: patchbay.ActionEvaluate, 30: patchbay.ActionInstall, 50: patchbay.ActionBundle, 60: patchbay.ActionBundle}
	if !mapsEqual(got, want) {
		t.Errorf("first round = %v, want %v (40 waits for det)", got, want)
	}
	res = c.Select(nil, Query{InstalledNonLeaf: []int32{70}, OtherCached: []int32{30, 50, 60}})
	if len(res.NewUpdates) != 1 || res.NewUpdates[0].ID != 40 || res.NewUpdates[0].Deployment.Action != patchbay.ActionBundle {
		t.Errorf("second round = %+v, want 40 with Bundle", res.NewUpdates)
	}
}

func TestUnapprovalOutOfScope(t *testing.T) {
	in := Input{Approvals: []patchbay.Approval{approve("x", 1, child, patchbay.ActionInstall)}, ApprovedOnly: true}
	c1 := deployCatalog(t, in)
	if got := ids(c1.Select([]string{child}, Query{}).NewUpdates); !slices.Equal(got, []int32{10}) {
		t.Fatalf("before: NewUpdates = %v, want [10]", got)
	}
	in.Approvals, in.Previous = nil, c1
	c2 := deployCatalog(t, in)
	res := c2.Select([]string{child}, Query{OtherCached: []int32{10}})
	if !slices.Equal(res.OutOfScope, []int32{10}) {
		t.Errorf("after unapproval: OutOfScope = %v, want [10]", res.OutOfScope)
	}
}
