package reporting_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/reporting"
)

// BenchmarkIngest ingests the batch WUA sends after a scan with pending
// work, scaled up: a 147, a 156 naming 100 updates and 48 per-update events
// (50 in all), across 100 computers. It reports events/s and batches/s.
func BenchmarkIngest(b *testing.B) {
	const computers, updates = 100, 100
	db := openDB(b)
	ids := make([]string, updates)
	for i := range ids {
		ids[i] = fmt.Sprintf("A0000000-0000-4000-8000-%012X", i)
	}
	list := "U=" + strings.Join(ids[:60], ";")
	installed := "V=" + strings.Join(ids[60:], ";")
	n, batches := 0, 0
	for b.Loop() {
		at := t0.Add(time.Duration(batches) * time.Minute)
		pcID := fmt.Sprintf("c0000000-0000-4000-8000-%012x", batches%computers)
		es := make([]patchbay.Event, 0, 50)
		ev := func(id int, upd string, misc ...string) {
			n++
			es = append(es, patchbay.Event{ComputerID: pcID, InstanceID: fmt.Sprintf("e0000000-0000-4000-8000-%012x", n),
				TimeAtTarget: at, NamespaceID: 1, EventID: id, SourceID: 101, UpdateID: upd, MiscData: misc})
		}
		ev(patchbay.EventDetectionFinished, "", "B=3", "G=1507.2601.30012.0")
		ev(patchbay.EventStatus, "", list, installed, "G=1507.2601.30012.0")
		for i := range 48 {
			ev([]int{patchbay.EventDownloadStarted, patchbay.EventDownloadSucceeded, patchbay.EventInstallStarted,
				patchbay.EventInstallFailed}[i%4], ids[i%updates])
		}
		if _, err := reporting.Ingest(b.Context(), db, pcID, at, at, es); err != nil {
			b.Fatal(err)
		}
		batches++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(batches)/b.Elapsed().Seconds(), "batches/s")
}
