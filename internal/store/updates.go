package store

import (
	"time"

	"patchbay"
)

// UpdateFilter selects the updates the administrator lists. Zero fields
// select everything.
type UpdateFilter struct {
	// Text matches, without case, a substring of a title in any language,
	// the KB article number (with or without "KB") or the update id.
	Text string
	// Classification keeps updates in that classification, named by its
	// update id or its title (without case).
	Classification string
	// Type keeps updates of that type; empty means software and driver
	// updates (categories and detectoids are not listed).
	Type patchbay.UpdateType
	// Approved, when set, keeps updates with (true) or without (false) an
	// approval for any group.
	Approved *bool
	// Limit caps the number of summaries (zero means no limit); Offset skips
	// that many first. The order is newest creation date first, then
	// update id.
	Limit, Offset int
}

// UpdateSummary is one update as the administrator's update list shows it:
// its newest revision, its categories, approvals and computer status.
type UpdateSummary struct {
	UpdateID       string
	RevisionNumber int // the newest revision held
	Type           patchbay.UpdateType
	// Title is the English title, else the one in the default language.
	Title           string
	KBArticleID     string
	MsrcSeverity    string
	CreationDate    time.Time
	Classifications []CategoryRef
	Products        []CategoryRef
	Approvals       []ApprovalSummary
	Status          StatusCounts
}

// CategoryRef names a category (product or classification) an update
// belongs to through an IsCategory prerequisite clause.
type CategoryRef struct {
	UpdateID string
	Title    string
}

// ApprovalSummary is one approval of an update, with the group's name.
type ApprovalSummary struct {
	GroupID        string
	GroupName      string
	RevisionNumber int
	Action         patchbay.Action
	Deadline       time.Time // zero: none
}
