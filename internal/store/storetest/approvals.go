package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

func testApprovals(t *testing.T, b Backend) {
	ctx := t.Context()
	r1, r2 := Record(1), Record(2)
	mustPut(t, b, r1, r2)
	g, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "Pilot"})
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 3, 4, 5, 6, 7, 800, time.UTC)
	a1 := patchbay.Approval{UpdateID: r1.Revision.UpdateID, RevisionNumber: r1.Revision.RevisionNumber, GroupID: g.ID,
		Action: patchbay.ActionInstall, Deadline: when.Add(72 * time.Hour), DownloadPriority: patchbay.PriorityHigh,
		LastChange: when, AdminName: `CONTOSO\admin`}
	a2 := patchbay.Approval{UpdateID: r2.Revision.UpdateID, RevisionNumber: r2.Revision.RevisionNumber,
		GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionOptionalInstall, DownloadPriority: patchbay.PriorityNormal,
		LastChange: when, AdminName: "admin"}
	v := catalogVersion(t, b)
	for _, a := range []patchbay.Approval{a1, a2} {
		if err := b.Approve(ctx, a); err != nil {
			t.Fatalf("Approve(%+v) = %v", a, err)
		}
	}
	if catalogVersion(t, b) <= v {
		t.Errorf("CatalogVersion did not move on Approve")
	}
	want := []patchbay.Approval{a1, a2}
	if a2.UpdateID < a1.UpdateID {
		want = []patchbay.Approval{a2, a1}
	}
	got, err := b.Approvals(ctx)
	if err != nil {
		t.Fatalf("Approvals() = %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Approvals() mismatch (-want +got):\n%s", diff)
	}

	// Re-approving the update for the same group replaces the decision.
	a1b := a1
	a1b.Action, a1b.Deadline, a1b.LastChange = patchbay.ActionUninstall, time.Time{}, time.Time{}
	if err := b.Approve(ctx, a1b); err != nil {
		t.Fatalf("Approve(again) = %v", err)
	}
	got, err = b.Approvals(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Approvals() after re-approve = %v, %v; want 2", got, err)
	}
	for _, a := range got {
		if a.UpdateID == a1.UpdateID {
			if a.Action != patchbay.ActionUninstall || !a.Deadline.IsZero() || a.LastChange.IsZero() {
				t.Errorf("re-approved = %+v, want Uninstall, no deadline, LastChange set", a)
			}
		}
	}

	v = catalogVersion(t, b)
	if err := b.Unapprove(ctx, a1.UpdateID, g.ID); err != nil {
		t.Fatalf("Unapprove = %v", err)
	}
	if catalogVersion(t, b) <= v {
		t.Errorf("CatalogVersion did not move on Unapprove")
	}
	wantCode(t, "Unapprove(again)", b.Unapprove(ctx, a1.UpdateID, g.ID), patchbay.ENotFound)
	if got, err := b.Approvals(ctx); err != nil || len(got) != 1 || got[0].UpdateID != a2.UpdateID {
		t.Errorf("Approvals() after Unapprove = %v, %v; want only %s", got, err, a2.UpdateID)
	}
}

func testApprovalErrors(t *testing.T, b Backend) {
	r := Record(1)
	mustPut(t, b, r)
	ok := patchbay.Approval{UpdateID: r.Revision.UpdateID, RevisionNumber: r.Revision.RevisionNumber,
		GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}
	unknownUpdate, unknownRevision, unknownGroup, badAction := ok, ok, ok, ok
	unknownUpdate.UpdateID = "00000000-0000-0000-0000-000000000009"
	unknownRevision.RevisionNumber = 9999
	unknownGroup.GroupID = "00000000-0000-0000-0000-000000000009"
	badAction.Action = "Deploy"
	v := catalogVersion(t, b)
	for _, tc := range []struct {
		name string
		a    patchbay.Approval
		code string
	}{
		{"unknown update", unknownUpdate, patchbay.ENotFound},
		{"unknown revision", unknownRevision, patchbay.ENotFound},
		{"unknown group", unknownGroup, patchbay.ENotFound},
		{"bad action", badAction, patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, "Approve", b.Approve(t.Context(), tc.a), tc.code)
		})
	}
	if got := catalogVersion(t, b); got != v {
		t.Errorf("CatalogVersion after refused approvals = %d, want %d", got, v)
	}
	// Upper-case ids are accepted (liberal in what we accept).
	upper := ok
	upper.UpdateID = "  " + strings.ToUpper(upper.UpdateID) + " "
	if err := b.Approve(t.Context(), upper); err != nil {
		t.Errorf("Approve(padded id) = %v", err)
	}
}
