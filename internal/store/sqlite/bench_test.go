package sqlite_test

import (
	"testing"
	"time"

	"patchbay"
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

// BenchmarkAppendEvents stores new events in batches of 50, one transaction
// per batch, as ReportEventBatch does: per-update events (appended) and
// detection events (latest kept). Target: >= 20,000 events/s.
func BenchmarkAppendEvents(b *testing.B) {
	const batch, computers = 50, 100
	db := open(b)
	at := time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC)
	for c := range computers {
		if _, err := db.TouchComputer(b.Context(), storetest.ComputerID(c), "pc", nil, at); err != nil {
			b.Fatal(err)
		}
	}
	es := make([]patchbay.Event, batch)
	n := 0
	for b.Loop() {
		id := storetest.ComputerID(n / batch % computers)
		for i := range es {
			upd := storetest.GUID(n % 500)
			ev := patchbay.EventInstallFailed
			if i%10 == 0 {
				upd, ev = "", patchbay.EventDetectionFinished
			}
			es[i] = storetest.Event(id, n, ev, upd, at.Add(time.Duration(n)*time.Millisecond))
			n++
		}
		if _, err := db.AppendEvents(b.Context(), es); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkApplyStatus applies a status report naming 100 updates (a third
// of them changing state) plus one failure, per call, across 100 computers.
// Target: >= 500 reports/s.
func BenchmarkApplyStatus(b *testing.B) {
	const updates, computers = 100, 100
	db := open(b)
	at := time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC)
	for c := range computers {
		if _, err := db.TouchComputer(b.Context(), storetest.ComputerID(c), "pc", nil, at); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for b.Loop() {
		t := at.Add(time.Duration(n) * time.Second)
		r := &store.StatusReport{At: t}
		for u := range updates {
			s := patchbay.StateNotInstalled
			if (u+n/computers)%3 == 0 {
				s = patchbay.StateInstalled
			}
			r.States = append(r.States, store.StatusChange{UpdateID: storetest.GUID(u), State: s})
		}
		c := store.StatusChanges{Report: r, Detected: t,
			Set: []store.StatusChange{{UpdateID: storetest.GUID(n % updates), State: patchbay.StateFailed, At: t}}}
		if err := db.ApplyStatus(b.Context(), storetest.ComputerID(n%computers), c); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "reports/s")
}
