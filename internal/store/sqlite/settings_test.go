package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
)

// TestSettingsSurviveReopen checks that what cookies seal (server id,
// configuration LastChange) and the targeting mode outlive a restart
// (protocol-wusp.md §6.4).
func TestSettingsSurviveReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "patchbay.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 4, 15, 20, 47, 397_654_321, time.UTC)
	db.Now = func() time.Time { return at }
	id, err1 := db.ServerID(ctx)
	lc, err2 := db.ConfigLastChange(ctx)
	err3 := db.SetTargetingMode(ctx, store.TargetingClient)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if want := at.Truncate(time.Millisecond); !lc.Equal(want) {
		t.Errorf("ConfigLastChange() = %v, want %v", lc, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if got, err := db.ServerID(ctx); err != nil || got != id {
		t.Errorf("ServerID() after reopen = %q, %v; want %q", got, err, id)
	}
	if got, err := db.ConfigLastChange(ctx); err != nil || !got.Equal(lc) {
		t.Errorf("ConfigLastChange() after reopen = %v, %v; want %v", got, err, lc)
	}
	if got, err := db.TargetingMode(ctx); err != nil || got != store.TargetingClient {
		t.Errorf("TargetingMode() after reopen = %q, %v; want client", got, err)
	}
}
