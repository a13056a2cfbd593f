package admin_test

import (
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/admin"
	"patchbay/internal/store/storetest"
)

func TestApprove(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.svc.Now = func() time.Time { return now }
	ids := f.addUpdates(t, 1, 2, 50) // 50 is a category
	servers := f.group(t, "Servers", "")
	before := f.changes.Load()

	a, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: "{" + strings.ToUpper(ids[0]) + "}", Group: "servers",
		Action: "Install", Deadline: "2026-12-01T18:00:00+01:00", AdminName: "alice"})
	if err != nil {
		t.Fatalf("Approve(install) = %v", err)
	}
	want := admin.Approval{UpdateID: ids[0], RevisionNumber: storetest.Record(1).Revision.RevisionNumber,
		GroupID: servers.ID, Group: "Servers", Action: "install", Deadline: time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC), AdminName: "alice", LastChange: now}
	if a != want {
		t.Errorf("Approve(install) = %+v, want %+v", a, want)
	}
	// A past deadline means "install now", as in WSUS.
	a, err = f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[1], Group: patchbay.AllComputersGroupID,
		Action: "install", Deadline: "2020-01-01T00:00:00Z"})
	if err != nil || !a.DeadlinePassed {
		t.Errorf("Approve(past deadline) = %+v, %v; want DeadlinePassed", a, err)
	}
	// Approving again replaces the decision.
	if _, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "uninstall"}); err != nil {
		t.Fatalf("Approve(uninstall) = %v", err)
	}
	if _, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[1], Group: "Unassigned Computers", Action: "block"}); err != nil {
		t.Fatalf("Approve(block) = %v", err)
	}
	if got := f.changes.Load() - before; got != 4 {
		t.Errorf("OnChange called %d times, want 4", got)
	}
	as, err := f.svc.Approvals(ctx, admin.ApprovalFilter{})
	if err != nil || len(as) != 3 {
		t.Fatalf("Approvals() = %+v, %v; want 3", as, err)
	}
	as, err = f.svc.Approvals(ctx, admin.ApprovalFilter{UpdateID: ids[0], Group: "SERVERS"})
	if err != nil || len(as) != 1 || as[0].Action != "uninstall" || !as[0].Deadline.IsZero() || as[0].LastChange.IsZero() {
		t.Errorf("Approvals(ids[0], Servers) = %+v, %v; want one uninstall without deadline", as, err)
	}

	// not-approved removes the approval, and is idempotent.
	for range 2 {
		a, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "not-approved"})
		if err != nil || a.Action != admin.ActionNotApproved {
			t.Errorf("Approve(not-approved) = %+v, %v", a, err)
		}
	}
	if as, _ := f.svc.Approvals(ctx, admin.ApprovalFilter{UpdateID: ids[0]}); len(as) != 0 {
		t.Errorf("after not-approved, Approvals(ids[0]) = %+v, want none", as)
	}

	before = f.changes.Load()
	for _, tc := range []struct {
		name string
		req  admin.ApproveRequest
		code string
	}{
		{"category", admin.ApproveRequest{UpdateID: ids[2], Group: "Servers", Action: "install"}, patchbay.EInvalid},
		{"unknown update", admin.ApproveRequest{UpdateID: storetest.GUID(999), Group: "Servers", Action: "install"}, patchbay.ENotFound},
		{"malformed update id", admin.ApproveRequest{UpdateID: "KB5000001", Group: "Servers", Action: "install"}, patchbay.EInvalid},
		{"empty update id", admin.ApproveRequest{Group: "Servers", Action: "install"}, patchbay.EInvalid},
		{"unknown group", admin.ApproveRequest{UpdateID: ids[0], Group: "Nowhere", Action: "install"}, patchbay.ENotFound},
		{"empty group", admin.ApproveRequest{UpdateID: ids[0], Action: "install"}, patchbay.EInvalid},
		{"unknown action", admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "deploy"}, patchbay.EInvalid},
		{"empty action", admin.ApproveRequest{UpdateID: ids[0], Group: "Servers"}, patchbay.EInvalid},
		{"bad deadline", admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "install", Deadline: "tomorrow"}, patchbay.EInvalid},
		{"deadline on block", admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "block", Deadline: "2027-01-01T00:00:00Z"}, patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Approve(ctx, tc.req)
			wantCode(t, "Approve", err, tc.code)
		})
	}
	if f.changes.Load() != before {
		t.Errorf("OnChange called by failed approvals")
	}
}

func TestUnapprove(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ids := f.addUpdates(t, 1)
	f.group(t, "Servers", "")
	if _, err := f.svc.Approve(ctx, admin.ApproveRequest{UpdateID: ids[0], Group: "Servers", Action: "install"}); err != nil {
		t.Fatal(err)
	}
	before := f.changes.Load()
	if err := f.svc.Unapprove(ctx, ids[0], "servers"); err != nil {
		t.Fatalf("Unapprove = %v", err)
	}
	if f.changes.Load() != before+1 {
		t.Errorf("OnChange not called by Unapprove")
	}
	err := f.svc.Unapprove(ctx, ids[0], "Servers")
	wantCode(t, "Unapprove(again)", err, patchbay.ENotFound)
	if err != nil && !strings.Contains(patchbay.ErrorMessage(err), "not approved") {
		t.Errorf("Unapprove(again) message = %q", patchbay.ErrorMessage(err))
	}
	wantCode(t, "Unapprove(unknown group)", f.svc.Unapprove(ctx, ids[0], "Nowhere"), patchbay.ENotFound)
	wantCode(t, "Unapprove(bad id)", f.svc.Unapprove(ctx, "x", "Servers"), patchbay.EInvalid)
	_, err = f.svc.Approvals(ctx, admin.ApprovalFilter{Group: "Nowhere"})
	wantCode(t, "Approvals(unknown group)", err, patchbay.ENotFound)
	_, err = f.svc.Approvals(ctx, admin.ApprovalFilter{UpdateID: "nope"})
	wantCode(t, "Approvals(bad id)", err, patchbay.EInvalid)
}
