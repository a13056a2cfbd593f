package sqlite_test

import (
	"path/filepath"
	"sync"
	"testing"

	"patchbay"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/store/storetest"
)

func TestOpenTwiceKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "patchbay.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	v1, err := db.SchemaVersion(ctx)
	if err != nil || v1 < 1 {
		t.Fatalf("SchemaVersion() = %d, %v; want >= 1", v1, err)
	}
	if _, err := db.PutRevisions(ctx, []store.RevisionRecord{storetest.Record(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateGroup(ctx, patchbay.TargetGroup{Name: "Servers"}); err != nil {
		t.Fatal(err)
	}
	cv, err := db.CatalogVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(again) = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if v2, err := db.SchemaVersion(ctx); err != nil || v2 != v1 {
		t.Errorf("SchemaVersion() after reopen = %d, %v; want %d", v2, err, v1)
	}
	gs, err := db.Groups(ctx)
	if err != nil || len(gs) != 3 {
		t.Errorf("Groups() after reopen = %v, %v; want the 2 built-in groups seeded once plus Servers", gs, err)
	}
	if got, err := db.CatalogVersion(ctx); err != nil || got != cv {
		t.Errorf("CatalogVersion() after reopen = %d, %v; want %d", got, err, cv)
	}
	res, err := db.PutRevisions(ctx, []store.RevisionRecord{storetest.Record(1)})
	if err != nil || res.Unchanged != 1 {
		t.Errorf("PutRevisions(held) after reopen = %+v, %v; want unchanged", res, err)
	}
}

// TestOpenConcurrently opens one file from several handles at once, as two
// processes starting together would: migrations must apply exactly once and
// writes from both handles must succeed (busy_timeout, BEGIN IMMEDIATE).
func TestOpenConcurrently(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "patchbay.db")
	var wg sync.WaitGroup
	dbs := make([]*sqlite.DB, 3)
	errs := make([]error, 3)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = sqlite.Open(ctx, path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open #%d = %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	for i, db := range dbs {
		wg.Go(func() {
			for j := range 10 {
				if _, err := db.PutRevisions(ctx, []store.RevisionRecord{storetest.Record(i*100 + j)}); err != nil {
					t.Errorf("PutRevisions via handle %d = %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	n := 0
	if err := dbs[0].Revisions(ctx, func(store.RevisionRecord) error { n++; return nil }); err != nil || n != 30 {
		t.Errorf("Revisions() = %d, %v; want 30", n, err)
	}
	gs, err := dbs[1].Groups(ctx)
	if err != nil || len(gs) != 2 {
		t.Errorf("Groups() = %d, %v; want the 2 built-in groups once", len(gs), err)
	}
}

func TestOpenInvalidPath(t *testing.T) {
	for _, p := range []string{"", "a?b"} {
		if _, err := sqlite.Open(t.Context(), p); patchbay.ErrorCode(err) != patchbay.EInvalid {
			t.Errorf("Open(%q) = %v, want invalid", p, err)
		}
	}
}
