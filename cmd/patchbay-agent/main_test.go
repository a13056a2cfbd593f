package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent/agenttest"
	"patchbay/internal/store/sqlite"
)

// startServer runs an in-process server (agenttest) with every deployable
// update of the reference catalog approved, and returns its URL and store.
func startServer(t *testing.T) (string, *sqlite.DB) {
	s := agenttest.New(t)
	s.ApproveAll()
	return s.URL, s.DB
}

// TestMain removes the reference catalog agenttest generates once.
func TestMain(m *testing.M) { os.Exit(agenttest.Main(m)) }

// agentDir returns a data directory holding the agent package's test profile.
func agentDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "agent", "testdata", "win11-x64.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runAgent runs the command line in-process and returns the exit status
// and outputs.
func runAgent(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestCommands drives scan, download, install, report and status through
// the command line against a real server.
func TestCommands(t *testing.T) {
	url, db := startServer(t)
	dir := agentDir(t)
	env := map[string]string{"PATCHBAY_AGENT_SERVER": url, "PATCHBAY_AGENT_DATA": dir}

	code, out, errOut := runAgent(t, env, "scan")
	if code != 0 || !strings.HasPrefix(out, "scan finished: ") || strings.HasPrefix(out, "scan finished: 0 needed") {
		t.Fatalf("scan: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, errOut = runAgent(t, env, "download"); code != 0 || !strings.Contains(out, "downloaded ") {
		t.Fatalf("download: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, errOut = runAgent(t, env, "install", "--json"); code != 0 {
		t.Fatalf("install: exit %d, %q, %q", code, out, errOut)
	}
	var inst []struct {
		UpdateID  string
		Succeeded bool
	}
	if err := json.Unmarshal([]byte(out), &inst); err != nil || len(inst) == 0 {
		t.Fatalf("install --json = %q (%v)", out, err)
	}
	if code, out, errOut = runAgent(t, env, "scan", "--json"); code != 0 {
		t.Fatalf("rescan: exit %d, %q", code, errOut)
	}
	if code, out, errOut = runAgent(t, env, "report"); code != 0 || !strings.Contains(out, ", 0 pending") {
		t.Fatalf("report: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = runAgent(t, env, "status", "--json")
	var st struct {
		ClientID      string
		Installed     []struct{ UpdateID string }
		Needed        []struct{ UpdateID string }
		PendingEvents int
		LastContact   time.Time
	}
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("status --json: exit %d, %q (%v)", code, out, err)
	}
	if len(st.Installed) != len(inst) || len(st.Needed) != 0 || st.PendingEvents != 0 || st.LastContact.IsZero() {
		t.Errorf("status = %+v, want %d installed and nothing needed or pending", st, len(inst))
	}
	rows, err := db.Status(t.Context(), st.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	installed := 0
	for _, r := range rows {
		if r.State == patchbay.StateInstalled {
			installed++
		}
	}
	if installed < len(inst) {
		t.Errorf("server shows %d installed, want at least %d", installed, len(inst))
	}
	if code, out, _ = runAgent(t, env, "status"); code != 0 || !strings.Contains(out, "needed:           0") {
		t.Errorf("status: exit %d, %q", code, out)
	}
}

func TestUsageAndErrors(t *testing.T) {
	dir := agentDir(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no command", nil, nil, 2, "usage:"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no server", nil, []string{"scan", "--data", dir}, 2, "no update server"},
		{"bad flag", nil, []string{"scan", "--nope"}, 2, "flag provided but not defined"},
		{"extra argument", nil, []string{"scan", "x"}, 2, `unexpected argument "x"`},
		{"bad install mode", nil, []string{"scan", "--server", "http://127.0.0.1:1", "--data", dir, "--install-mode", "msi"}, 1, `install mode "msi"`},
		{"bad frequency", nil, []string{"run", "--server", "http://127.0.0.1:1", "--data", dir, "--detection-frequency", "soon"}, 2, "detection frequency"},
		{"bad bandwidth", nil, []string{"download", "--server", "http://127.0.0.1:1", "--data", dir, "--bandwidth", "fast"}, 2, "bandwidth"},
		{"bad server url", nil, []string{"scan", "--server", "wsus:8530", "--data", dir}, 1, "server url"},
		{"missing profile", nil, []string{"scan", "--server", "http://127.0.0.1:1", "--data", t.TempDir(), "--profile", filepath.Join(t.TempDir(), "none.json")}, 1, "profile"},
		{"server down", map[string]string{"PATCHBAY_AGENT_SERVER": "http://127.0.0.1:1", "PATCHBAY_AGENT_DATA": dir}, []string{"scan"}, 1, "GetConfig"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runAgent(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, %q %q; want %d with %q", code, out, errOut, tc.code, tc.want)
			}
			if code == 1 && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("error is not one line: %q", errOut)
			}
		})
	}
}

// TestSettingsPrecedence: flags override PATCHBAY_AGENT_* variables, which
// override the config file.
func TestSettingsPrecedence(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "agent.json")
	os.WriteFile(cfg, []byte(`{"server":"http://file:8530","parallel":3,"targetGroups":["A","B"],"installMode":"command","detectionFrequency":6}`), 0o644)
	env := map[string]string{"PATCHBAY_AGENT_CONFIG": cfg, "PATCHBAY_AGENT_PARALLEL": "5", "PATCHBAY_AGENT_DATA": "/d"}
	o, err := parseOptions("scan", []string{"--parallel", "7", "--target-group", "C"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.Server != "http://file:8530" || o.Parallel != "7" || o.TargetGroups != "C" || o.InstallMode != "command" || o.Data != "/d" ||
		o.Profile != filepath.Join("/d", "profile.json") || o.DetectionFrequency != "6" {
		t.Errorf("settings = %+v", o.settings)
	}
	o, err = parseOptions("scan", nil, func(k string) string { return map[string]string{"PATCHBAY_AGENT_CONFIG": cfg}[k] }, io.Discard)
	if err != nil || o.Parallel != "3" || o.TargetGroups != "A,B" {
		t.Errorf("from the file alone: %+v, %v", o, err)
	}
	os.WriteFile(cfg, []byte(`{"sever":"typo"}`), 0o644)
	if _, err := parseOptions("scan", nil, func(k string) string { return env[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "sever") {
		t.Errorf("unknown config key: %v", err)
	}
}

func TestParsers(t *testing.T) {
	for in, want := range map[string]time.Duration{"22": 22 * time.Hour, "1.5": 90 * time.Minute, "30m": 30 * time.Minute} {
		if got, err := detectionFrequency(in); err != nil || got != want {
			t.Errorf("detectionFrequency(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]int64{"1000": 1000, "512k": 512 << 10, "10M": 10 << 20, "1G": 1 << 30} {
		if got, err := byteRate(in); err != nil || got != want {
			t.Errorf("byteRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if _, err := detectionFrequency(bad); err == nil {
			t.Errorf("detectionFrequency(%q) accepted", bad)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a poller.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunStops runs the periodic loop until its first cycle is printed,
// then cancels it as SIGINT would: exit status 0.
func TestRunStops(t *testing.T) {
	url, _ := startServer(t)
	env := map[string]string{"PATCHBAY_AGENT_SERVER": url, "PATCHBAY_AGENT_DATA": agentDir(t)}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run", "--detection-frequency", "1"}, func(k string) string { return env[k] }, &out, &errOut)
	}()
	for i := 0; i < 1000 && !strings.Contains(out.String(), "cycle:"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "cycle:") {
		t.Fatalf("no cycle reported: %q %q", out.String(), errOut.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop after cancellation")
	}
}

// TestFirstRunSeedsProfile: with no --profile and no DATA/profile.json, the
// agent starts from the built-in Windows 11 profile and says so.
func TestFirstRunSeedsProfile(t *testing.T) {
	data := t.TempDir()
	code, _, errOut := runAgent(t, nil, "scan", "--server", "http://127.0.0.1:1", "--data", data)
	if code != 1 || !strings.Contains(errOut, "created one from the built-in") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "profile.json")); err != nil {
		t.Errorf("profile not written: %v", err)
	}
	_, _, errOut = runAgent(t, nil, "scan", "--server", "http://127.0.0.1:1", "--data", data)
	if strings.Contains(errOut, "created one") {
		t.Errorf("an existing profile was seeded again: %q", errOut)
	}
}
