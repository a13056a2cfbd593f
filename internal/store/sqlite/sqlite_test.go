package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/store/storetest"
)

func open(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}

// TestNow checks that the injected clock stamps imports and approvals.
func TestNow(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	at := time.Date(2026, 5, 6, 7, 8, 9, 10, time.UTC)
	db.Now = func() time.Time { return at }
	r := storetest.Record(1)
	if _, err := db.PutRevisions(ctx, []store.RevisionRecord{r}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Revision(ctx, r.Revision.RevisionKey)
	if err != nil || !got.ImportedAt.Equal(at) {
		t.Errorf("Revision().ImportedAt = %v, %v; want %v", got.ImportedAt, err, at)
	}
	if err := db.Approve(ctx, patchbay.Approval{UpdateID: r.Revision.UpdateID, RevisionNumber: r.Revision.RevisionNumber,
		GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}); err != nil {
		t.Fatal(err)
	}
	as, err := db.Approvals(ctx)
	if err != nil || len(as) != 1 || !as[0].LastChange.Equal(at) {
		t.Errorf("Approvals() = %v, %v; want LastChange %v", as, err, at)
	}
}
