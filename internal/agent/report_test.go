package agent

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent/agenttest"
	"patchbay/internal/wusp"
)

// TestReportKeepsEventsUntilAcknowledged fails ReportEventBatch: the events
// stay queued (in the state file too) and go out on the next attempt.
func TestReportKeepsEventsUntilAcknowledged(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	log := &opLog{}
	ts.SetWrap(log.wrap)
	dir := t.TempDir()
	a, _ := newTestAgent(t, ts.URL, dir, nil)
	scanned(t, a)
	pending := a.Pending()
	if pending < 2 {
		t.Fatalf("%d events queued after a scan, want 147 and 156", pending)
	}
	log.injectFaults("ReportEventBatch", slices.Repeat([]string{wusp.ErrorInternalServerError}, maxBusyRetry+1)...)
	if n, err := a.Report(t.Context()); err == nil || n != 0 {
		t.Fatalf("Report = %d, %v; want a failure", n, err)
	}
	// A restarted agent still has them.
	b, _ := newTestAgent(t, ts.URL, dir, nil)
	if b.Pending() != pending {
		t.Fatalf("after restart %d pending, want %d", b.Pending(), pending)
	}
	n, err := b.Report(t.Context())
	if err != nil || n != pending || b.Pending() != 0 {
		t.Fatalf("Report = %d, %v with %d pending; want %d sent", n, err, b.Pending(), pending)
	}
}

// TestReportEventFields checks the ReportingEvent WUA-style fields
// (protocol-wusp.md §8.2) and the 147/156 pair of a scan (§8.3).
func TestReportEventFields(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	res, err := a.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ev := a.st.Pending
	if len(ev) != 2 || ev[0].EventID != EventDetectionFinished || ev[1].EventID != EventStatus || !ev[0].Time.Equal(ev[1].Time) {
		t.Fatalf("queued %+v, want 147 and 156 with one TimeAtTarget", ev)
	}
	if len(ev[0].Replacement) != 1 || ev[0].Replacement[0] != strconv.Itoa(len(res.Needed())) {
		t.Errorf("147 %%1 = %q, needed %d", ev[0].Replacement, len(res.Needed()))
	}
	var u string
	for _, m := range ev[1].Misc {
		if v, ok := strings.CutPrefix(m, "U="); ok {
			u = v
		}
	}
	for _, n := range res.Needed() {
		if !strings.Contains(u, strings.ToUpper(n.UpdateID)) {
			t.Errorf("156 U= lacks needed %s", n.UpdateID)
		}
	}
	if u != strings.ToUpper(u) {
		t.Errorf("156 U= is not upper case: %s", u)
	}
	re := a.reportingEvent(ev[0])
	b := re.BasicData
	if b.TargetID.Sid != a.st.ClientID || b.NamespaceID != 1 || b.SourceID != 101 || b.SequenceNumber != 0 ||
		b.UpdateID == nil || b.UpdateID.UpdateID != "00000000-0000-0000-0000-000000000000" || !validGUID(b.EventInstanceID) {
		t.Errorf("BasicData = %+v", b)
	}
	x := re.ExtendedData
	if x.ProcessorArchitecture != "Amd64Compatible" || x.OSVersion.Build != 22631 || x.OSLocaleID != 1033 {
		t.Errorf("ExtendedData = %+v", x)
	}
}

// TestAllowedEventIds honours GetConfig's AllowedEventIds: other events are
// dropped unsent (MS-WUSP §2.2.2.2.1).
func TestAllowedEventIds(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	scanned(t, a)
	a.mu.Lock()
	a.st.server(ts.URL).Config.AllowedEventIds = wusp.Ints{int32(EventStatus)}
	a.mu.Unlock()
	n, err := a.Report(t.Context())
	if err != nil || n != 1 || a.Pending() != 0 {
		t.Fatalf("Report = %d, %v with %d pending; want only the 156 sent", n, err, a.Pending())
	}
}

// TestUninstall approves an installed update for removal: the next scan
// lists it to remove, Install (simulate) removes it from the profile and the
// following scan sees it not installed.
func TestUninstall(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	a, inv := newTestAgent(t, ts.URL, t.TempDir(), nil)
	if _, err := a.Cycle(t.Context(), InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	st := a.Status()
	if len(st.Installed) == 0 || len(st.Needed) != 0 {
		t.Fatalf("after a cycle: %d installed, %d needed", len(st.Installed), len(st.Needed))
	}
	victim := st.Installed[0]
	ts.Approve(victim.UpdateID, int(victim.RevisionNumber), patchbay.ActionUninstall)
	ts.Publish()
	res, err := a.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(res.ToRemove()); !slices.Equal(got, []string{victim.UpdateID}) {
		t.Fatalf("to remove %v, want %s", got, victim.UpdateID)
	}
	out, err := a.Install(t.Context(), InstallOptions{})
	if err != nil || len(out) != 1 || !out[0].Uninstall || !out[0].Succeeded {
		t.Fatalf("Install = %+v, %v", out, err)
	}
	if inv.Profile().Installed(victim.UpdateID) {
		t.Error("profile still lists the removed update")
	}
	res, err = a.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Updates {
		if u.UpdateID == victim.UpdateID && (u.Installed == "true" || u.Remove) {
			t.Errorf("after removal: %+v", u)
		}
	}
}

// TestRunLoop runs the periodic loop for two cycles with an instant clock:
// it scans, installs, reports in the background and stops when its
// context ends.
func TestRunLoop(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var waits []time.Duration
	cycles := 0
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), func(c *Config) {
		c.DetectionFrequency = time.Hour
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			if d >= 30*time.Minute {
				waits = append(waits, d)
			}
			return ctx.Err()
		}
	})
	err := a.Run(ctx, InstallOptions{}, func(res *CycleResult, err error) {
		if err != nil {
			t.Errorf("cycle: %v", err)
		}
		cycles++
		if cycles == 2 {
			// Wait (bounded) for the background report of the first cycles.
			for i := 0; i < 1000 && a.Pending() > 0; i++ {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
		}
	})
	if err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	st := a.Status()
	if len(st.Installed) == 0 || len(st.Needed) != 0 {
		t.Errorf("after run: %d installed, %d needed", len(st.Installed), len(st.Needed))
	}
	if st.PendingEvents != 0 {
		t.Errorf("%d events still pending", st.PendingEvents)
	}
	for _, w := range waits {
		if w < 48*time.Minute || w > time.Hour {
			t.Errorf("detection wait %v outside 0.8–1.0 of 1h", w)
		}
	}
}

func TestNextDetection(t *testing.T) {
	for _, r := range []float64{0, 0.5, 0.999999} {
		got := NextDetection(22*time.Hour, func() float64 { return r })
		if got < 22*time.Hour*8/10 || got > 22*time.Hour {
			t.Errorf("NextDetection(22h, %v) = %v", r, got)
		}
	}
}
