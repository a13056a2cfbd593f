// Package reporting ingests the events clients report with ReportEventBatch
// (MS-WUSP §2.2.2.3.1, §3.1.5.11) and derives from them each computer's
// per-update installation status, as WSUS does (protocol-wusp.md §8.6).
package reporting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// Store is what ingestion needs from the store (store/sqlite, store/postgres).
type Store interface {
	TouchComputer(ctx context.Context, id, dnsName string, claimed []string, at time.Time) (created bool, err error)
	NoteContact(ctx context.Context, id string, kind store.ContactKind, at time.Time) error
	AppendEvents(ctx context.Context, events []patchbay.Event) (inserted int, err error)
	ApplyStatus(ctx context.Context, computerID string, c store.StatusChanges) error
}

// MaxBatchEvents is the most events one ReportEventBatch may carry. MS-WUSP
// sets no limit (§3.1.5.11 only requires eventBatch to be present, and
// leaves processing to the implementation; Appendix B has no note on it), so
// this is Patchbay's bound: WUA was seen sending 2 to 9 events per batch
// (protocol-wusp.md §8.1), and 1,000 keeps one batch one short transaction.
// A larger batch is refused whole with the error of ErrBatchTooLarge, which
// the SOAP edge answers with InvalidParameters.
const MaxBatchEvents = 1000

// ErrBatchTooLarge is returned (wrapped) for a batch of more than
// MaxBatchEvents events; nothing of it is stored. Its Message names the
// offending parameter, as MS-WUSP InvalidParameters faults do (§2.2.2.4).
var ErrBatchTooLarge = &patchbay.Error{Code: patchbay.EInvalid, Message: "eventBatch"}

// skewThreshold is the clock difference below which event times are taken
// as sent: Windows servers shift a request's timestamps by the difference
// between their clock and clientTime only when it exceeds one minute
// (MS-WSUSSS Appendix B notes <50>, <54>, <61>, for the clientTime of the
// reporting web service's rollup methods; MS-WUSP §2.2.2.3.1 defines
// clientTime as the client's current UTC time at the call and gives no rule
// of its own). Below it, the difference is mostly transit time.
const skewThreshold = time.Minute

// Result says what Ingest did with a batch.
type Result struct {
	// Events is the number of events in the batch.
	Events int
	// Stored counts rows added: resent events and events older than the
	// stored one of their kind (for events about no update) add none.
	Stored int
	// Skew is the clock correction added to every TimeAtTarget: the
	// server's receive time minus clientTime, or zero when within a minute.
	Skew time.Duration
	// Rejected lists the events not stored, by index, with the reason.
	Rejected []Rejection
	// TargetMismatches counts events whose TargetID (in Event.ComputerID on
	// input) named another client than the cookie. They are stored under the
	// cookie's client id; the caller should log the count.
	TargetMismatches int
	// OtherNamespace counts events whose NamespaceID is not 1: stored, but
	// not used for status (MS-WUSP §2.2.2.3.1: the server MAY ignore them).
	OtherNamespace int
	// ComputerCreated reports that the computer was not stored (deleted by
	// an administrator, or a database reset) and was created again.
	ComputerCreated bool
}

// Rejection is an event Ingest did not store.
type Rejection struct {
	Index  int
	Reason string
}

