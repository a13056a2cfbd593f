package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/store"
)

// Event returns a realistic event of computerID, the n-th of a family (n
// gives its EventInstanceID, unique per computer), with eventID, updateID
// (empty for the zero GUID) and Time and TimeAtTarget at.
func Event(computerID string, n, eventID int, updateID string, at time.Time) patchbay.Event {
	if updateID == "" {
		updateID = "00000000-0000-0000-0000-000000000000"
	}
	return patchbay.Event{
		ComputerID: computerID, InstanceID: GUID(20_000_000 + n),
		TimeAtTarget: at, Time: at, ReceivedAt: at.Add(5 * time.Second),
		NamespaceID: 1, EventID: eventID, SourceID: 101, UpdateID: updateID, RevisionNumber: 200,
		Win32HResult: -2145099769, AppName: "OOBE ZDP",
		Replacement:   []string{"0x80246007", "2026-10 Cumulative Update"},
		MiscData:      []string{"C=2", "G=1507.2601.30012.0", "J=775", "K=unknown", "AppName=<<PROCESS>>: powershell.exe", "c=48"},
		ComputerBrand: "QEMU", ComputerModel: "Standard PC (Q35 + ICH9, 2009)", BiosRevision: "unknown",
		ProcessorArch: "Amd64Compatible", OSVersion: "10.0.26200.65792.0.0", OSLocaleID: 1033,
	}
}

func mustAppend(t *testing.T, b Backend, es ...patchbay.Event) int {
	t.Helper()
	n, err := b.AppendEvents(t.Context(), es)
	if err != nil {
		t.Fatalf("AppendEvents(%d events) = %v", len(es), err)
	}
	return n
}

func testAppendEvents(t *testing.T, b Backend) {
	ctx := t.Context()
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	batch := []patchbay.Event{
		Event(id, 1, 161, GUID(5), t0),
		Event(id, 2, 181, GUID(5), t0.Add(time.Second)),
		Event(id, 3, 182, GUID(5), t0.Add(2*time.Second)),
	}
	batch[0].Replacement, batch[0].MiscData, batch[0].AppName = nil, nil, ""
	batch[1].UpdateID = "A2FEF9B0-0000-4000-8000-000000000001" // stored lower case
	if n := mustAppend(t, b, batch...); n != 3 {
		t.Errorf("AppendEvents(3 new) = %d, want 3", n)
	}
	// A resent batch (and a duplicate inside one batch) adds nothing.
	if n := mustAppend(t, b, append(batch, batch[2])...); n != 0 {
		t.Errorf("AppendEvents(resent) = %d, want 0", n)
	}
	got, err := b.Events(ctx, store.EventFilter{ComputerID: id})
	if err != nil {
		t.Fatalf("Events() = %v", err)
	}
	want := []patchbay.Event{batch[2], batch[1], batch[0]}
	want[1].UpdateID = "a2fef9b0-0000-4000-8000-000000000001"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Events() mismatch, newest first (-want +got):\n%s", diff)
	}
	// Nothing of a batch is stored when one event names an unknown computer.
	bad := []patchbay.Event{Event(id, 10, 182, GUID(6), t0), Event(ComputerID(2), 11, 182, GUID(6), t0)}
	_, err = b.AppendEvents(ctx, bad)
	wantCode(t, "AppendEvents(unknown computer)", err, patchbay.ENotFound)
	noID := Event(id, 12, 182, GUID(6), t0)
	noID.InstanceID = ""
	_, err = b.AppendEvents(ctx, []patchbay.Event{noID})
	wantCode(t, "AppendEvents(no instance id)", err, patchbay.EInvalid)
	if got, err := b.Events(ctx, store.EventFilter{}); err != nil || len(got) != 3 {
		t.Errorf("Events() after failed appends = %d events, %v; want 3", len(got), err)
	}
	if n, err := b.AppendEvents(ctx, nil); n != 0 || err != nil {
		t.Errorf("AppendEvents(nil) = %d, %v", n, err)
	}
}

