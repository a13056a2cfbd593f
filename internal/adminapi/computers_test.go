package adminapi_test

import (
	"testing"

	"patchbay"
)

func TestComputersEndpoints(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.addComputer(t, "c1", "db1.example.com")
	f.addComputer(t, "c2", "web1.example.com")
	sql, err := f.client.CreateGroup(ctx, "SQL", "")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.client.Computers(ctx)
	if err != nil || len(cs) != 2 || cs[0].Name != "db1.example.com" || cs[0].Groups[0].Name != "Unassigned Computers" || cs[0].LastContact.IsZero() {
		t.Fatalf("Computers() = %+v, %v", cs, err)
	}
	c, err := f.client.SetComputerGroups(ctx, "db1", []string{"sql"})
	if err != nil || c.ID != "c1" || len(c.Groups) != 1 || c.Groups[0].ID != sql.ID {
		t.Fatalf("SetComputerGroups(db1, sql) = %+v, %v", c, err)
	}
	if cs, _ := f.client.Computers(ctx); cs[0].Groups[0].Name != "SQL" {
		t.Errorf("after move, Computers()[0].Groups = %v", cs[0].Groups)
	}
	_, err = f.client.SetComputerGroups(ctx, "nobody", []string{"SQL"})
	wantError(t, "SetComputerGroups(unknown computer)", err, patchbay.ENotFound, `computer "nobody" not found`)
	_, err = f.client.SetComputerGroups(ctx, "c1", nil)
	wantError(t, "SetComputerGroups(no groups)", err, patchbay.EInvalid, "at least one")
	code, body, _ := f.raw(t, "PUT", "/api/v1/computers/c1/groups", `{"group":"SQL"}`)
	if code != 400 || body["message"] != `request body has unknown field "group"` {
		t.Errorf("PUT with unknown field = %d %v", code, body)
	}
}
