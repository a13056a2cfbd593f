package admin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"patchbay"
)

// Approval actions as administrators name them (the WSUS
// UpdateApprovalAction values). Install, Uninstall and Block are stored as
// MS-WUSP §2.2.2.2.4 deployment actions; NotApproved removes the approval.
const (
	ActionInstall     = "install"
	ActionUninstall   = "uninstall"
	ActionBlock       = "block"
	ActionNotApproved = "not-approved"
)

// ApproveRequest asks for an update to be approved for a target group.
type ApproveRequest struct {
	UpdateID string `json:"updateId"`
	// Group is the target group's name or id.
	Group string `json:"group"`
	// Action is install, uninstall, block or not-approved.
	Action string `json:"action"`
	// Deadline is an optional RFC 3339 time by which clients must act
	// (install and uninstall only). A deadline in the past is accepted and
	// means "now", as in WSUS.
	Deadline string `json:"deadline,omitempty"`
	// AdminName is recorded with the approval; the edge sets it.
	AdminName string `json:"-"`
}

// Approval is an administrator's decision for one update and target group.
type Approval struct {
	UpdateID       string `json:"updateId"`
	RevisionNumber int    `json:"revisionNumber,omitempty"`
	GroupID        string `json:"groupId"`
	Group          string `json:"group"`
	// Action is install, uninstall, block or another MS-WUSP action in
	// lower case; not-approved when an approval was just removed.
	Action   string    `json:"action"`
	Deadline time.Time `json:"deadline,omitzero"`
	// DeadlinePassed reports a deadline in the past: clients act at once.
	DeadlinePassed bool      `json:"deadlinePassed,omitempty"`
	LastChange     time.Time `json:"lastChange,omitzero"`
	AdminName      string    `json:"adminName,omitempty"`
}

// Approve records the decision of r: it approves the latest revision of the
// update for the group, replacing any earlier decision for that pair, or
// removes the approval for not-approved. It returns EInvalid for a malformed
// update id, an unknown action, a malformed deadline, a deadline on a block
// or not-approved, and an update that is a category or detectoid (those
// are never deployed); ENotFound for an unknown update or group.
func (s *Service) Approve(ctx context.Context, r ApproveRequest) (Approval, error) {
	updateID, err := parseUpdateID(r.UpdateID)
	if err != nil {
		return Approval{}, err
	}
	action, err := parseAction(r.Action)
	if err != nil {
		return Approval{}, err
	}
	var deadline time.Time
	if d := strings.TrimSpace(r.Deadline); d != "" {
		if action != patchbay.ActionInstall && action != patchbay.ActionUninstall {
			return Approval{}, patchbay.Errorf(patchbay.EInvalid, "a deadline applies only to install and uninstall approvals")
		}
		deadline, err = time.Parse(time.RFC3339, d)
		if err != nil {
			return Approval{}, patchbay.Errorf(patchbay.EInvalid, "deadline %q is not an RFC 3339 time such as 2026-12-01T18:00:00Z", d)
		}
		deadline = deadline.UTC()
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return Approval{}, fmt.Errorf("approve: %w", err)
	}
	g, err := findGroup(gs, r.Group)
	if err != nil {
		return Approval{}, err
	}
	if action == "" { // not-approved
		if err := s.Store.Unapprove(ctx, updateID, g.ID); err != nil && patchbay.ErrorCode(err) != patchbay.ENotFound {
			return Approval{}, err
		} else if err == nil {
			s.changed()
		}
		return Approval{UpdateID: updateID, GroupID: g.ID, Group: g.Name, Action: ActionNotApproved}, nil
	}
	u, err := s.latest(ctx, updateID)
	if err != nil {
		return Approval{}, err
	}
	switch u.Type {
	case patchbay.TypeCategory, patchbay.TypeDetectoid:
		return Approval{}, patchbay.Errorf(patchbay.EInvalid, "%s is a %s, not an update: it cannot be approved",
			updateID, strings.ToLower(string(u.Type)))
	}
	a := patchbay.Approval{
		UpdateID: updateID, RevisionNumber: u.RevisionNumber, GroupID: g.ID, Action: action,
		Deadline: deadline, DownloadPriority: patchbay.PriorityNormal, AdminName: r.AdminName,
		LastChange: s.now().UTC(),
	}
	if err := s.Store.Approve(ctx, a); err != nil {
		return Approval{}, err
	}
	s.changed()
	return s.approvalView(a, g.Name), nil
}

