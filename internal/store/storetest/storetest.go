// Package storetest is the conformance suite every store backend runs
// (store/sqlite always, store/postgres when a database is configured), so
// that the backends behave the same: same results, same error codes.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// Backend is what the suite exercises: everything a store backend offers the
// rest of Patchbay. Consumers define narrower interfaces of their own.
type Backend interface {
	PutRevisions(ctx context.Context, recs []store.RevisionRecord) (store.PutResult, error)
	Revisions(ctx context.Context, fn func(store.RevisionRecord) error) error
	Revision(ctx context.Context, key patchbay.RevisionKey) (store.RevisionRecord, error)
	RevisionXML(ctx context.Context, key patchbay.RevisionKey) ([]byte, error)
	Fragment(ctx context.Context, id int64, kind patchbay.FragmentKind, locale string) (patchbay.Fragment, error)
	Fragments(ctx context.Context, kind patchbay.FragmentKind, fn func(id int64, f patchbay.Fragment) error) error
	FileBySHA1(ctx context.Context, sha1 []byte) (patchbay.File, error)

	CreateGroup(ctx context.Context, g patchbay.TargetGroup) (patchbay.TargetGroup, error)
	Groups(ctx context.Context) ([]patchbay.TargetGroup, error)
	DeleteGroup(ctx context.Context, id string) error

	Approve(ctx context.Context, a patchbay.Approval) error
	Unapprove(ctx context.Context, updateID, groupID string) error
	Approvals(ctx context.Context) ([]patchbay.Approval, error)

	CatalogVersion(ctx context.Context) (int64, error)

	PutContent(ctx context.Context, c store.Content) error
	ContentBySHA1(ctx context.Context, sha1 []byte) (store.Content, error)

	TouchComputer(ctx context.Context, id, dnsName string, claimed []string, at time.Time) (created bool, err error)
	RegisterComputer(ctx context.Context, c patchbay.Computer) error
	Computer(ctx context.Context, id string) (patchbay.Computer, error)
	Computers(ctx context.Context) ([]patchbay.Computer, error)
	SetComputerGroups(ctx context.Context, id string, groupIDs []string) error
	DeleteComputer(ctx context.Context, id string) error
	NoteContact(ctx context.Context, id string, kind store.ContactKind, at time.Time) error

	AppendEvents(ctx context.Context, events []patchbay.Event) (inserted int, err error)
	Events(ctx context.Context, f store.EventFilter) ([]patchbay.Event, error)

	ApplyStatus(ctx context.Context, computerID string, c store.StatusChanges) error
	Status(ctx context.Context, computerID string) ([]patchbay.UpdateStatus, error)
	UpdateStatusCounts(ctx context.Context) (map[string]map[patchbay.UpdateState]int, error)
	ComputerStatusSummary(ctx context.Context, computerID string) (store.ComputerStatusSummary, error)
	ComputerStatusSummaries(ctx context.Context) ([]store.ComputerStatusSummary, error)

	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	ServerID(ctx context.Context) (string, error)
	ConfigLastChange(ctx context.Context) (time.Time, error)
	BumpConfigLastChange(ctx context.Context) (time.Time, error)
	TargetingMode(ctx context.Context) (string, error)
	SetTargetingMode(ctx context.Context, mode string) error

	UpdateSummaries(ctx context.Context, f store.UpdateFilter) ([]store.UpdateSummary, error)
}

// Run runs the suite. open returns a fresh, empty, migrated backend for each
// subtest and arranges (with t.Cleanup) to close it. Subtests run in
// parallel, so open must give each its own database.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"PutRevisionsRoundTrip", testPutRevisionsRoundTrip},
		{"PutRevisionsIdempotent", testPutRevisionsIdempotent},
		{"PutRevisionsReplace", testPutRevisionsReplace},
		{"PutRevisionsInvalid", testPutRevisionsInvalid},
		{"Revisions", testRevisions},
		{"NotFound", testNotFound},
		{"Fragments", testFragments},
		{"Groups", testGroups},
		{"DeleteGroup", testDeleteGroup},
		{"Approvals", testApprovals},
		{"ApprovalErrors", testApprovalErrors},
		{"Content", testContent},
		{"Concurrent", testConcurrent},
		{"TouchComputer", testTouchComputer},
		{"RegisterComputer", testRegisterComputer},
		{"ComputerGroups", testComputerGroups},
		{"ClientTargeting", testClientTargeting},
		{"NoteContact", testNoteContact},
		{"DeleteComputer", testDeleteComputer},
		{"AppendEvents", testAppendEvents},
		{"EventsLatestWithoutUpdate", testEventsLatestWithoutUpdate},
		{"EventsFilter", testEventsFilter},
		{"AppendEventsConcurrent", testAppendEventsConcurrent},
		{"ApplyStatusReport", testApplyStatusReport},
		{"ApplyStatusNewerWins", testApplyStatusNewerWins},
		{"ApplyStatusErrors", testApplyStatusErrors},
		{"StatusSummaries", testStatusSummaries},
		{"Settings", testSettings},
		{"ConfigLastChange", testConfigLastChange},
		{"UpdateSummaries", testUpdateSummaries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// wantCode fails t unless err carries code (and, for not found and
// conflict, matches the store sentinel with errors.Is).
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := patchbay.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
		return
	}
	switch code {
	case patchbay.ENotFound:
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: error %v does not match store.ErrNotFound", what, err)
		}
	case patchbay.EConflict:
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: error %v does not match store.ErrConflict", what, err)
		}
	}
}

func mustPut(t *testing.T, b Backend, recs ...store.RevisionRecord) store.PutResult {
	t.Helper()
	res, err := b.PutRevisions(t.Context(), recs)
	if err != nil {
		t.Fatalf("PutRevisions(%d records) = %v", len(recs), err)
	}
	return res
}

func catalogVersion(t *testing.T, b Backend) int64 {
	t.Helper()
	v, err := b.CatalogVersion(t.Context())
	if err != nil {
		t.Fatalf("CatalogVersion() = %v", err)
	}
	return v
}
