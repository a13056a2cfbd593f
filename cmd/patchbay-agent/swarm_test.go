package main

import (
	"encoding/json"
	"strings"
	"testing"

	"patchbay/internal/agent/swarm"
)

func TestSwarmUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no server", []string{"swarm", "--clients", "2", "--cycles", "1"}, "no update server"},
		{"no clients", []string{"swarm", "--server", "http://127.0.0.1:1", "--cycles", "1"}, "clients 0"},
		{"negative concurrency", []string{"swarm", "--server", "http://127.0.0.1:1", "--clients", "2", "--concurrency", "-1", "--cycles", "1"}, "concurrency -1"},
		{"unbounded", []string{"swarm", "--server", "http://127.0.0.1:1", "--clients", "2"}, "--duration, --cycles"},
		{"bad duration", []string{"swarm", "--server", "http://127.0.0.1:1", "--clients", "2", "--duration", "soon"}, "invalid value"},
		{"negative cycles", []string{"swarm", "--server", "http://127.0.0.1:1", "--clients", "2", "--cycles", "-1"}, "negative"},
		{"extra argument", []string{"swarm", "--server", "http://127.0.0.1:1", "--clients", "2", "--cycles", "1", "more"}, `unexpected argument "more"`},
		{"unknown flag", []string{"swarm", "--clientz", "2"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runAgent(t, nil, tc.args...)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("run(%q) = %d, %q, %q; want 2 and an error with %q", tc.args, code, out, errOut, tc.want)
			}
		})
	}
}

// TestSwarmCommand runs a small swarm through the command line against a
// real server and checks the JSON summary.
func TestSwarmCommand(t *testing.T) {
	url, db := startServer(t)
	code, out, errOut := runAgent(t, map[string]string{"PATCHBAY_AGENT_SERVER": url}, "swarm", "--clients", "3", "--cycles", "1", "--json")
	if code != 0 {
		t.Fatalf("swarm: exit %d, %q", code, errOut)
	}
	var s swarm.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("swarm --json output %q: %v", out, err)
	}
	if s.Clients != 3 || s.Cycles != 3 || s.FailedCycles != 0 || s.Ops == 0 || len(s.Errors) != 0 {
		t.Errorf("summary = %+v, want 3 clients, 3 cycles, no errors", s)
	}
	computers, err := db.Computers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(computers) != 3 {
		t.Errorf("server has %d computers, want 3", len(computers))
	}
	code, out, errOut = runAgent(t, map[string]string{"PATCHBAY_AGENT_SERVER": url}, "swarm", "--clients", "1", "--cycles", "1")
	if code != 0 || !strings.Contains(out, "SyncUpdates") || !strings.Contains(out, "ops/s") {
		t.Errorf("swarm text: exit %d, %q, %q", code, out, errOut)
	}
}