// Ingest stores one ReportEventBatch of the computer the cookie names and
// updates its status. computerID is the cookie's client id; clientTime is
// the request's clientTime (zero when absent: times are then taken as sent);
// received is when the server received the request. On input each event's
// ComputerID holds the TargetID/Sid the client sent (or is empty). The
// stored copies get ComputerID = computerID, lower-case InstanceID and
// UpdateID (the zero GUID when empty), ReceivedAt and Time; events itself
// is not modified.
//
// Time is TimeAtTarget + (received − clientTime) when the difference exceeds
// one minute, else TimeAtTarget (see skewThreshold); an event without
// TimeAtTarget gets received.
//
// An event is rejected only when it cannot be stored as a distinct
// occurrence: its EventInstanceID, which MS-WUSP §2.2.2.3.1 makes a GUID
// identifying the occurrence, is missing or not a GUID. Unknown event ids,
// unknown update ids and unknown MiscData tags never fail a batch.
//
// Events are appended (deduplicated on EventInstanceID) before the status
// they imply is applied (see Derive). Status is derived from every accepted
// event of the batch, duplicates included, so a batch the client resends
// after a failure here is applied again, to the same result: a resend
// carries a fresh clientTime, which keeps the correction the same up to
// transit time. Ingest moves the computer's LastReport to received,
// creating the computer when it is not stored (deleted by an administrator,
// or a new database), as WSUS lists such a computer again.
//
// It returns EInvalid for an empty computerID, ErrBatchTooLarge for more
// than MaxBatchEvents events, and store errors as they come.
func Ingest(ctx context.Context, st Store, computerID string, clientTime, received time.Time, events []patchbay.Event) (Result, error) {
	res := Result{Events: len(events)}
	id := strings.ToLower(strings.TrimSpace(computerID))
	if id == "" {
		return res, patchbay.Errorf(patchbay.EInvalid, "computer id is empty")
	}
	if len(events) > MaxBatchEvents {
		return res, fmt.Errorf("%d events, more than %d: %w", len(events), MaxBatchEvents, ErrBatchTooLarge)
	}
	received = received.UTC()
	if !clientTime.IsZero() {
		if d := received.Sub(clientTime); d > skewThreshold || d < -skewThreshold {
			res.Skew = d
		}
	}
	valid := make([]patchbay.Event, 0, len(events))
	for i, e := range events {
		inst, ok := patchbay.ParseGUID(e.InstanceID)
		if !ok {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Reason: fmt.Sprintf("EventInstanceID %q is not a GUID", e.InstanceID)})
			continue
		}
		if sid := strings.TrimSpace(e.ComputerID); sid != "" && !strings.EqualFold(sid, id) {
			res.TargetMismatches++
		}
		if e.NamespaceID != 1 {
			res.OtherNamespace++
		}
		e.ComputerID, e.InstanceID, e.ReceivedAt = id, inst, received
		if u, ok := patchbay.ParseGUID(e.UpdateID); ok {
			e.UpdateID = u
		} else if strings.TrimSpace(e.UpdateID) == "" {
			e.UpdateID = zeroGUID
		} else {
			e.UpdateID = strings.ToLower(strings.TrimSpace(e.UpdateID)) // stored as sent, unused for status
		}
		if e.TimeAtTarget.IsZero() {
			e.Time = received
		} else {
			e.TimeAtTarget = e.TimeAtTarget.UTC()
			e.Time = e.TimeAtTarget.Add(res.Skew)
		}
		valid = append(valid, e)
	}
	created, err := ensureComputer(ctx, st, id, received)
	if err != nil {
		return res, fmt.Errorf("ingest events of %s: %w", id, err)
	}
	res.ComputerCreated = created
	if len(valid) == 0 {
		return res, nil
	}
	if res.Stored, err = st.AppendEvents(ctx, valid); err != nil {
		return res, fmt.Errorf("ingest events of %s: %w", id, err)
	}
	if c := Derive(valid); !empty(c) {
		if err := st.ApplyStatus(ctx, id, c); err != nil {
			return res, fmt.Errorf("ingest events of %s: %w", id, err)
		}
	}
	return res, nil
}

// ensureComputer notes the report on the computer, creating the computer
// when the store does not hold it.
func ensureComputer(ctx context.Context, st Store, id string, at time.Time) (bool, error) {
	err := st.NoteContact(ctx, id, store.ContactReport, at)
	if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if _, err := st.TouchComputer(ctx, id, "", nil, at); err != nil {
		return false, err
	}
	return true, st.NoteContact(ctx, id, store.ContactReport, at)
}

// Ingester adapts Ingest to the clientsync.Reporter interface over one
// store: the reporting pipeline of a running server.
type Ingester struct{ Store Store }

// Ingest runs Ingest with i's store and keeps only the error.
func (i Ingester) Ingest(ctx context.Context, computerID string, clientTime, received time.Time, events []patchbay.Event) error {
	_, err := Ingest(ctx, i.Store, computerID, clientTime, received, events)
	return err
}
