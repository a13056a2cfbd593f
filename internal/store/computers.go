package store

import "patchbay"

// ContactKind is patchbay.ContactKind: which contact times a call moves.
type ContactKind = patchbay.ContactKind

// Contact kinds (see patchbay.ContactKind).
const (
	ContactCall   = patchbay.ContactCall
	ContactSync   = patchbay.ContactSync
	ContactReport = patchbay.ContactReport
)
