package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/store"
)

func report(at time.Time, states map[string]patchbay.UpdateState) *store.StatusReport {
	r := &store.StatusReport{At: at}
	for id, s := range states {
		r.States = append(r.States, store.StatusChange{UpdateID: id, State: s})
	}
	return r
}

func mustApply(t *testing.T, b Backend, id string, c store.StatusChanges) {
	t.Helper()
	if err := b.ApplyStatus(t.Context(), id, c); err != nil {
		t.Fatalf("ApplyStatus(%+v) = %v", c, err)
	}
}

func mustStatus(t *testing.T, b Backend, id string) []patchbay.UpdateStatus {
	t.Helper()
	ss, err := b.Status(t.Context(), id)
	if err != nil {
		t.Fatalf("Status(%s) = %v", id, err)
	}
	return ss
}

// testApplyStatusReport checks protocol-wusp.md §8.6 rule 2: a status
// report sets NotInstalled and Installed, keeps the change time of unchanged
// rows, removes rows it no longer names, and an older report is ignored.
func testApplyStatusReport(t *testing.T, b Backend) {
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	if ss := mustStatus(t, b, id); len(ss) != 0 {
		t.Errorf("Status() before any report = %v, want none (unknown)", ss)
	}
	u1, u2, u3 := GUID(1), GUID(2), GUID(3)
	mustApply(t, b, id, store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{
		upper(u1): patchbay.StateNotInstalled, u2: patchbay.StateInstalled, u3: patchbay.StateNotInstalled})})
	t1 := t0.Add(24 * time.Hour)
	mustApply(t, b, id, store.StatusChanges{Report: report(t1, map[string]patchbay.UpdateState{
		u1: patchbay.StateInstalled, u2: patchbay.StateInstalled})})
	want := []patchbay.UpdateStatus{
		{ComputerID: id, UpdateID: u1, State: patchbay.StateInstalled, Changed: t1},
		{ComputerID: id, UpdateID: u2, State: patchbay.StateInstalled, Changed: t0},
	}
	sortStatus(want)
	if diff := cmp.Diff(want, mustStatus(t, b, id)); diff != "" {
		t.Errorf("Status() after two reports (-want +got):\n%s", diff)
	}
	// A report older than the last one applied changes nothing.
	mustApply(t, b, id, store.StatusChanges{Report: report(t0.Add(time.Hour), map[string]patchbay.UpdateState{
		u3: patchbay.StateNotInstalled})})
	if diff := cmp.Diff(want, mustStatus(t, b, id)); diff != "" {
		t.Errorf("Status() after an older report (-want +got):\n%s", diff)
	}
	sum, err := b.ComputerStatusSummary(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	wantSum := store.ComputerStatusSummary{ComputerID: id, Counts: map[patchbay.UpdateState]int{patchbay.StateInstalled: 2},
		LastStatusReport: t1}
	if diff := cmp.Diff(wantSum, sum); diff != "" {
		t.Errorf("ComputerStatusSummary() (-want +got):\n%s", diff)
	}
	// An empty report: nothing applicable any more.
	mustApply(t, b, id, store.StatusChanges{Report: &store.StatusReport{At: t1.Add(time.Hour)}})
	if ss := mustStatus(t, b, id); len(ss) != 0 {
		t.Errorf("Status() after an empty report = %v, want none", ss)
	}
	if c := mustComputer(t, b, id); !c.LastStatusReport.Equal(t1.Add(time.Hour)) {
		t.Errorf("LastStatusReport = %v, want %v", c.LastStatusReport, t1.Add(time.Hour))
	}
}

