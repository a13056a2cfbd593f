package main

import (
	"path/filepath"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent"
	"patchbay/internal/applicability"
)

// TestAgentEndToEnd is the path a user meets: the real server Main on
// 127.0.0.1:0 with the reference catalog and approvals, and the real update
// agent scanning, downloading (verified by digest), installing (simulate
// handler), reporting, and rescanning to find everything installed; the
// server then shows the computer's updates as installed.
func TestAgentEndToEnd(t *testing.T) {
	m, approvals := startWithCatalog(t, nil)
	ctx := t.Context()
	var ids []string
	for _, a := range approvals {
		ids = append(ids, a.UpdateID)
	}
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids...)

	dir := t.TempDir()
	profile, err := applicability.BuiltinProfile("windows11-x64-en-us")
	if err != nil {
		t.Fatal(err)
	}
	profilePath := filepath.Join(dir, "profile.json")
	if err := profile.Save(profilePath); err != nil {
		t.Fatal(err)
	}
	inv, err := agent.OpenProfile(profilePath, "pc-e2e.example.test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.Open(agent.Config{ServerURL: m.URL(), DataDir: filepath.Join(dir, "agent"), InstallMode: agent.ModeSimulate}, inv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Cycle(ctx, agent.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downloads) == 0 || len(res.Installs) == 0 {
		t.Fatalf("first cycle: %d downloads, %d installs", len(res.Downloads), len(res.Installs))
	}
	var installed []string
	for _, r := range res.Installs {
		if !r.Succeeded {
			t.Errorf("install of %s failed", r.UpdateID)
		}
		installed = append(installed, r.UpdateID)
	}
	if n := len(res.Scan.Needed()); n != 0 {
		t.Errorf("after installing, the rescan still needs %d updates", n)
	}
	sent, err := a.Report(ctx)
	if err != nil || sent == 0 {
		t.Fatalf("Report = %d, %v", sent, err)
	}

	// The server's view: the computer registered, reported, and its
	// installed updates are Installed.
	c, err := m.DB.Computer(ctx, a.ClientID())
	if err != nil || !c.Registered || c.DNSName != "pc-e2e.example.test" {
		t.Fatalf("computer = %+v, %v", c, err)
	}
	status, err := m.DB.Status(ctx, a.ClientID())
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]patchbay.UpdateState{}
	for _, s := range status {
		state[s.UpdateID] = s.State
	}
	for _, id := range installed {
		if state[id] != patchbay.StateInstalled {
			t.Errorf("server status of installed update %s = %v", id, state[id])
		}
	}

	// A second cycle finds nothing to do.
	res, err = a.Cycle(ctx, agent.InstallOptions{})
	if err != nil || len(res.Downloads)+len(res.Installs) != 0 {
		t.Errorf("second cycle: %d downloads, %d installs, %v", len(res.Downloads), len(res.Installs), err)
	}
}