// testEventsLatestWithoutUpdate checks protocol-wusp.md §8.6 rule 1: events
// about no update keep only the newest per computer and event id.
func testEventsLatestWithoutUpdate(t *testing.T, b Backend) {
	ctx := t.Context()
	id, other := ComputerID(1), ComputerID(2)
	mustTouch(t, b, id, "pc1", t0)
	mustTouch(t, b, other, "pc2", t0)
	mid := Event(id, 1, 147, "", t0.Add(time.Hour))
	if n := mustAppend(t, b, mid, Event(id, 2, 148, "", t0.Add(time.Hour)), Event(other, 3, 147, "", t0)); n != 3 {
		t.Fatalf("AppendEvents = %d, want 3", n)
	}
	// An older 147 is skipped, a newer one replaces the held row.
	if n := mustAppend(t, b, Event(id, 4, 147, "", t0)); n != 0 {
		t.Errorf("AppendEvents(older 147) = %d, want 0", n)
	}
	newest := Event(id, 5, 147, "", t0.Add(2*time.Hour))
	if n := mustAppend(t, b, newest); n != 1 {
		t.Errorf("AppendEvents(newer 147) = %d, want 1", n)
	}
	// Resending the replaced one does not bring it back.
	if n := mustAppend(t, b, mid); n != 0 {
		t.Errorf("AppendEvents(replaced 147 resent) = %d, want 0", n)
	}
	got, err := b.Events(ctx, store.EventFilter{ComputerID: id})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range got {
		ids = append(ids, fmt.Sprintf("%d@%s", e.EventID, e.Time.Sub(t0)))
	}
	if diff := cmp.Diff([]string{"147@2h0m0s", "148@1h0m0s"}, ids); diff != "" {
		t.Errorf("Events() of pc1 (-want +got):\n%s", diff)
	}
	if got, err := b.Events(ctx, store.EventFilter{ComputerID: other}); err != nil || len(got) != 1 {
		t.Errorf("Events() of pc2 = %d, %v; want its own 147 kept", len(got), err)
	}
}

func testEventsFilter(t *testing.T, b Backend) {
	ctx := t.Context()
	a, c := ComputerID(1), ComputerID(2)
	mustTouch(t, b, a, "a", t0)
	mustTouch(t, b, c, "c", t0)
	var es []patchbay.Event
	for i := range 10 {
		comp, upd := a, GUID(100+i%2)
		if i%3 == 0 {
			comp = c
		}
		es = append(es, Event(comp, i, 182, upd, t0.Add(time.Duration(i)*time.Minute)))
	}
	mustAppend(t, b, es...)
	count := func(f store.EventFilter) int {
		t.Helper()
		got, err := b.Events(ctx, f)
		if err != nil {
			t.Fatalf("Events(%+v) = %v", f, err)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Time.After(got[i-1].Time) {
				t.Errorf("Events(%+v) not newest first", f)
			}
		}
		return len(got)
	}
	for _, tc := range []struct {
		name string
		f    store.EventFilter
		want int
	}{
		{"all", store.EventFilter{}, 10},
		{"computer", store.EventFilter{ComputerID: upper(c)}, 4},
		{"update", store.EventFilter{UpdateID: upper(GUID(100))}, 5},
		{"computer and update", store.EventFilter{ComputerID: a, UpdateID: GUID(101)}, 3},
		{"since", store.EventFilter{Since: t0.Add(7 * time.Minute)}, 3},
		{"limit", store.EventFilter{Limit: 4}, 4},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%s: Events(%+v) = %d events, want %d", tc.name, tc.f, got, tc.want)
		}
	}
}

// testAppendEventsConcurrent appends from many goroutines, with overlapping
// resends; every distinct event is stored once.
func testAppendEventsConcurrent(t *testing.T, b Backend) {
	ctx := t.Context()
	const workers, batches, size = 8, 5, 20
	for w := range workers {
		mustTouch(t, b, ComputerID(w), fmt.Sprint("pc", w), t0)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches*2)
	for w := range workers {
		wg.Go(func() {
			for k := range batches {
				es := make([]patchbay.Event, size)
				for i := range es {
					n := k*size + i
					es[i] = Event(ComputerID(w), n, 182, GUID(n%7), t0.Add(time.Duration(n)*time.Second))
				}
				for range 2 { // every batch is sent twice
					if _, err := b.AppendEvents(ctx, es); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("AppendEvents = %v", err)
	}
	got, err := b.Events(ctx, store.EventFilter{})
	if err != nil || len(got) != workers*batches*size {
		t.Errorf("Events() = %d events, %v; want %d", len(got), err, workers*batches*size)
	}
}
