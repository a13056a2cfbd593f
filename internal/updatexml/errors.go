package updatexml

import (
	"errors"
	"fmt"
	"strconv"

	"patchbay"
)

// ParseError reports update XML that Parse refuses: malformed XML, a missing or
// invalid required field (MS-WUSP §3.1.1.1 Revision Table), or a present but
// malformed optional field. Path is the unqualified XPath of the offending node
// as the spec writes them (/Update/Files/File[2]/@Size); it is "" for
// document-level failures such as the size limit or bad encoding. Revision is
// the zero RevisionKey until the identity has been read.
//
// A ParseError counts as patchbay.EInvalid for patchbay.ErrorCode.
type ParseError struct {
	Revision patchbay.RevisionKey
	Path     string
	Err      error
}

// Error returns "update <UpdateID>/<RevisionNumber>: <path>: <cause>", leaving
// out the revision when it is not known and the path when it is empty.
func (e *ParseError) Error() string {
	s := "update"
	if e.Revision.UpdateID != "" {
		s += " " + e.Revision.UpdateID + "/" + strconv.Itoa(e.Revision.RevisionNumber)
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// errInvalid is what a ParseError looks like to patchbay.ErrorCode and
// patchbay.ErrorMessage: an invalid-input error whose message is safe to show.
var errInvalid = &patchbay.Error{Code: patchbay.EInvalid, Message: "invalid update metadata"}

// Unwrap returns the cause and a patchbay.Error with code EInvalid.
func (e *ParseError) Unwrap() []error { return []error{e.Err, errInvalid} }

// Causes shared by several paths; tests match them with errors.Is.
var (
	// ErrMissing is the cause of a ParseError for a required node that is absent.
	ErrMissing = errors.New("missing")
	// ErrTooLarge is the cause of a ParseError for a document over MaxSize bytes.
	ErrTooLarge = fmt.Errorf("document larger than %d bytes", MaxSize)
)

// invalidf formats the cause of a value that does not parse.
func invalidf(kind, value string) error {
	if len(value) > 80 {
		value = value[:80] + "…"
	}
	return fmt.Errorf("invalid %s %q", kind, value)
}
