package reporting_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/reporting"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
)

var (
	t0  = time.Date(2026, 10, 4, 15, 20, 47, 397_000_000, time.UTC)
	pc  = "e1da06a3-5601-43c9-bac3-52d5db701494"
	upA = "1594b429-a8c5-4b0d-ac86-79b0a826a847"
	upB = "391d3487-e6f5-4bd0-a607-7e29f9fbd88e"
	upC = "a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe"
)

func openDB(t testing.TB) *sqlite.DB {
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

// seq numbers the events of a test, so each gets its own instance id.
type seq struct{ n int }

func (s *seq) event(id int, update string, at time.Time, misc ...string) patchbay.Event {
	s.n++
	return patchbay.Event{
		ComputerID: pc, InstanceID: fmt.Sprintf("%08x-0000-4000-8000-%012x", s.n, id), TimeAtTarget: at,
		NamespaceID: 1, EventID: id, SourceID: 101, UpdateID: update, MiscData: misc,
	}
}

func (s *seq) status(at time.Time, misc ...string) patchbay.Event {
	return s.event(patchbay.EventStatus, "", at, misc...)
}

func ingest(t *testing.T, db *sqlite.DB, clientTime time.Time, es ...patchbay.Event) reporting.Result {
	t.Helper()
	res, err := reporting.Ingest(t.Context(), db, pc, clientTime, clientTime, es)
	if err != nil {
		t.Fatalf("Ingest(%d events) = %v", len(es), err)
	}
	return res
}

// states returns the computer's status as "update=state@offset from t0".
func states(t *testing.T, db *sqlite.DB) map[string]string {
	t.Helper()
	ss, err := db.Status(t.Context(), pc)
	if err != nil {
		t.Fatalf("Status() = %v", err)
	}
	m := map[string]string{}
	for _, s := range ss {
		m[s.UpdateID] = fmt.Sprintf("%s@%s", s.State, s.Changed.Sub(t0))
	}
	return m
}

func wantStates(t *testing.T, db *sqlite.DB, want map[string]string) {
	t.Helper()
	if diff := cmp.Diff(want, states(t, db)); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}

func TestStatusDerivation(t *testing.T) {
	h := time.Hour
	for _, tc := range []struct {
		name    string
		batches func(s *seq) [][]patchbay.Event
		want    map[string]string
	}{
		{"156 sets needed and installed", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{{
				s.event(patchbay.EventDetectionFinished, "", t0),
				s.status(t0, "C=1", "U="+upperGUID(upA)+";"+upperGUID(upB), "V="+upperGUID(upC), "G=1507.2601.30012.0"),
			}}
		}, map[string]string{upA: "needed@0s", upB: "needed@0s", upC: "installed@0s"}},
		{"newer 156 removes unnamed rows and keeps unchanged times", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.status(t0, "U="+upA+";"+upB, "V="+upC)},
				{s.status(t0.Add(h), "U="+upB, "V="+upA+";"+upC)},
			}
		}, map[string]string{upA: "installed@1h0m0s", upB: "needed@0s", upC: "installed@0s"}},
		{"latest 156 of a batch wins", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{{
				s.status(t0.Add(h), "V="+upA),
				s.status(t0, "U="+upA+";"+upB),
			}}
		}, map[string]string{upA: "installed@1h0m0s"}},
		{"182 sets failed", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.status(t0, "U="+upA+";"+upB)},
				{s.event(patchbay.EventInstallStarted, upA, t0.Add(h)), s.event(patchbay.EventInstallFailed, upA, t0.Add(2*h))},
			}
		}, map[string]string{upA: "failed@2h0m0s", upB: "needed@0s"}},
		{"195 and 198 set failed, also without a 156", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{{s.event(195, upA, t0), s.event(198, upB, t0.Add(h))}}
		}, map[string]string{upA: "failed@0s", upB: "failed@1h0m0s"}},
		{"newer 156 wins over failure", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.event(patchbay.EventInstallFailed, upA, t0)},
				{s.status(t0.Add(h), "V="+upA)},
			}
		}, map[string]string{upA: "installed@1h0m0s"}},
		{"older failure loses to newer 156", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.status(t0.Add(h), "U="+upA)},
				{s.event(patchbay.EventInstallFailed, upA, t0)}, // queued on the client, sent late
			}
		}, map[string]string{upA: "needed@1h0m0s"}},
		{"older 156 sent late changes nothing", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.status(t0.Add(h), "V="+upA)},
				{s.status(t0, "U="+upA+";"+upB)},
			}
		}, map[string]string{upA: "installed@1h0m0s"}},
		{"183 and 201 change nothing", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{
				{s.status(t0, "U="+upA)},
				{s.event(patchbay.EventInstallSucceeded, upA, t0.Add(h)), s.event(patchbay.EventInstallPending, upA, t0.Add(h))},
			}
		}, map[string]string{upA: "needed@0s"}},
		{"W, g and h lists, most specific wins", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{{s.status(t0, "U="+upA+";"+upB+";"+upC, "h="+upA, "g="+upB+";"+upA, "W="+upC, "V="+upC)}}
		}, map[string]string{upA: "failed@0s", upB: "failed@0s", upC: "installed pending reboot@0s"}},
		{"other namespaces are ignored for status", func(s *seq) [][]patchbay.Event {
			e := s.status(t0, "V="+upA)
			e.NamespaceID = 2
			return [][]patchbay.Event{{e}}
		}, map[string]string{}},
		{"bad list entries and unknown ids are skipped", func(s *seq) [][]patchbay.Event {
			return [][]patchbay.Event{{
				s.status(t0, "U=;"+upA+";not-a-guid;;{"+upperGUID(upB)+"}", "X=whatever", "novalue"),
				s.event(4242, upC, t0), s.event(patchbay.EventInstallFailed, "not-a-guid", t0),
			}}
		}, map[string]string{upA: "needed@0s", upB: "needed@0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			for _, b := range tc.batches(&seq{}) {
				ingest(t, db, t0.Add(3*h), b...)
			}
			wantStates(t, db, tc.want)
		})
	}
}

