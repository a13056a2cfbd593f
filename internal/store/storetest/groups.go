package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

func testGroups(t *testing.T, b Backend) {
	ctx := t.Context()
	gs, err := b.Groups(ctx)
	if err != nil {
		t.Fatalf("Groups() = %v", err)
	}
	want := []patchbay.TargetGroup{
		{ID: patchbay.AllComputersGroupID, Name: "All Computers"},
		{ID: patchbay.UnassignedComputersGroupID, Name: "Unassigned Computers", ParentID: patchbay.AllComputersGroupID},
	}
	if diff := cmp.Diff(want, gs); diff != "" {
		t.Fatalf("Groups() of a new store mismatch (-want +got):\n%s", diff)
	}
	v := catalogVersion(t, b)
	servers, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: " Servers "})
	if err != nil {
		t.Fatalf("CreateGroup(Servers) = %v", err)
	}
	if len(servers.ID) != 36 || servers.ParentID != patchbay.AllComputersGroupID || servers.Name != "Servers" {
		t.Errorf("CreateGroup(Servers) = %+v, want a GUID id under All Computers", servers)
	}
	if catalogVersion(t, b) <= v {
		t.Errorf("CatalogVersion did not move on CreateGroup")
	}
	sql := patchbay.TargetGroup{ID: "C0FFEE00-0000-4000-8000-000000000001", Name: "SQL", ParentID: servers.ID}
	got, err := b.CreateGroup(ctx, sql)
	if err != nil {
		t.Fatalf("CreateGroup(SQL) = %v", err)
	}
	if got.ID != "c0ffee00-0000-4000-8000-000000000001" {
		t.Errorf("CreateGroup(SQL).ID = %q, want the given id in lower case", got.ID)
	}
	for _, tc := range []struct {
		name string
		g    patchbay.TargetGroup
		code string
	}{
		{"duplicate name", patchbay.TargetGroup{Name: "servers"}, patchbay.EConflict},
		{"duplicate id", patchbay.TargetGroup{ID: got.ID, Name: "Other"}, patchbay.EConflict},
		{"unknown parent", patchbay.TargetGroup{Name: "Orphans", ParentID: "00000000-0000-0000-0000-000000000009"}, patchbay.ENotFound},
		{"empty name", patchbay.TargetGroup{Name: "  "}, patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.CreateGroup(ctx, tc.g)
			wantCode(t, "CreateGroup", err, tc.code)
		})
	}
	gs, err = b.Groups(ctx)
	if err != nil || len(gs) != 4 {
		t.Fatalf("Groups() = %v, %v; want 4 groups", gs, err)
	}
	if gs[2] != got {
		t.Errorf("Groups()[2] = %+v, want %+v (ordered by name)", gs[2], got)
	}
}

func testDeleteGroup(t *testing.T, b Backend) {
	ctx := t.Context()
	parent, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "Workstations"})
	if err != nil {
		t.Fatal(err)
	}
	child, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "Laptops", ParentID: parent.ID})
	if err != nil {
		t.Fatal(err)
	}
	r := Record(4)
	mustPut(t, b, r)
	if err := b.Approve(ctx, patchbay.Approval{UpdateID: r.Revision.UpdateID, RevisionNumber: r.Revision.RevisionNumber,
		GroupID: child.ID, Action: patchbay.ActionInstall, LastChange: time.Now()}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteGroup(with children)", b.DeleteGroup(ctx, parent.ID), patchbay.EConflict)
	wantCode(t, "DeleteGroup(All Computers)", b.DeleteGroup(ctx, patchbay.AllComputersGroupID), patchbay.EInvalid)
	wantCode(t, "DeleteGroup(Unassigned)", b.DeleteGroup(ctx, patchbay.UnassignedComputersGroupID), patchbay.EInvalid)
	wantCode(t, "DeleteGroup(unknown)", b.DeleteGroup(ctx, "00000000-0000-0000-0000-000000000009"), patchbay.ENotFound)
	v := catalogVersion(t, b)
	if err := b.DeleteGroup(ctx, child.ID); err != nil {
		t.Fatalf("DeleteGroup(Laptops) = %v", err)
	}
	if catalogVersion(t, b) <= v {
		t.Errorf("CatalogVersion did not move on DeleteGroup")
	}
	if err := b.DeleteGroup(ctx, parent.ID); err != nil {
		t.Fatalf("DeleteGroup(Workstations) after its child = %v", err)
	}
	if as, err := b.Approvals(ctx); err != nil || len(as) != 0 {
		t.Errorf("Approvals() after deleting the group = %v, %v; want none", as, err)
	}
	wantCode(t, "DeleteGroup(deleted)", b.DeleteGroup(ctx, child.ID), patchbay.ENotFound)
	// The name is free again.
	if _, err := b.CreateGroup(ctx, patchbay.TargetGroup{Name: "laptops"}); err != nil {
		t.Errorf("CreateGroup(name of a deleted group) = %v", err)
	}
}
