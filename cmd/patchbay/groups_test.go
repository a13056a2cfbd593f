package main

import (
	"regexp"
	"strings"
	"testing"

	"patchbay/internal/adminapi"
)

func TestGroupsCLI(t *testing.T) {
	m := startMain(t)
	out := mustCLI(t, m, "groups", "create", "Servers")
	if !regexp.MustCompile(`^created target group "Servers" \([0-9a-f-]{36}\) under All Computers\n$`).MatchString(out) {
		t.Errorf("groups create Servers = %q", out)
	}
	mustCLI(t, m, "groups", "create", "SQL Servers", "--parent", "servers")
	addComputer(t, m, "c1", "db1")
	mustCLI(t, m, "computers", "move", "db1", "--group", "SQL Servers")

	out = mustCLI(t, m, "groups", "list")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		`^NAME\s+COMPUTERS\s+ID$`,
		`^All Computers\s+1\s+a0a08746-`,
		`^  Unassigned Computers\s+0\s+b73ca6ed-`,
		`^  Servers\s+0\s+`,
		`^    SQL Servers\s+1\s+`,
	}
	if len(lines) != len(want) {
		t.Fatalf("groups list =\n%s", out)
	}
	for i, re := range want {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("groups list line %d = %q, want %s", i, lines[i], re)
		}
	}
	// Columns are aligned.
	if strings.Index(lines[0], "COMPUTERS") != strings.Index(lines[4], "1 ") {
		t.Errorf("groups list columns not aligned:\n%s", out)
	}
	var tree []adminapi.Group
	decodeJSON(t, mustCLI(t, m, "groups", "list", "--json"), &tree)
	if len(tree) != 1 || len(tree[0].Children) != 2 || tree[0].Children[1].Children[0].Computers != 1 {
		t.Errorf("groups list --json = %+v", tree)
	}

	code, _, stderr := cli(t, m, "groups", "create", "servers")
	wantExit(t, code, stderr, 1, `patchbay groups: target group "Servers" already exists`)
	code, _, stderr = cli(t, m, "groups", "delete", "Servers")
	wantExit(t, code, stderr, 1, "has child groups (SQL Servers); delete them first")
	code, _, stderr = cli(t, m, "groups", "delete", "Unassigned Computers")
	wantExit(t, code, stderr, 1, "cannot be deleted")
	code, _, stderr = cli(t, m, "groups", "create", "X", "--parent", "Nowhere")
	wantExit(t, code, stderr, 1, `target group "Nowhere" not found`)

	if out := mustCLI(t, m, "groups", "delete", "sql servers"); out != "deleted target group \"sql servers\"\n" {
		t.Errorf("groups delete = %q", out)
	}
	mustCLI(t, m, "groups", "delete", "Servers")
	code, _, stderr = cli(t, m, "groups", "delete", "Servers")
	wantExit(t, code, stderr, 1, "not found")
	if out := mustCLI(t, m, "computers", "list"); !strings.Contains(out, "Unassigned Computers") {
		t.Errorf("after deleting its group the computer is not unassigned:\n%s", out)
	}
}
