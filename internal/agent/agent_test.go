package agent

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent/agenttest"
)

// noSleep makes retry waits instant in tests.
func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// newTestAgent opens an agent for ts in dir with a copy of the test
// profile (when dir has none yet).
func newTestAgent(t *testing.T, serverURL, dir string, mut func(*Config)) (*Agent, *ProfileInventory) {
	t.Helper()
	prof := filepath.Join(dir, "profile.json")
	if _, err := os.Stat(prof); err != nil {
		b, err := os.ReadFile(filepath.Join("testdata", "win11-x64.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(prof, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := OpenProfile(prof, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{ServerURL: serverURL, DataDir: dir, Sleep: noSleep}
	if mut != nil {
		mut(&cfg)
	}
	a, err := Open(cfg, inv)
	if err != nil {
		t.Fatal(err)
	}
	return a, inv
}

func ids(us []UpdateState) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.UpdateID)
	}
	return out
}

// TestCycle runs scan → download → install (simulate) → report → rescan
// against the in-process server and checks the files, the profile, the
// events and the server's status table.
func TestCycle(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	ctx := t.Context()
	dir := t.TempDir()
	a, _ := newTestAgent(t, ts.URL, dir, nil)

	res, err := a.Scan(ctx)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	needed := res.Needed()
	if len(needed) == 0 {
		t.Fatalf("Scan found nothing needed among %d updates", len(res.Updates))
	}
	t.Logf("first scan: %d updates, %d needed, %d installed", len(res.Updates), len(needed), len(res.InstalledUpdates()))
	// The driver pass offered the driver for the profile's touchpad
	// (protocol-wusp.md §5.8).
	if !slices.ContainsFunc(needed, func(u UpdateState) bool { return u.Type == TypeDriver }) {
		t.Error("no driver needed for the profile's device")
	}
	// Of a supersedence chain only the newest is offered.
	superseded := 0
	for _, u := range res.Updates {
		if u.SupersededBy != "" {
			superseded++
			if u.Needed || !slices.Contains(ids(needed), u.SupersededBy) {
				t.Errorf("%s superseded by %s: needed %v", u.UpdateID, u.SupersededBy, u.Needed)
			}
		}
	}
	if superseded == 0 {
		t.Error("no update of the catalog's supersedence chains was held back")
	}

	dls, err := a.Download(ctx)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	var total int64
	for _, d := range dls {
		if d.Err != "" {
			t.Errorf("download %s: %s", d.UpdateID, d.Err)
		}
		total += d.Bytes
	}
	if total == 0 {
		t.Fatal("Download fetched no bytes")
	}
	// Every downloaded file matches the digests of its metadata.
	a.mu.Lock()
	s := a.st.server(ts.URL)
	for _, u := range needed {
		for _, id := range u.Leaves {
			ext, err := parseExtended([]byte(s.Revisions[id].Extended))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ext.Files {
				b, err := os.ReadFile(a.cachePath(hex.EncodeToString(f.SHA1)))
				if err != nil {
					t.Fatalf("file %s of %s: %v", f.Name, u.UpdateID, err)
				}
				s1, s256 := sha1.Sum(b), sha256.Sum256(b)
				if !bytes.Equal(s1[:], f.SHA1) || !bytes.Equal(s256[:], f.SHA256) || int64(len(b)) != f.Size {
					t.Errorf("file %s does not match its metadata", f.Name)
				}
			}
		}
	}
	a.mu.Unlock()

	inst, err := a.Install(ctx, InstallOptions{})
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	var installed []string
	for _, r := range inst {
		if !r.Succeeded {
			t.Errorf("install %s: %s", r.UpdateID, r.Err)
		}
		installed = append(installed, r.UpdateID)
	}
	if len(installed) == 0 {
		t.Fatal("Install installed nothing")
	}

	res2, err := a.Scan(ctx)
	if err != nil {
		t.Fatalf("second Scan: %v", err)
	}
	for _, id := range installed {
		i := slices.IndexFunc(res2.Updates, func(u UpdateState) bool { return u.UpdateID == id })
		if i < 0 || res2.Updates[i].Installed != "true" || res2.Updates[i].Needed {
			t.Errorf("after install, %s is not seen installed: %+v", id, res2.Updates[max(i, 0)])
		}
	}
	if n := len(res2.Needed()); n != 0 {
		t.Errorf("second scan still needs %d updates: %v", n, ids(res2.Needed()))
	}

	sent, err := a.Report(ctx)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if sent == 0 || a.Pending() != 0 {
		t.Fatalf("Report sent %d, %d pending", sent, a.Pending())
	}
	rows, err := ts.DB.Status(ctx, a.ClientID())
	if err != nil {
		t.Fatalf("server status: %v", err)
	}
	states := map[string]patchbay.UpdateState{}
	for _, r := range rows {
		states[strings.ToLower(r.UpdateID)] = r.State
	}
	for _, id := range installed {
		if states[id] != patchbay.StateInstalled {
			t.Errorf("server status of %s = %v, want installed", id, states[id])
		}
	}

	// A third scan starts directly with SyncUpdates (cached config and
	// cookie, protocol-wusp.md §3.2) and finds nothing new.
	res3, err := a.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Needed()) != 0 {
		t.Errorf("third scan needs %v", ids(res3.Needed()))
	}
}