func TestIngestComputerTimes(t *testing.T) {
	db := openDB(t)
	s := &seq{}
	received := t0.Add(time.Hour)
	if _, err := reporting.Ingest(t.Context(), db, pc, received, received, []patchbay.Event{
		s.event(patchbay.EventDetectionFinished, "", t0), s.status(t0, "U="+upA),
	}); err != nil {
		t.Fatal(err)
	}
	c, err := db.Computer(t.Context(), pc)
	if err != nil {
		t.Fatalf("Computer() = %v (Ingest creates an unknown computer)", err)
	}
	if !c.LastReport.Equal(received) || !c.LastContact.Equal(received) || !c.LastStatusReport.Equal(t0) {
		t.Errorf("computer times = report %v, contact %v, status %v", c.LastReport, c.LastContact, c.LastStatusReport)
	}
	sum, err := db.ComputerStatusSummary(t.Context(), pc)
	if err != nil || !sum.LastDetection.Equal(t0) {
		t.Errorf("LastDetection = %v, %v; want %v", sum.LastDetection, err, t0)
	}
}

func TestIngestDedupe(t *testing.T) {
	db := openDB(t)
	s := &seq{}
	batch := []patchbay.Event{
		s.event(patchbay.EventDetectionFinished, "", t0),
		s.status(t0, "U="+upA),
		s.event(patchbay.EventDownloadFailed, upA, t0),
		s.event(patchbay.EventInstallFailed, upA, t0.Add(time.Second)),
	}
	if res := ingest(t, db, t0, batch...); res.Stored != 4 {
		t.Errorf("Ingest().Stored = %d, want 4", res.Stored)
	}
	before := states(t, db)
	res := ingest(t, db, t0.Add(time.Hour), batch...) // resent, an hour later
	if res.Stored != 0 || res.Events != 4 {
		t.Errorf("Ingest(resent) = %+v, want 4 events, none stored", res)
	}
	es, err := db.Events(t.Context(), store.EventFilter{ComputerID: pc})
	if err != nil || len(es) != 4 {
		t.Errorf("Events() after a resent batch = %d, %v; want 4", len(es), err)
	}
	if diff := cmp.Diff(before, states(t, db)); diff != "" {
		t.Errorf("status changed by a resent batch (-before +after):\n%s", diff)
	}
}

