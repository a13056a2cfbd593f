package sqlite_test

import (
	"testing"

	"patchbay/internal/store"
	"patchbay/internal/store/storetest"
)

// BenchmarkPutRevisions stores new revisions in batches of 500, one
// transaction per batch, as import and sync do. Target: >= 2,000 revisions/s.
func BenchmarkPutRevisions(b *testing.B) {
	const batch = 500
	db := open(b)
	recs := make([]store.RevisionRecord, batch)
	n := 0
	for b.Loop() {
		for i := range recs {
			recs[i] = storetest.Record(n)
			n++
		}
		if _, err := db.PutRevisions(b.Context(), recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "revisions/s")
}

// BenchmarkPutRevisionsUnchanged re-puts held revisions (a re-import).
func BenchmarkPutRevisionsUnchanged(b *testing.B) {
	const batch = 500
	db := open(b)
	recs := make([]store.RevisionRecord, batch)
	for i := range recs {
		recs[i] = storetest.Record(i)
	}
	if _, err := db.PutRevisions(b.Context(), recs); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if _, err := db.PutRevisions(b.Context(), recs); err != nil {
			b.Fatal(err)
		}
		n += batch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "revisions/s")
}

// BenchmarkRevisions reads 20,000 revisions back with all their parsed
// fields, as a catalog rebuild does.
func BenchmarkRevisions(b *testing.B) {
	const total, batch = 20000, 500
	db := open(b)
	recs := make([]store.RevisionRecord, batch)
	for n := 0; n < total; n += batch {
		for i := range recs {
			recs[i] = storetest.Record(n + i)
		}
		if _, err := db.PutRevisions(b.Context(), recs); err != nil {
			b.Fatal(err)
		}
	}
	read := 0
	for b.Loop() {
		if err := db.Revisions(b.Context(), func(store.RevisionRecord) error { read++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	if read != total*b.N {
		b.Fatalf("read %d revisions, want %d", read, total*b.N)
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "revisions/s")
}