// Unapprove removes the approval of the update for the group (named by name
// or id). It returns ENotFound when the group is unknown or the update is
// not approved for it.
func (s *Service) Unapprove(ctx context.Context, updateID, group string) error {
	id, err := parseUpdateID(updateID)
	if err != nil {
		return err
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return fmt.Errorf("unapprove: %w", err)
	}
	g, err := findGroup(gs, group)
	if err != nil {
		return err
	}
	if err := s.Store.Unapprove(ctx, id, g.ID); err != nil {
		if patchbay.ErrorCode(err) == patchbay.ENotFound {
			return patchbay.Errorf(patchbay.ENotFound, "update %s is not approved for %q", id, g.Name)
		}
		return err
	}
	s.changed()
	return nil
}

// ApprovalFilter selects approvals; zero fields match everything.
type ApprovalFilter struct {
	UpdateID string
	Group    string // name or id
}

// Approvals returns the approvals f selects, ordered by update and group.
// It returns EInvalid for a malformed update id and ENotFound for an
// unknown group.
func (s *Service) Approvals(ctx context.Context, f ApprovalFilter) ([]Approval, error) {
	var updateID string
	if strings.TrimSpace(f.UpdateID) != "" {
		var err error
		if updateID, err = parseUpdateID(f.UpdateID); err != nil {
			return nil, err
		}
	}
	gs, err := s.Store.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	var groupID string
	if strings.TrimSpace(f.Group) != "" {
		g, err := findGroup(gs, f.Group)
		if err != nil {
			return nil, err
		}
		groupID = g.ID
	}
	as, err := s.Store.Approvals(ctx)
	if err != nil {
		return nil, fmt.Errorf("list approvals: %w", err)
	}
	names := groupNames(gs)
	out := []Approval{}
	for _, a := range as {
		if (updateID != "" && a.UpdateID != updateID) || (groupID != "" && a.GroupID != groupID) {
			continue
		}
		out = append(out, s.approvalView(a, names[a.GroupID]))
	}
	return out, nil
}

func (s *Service) approvalView(a patchbay.Approval, group string) Approval {
	v := Approval{
		UpdateID: a.UpdateID, RevisionNumber: a.RevisionNumber, GroupID: a.GroupID, Group: group,
		Action: strings.ToLower(string(a.Action)), Deadline: a.Deadline, LastChange: a.LastChange, AdminName: a.AdminName,
	}
	if !a.Deadline.IsZero() && !a.Deadline.After(s.now()) {
		v.DeadlinePassed = true
	}
	return v
}

// parseAction maps an administrator's action word to a deployment action;
// not-approved maps to "".
func parseAction(s string) (patchbay.Action, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case ActionInstall:
		return patchbay.ActionInstall, nil
	case ActionUninstall:
		return patchbay.ActionUninstall, nil
	case ActionBlock:
		return patchbay.ActionBlock, nil
	case ActionNotApproved, "notapproved", "not approved", "none":
		return "", nil
	case "":
		return "", patchbay.Errorf(patchbay.EInvalid, "approval action is empty (want install, uninstall, block or not-approved)")
	}
	return "", patchbay.Errorf(patchbay.EInvalid, "unknown approval action %q (want install, uninstall, block or not-approved)", s)
}

// parseUpdateID returns s as a canonical lower-case GUID, accepting braces
// and upper case, or an EInvalid error.
func parseUpdateID(s string) (string, error) {
	id := strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}"))
	if !isGUID(id) {
		if strings.TrimSpace(s) == "" {
			return "", patchbay.Errorf(patchbay.EInvalid, "update id is empty")
		}
		return "", patchbay.Errorf(patchbay.EInvalid, "update id %q is not a GUID", s)
	}
	return id, nil
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}
