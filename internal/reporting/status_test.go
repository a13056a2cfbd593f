package reporting_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"patchbay"
	"patchbay/internal/reporting"
	"patchbay/internal/store"
)

func TestDerive(t *testing.T) {
	s := &seq{}
	timed := func(e patchbay.Event) patchbay.Event { e.Time = e.TimeAtTarget; return e }
	h := time.Hour
	events := []patchbay.Event{
		timed(s.event(patchbay.EventDetectionFinished, "", t0.Add(2*h))),
		timed(s.event(patchbay.EventDetectionFinished, "", t0)),
		timed(s.event(patchbay.EventInstallFailed, upperGUID(upB), t0.Add(3*h))),
		timed(s.event(198, upA, t0.Add(h))),
		timed(s.event(patchbay.EventInstallFailed, "", t0)),                        // no update: nothing
		timed(s.event(patchbay.EventDetectionFailed, "", t0.Add(9*h))),             // 148: nothing
		timed(s.event(patchbay.EventInstallSucceeded, upC, t0.Add(9*h))),           // 183: nothing
		timed(s.status(t0.Add(2*h), "U="+upperGUID(upA)+";"+upB, "V="+upC, "C=1")), // the newest 156
		timed(s.status(t0, "V="+upA)),                                              // superseded
		timed(s.event(patchbay.EventStatus, "", time.Time{})),                      // no time: oldest
	}
	got := reporting.Derive(events)
	want := store.StatusChanges{
		Report: &store.StatusReport{At: t0.Add(2 * h), States: []store.StatusChange{
			{UpdateID: upA, State: patchbay.StateNotInstalled},
			{UpdateID: upB, State: patchbay.StateNotInstalled},
			{UpdateID: upC, State: patchbay.StateInstalled},
		}},
		Set: []store.StatusChange{
			{UpdateID: upA, State: patchbay.StateFailed, At: t0.Add(h)},
			{UpdateID: upB, State: patchbay.StateFailed, At: t0.Add(3 * h)},
		},
		Detected: t0.Add(2 * h),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Derive() (-want +got):\n%s", diff)
	}
	if got := reporting.Derive([]patchbay.Event{timed(s.status(t0))}); got.Report == nil || len(got.Report.States) != 0 {
		t.Errorf("Derive(156 with no lists) = %+v; want an empty report (nothing applicable)", got)
	}
	if got := reporting.Derive(nil); !cmp.Equal(got, store.StatusChanges{}) {
		t.Errorf("Derive(nil) = %+v, want no changes", got)
	}
}
