package store

// ContactKind names which of a computer's contact times a call moves
// (patchbay.Computer LastContact, LastSync, LastReport).
type ContactKind int

// Contact kinds. Every kind also moves LastContact.
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
