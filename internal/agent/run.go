package agent

import (
	"context"
	"math/rand/v2"
	"time"
)

// CycleResult is the outcome of one Cycle.
type CycleResult struct {
	Scan      *ScanResult      `json:"scan"`
	Downloads []DownloadResult `json:"downloads,omitempty"`
	Installs  []InstallResult  `json:"installs,omitempty"`
}

// Cycle runs one detection cycle: Scan, Download and Install of what the
// scan found needed, and a second Scan when something was installed or
// removed, so that the queued 156 status reports the new state (as WUA's
// next scan does, protocol-wusp.md §8.5). It does not report; Run and the
// report command do.
func (a *Agent) Cycle(ctx context.Context, opt InstallOptions) (*CycleResult, error) {
	res := &CycleResult{}
	var err error
	if res.Scan, err = a.Scan(ctx); err != nil {
		return res, err
	}
	if len(res.Scan.Needed()) == 0 && len(res.Scan.ToRemove()) == 0 {
		return res, nil
	}
	if len(res.Scan.Needed()) > 0 {
		if res.Downloads, err = a.Download(ctx); err != nil {
			return res, err
		}
	}
	if res.Installs, err = a.Install(ctx, opt); err != nil {
		return res, err
	}
	changed := false
	for _, r := range res.Installs {
		changed = changed || r.Succeeded
	}
	if changed {
		res.Scan, err = a.Scan(ctx)
	}
	return res, err
}

// NextDetection returns the wait before the next automatic detection: a
// random point between 0.8 and 1.0 of the detection frequency, as Windows
// schedules it (MS-WUSP §7 notes 60, 61; protocol-wusp.md §3.4). rnd
// returns a value in [0, 1); nil means math/rand.
func NextDetection(freq time.Duration, rnd func() float64) time.Duration {
	if rnd == nil {
		rnd = rand.Float64
	}
	return time.Duration(float64(freq) * (0.8 + 0.2*rnd()))
}

// failedScanRetry is the wait after a failed cycle: WUA retries a failed
// metadata sync after 5 hours (MS-WUSP §7 note 65), sooner when the
// detection frequency is shorter.
func (a *Agent) failedScanRetry() time.Duration {
	return min(5*time.Hour, NextDetection(a.cfg.DetectionFrequency, nil))
}

// Run runs cycles until ctx ends: a Cycle, then the pending events reported
// in the background with retries (ReportLoop), then a wait of
// NextDetection (or the failed-scan retry). It logs failures and keeps
// going; it returns ctx's error. cycleDone, when not nil, is called after
// each cycle.
func (a *Agent) Run(ctx context.Context, opt InstallOptions, cycleDone func(*CycleResult, error)) error {
	kick := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.ReportLoop(ctx, kick)
	}()
	defer func() { <-done }()
	for {
		res, err := a.Cycle(ctx, opt)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := NextDetection(a.cfg.DetectionFrequency, nil)
		if err != nil {
			a.log.Warn("detection cycle failed", "err", err)
			wait = a.failedScanRetry()
		}
		select {
		case kick <- struct{}{}:
		default:
		}
		if cycleDone != nil {
			cycleDone(res, err)
		}
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Status is what the agent knows without asking the server.
type Status struct {
	ClientID      string        `json:"clientId"`
	Server        string        `json:"server"`
	LastScan      time.Time     `json:"lastScan,omitzero"`
	LastScanError string        `json:"lastScanError,omitempty"`
	LastContact   time.Time     `json:"lastContact,omitzero"`
	Installed     []UpdateState `json:"installed"`
	Needed        []UpdateState `json:"needed"`
	ToRemove      []UpdateState `json:"toRemove,omitempty"`
	// ReadyToInstall are the needed updates whose files are all
	// downloaded and verified.
	ReadyToInstall  []UpdateState `json:"readyToInstall,omitempty"`
	DownloadedFiles int           `json:"downloadedFiles"`
	PendingEvents   int           `json:"pendingEvents"`
	RebootRequired  bool          `json:"rebootRequired,omitempty"`
	CachedRevisions int           `json:"cachedRevisions"`
}

// Status returns the state of the last scan, the download cache and the
// event queue.
func (a *Agent) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := Status{ClientID: a.st.ClientID, Server: a.cfg.ServerURL, LastScanError: a.st.LastScanError,
		LastContact: a.st.LastContact, DownloadedFiles: len(a.st.Downloads), PendingEvents: len(a.st.Pending),
		RebootRequired: a.st.RebootRequired}
	s := a.st.Servers[a.cfg.ServerURL]
	if s != nil {
		st.CachedRevisions = len(s.Revisions)
	}
	if r := a.st.LastScan; r != nil {
		st.LastScan = r.Time
		st.Installed, st.Needed, st.ToRemove = r.InstalledUpdates(), r.Needed(), r.ToRemove()
		for _, u := range st.Needed {
			if s != nil && a.downloaded(s, u) {
				st.ReadyToInstall = append(st.ReadyToInstall, u)
			}
		}
	}
	return st
}

// downloaded reports whether every file of u's leaves is in the download
// cache.
func (a *Agent) downloaded(s *ServerState, u UpdateState) bool {
	for _, id := range u.Leaves {
		l := s.Revisions[id]
		if l == nil || l.Extended == "" {
			return false
		}
		ext, err := parseExtended([]byte(l.Extended))
		if err != nil {
			return false
		}
		for _, f := range ext.Files {
			if d, ok := a.st.Downloads[keyOf(f)]; !ok || fileSize(d.Path) != d.Size {
				return false
			}
		}
	}
	return true
}