func TestIngestClockSkew(t *testing.T) {
	at := t0
	for _, tc := range []struct {
		name       string
		clientTime time.Time
		received   time.Time
		wantSkew   time.Duration
	}{
		{"client two hours behind", at, at.Add(2 * time.Hour), 2 * time.Hour},
		{"client ten minutes ahead", at, at.Add(-10 * time.Minute), -10 * time.Minute},
		{"within a minute: transit, not skew", at, at.Add(59 * time.Second), 0},
		{"no clientTime", time.Time{}, at.Add(5 * time.Hour), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			s := &seq{}
			tat := at.Add(-3 * time.Minute)
			noTime := s.event(patchbay.EventDownloadStarted, upB, time.Time{})
			res, err := reporting.Ingest(t.Context(), db, pc, tc.clientTime, tc.received,
				[]patchbay.Event{s.event(patchbay.EventInstallFailed, upA, tat), noTime})
			if err != nil {
				t.Fatal(err)
			}
			if res.Skew != tc.wantSkew {
				t.Errorf("Ingest().Skew = %v, want %v", res.Skew, tc.wantSkew)
			}
			es, err := db.Events(t.Context(), store.EventFilter{UpdateID: upA})
			if err != nil || len(es) != 1 {
				t.Fatalf("Events() = %v, %v", es, err)
			}
			if want := tat.Add(tc.wantSkew); !es[0].Time.Equal(want) || !es[0].TimeAtTarget.Equal(tat) ||
				!es[0].ReceivedAt.Equal(tc.received) {
				t.Errorf("event times = Time %v, TimeAtTarget %v, ReceivedAt %v; want %v, %v, %v",
					es[0].Time, es[0].TimeAtTarget, es[0].ReceivedAt, want, tat, tc.received)
			}
			if ss := states(t, db); ss[upA] != fmt.Sprintf("failed@%s", tat.Add(tc.wantSkew).Sub(t0)) {
				t.Errorf("status of %s = %q, want failed at the corrected time", upA, ss[upA])
			}
			es, err = db.Events(t.Context(), store.EventFilter{UpdateID: upB})
			if err != nil || len(es) != 1 || !es[0].Time.Equal(tc.received) || !es[0].TimeAtTarget.IsZero() {
				t.Errorf("event without TimeAtTarget = %+v, %v; want Time = received", es, err)
			}
		})
	}
}

func TestIngestValidation(t *testing.T) {
	db := openDB(t)
	s := &seq{}
	badID := s.event(patchbay.EventInstallFailed, upA, t0)
	badID.InstanceID = "not-a-guid"
	noID := s.event(patchbay.EventInstallFailed, upA, t0)
	noID.InstanceID = ""
	other := s.event(patchbay.EventInstallFailed, upB, t0)
	other.ComputerID = "0a0b0c0d-0000-4000-8000-000000000001" // TargetID of another client
	ns := s.event(patchbay.EventInstallFailed, upC, t0)
	ns.NamespaceID = 2
	upperID := s.event(patchbay.EventDownloadStarted, upperGUID(upC), t0)
	upperID.ComputerID = upperGUID(pc)
	upperID.InstanceID = "{" + upperGUID(upperID.InstanceID) + "}"
	unknown := s.event(31000, "", t0)
	noUpdate := s.event(patchbay.EventDownloadFailed, "", t0)
	noUpdate.ComputerID = ""
	res, err := reporting.Ingest(t.Context(), db, upperGUID(pc), t0, t0,
		[]patchbay.Event{badID, noID, other, ns, upperID, unknown, noUpdate})
	if err != nil {
		t.Fatalf("Ingest() = %v", err)
	}
	want := reporting.Result{Events: 7, Stored: 5, TargetMismatches: 1, OtherNamespace: 1, ComputerCreated: true,
		Rejected: []reporting.Rejection{
			{Index: 0, Reason: `EventInstanceID "not-a-guid" is not a GUID`},
			{Index: 1, Reason: `EventInstanceID "" is not a GUID`},
		}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Ingest() result (-want +got):\n%s", diff)
	}
	es, err := db.Events(t.Context(), store.EventFilter{ComputerID: pc})
	if err != nil || len(es) != 5 {
		t.Fatalf("Events() = %d, %v; want 5", len(es), err)
	}
	for _, e := range es {
		if e.ComputerID != pc {
			t.Errorf("event %s stored under %q, want the cookie's client id", e.InstanceID, e.ComputerID)
		}
		if e.EventID == patchbay.EventDownloadStarted && (e.UpdateID != upC || e.InstanceID != "00000005-0000-4000-8000-0000000000a7") {
			t.Errorf("ids not normalized: update %q, instance %q", e.UpdateID, e.InstanceID)
		}
		if e.EventID == patchbay.EventDownloadFailed && e.UpdateID != "00000000-0000-0000-0000-000000000000" {
			t.Errorf("empty UpdateID stored as %q, want the zero GUID", e.UpdateID)
		}
	}
	wantStates(t, db, map[string]string{upB: "failed@0s"})

	_, err = reporting.Ingest(t.Context(), db, " ", t0, t0, nil)
	if patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Errorf("Ingest(no computer id) = %v, want EInvalid", err)
	}
	if res, err := reporting.Ingest(t.Context(), db, pc, t0, t0, nil); err != nil || res.Events != 0 {
		t.Errorf("Ingest(empty batch) = %+v, %v; want accepted", res, err)
	}
}

