package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/adminapi"
	"patchbay/internal/store"
)

func TestUpdatesCLI(t *testing.T) {
	m := startMain(t)
	ids := addUpdates(t, m, 1, 2, 3)
	addComputer(t, m, "c1", "pc1")
	if err := m.DB.ApplyStatus(t.Context(), "c1", store.StatusChanges{Report: &store.StatusReport{At: time.Now(),
		States: []store.StatusChange{{UpdateID: ids[1], State: patchbay.StateNotInstalled}, {UpdateID: ids[2], State: patchbay.StateInstalled}}}}); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, m, "updates", "list")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 || !regexp.MustCompile(`^UPDATE ID\s+KB\s+TITLE\s+CLASSIFICATION\s+APPROVALS\s+NEEDED\s+INSTALLED$`).MatchString(lines[0]) {
		t.Fatalf("updates list =\n%s", out)
	}
	if !regexp.MustCompile(`^` + ids[2] + `\s+KB5000003\s+2024-04 Cumulative Update for Windows \(KB5000003\)\s+-\s+-\s+0\s+1$`).MatchString(lines[1]) {
		t.Errorf("updates list row = %q", lines[1])
	}
	if out := mustCLI(t, m, "updates", "list", "--q", "kb5000002"); !strings.Contains(out, ids[1]) || strings.Contains(out, ids[0]) {
		t.Errorf("updates list --q kb5000002 =\n%s", out)
	}
	if out := mustCLI(t, m, "updates", "list", "--needed"); strings.Count(out, "\n") != 2 || !strings.Contains(out, ids[1]) {
		t.Errorf("updates list --needed =\n%s", out)
	}
	if out := mustCLI(t, m, "updates", "list", "--classification", "Security Updates"); strings.Count(out, "\n") != 1 {
		t.Errorf("updates list --classification (none held) =\n%s", out)
	}
	var us []adminapi.Update
	decodeJSON(t, mustCLI(t, m, "updates", "list", "--json", "--limit", "2"), &us)
	if len(us) != 2 || us[0].UpdateID != ids[2] || us[0].Status.Installed != 1 {
		t.Errorf("updates list --json --limit 2 = %+v", us)
	}
	out = mustCLI(t, m, "updates", "show", ids[0])
	for _, want := range []string{"Title:", "KB5000001", "revision 201", "windows10.0-kb5000001-x64-0.cab"} {
		if !strings.Contains(out, want) {
			t.Errorf("updates show lacks %q:\n%s", want, out)
		}
	}
	code, _, stderr := cli(t, m, "updates", "show", "00000000-0000-0000-0000-000000000001")
	wantExit(t, code, stderr, 1, "patchbay updates: update 00000000-0000-0000-0000-000000000001 not found")
}
