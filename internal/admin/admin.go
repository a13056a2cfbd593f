// Package admin holds Patchbay's administrative operations — target groups,
// computer assignment, approvals and the update list — as plain Go methods
// over small store role interfaces. It validates input the way a WSUS
// administrator would expect and reports problems as *patchbay.Error codes;
// the REST API (adminapi) and the console are thin edges over it.
package admin

import (
	"context"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// GroupStore is the part of the store that keeps target groups.
type GroupStore interface {
	CreateGroup(ctx context.Context, g patchbay.TargetGroup) (patchbay.TargetGroup, error)
	Groups(ctx context.Context) ([]patchbay.TargetGroup, error)
	DeleteGroup(ctx context.Context, id string) error
}

// ComputerStore is the part of the store that keeps client computers.
type ComputerStore interface {
	Computers(ctx context.Context) ([]patchbay.Computer, error)
	Computer(ctx context.Context, id string) (patchbay.Computer, error)
	SetComputerGroups(ctx context.Context, id string, groupIDs []string) error
}

// ApprovalStore is the part of the store that keeps approvals (the MS-WUSP
// §3.1.1 Deployment Table).
type ApprovalStore interface {
	Approve(ctx context.Context, a patchbay.Approval) error
	Unapprove(ctx context.Context, updateID, groupID string) error
	Approvals(ctx context.Context) ([]patchbay.Approval, error)
}

// UpdateStore is the part of the store that answers questions about updates.
type UpdateStore interface {
	UpdateSummaries(ctx context.Context, f store.UpdateFilter) ([]store.UpdateSummary, error)
	Revision(ctx context.Context, key patchbay.RevisionKey) (store.RevisionRecord, error)
}

// Store is every role the administrative operations use; *sqlite.DB
// implements it.
type Store interface {
	GroupStore
	ComputerStore
	ApprovalStore
	UpdateStore
}

// Service runs administrative operations against a Store. Its methods are
// safe for concurrent use when the Store's are.
type Service struct {
	Store Store

	// OnChange is called after every successful change that affects what
	// clients are offered (groups, computer assignment, approvals), so that
	// the server can rebuild its catalog snapshot. It runs on the caller's
	// goroutine before the operation returns, so it should only schedule
	// slow work. Nil means no hook.
	OnChange func()

	// Now returns the current time; nil means time.Now. It is used to
	// report whether a deadline has passed.
	Now func() time.Time
}

// New returns a Service over s.
func New(s Store) *Service { return &Service{Store: s} }

func (s *Service) changed() {
	if s.OnChange != nil {
		s.OnChange()
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