func TestIngestBatchTooLarge(t *testing.T) {
	db := openDB(t)
	s := &seq{}
	es := make([]patchbay.Event, reporting.MaxBatchEvents+1)
	for i := range es {
		es[i] = s.event(patchbay.EventInstallFailed, upA, t0)
	}
	_, err := reporting.Ingest(t.Context(), db, pc, t0, t0, es)
	var pe *patchbay.Error
	if !errors.Is(err, reporting.ErrBatchTooLarge) || !errors.As(err, &pe) || pe.Code != patchbay.EInvalid ||
		pe.Message != "eventBatch" {
		t.Fatalf("Ingest(%d events) = %v; want EInvalid eventBatch", len(es), err)
	}
	if _, err := db.Computer(t.Context(), pc); patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Computer() after a refused batch = %v; want nothing stored", err)
	}
	if res, err := reporting.Ingest(t.Context(), db, pc, t0, t0, es[:reporting.MaxBatchEvents]); err != nil ||
		res.Stored != reporting.MaxBatchEvents {
		t.Errorf("Ingest(%d events) = %+v, %v; want all stored", reporting.MaxBatchEvents, res.Stored, err)
	}
}

// TestIngestConcurrent reports from many clients at once, each batch sent
// twice by two goroutines; no event is lost or stored twice.
func TestIngestConcurrent(t *testing.T) {
	db := openDB(t)
	const computers, batches, size = 6, 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, computers*batches*2)
	for c := range computers {
		id := fmt.Sprintf("c0000000-0000-4000-8000-%012x", c)
		for k := range batches {
			es := make([]patchbay.Event, size)
			for i := range es {
				n := k*size + i
				es[i] = patchbay.Event{ComputerID: id, InstanceID: fmt.Sprintf("e0000000-0000-4000-8000-%012x", n),
					TimeAtTarget: t0.Add(time.Duration(n) * time.Second), NamespaceID: 1,
					EventID: patchbay.EventInstallFailed, UpdateID: fmt.Sprintf("a0000000-0000-4000-8000-%012x", n%10)}
			}
			es[0] = patchbay.Event{ComputerID: id, InstanceID: fmt.Sprintf("f0000000-0000-4000-8000-%012x", k),
				TimeAtTarget: t0.Add(time.Duration(k) * time.Hour), NamespaceID: 1, EventID: patchbay.EventStatus,
				MiscData: []string{"U=a0000000-0000-4000-8000-000000000001"}}
			for range 2 {
				wg.Go(func() {
					if _, err := reporting.Ingest(t.Context(), db, id, t0, t0, es); err != nil {
						errs <- err
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Ingest() = %v", err)
	}
	es, err := db.Events(t.Context(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// Per computer: (size-1) failures per batch, plus only the newest 156
	// (events about no update keep the latest).
	if want := computers * (batches*(size-1) + 1); len(es) != want {
		t.Errorf("Events() = %d, want %d", len(es), want)
	}
	cs, err := db.Computers(t.Context())
	if err != nil || len(cs) != computers {
		t.Errorf("Computers() = %d, %v; want %d", len(cs), err, computers)
	}
}

func upperGUID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'f' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
