// Package store defines what Patchbay persists: the record types shared by
// every storage backend, the errors they return, and (in storetest) the one
// conformance suite that keeps the backends (store/sqlite, store/postgres)
// equal. Consumers define the small role interfaces they need next to their
// own code.
package store

import (
	"time"

	"patchbay"
)

// ErrNotFound is returned (wrapped with detail) when the named row does not
// exist. patchbay.ErrorCode reports it as patchbay.ENotFound; match it with
// errors.Is.
var ErrNotFound = &patchbay.Error{Code: patchbay.ENotFound, Message: "not found"}

// ErrConflict is returned (wrapped with detail) when a write would violate a
// uniqueness rule or remove a row that others still depend on.
// patchbay.ErrorCode reports it as patchbay.EConflict; match it with errors.Is.
var ErrConflict = &patchbay.Error{Code: patchbay.EConflict, Message: "conflict"}

// RevisionRecord is one revision as stored: the parsed fields, the verbatim
// bytes of the full update XML and the MS-WUSP §3.1.1.1 fragments derived
// from it.
type RevisionRecord struct {
	// ID is the store-assigned MS-WUSP RevisionID (§3.1.1 Revision Table).
	// It is ignored on input. IDs are never reused, because clients cache
	// metadata by RevisionID.
	ID       int64
	Revision patchbay.Revision
	// XML is the full update XML exactly as received; it is never
	// re-serialized.
	XML []byte
	// Fragments are the Core, Extended, LocalizedProperties and Eula fragments.
	Fragments []patchbay.Fragment
	// ImportedAt is when this revision's bytes were stored; ignored on input.
	ImportedAt time.Time
}

// PutResult counts what a PutRevisions call did with each record.
type PutResult struct {
	// Added counts revision keys the store did not hold before.
	Added int
	// Updated counts revision keys that were held with different XML bytes;
	// their metadata was replaced and they got a new RevisionID.
	Updated int
	// Unchanged counts revision keys held with byte-identical XML; nothing
	// was written for them.
	Unchanged int
	// IDs holds the RevisionID of each input record, in input order.
	IDs []int64
}

// Content is one content file the server holds (or expects to hold) on its
// content store, named by digest.
type Content struct {
	SHA1   []byte // 20 bytes; the key
	SHA256 []byte // 32 bytes, or nil when unknown
	Size   int64
	// Path is relative to the content root, with forward slashes.
	Path string
	// Present reports that the file is on disk and verified.
	Present bool
	// UpdatedAt is when the row last changed; ignored on input.
	UpdatedAt time.Time
}
