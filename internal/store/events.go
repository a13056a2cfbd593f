package store

import "time"

// EventFilter selects stored events. Zero fields select everything.
type EventFilter struct {
	// ComputerID, when set, keeps the events of that computer.
	ComputerID string
	// UpdateID, when set, keeps the events about that update.
	UpdateID string
	// Since, when non-zero, keeps events whose corrected Time is at or after it.
	Since time.Time
	// Limit, when positive, caps the number of events returned; zero means
	// no limit.
	Limit int
}
