package main

import (
	"strings"
	"testing"

	"patchbay/internal/adminapi"
)

func TestApproveCLI(t *testing.T) {
	m := startMain(t)
	ids := addUpdates(t, m, 1, 2, 50)
	mustCLI(t, m, "groups", "create", "Servers")

	out := mustCLI(t, m, "approve", ids[0], "--group", "Servers", "--action", "install", "--deadline", "2030-01-02T03:04:00Z")
	if out != "approved "+ids[0]+" (revision 201) for install in Servers with deadline 2030-01-02 03:04 UTC\n" {
		t.Errorf("approve = %q", out)
	}
	out = mustCLI(t, m, "approve", strings.ToUpper(ids[1]), "--group", "All Computers", "--deadline", "2020-01-01T00:00:00Z")
	if !strings.Contains(out, "for install in All Computers; the deadline 2020-01-01 00:00 UTC has passed, so clients act at once") {
		t.Errorf("approve with past deadline = %q", out)
	}
	var a adminapi.Approval
	decodeJSON(t, mustCLI(t, m, "approve", ids[1], "--group", "Servers", "--action", "uninstall", "--json"), &a)
	if a.Action != "uninstall" || a.Group != "Servers" || a.UpdateID != ids[1] {
		t.Errorf("approve --json = %+v", a)
	}
	out = mustCLI(t, m, "updates", "list", "--approved", "true")
	if !strings.Contains(out, "Servers: install") || !strings.Contains(out, "All Computers: install, Servers: uninstall") {
		t.Errorf("updates list --approved true =\n%s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"category", []string{"approve", ids[2], "--group", "Servers"}, "is a category, not an update: it cannot be approved"},
		{"bad action", []string{"approve", ids[0], "--group", "Servers", "--action", "deploy"}, `unknown approval action "deploy"`},
		{"bad deadline", []string{"approve", ids[0], "--group", "Servers", "--deadline", "friday"}, "not an RFC 3339 time"},
		{"unknown group", []string{"approve", ids[0], "--group", "Nowhere"}, `target group "Nowhere" not found`},
		{"unknown update", []string{"approve", "00000000-0000-0000-0000-000000000001", "--group", "Servers"}, "not found"},
		{"not a GUID", []string{"approve", "KB5000001", "--group", "Servers"}, "is not a GUID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := cli(t, m, tc.args...)
			wantExit(t, code, stderr, 1, tc.msg)
			if !strings.HasPrefix(stderr, "patchbay approve: ") {
				t.Errorf("stderr %q does not start with the verb", stderr)
			}
		})
	}

	if out := mustCLI(t, m, "unapprove", ids[0], "--group", "servers"); out != "removed the approval of "+ids[0]+" for servers\n" {
		t.Errorf("unapprove = %q", out)
	}
	code, _, stderr := cli(t, m, "unapprove", ids[0], "--group", "Servers")
	wantExit(t, code, stderr, 1, `patchbay unapprove: update `+ids[0]+` is not approved for "Servers"`)
	out = mustCLI(t, m, "approve", ids[1], "--group", "Servers", "--action", "not-approved")
	if out != ids[1]+" is not approved for Servers\n" {
		t.Errorf("approve --action not-approved = %q", out)
	}
}
