package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay/internal/wusp"
)

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	st, corrupted, err := loadState(path, time.Now())
	if err != nil || corrupted || !validGUID(st.ClientID) || st.J < 0 || st.J > 999 {
		t.Fatalf("loadState of no file = %+v, %v, %v", st, corrupted, err)
	}
	s := st.server("http://a:8530")
	s.Cookie = &wusp.Cookie{Expiration: wusp.DateTime{Time: time.Date(2026, 10, 4, 16, 3, 35, 996723600, time.UTC)}, EncryptedData: []byte{1, 2, 3}}
	s.Config = &wusp.Config{LastChange: wusp.DateTime{Time: time.Date(2026, 10, 4, 13, 17, 7, 590000000, time.UTC)}, AllowedEventIds: wusp.Ints{147}}
	s.Revisions[7] = &Revision{ID: 7, UpdateID: "u", Core: "<UpdateIdentity/>", Deployment: &wusp.Deployment{Action: "Install"}}
	st.Pending = []Event{{InstanceID: newGUID(), EventID: 147, Time: time.Now().UTC().Truncate(time.Millisecond)}}
	if err := st.save(path); err != nil {
		t.Fatal(err)
	}
	got, corrupted, err := loadState(path, time.Now())
	if err != nil || corrupted {
		t.Fatalf("loadState = %v, corrupted %v", err, corrupted)
	}
	g := got.Servers["http://a:8530"]
	if got.ClientID != st.ClientID || g == nil || !g.Cookie.Expiration.Equal(s.Cookie.Expiration.Time) || string(g.Cookie.EncryptedData) != "\x01\x02\x03" ||
		!g.Config.LastChange.Equal(s.Config.LastChange.Time) || g.Revisions[7].Deployment.Action != "Install" || len(got.Pending) != 1 {
		t.Errorf("round trip lost data: %+v", got)
	}
	if m, _ := filepath.Glob(path + ".tmp-*"); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestServerSwitchMovesCache: the revision cache follows the client to a
// new server, marked for RefreshCache; the old server's entry is purged.
func TestServerSwitchMovesCache(t *testing.T) {
	st := newState()
	old := st.server("http://old")
	old.Revisions[1] = &Revision{ID: 1, UpdateID: "u", RevisionNumber: 2}
	old.Cookie = &wusp.Cookie{EncryptedData: []byte{1}}
	s := st.server("http://new")
	if !s.NeedsRefresh || len(s.Revisions) != 1 || s.Cookie != nil || len(st.Servers) != 1 {
		t.Errorf("after the switch: %+v, servers %v", s, keys(st.Servers))
	}
}

func TestCorruptStateKeepsLegibleID(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	st := newState()
	if err := st.save(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	// Valid JSON, wrong checksum: an edit or a torn write.
	b = []byte(strings.Replace(string(b), `"version":1`, `"version":1 `, 1))
	os.WriteFile(path, b, 0o644)
	got, corrupted, err := loadState(path, time.Now())
	if err != nil || !corrupted {
		t.Fatalf("loadState = %v, corrupted %v", err, corrupted)
	}
	if got.ClientID != st.ClientID {
		t.Errorf("client id %s, want %s kept", got.ClientID, st.ClientID)
	}
}

// TestInMemoryStateWritesNothing: an in-memory agent (the swarm's clients)
// neither reads nor writes the state file.
func TestInMemoryStateWritesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := OpenProfile(filepath.Join("testdata", "win11-x64.json"), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(Config{ServerURL: "http://127.0.0.1:1", DataDir: dir, InMemory: true}, inv)
	if err != nil {
		t.Fatal(err)
	}
	if a.Corrupted {
		t.Error("an in-memory agent read the state file")
	}
	if err := a.save(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, StateFile)); string(b) != "garbage" {
		t.Errorf("an in-memory agent wrote the state file: %q", b)
	}
}