// testApplyStatusNewerWins checks that assertions apply only over older
// ones (protocol-wusp.md §8.6 Patchbay rule 4).
func testApplyStatusNewerWins(t *testing.T, b Backend) {
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	u1, u2 := GUID(1), GUID(2)
	mustApply(t, b, id, store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{
		u1: patchbay.StateNotInstalled, u2: patchbay.StateNotInstalled})})
	failedAt := t0.Add(time.Hour)
	mustApply(t, b, id, store.StatusChanges{Set: []store.StatusChange{
		{UpdateID: u1, State: patchbay.StateFailed, At: failedAt},
		{UpdateID: u2, State: patchbay.StateFailed, At: t0.Add(-time.Hour)}, // older than the report: loses
	}, Detected: t0.Add(30 * time.Minute)})
	want := []patchbay.UpdateStatus{
		{ComputerID: id, UpdateID: u1, State: patchbay.StateFailed, Changed: failedAt},
		{ComputerID: id, UpdateID: u2, State: patchbay.StateNotInstalled, Changed: t0},
	}
	sortStatus(want)
	if diff := cmp.Diff(want, mustStatus(t, b, id)); diff != "" {
		t.Errorf("Status() after failures (-want +got):\n%s", diff)
	}
	// A report older than the failure, but newer than the last report,
	// neither overrides the failure nor removes it.
	mustApply(t, b, id, store.StatusChanges{Report: report(t0.Add(30*time.Minute), map[string]patchbay.UpdateState{
		u2: patchbay.StateNotInstalled})})
	if diff := cmp.Diff(want, mustStatus(t, b, id)); diff != "" {
		t.Errorf("Status() after a report older than the failure (-want +got):\n%s", diff)
	}
	// A newer report wins over the failure.
	t2 := t0.Add(2 * time.Hour)
	mustApply(t, b, id, store.StatusChanges{Report: report(t2, map[string]patchbay.UpdateState{
		u1: patchbay.StateInstalled, u2: patchbay.StateNotInstalled})})
	want = []patchbay.UpdateStatus{
		{ComputerID: id, UpdateID: u1, State: patchbay.StateInstalled, Changed: t2},
		{ComputerID: id, UpdateID: u2, State: patchbay.StateNotInstalled, Changed: t0},
	}
	sortStatus(want)
	if diff := cmp.Diff(want, mustStatus(t, b, id)); diff != "" {
		t.Errorf("Status() after a newer report (-want +got):\n%s", diff)
	}
	// Detection time moves forward only.
	mustApply(t, b, id, store.StatusChanges{Detected: t0})
	sum, err := b.ComputerStatusSummary(t.Context(), id)
	if err != nil || !sum.LastDetection.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("ComputerStatusSummary().LastDetection = %v, %v; want %v", sum.LastDetection, err, t0.Add(30*time.Minute))
	}
}

func testApplyStatusErrors(t *testing.T, b Backend) {
	ctx := t.Context()
	id := ComputerID(1)
	mustTouch(t, b, id, "pc1", t0)
	wantCode(t, "ApplyStatus(unknown computer)", b.ApplyStatus(ctx, ComputerID(2), store.StatusChanges{}), patchbay.ENotFound)
	wantCode(t, "ApplyStatus(bad state)", b.ApplyStatus(ctx, id, store.StatusChanges{Set: []store.StatusChange{
		{UpdateID: GUID(1), State: 42, At: t0}}}), patchbay.EInvalid)
	wantCode(t, "ApplyStatus(no update id)", b.ApplyStatus(ctx, id, store.StatusChanges{Report: &store.StatusReport{
		At: t0, States: []store.StatusChange{{State: patchbay.StateInstalled}}}}), patchbay.EInvalid)
	_, err := b.Status(ctx, ComputerID(2))
	wantCode(t, "Status(unknown computer)", err, patchbay.ENotFound)
	_, err = b.ComputerStatusSummary(ctx, ComputerID(2))
	wantCode(t, "ComputerStatusSummary(unknown computer)", err, patchbay.ENotFound)
}

func testStatusSummaries(t *testing.T, b Backend) {
	ctx := t.Context()
	u1, u2 := GUID(1), GUID(2)
	for i := range 4 {
		mustTouch(t, b, ComputerID(i), "pc", t0)
	}
	mustApply(t, b, ComputerID(0), store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{
		u1: patchbay.StateNotInstalled, u2: patchbay.StateInstalled})})
	mustApply(t, b, ComputerID(1), store.StatusChanges{Report: report(t0, map[string]patchbay.UpdateState{
		u1: patchbay.StateInstalled})})
	mustApply(t, b, ComputerID(2), store.StatusChanges{Set: []store.StatusChange{{UpdateID: u1, State: patchbay.StateFailed, At: t0}}})
	counts, err := b.UpdateStatusCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[patchbay.UpdateState]int{
		u1: {patchbay.StateNotInstalled: 1, patchbay.StateInstalled: 1, patchbay.StateFailed: 1},
		u2: {patchbay.StateInstalled: 1},
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("UpdateStatusCounts() (-want +got):\n%s", diff)
	}
	sums, err := b.ComputerStatusSummaries(ctx)
	if err != nil || len(sums) != 4 {
		t.Fatalf("ComputerStatusSummaries() = %d, %v; want 4", len(sums), err)
	}
	for _, s := range sums {
		n := 0
		for _, c := range s.Counts {
			n += c
		}
		wantN := map[string]int{ComputerID(0): 2, ComputerID(1): 1, ComputerID(2): 1, ComputerID(3): 0}[s.ComputerID]
		if n != wantN {
			t.Errorf("ComputerStatusSummaries()[%s] counts %v, want %d rows", s.ComputerID, s.Counts, wantN)
		}
	}
}

func sortStatus(ss []patchbay.UpdateStatus) {
	slices.SortFunc(ss, func(a, b patchbay.UpdateStatus) int { return strings.Compare(a.UpdateID, b.UpdateID) })
}
