package main

import (
	"regexp"
	"strings"
	"testing"

	"patchbay"
	"patchbay/internal/adminapi"
)

func TestComputersCLI(t *testing.T) {
	m := startMain(t)
	addComputer(t, m, "C1", "db1.example.com")
	addComputer(t, m, "c2", "web1.example.com")
	if err := m.DB.RegisterComputer(t.Context(), patchbay.Computer{ID: "c2", DNSName: "web1.example.com", OSDescription: "Windows Server 2025 Datacenter"}); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, m, "groups", "create", "Web")
	mustCLI(t, m, "groups", "create", "DMZ")

	out := mustCLI(t, m, "computers", "list")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^NAME\s+ID\s+GROUPS\s+OS\s+LAST CONTACT\s+LAST REPORT$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`^db1\.example\.com\s+c1\s+Unassigned Computers\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+never$`).MatchString(lines[1]) ||
		!strings.Contains(lines[2], "Windows Server 2025 Datacenter") {
		t.Errorf("computers list =\n%s", out)
	}

	out = mustCLI(t, m, "computers", "move", "web1", "--group", "Web", "--group", "dmz")
	if out != "computer web1.example.com (c2) is now in DMZ, Web\n" && out != "computer web1.example.com (c2) is now in Web, DMZ\n" {
		t.Errorf("computers move = %q", out)
	}
	var cs []adminapi.Computer
	decodeJSON(t, mustCLI(t, m, "computers", "list", "--json"), &cs)
	if len(cs) != 2 || len(cs[1].Groups) != 2 || cs[1].OS != "Windows Server 2025 Datacenter" {
		t.Errorf("computers list --json = %+v", cs)
	}
	mustCLI(t, m, "computers", "move", "c2", "--group", "Unassigned Computers")
	if out := mustCLI(t, m, "computers", "list"); strings.Count(out, "Unassigned Computers") != 2 {
		t.Errorf("after moving to Unassigned Computers:\n%s", out)
	}

	code, _, stderr := cli(t, m, "computers", "move", "nobody", "--group", "Web")
	wantExit(t, code, stderr, 1, `patchbay computers: computer "nobody" not found`)
	code, _, stderr = cli(t, m, "computers", "move", "c1", "--group", "All Computers")
	wantExit(t, code, stderr, 1, "every computer is in All Computers")
}
