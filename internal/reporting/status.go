package reporting

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// zeroGUID is the UpdateID of an event about no update (MS-WUSP §2.2.2.3.1).
const zeroGUID = "00000000-0000-0000-0000-000000000000"

// Install failure events besides patchbay.EventInstallFailed (182): the
// other templates WSUS words "Installation Failure" (MS-WUSP §2.2.2.3.1
// EventID table; protocol-wusp.md §8.6 Patchbay rule 3).
const (
	eventScheduledInstallFailed = 195 // AU_SCHEDULED_INSTALL_FAILED
	eventShutdownInstallFailed  = 198 // AU_SHUTDOWN_INSTALL_FAILED
)

// statusLists maps the MiscData tags of a status event to the state they
// state, in precedence order for an update named in several lists: the
// most specific statement wins (installed pending reboot over installed,
// installed over failed, failed over downloaded, downloaded over needed).
// The tags are those of MS-WUSP §2.2.2.3.1 MiscData: U InstallableUpdateIDs,
// V InstalledUpdateIDs, W InstalledPendingRebootIDs, g FailedUpdateIDs,
// h DownloadedUpdateIDs. Tags are case-sensitive ("G" is the client version).
var statusLists = []struct {
	tag   string
	state patchbay.UpdateState
}{
	{"W", patchbay.StatePendingReboot},
	{"V", patchbay.StateInstalled},
	{"g", patchbay.StateFailed},
	{"h", patchbay.StateDownloaded},
	{"U", patchbay.StateNotInstalled},
}

// empty reports whether c would change nothing.
func empty(c store.StatusChanges) bool {
	return c.Report == nil && len(c.Set) == 0 && c.Detected.IsZero()
}

// Derive turns one computer's events (with corrected Time) into status
// changes, as WSUS does (protocol-wusp.md §8.6, Traps 39):
//
//   - The newest status event (156) is a complete report: every update in
//     its U list becomes NotInstalled, in V Installed, and, as the spec
//     defines although WUA was not seen sending them, in W
//     InstalledPendingReboot, in g Failed and in h Downloaded; updates it
//     does not name lose their row (not applicable). Older 156 events of the
//     batch are superseded by it. Its time becomes LastStatusReport.
//   - An install failure (182, 195, 198) sets its update Failed at its time.
//   - The newest successful detection (147) moves the last detection time.
//   - Everything else (181, 183, 201, download events, unknown ids) changes
//     no status: on WSUS an install shows as Installed only once the next
//     156 lists it in V.
//
// Events whose NamespaceID is not 1 are ignored (MS-WUSP §2.2.2.3.1), as are
// ids in the lists that are not GUIDs. Whether a newer event overrides an
// older row is the store's rule (store.StatusChanges): the newer event wins.
func Derive(events []patchbay.Event) store.StatusChanges {
	var c store.StatusChanges
	var report *patchbay.Event
	for i := range events {
		e := &events[i]
		if e.NamespaceID != 1 {
			continue
		}
		switch e.EventID {
		case patchbay.EventStatus:
			if report == nil || !e.Time.Before(report.Time) {
				report = e
			}
		case patchbay.EventInstallFailed, eventScheduledInstallFailed, eventShutdownInstallFailed:
			if u, ok := patchbay.ParseGUID(e.UpdateID); ok && u != zeroGUID {
				c.Set = append(c.Set, store.StatusChange{UpdateID: u, State: patchbay.StateFailed, At: e.Time})
			}
		case patchbay.EventDetectionFinished:
			if e.Time.After(c.Detected) {
				c.Detected = e.Time
			}
		}
	}
	slices.SortStableFunc(c.Set, func(a, b store.StatusChange) int { return a.At.Compare(b.At) })
	if report != nil {
		c.Report = statusReport(report.MiscData, report.Time)
	}
	return c
}

// statusReport parses the update lists of a status event's MiscData.
func statusReport(misc []string, at time.Time) *store.StatusReport {
	lists := map[string][]string{}
	for _, m := range misc {
		tag, value, ok := strings.Cut(m, "=")
		if !ok {
			continue
		}
		lists[tag] = append(lists[tag], value)
	}
	state := map[string]patchbay.UpdateState{}
	for _, l := range slices.Backward(statusLists) { // lowest precedence first; later lists overwrite
		for _, v := range lists[l.tag] {
			for _, s := range strings.Split(v, ";") {
				if u, ok := patchbay.ParseGUID(s); ok && u != zeroGUID {
					state[u] = l.state
				}
			}
		}
	}
	r := &store.StatusReport{At: at, States: make([]store.StatusChange, 0, len(state))}
	for u, s := range state {
		r.States = append(r.States, store.StatusChange{UpdateID: u, State: s})
	}
	slices.SortFunc(r.States, func(a, b store.StatusChange) int { return cmp.Compare(a.UpdateID, b.UpdateID) })
	return r
}
