package patchbay

import "time"

// Computer is a client known to the server: created on its first
// GetAuthorizationCookie, completed by RegisterComputer (MS-WUSP §2.2.2.2.3
// ComputerInfo), and kept current by its calls and reports.
type Computer struct {
	ID      string // the client id (MS-WUSP §3.1.1 Client Table ComputerID), lower case
	DNSName string

	// Target groups: the groups an administrator assigned (server-side
	// targeting), or the names the client claimed (client-side targeting).
	GroupIDs          []string
	ClaimedGroupNames []string

	OSMajorVersion           int
	OSMinorVersion           int
	OSBuildNumber            int
	OSServicePackMajorNumber int
	OSServicePackMinorNumber int
	OSLocale                 string
	OSDescription            string
	ComputerManufacturer     string
	ComputerModel            string
	BiosVersion              string
	BiosName                 string
	BiosReleaseDate          time.Time
	ProcessorArchitecture    string
	SuiteMask                int
	OldProductType           int
	NewProductType           int
	SystemMetrics            int
	ClientVersion            string // major.minor.build.qfe
	OEM                      string
	DeviceType               string
	FirmwareVersion          string
	MobileOperator           string
	ProtocolVersion          string // the client protocol version from GetCookie

	Registered       bool
	FirstSeen        time.Time
	LastContact      time.Time // last SOAP call
	LastSync         time.Time // last SyncUpdates
	LastReport       time.Time // last ReportEventBatch
	LastStatusReport time.Time // last status (156) event
}

// UpdateState is the installation state of an update on a computer, with the
// MS-WSUSSS SummarizationState numbering WSUS uses in its rollups.
type UpdateState int

// Update states.
const (
	StateUnknown       UpdateState = 0
	StateNotApplicable UpdateState = 1
	StateNotInstalled  UpdateState = 2 // needed
	StateDownloaded    UpdateState = 3
	StateInstalled     UpdateState = 4
	StateFailed        UpdateState = 5
	StatePendingReboot UpdateState = 6
)

// String returns the state's administrator-facing name.
func (s UpdateState) String() string {
	switch s {
	case StateNotApplicable:
		return "not applicable"
	case StateNotInstalled:
		return "needed"
	case StateDownloaded:
		return "downloaded"
	case StateInstalled:
		return "installed"
	case StateFailed:
		return "failed"
	case StatePendingReboot:
		return "installed pending reboot"
	}
	return "unknown"
}

// UpdateStatus is the state of one update on one computer.
type UpdateStatus struct {
	ComputerID string
	UpdateID   string
	State      UpdateState
	Changed    time.Time
}

// ContactKind names which of a computer's contact times a call moves
// (Computer.LastContact, LastSync, LastReport). Every kind also moves
// LastContact.
type ContactKind int

// Contact kinds.
const (
	// ContactCall is any SOAP call of the client: LastContact only.
	ContactCall ContactKind = iota
	// ContactSync is a SyncUpdates call: LastContact and LastSync.
	ContactSync
	// ContactReport is a ReportEventBatch call: LastContact and LastReport.
	ContactReport
)

// String returns the kind's name.
func (k ContactKind) String() string {
	switch k {
	case ContactCall:
		return "call"
	case ContactSync:
		return "sync"
	case ContactReport:
		return "report"
	}
	return "unknown"
}
