package admin_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/admin"
)

func TestCreateGroup(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	servers := f.group(t, " Servers ", "")
	if servers.Name != "Servers" || servers.ParentID != patchbay.AllComputersGroupID || len(servers.ID) != 36 {
		t.Errorf("CreateGroup(Servers) = %+v, want a GUID under All Computers", servers)
	}
	sql := f.group(t, "SQL", "servers") // parent by name, without case
	if sql.ParentID != servers.ID {
		t.Errorf("CreateGroup(SQL, servers).ParentID = %q, want %q", sql.ParentID, servers.ID)
	}
	web := f.group(t, "Web", strings.ToUpper(servers.ID)) // parent by id
	if web.ParentID != servers.ID {
		t.Errorf("CreateGroup(Web, ID).ParentID = %q, want %q", web.ParentID, servers.ID)
	}
	if n := f.changes.Load(); n != 3 {
		t.Errorf("OnChange called %d times, want 3", n)
	}
	for _, tc := range []struct {
		name, group, parent, code string
	}{
		{"duplicate without case", "SERVERS", "", patchbay.EConflict},
		{"duplicate built-in", "all computers", "", patchbay.EConflict},
		{"empty", "  ", "", patchbay.EInvalid},
		{"control character", "a\tb", "", patchbay.EInvalid},
		{"too long", strings.Repeat("x", 257), "", patchbay.EInvalid},
		{"unknown parent", "Orphans", "Nowhere", patchbay.ENotFound},
		{"under Unassigned Computers", "Lost", "Unassigned Computers", patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.CreateGroup(ctx, tc.group, tc.parent)
			wantCode(t, "CreateGroup", err, tc.code)
		})
	}
	if n := f.changes.Load(); n != 3 {
		t.Errorf("OnChange called %d times after failures, want 3", n)
	}
}

func TestGroupsTree(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	servers := f.group(t, "Servers", "")
	sql := f.group(t, "sql", "Servers")
	ws := f.group(t, "Workstations", "")
	f.addComputer(t, "c1", "db1.example.com")
	f.addComputer(t, "c2", "db2.example.com")
	f.addComputer(t, "c3", "pc1.example.com")
	if _, err := f.svc.MoveComputer(ctx, "c1", []string{"sql"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MoveComputer(ctx, "c2", []string{"SQL", "Servers"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Groups(ctx)
	if err != nil {
		t.Fatalf("Groups() = %v", err)
	}
	want := []admin.Group{{
		ID: patchbay.AllComputersGroupID, Name: "All Computers", BuiltIn: true, Computers: 3,
		Children: []admin.Group{
			{ID: patchbay.UnassignedComputersGroupID, Name: "Unassigned Computers", ParentID: patchbay.AllComputersGroupID, BuiltIn: true, Computers: 1},
			{ID: servers.ID, Name: "Servers", ParentID: patchbay.AllComputersGroupID, Computers: 1, Children: []admin.Group{
				{ID: sql.ID, Name: "sql", ParentID: servers.ID, Computers: 2},
			}},
			{ID: ws.ID, Name: "Workstations", ParentID: patchbay.AllComputersGroupID},
		},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Groups() mismatch (-want +got):\n%s", diff)
	}
}

func TestDeleteGroup(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	servers := f.group(t, "Servers", "")
	f.group(t, "SQL", "Servers")
	f.addComputer(t, "c1", "db1")
	if _, err := f.svc.MoveComputer(ctx, "c1", []string{"SQL"}); err != nil {
		t.Fatal(err)
	}
	before := f.changes.Load()
	for _, tc := range []struct{ name, ref, code string }{
		{"All Computers", "All Computers", patchbay.EInvalid},
		{"Unassigned Computers by id", patchbay.UnassignedComputersGroupID, patchbay.EInvalid},
		{"has children", "servers", patchbay.EConflict},
		{"unknown", "Nowhere", patchbay.ENotFound},
		{"empty", "", patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, "DeleteGroup", f.svc.DeleteGroup(ctx, tc.ref), tc.code)
		})
	}
	if f.changes.Load() != before {
		t.Errorf("OnChange called by failed deletes")
	}
	if err := f.svc.DeleteGroup(ctx, "sql"); err != nil {
		t.Fatalf("DeleteGroup(sql) = %v", err)
	}
	if err := f.svc.DeleteGroup(ctx, servers.ID); err != nil {
		t.Fatalf("DeleteGroup(servers id) = %v", err)
	}
	if f.changes.Load() != before+2 {
		t.Errorf("OnChange calls = %d, want %d", f.changes.Load(), before+2)
	}
	c, err := f.db.Computer(ctx, "c1")
	if err != nil || len(c.GroupIDs) != 1 || c.GroupIDs[0] != patchbay.UnassignedComputersGroupID {
		t.Errorf("after deleting its group, stored c1 = %+v, %v; want it in Unassigned Computers", c.GroupIDs, err)
	}
}
