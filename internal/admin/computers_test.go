package admin_test

import (
	"testing"

	"patchbay"
	"patchbay/internal/admin"
)

func TestComputers(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.addComputer(t, "BBBB", "web1.example.com")
	f.addComputer(t, "aaaa", "DB1.example.com")
	cs, err := f.svc.Computers(ctx)
	if err != nil {
		t.Fatalf("Computers() = %v", err)
	}
	if len(cs) != 2 || cs[0].Name != "DB1.example.com" || cs[1].ID != "bbbb" {
		t.Fatalf("Computers() = %+v, want DB1 then web1", cs)
	}
	c := cs[0]
	if c.OS != "Windows 11 Enterprise" || c.ClientVersion != "10.0.26100.1" || !c.Registered || c.LastContact.IsZero() {
		t.Errorf("Computers()[0] = %+v", c)
	}
	if len(c.Groups) != 1 || c.Groups[0] != (admin.GroupRef{ID: patchbay.UnassignedComputersGroupID, Name: "Unassigned Computers"}) {
		t.Errorf("Computers()[0].Groups = %v, want Unassigned Computers", c.Groups)
	}
}

func TestMoveComputer(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	servers := f.group(t, "Servers", "")
	sql := f.group(t, "SQL", "Servers")
	f.addComputer(t, "c1", "db1.example.com")
	f.addComputer(t, "c2", "web1.example.com")
	f.addComputer(t, "c3", "web1.other.example")
	before := f.changes.Load()

	for _, tc := range []struct {
		name   string
		ref    string
		groups []string
		want   []admin.GroupRef
	}{
		{"by id", "C1", []string{"servers"}, []admin.GroupRef{{servers.ID, "Servers"}}},
		{"by DNS name, two groups", "DB1.example.com", []string{"SQL", servers.ID, "sql"},
			[]admin.GroupRef{{sql.ID, "SQL"}, {servers.ID, "Servers"}}},
		{"by short name", "db1", []string{"Unassigned Computers"},
			[]admin.GroupRef{{patchbay.UnassignedComputersGroupID, "Unassigned Computers"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f.svc.MoveComputer(ctx, tc.ref, tc.groups)
			if err != nil {
				t.Fatalf("MoveComputer(%q, %q) = %v", tc.ref, tc.groups, err)
			}
			if c.ID != "c1" || !sameGroups(c.Groups, tc.want) {
				t.Errorf("MoveComputer(%q, %q) = %s %v, want c1 %v", tc.ref, tc.groups, c.ID, c.Groups, tc.want)
			}
			stored, _ := f.svc.Computers(ctx)
			if !sameGroups(stored[0].Groups, tc.want) {
				t.Errorf("stored groups = %v, want %v", stored[0].Groups, tc.want)
			}
		})
	}
	if got := f.changes.Load() - before; got != 3 {
		t.Errorf("OnChange called %d times, want 3", got)
	}
	for _, tc := range []struct {
		name, ref string
		groups    []string
		code      string
	}{
		{"no groups", "c1", nil, patchbay.EInvalid},
		{"All Computers", "c1", []string{"All Computers"}, patchbay.EInvalid},
		{"Unassigned and another", "c1", []string{"Unassigned Computers", "SQL"}, patchbay.EInvalid},
		{"unknown group", "c1", []string{"Nowhere"}, patchbay.ENotFound},
		{"unknown computer", "nobody", []string{"SQL"}, patchbay.ENotFound},
		{"ambiguous short name", "web1", []string{"SQL"}, patchbay.EConflict},
		{"empty computer", " ", []string{"SQL"}, patchbay.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.MoveComputer(ctx, tc.ref, tc.groups)
			wantCode(t, "MoveComputer", err, tc.code)
		})
	}
}

func sameGroups(a, b []admin.GroupRef) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[admin.GroupRef]bool{}
	for _, g := range a {
		seen[g] = true
	}
	for _, g := range b {
		if !seen[g] {
			return false
		}
	}
	return true
}
