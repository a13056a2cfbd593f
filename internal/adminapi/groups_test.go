package adminapi_test

import (
	"strings"
	"testing"

	"patchbay"
)

func TestGroupsEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	servers, err := f.client.CreateGroup(ctx, "Servers", "")
	if err != nil || servers.Name != "Servers" || servers.ParentID != patchbay.AllComputersGroupID {
		t.Fatalf("CreateGroup(Servers) = %+v, %v", servers, err)
	}
	sql, err := f.client.CreateGroup(ctx, "SQL/Prod", "servers")
	if err != nil || sql.ParentID != servers.ID {
		t.Fatalf("CreateGroup(SQL/Prod, servers) = %+v, %v", sql, err)
	}
	code, _, hdr := f.raw(t, "POST", "/api/v1/groups", `{"name":"Web"}`)
	if code != 201 || hdr.Get("Location") == "" {
		t.Errorf("POST /groups = %d, Location %q; want 201 with Location", code, hdr.Get("Location"))
	}
	_, err = f.client.CreateGroup(ctx, "servers", "")
	wantError(t, "CreateGroup(duplicate)", err, patchbay.EConflict, `"Servers" already exists`)
	_, err = f.client.CreateGroup(ctx, "X", "Nowhere")
	wantError(t, "CreateGroup(unknown parent)", err, patchbay.ENotFound, `"Nowhere" not found`)
	_, err = f.client.CreateGroup(ctx, "", "")
	wantError(t, "CreateGroup(empty)", err, patchbay.EInvalid, "empty")

	gs, err := f.client.Groups(ctx)
	if err != nil || len(gs) != 1 || gs[0].Name != "All Computers" || len(gs[0].Children) != 3 {
		t.Fatalf("Groups() = %+v, %v", gs, err)
	}
	if got := gs[0].Children[1]; got.Name != "Servers" || len(got.Children) != 1 || got.Children[0].Name != "SQL/Prod" {
		t.Errorf("Groups() Servers node = %+v", got)
	}

	err = f.client.DeleteGroup(ctx, "Servers")
	wantError(t, "DeleteGroup(with child)", err, patchbay.EConflict, "child groups")
	err = f.client.DeleteGroup(ctx, "All Computers")
	wantError(t, "DeleteGroup(All Computers)", err, patchbay.EInvalid, "cannot be deleted")
	if err := f.client.DeleteGroup(ctx, "sql/prod"); err != nil { // a name with a slash
		t.Fatalf("DeleteGroup(sql/prod) = %v", err)
	}
	if code, _, _ := f.raw(t, "DELETE", "/api/v1/groups/"+servers.ID, ""); code != 204 {
		t.Errorf("DELETE /groups/{id} = %d, want 204", code)
	}
	err = f.client.DeleteGroup(ctx, "Servers")
	wantError(t, "DeleteGroup(gone)", err, patchbay.ENotFound, "not found")
	if logs := f.logs.String(); !strings.Contains(logs, "admin change") || !strings.Contains(logs, "method=DELETE path=/api/v1/groups/"+servers.ID) {
		t.Errorf("changes are not in the audit log:\n%s", logs)
	}
}
