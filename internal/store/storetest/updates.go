package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/store"
)

// category returns a category revision of kind (UpdateClassification,
// Product) with an English title.
func category(i int, kind, title string) store.RevisionRecord {
	r := Record(50 * i) // every fiftieth record is a category
	r.Revision.CategoryType = kind
	r.Revision.Localized = []patchbay.Localized{{Language: "en", Title: title}}
	return r
}

// software returns a software update revision belonging to the given
// categories through an IsCategory prerequisite clause.
func software(i, rev int, created time.Time, title string, categories ...string) store.RevisionRecord {
	r := Record(50*i + 1)
	r.Revision.RevisionNumber = rev
	r.Revision.CreationDate = created
	r.Revision.Prerequisites = []patchbay.Clause{{UpdateIDs: []string{GUID(1)}}, {UpdateIDs: categories, IsCategory: true}}
	r.Revision.Localized = []patchbay.Localized{{Language: "de", Title: "Titel " + title}, {Language: "en", Title: title}}
	r.Revision.DefaultLanguage = "de"
	r.XML = append(r.XML, []byte(title)...)
	return r
}

func testUpdateSummaries(t *testing.T, b Backend) {
	ctx := t.Context()
	security := category(1, "UpdateClassification", "Security Updates")
	critical := category(2, "UpdateClassification", "Critical Updates")
	win11 := category(3, "Product", "Windows 11")
	sec, crit, w11 := security.Revision.UpdateID, critical.Revision.UpdateID, win11.Revision.UpdateID
	day := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	cu := software(10, 200, day, "2026-09 Cumulative Update for Windows 11 (KB5060001)", sec, w11)
	cu.Revision.KBArticleID = "5060001"
	cu2 := software(10, 201, day, "2026-09 Cumulative Update for Windows 11 (KB5060001) v2", sec, w11)
	cu2.Revision.KBArticleID = "5060001"
	stack := software(11, 200, day.Add(24*time.Hour), "Servicing Stack Update for Windows 11", crit, w11)
	driver := Record(20) // a driver, in no category
	mustPut(t, b, security, critical, win11, cu, cu2, stack, driver)
	if err := b.Approve(ctx, patchbay.Approval{UpdateID: cu.Revision.UpdateID, RevisionNumber: 201,
		GroupID: patchbay.UnassignedComputersGroupID, Action: patchbay.ActionInstall,
		Deadline: day.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Status: pc0 needs cu, pc1 installed it, pc2 reported without it, pc3
	// never reported.
	for i := range 4 {
		mustTouch(t, b, ComputerID(i), "pc", t0)
	}
	mustApply(t, b, ComputerID(0), store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{cu.Revision.UpdateID: patchbay.StateNotInstalled})})
	mustApply(t, b, ComputerID(1), store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{cu.Revision.UpdateID: patchbay.StateInstalled})})
	mustApply(t, b, ComputerID(2), store.StatusChanges{Report: report(t0, nil)})

	all, err := b.UpdateSummaries(ctx, store.UpdateFilter{})
	if err != nil {
		t.Fatalf("UpdateSummaries() = %v", err)
	}
	var ids []string
	for _, s := range all {
		ids = append(ids, s.UpdateID)
	}
	// Newest creation date first; categories are not listed.
	wantIDs := []string{driver.Revision.UpdateID, stack.Revision.UpdateID, cu.Revision.UpdateID}
	if driver.Revision.CreationDate.Before(stack.Revision.CreationDate) {
		wantIDs = []string{stack.Revision.UpdateID, cu.Revision.UpdateID, driver.Revision.UpdateID}
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Fatalf("UpdateSummaries() ids (-want +got):\n%s", diff)
	}
	var got store.UpdateSummary
	for _, s := range all {
		if s.UpdateID == cu.Revision.UpdateID {
			got = s
		}
	}
	want := store.UpdateSummary{
		UpdateID: cu.Revision.UpdateID, RevisionNumber: 201, Type: patchbay.TypeSoftware,
		Title: "2026-09 Cumulative Update for Windows 11 (KB5060001) v2", KBArticleID: "5060001",
		MsrcSeverity: cu2.Revision.MsrcSeverity, CreationDate: day,
		Classifications: []store.CategoryRef{{UpdateID: sec, Title: "Security Updates"}},
		Products:        []store.CategoryRef{{UpdateID: w11, Title: "Windows 11"}},
		Approvals: []store.ApprovalSummary{{GroupID: patchbay.UnassignedComputersGroupID, GroupName: "Unassigned Computers",
			RevisionNumber: 201, Action: patchbay.ActionInstall, Deadline: day.Add(72 * time.Hour)}},
		Status: store.StatusCounts{Unknown: 1, NotApplicable: 1, NotInstalled: 1, Installed: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateSummaries() of the cumulative update (-want +got):\n%s", diff)
	}
	if got.Status.Needed() != 1 {
		t.Errorf("Needed() = %d, want 1", got.Status.Needed())
	}
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    store.UpdateFilter
		want []string
	}{
		{"text in title", store.UpdateFilter{Text: "servicing STACK"}, []string{stack.Revision.UpdateID}},
		{"text in another language", store.UpdateFilter{Text: "Titel Servicing"}, []string{stack.Revision.UpdateID}},
		{"kb", store.UpdateFilter{Text: "KB5060001"}, []string{cu.Revision.UpdateID}},
		{"update id", store.UpdateFilter{Text: upper(stack.Revision.UpdateID)}, []string{stack.Revision.UpdateID}},
		{"like wildcard is literal", store.UpdateFilter{Text: "%"}, nil},
		{"classification title", store.UpdateFilter{Classification: "critical updates"}, []string{stack.Revision.UpdateID}},
		{"classification id", store.UpdateFilter{Classification: sec}, []string{cu.Revision.UpdateID}},
		{"type", store.UpdateFilter{Type: patchbay.TypeDriver}, []string{driver.Revision.UpdateID}},
		{"categories", store.UpdateFilter{Type: patchbay.TypeCategory, Text: "Windows 11"}, []string{w11}},
		{"approved", store.UpdateFilter{Approved: &yes}, []string{cu.Revision.UpdateID}},
		{"not approved", store.UpdateFilter{Approved: &no, Type: patchbay.TypeSoftware}, []string{stack.Revision.UpdateID}},
		{"limit", store.UpdateFilter{Limit: 1}, wantIDs[:1]},
		{"offset", store.UpdateFilter{Limit: 1, Offset: 2}, wantIDs[2:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss, err := b.UpdateSummaries(ctx, tc.f)
			if err != nil {
				t.Fatalf("UpdateSummaries(%+v) = %v", tc.f, err)
			}
			var ids []string
			for _, s := range ss {
				ids = append(ids, s.UpdateID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("UpdateSummaries(%+v) ids (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	_, err = b.UpdateSummaries(ctx, store.UpdateFilter{Limit: -1})
	wantCode(t, "UpdateSummaries(negative limit)", err, patchbay.EInvalid)
}
