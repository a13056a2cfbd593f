package store

import (
	"time"

	"patchbay"
)

// StatusChange asserts the state of one update on a computer at the time of
// the event that stated it.
type StatusChange struct {
	UpdateID string
	State    patchbay.UpdateState
	At       time.Time
}

// StatusReport is a complete statement of a computer's update states: the
// lists of a status event (MS-WUSP §2.2.2.3.1 event 156, MiscData U/V/W/g/h;
// protocol-wusp.md §8.6). Updates it does not name are no longer applicable.
type StatusReport struct {
	// At is the (corrected) time of the status event.
	At time.Time
	// States lists each named update once with its state; At of the entries
	// is ignored (the report's At applies).
	States []StatusChange
}

// StatusChanges is what one batch of events asserts about one computer; the
// reporting package derives it and the store applies it atomically with
// "the newer event wins": an assertion is applied only when it is at least
// as new as the one the stored row came from.
type StatusChanges struct {
	// Report is the newest status report of the batch, or nil. It is applied
	// only when it is not older than the computer's LastStatusReport; then
	// rows it does not name that were asserted before it are removed, and
	// LastStatusReport moves to Report.At.
	Report *StatusReport
	// Set asserts single states (for example Failed from an install
	// failure), applied after Report in order.
	Set []StatusChange
	// Detected, when non-zero, is the time of the newest successful
	// detection (event 147); the computer's last detection time moves
	// forward to it.
	Detected time.Time
}

// StatusCounts counts computers per state of one update. NotApplicable
// counts computers that have sent a status report not naming the update;
// Unknown counts computers that have sent none and hold no row for it.
type StatusCounts struct {
	Unknown       int
	NotApplicable int
	NotInstalled  int
	Downloaded    int
	Installed     int
	Failed        int
	PendingReboot int
}

// Needed returns the number of computers that need the update and have not
// installed it: NotInstalled plus Downloaded, as WSUS counts "needed"
// (Failed is reported apart).
func (c StatusCounts) Needed() int { return c.NotInstalled + c.Downloaded }

// ComputerStatusSummary counts one computer's status rows by state.
type ComputerStatusSummary struct {
	ComputerID string
	// Counts maps each state to the number of updates in it; states with no
	// update are absent.
	Counts map[patchbay.UpdateState]int
	// LastStatusReport is the time of the newest applied status report;
	// zero when the computer has sent none (its status is unknown).
	LastStatusReport time.Time
	// LastDetection is the time of the newest successful detection (147).
	LastDetection time.Time
}
