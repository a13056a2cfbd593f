package snapshot_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"patchbay"
	"patchbay/internal/importer"
	"patchbay/internal/refcatalog"
	"patchbay/internal/snapshot"
	"patchbay/internal/store/sqlite"
)

// loadReference imports a generated reference catalog of n revisions into
// a new SQLite database.
func loadReference(tb testing.TB, n int) *sqlite.DB {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := refcatalog.Generate(filepath.Join(dir, "ref"), refcatalog.Options{Revisions: n, Seed: 3}); err != nil {
		tb.Fatal(err)
	}
	db, err := sqlite.Open(tb.Context(), filepath.Join(dir, "db.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	im := &importer.Importer{Revisions: db}
	sum, err := im.Import(tb.Context(), filepath.Join(dir, "ref", "metadata"))
	if err != nil || sum.Rejected > 0 {
		tb.Fatalf("import: %+v, %v", sum, err)
	}
	return db
}

func TestRefreshFollowsTheStore(t *testing.T) {
	db := loadReference(t, 300)
	k := &snapshot.Keeper{Source: db}
	if k.Load() != nil {
		t.Fatal("catalog before the first Refresh")
	}
	changed, err := k.Refresh(t.Context(), false)
	if err != nil || !changed {
		t.Fatalf("first Refresh = %v, %v", changed, err)
	}
	c := k.Load()
	if c.Len() != 300 {
		t.Errorf("catalog has %d revisions, want 300", c.Len())
	}
	for id := range c.All() {
		if _, core, _ := c.Revision(id); len(core) == 0 {
			t.Fatalf("revision %d has no Core fragment", id)
		}
	}
	if changed, _ := k.Refresh(t.Context(), false); changed {
		t.Error("Refresh without a store change rebuilt the catalog")
	}
	// An approval moves the store's version: the next Refresh publishes it.
	var software int32 = -1
	for id := range c.All() {
		if info, _ := c.Lookup(id); info.Type == patchbay.TypeSoftware && info.Latest {
			software = id
			break
		}
	}
	rev, _, _ := c.Revision(software)
	if err := db.Approve(t.Context(), patchbay.Approval{UpdateID: rev.UpdateID, RevisionNumber: rev.RevisionNumber,
		GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}); err != nil {
		t.Fatal(err)
	}
	if changed, err := k.Refresh(t.Context(), false); err != nil || !changed {
		t.Fatalf("Refresh after an approval = %v, %v", changed, err)
	}
	if d, ok := k.Load().Deployment(nil, software); !ok || d.Action != patchbay.ActionInstall {
		t.Errorf("approved revision deployment = %+v, %v", d, ok)
	}
	if c.Len() != 300 {
		t.Error("the previous snapshot changed under its readers")
	}
}

// BenchmarkRebuild measures a full catalog rebuild from SQLite for the
// reference catalog (20,000 revisions; PATCHBAY_BENCH_REVISIONS overrides):
// time, allocation per rebuild, and the live heap the catalog holds.
func BenchmarkRebuild(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("PATCHBAY_BENCH_REVISIONS")); err == nil && v > 0 {
		n = v
	}
	db := loadReference(b, n)
	k := &snapshot.Keeper{Source: db}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := k.Refresh(b.Context(), true); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var before, after runtime.MemStats
	k2 := &snapshot.Keeper{Source: db}
	runtime.GC()
	runtime.ReadMemStats(&before)
	k2.Refresh(b.Context(), true)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "live-MB")
	runtime.KeepAlive(k2.Load())
}
