package patchbay

import "time"

// Event is one ReportingEvent a client sent (MS-WUSP §2.2.2.3.1), stored
// as received, with its time corrected for the client's clock skew.
type Event struct {
	ComputerID     string
	InstanceID     string    // EventInstanceID: unique per occurrence; deduplicates resent batches
	TimeAtTarget   time.Time // as the client reported it
	Time           time.Time // corrected: TimeAtTarget + (server receive time - clientTime)
	ReceivedAt     time.Time
	NamespaceID    int
	EventID        int
	SourceID       int
	UpdateID       string // zero GUID when the event is about no update
	RevisionNumber int
	Win32HResult   int32
	AppName        string
	Replacement    []string // ReplacementStrings
	MiscData       []string // "x=value" entries, raw
	DeviceID       string
	ComputerBrand  string
	ComputerModel  string
	BiosRevision   string
	ProcessorArch  string
	OSVersion      string
	OSLocaleID     int
}

// Well-known event ids (MS-WUSP §2.2.2.3.1; protocol-wusp.md §8.4).
const (
	EventDetectionFinished  = 147
	EventDetectionFailed    = 148
	EventStatus             = 156
	EventDownloadFailed     = 161
	EventDownloadSucceeded  = 162
	EventDownloadStarted    = 167
	EventInstallStarted     = 181
	EventInstallFailed      = 182
	EventInstallSucceeded   = 183
	EventInstallRestart     = 184
	EventInstallPending     = 201
	EventUninstallFailed    = 221
	EventUninstallSucceeded = 222
)
