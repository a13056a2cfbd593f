package clientsync

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"patchbay"
)

// ContactStore persists last-contact times.
type ContactStore interface {
	NoteContact(ctx context.Context, id string, kind patchbay.ContactKind, at time.Time) error
}

// contactTracker records contact times in memory and writes them in the
// background, so that the scan path does no SQL: each computer's newest time
// per kind is written once per flush, however many calls it made.
type contactTracker struct {
	store ContactStore
	log   *slog.Logger
	mu    sync.Mutex
	dirty map[contactKey]time.Time
}

type contactKey struct {
	id   string
	kind patchbay.ContactKind
}

// flushEvery is how stale the last-contact times shown to administrators may be.
const flushEvery = 5 * time.Second

func newContactTracker(store ContactStore, log *slog.Logger) *contactTracker {
	return &contactTracker{store: store, log: log, dirty: map[contactKey]time.Time{}}
}

func (t *contactTracker) note(id string, kind patchbay.ContactKind, at time.Time) {
	if t.store == nil {
		return
	}
	t.mu.Lock()
	k := contactKey{id, kind}
	if at.After(t.dirty[k]) {
		t.dirty[k] = at
	}
	t.mu.Unlock()
}

func (t *contactTracker) run(ctx context.Context) {
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			t.flush(context.WithoutCancel(ctx))
			return
		case <-tick.C:
			t.flush(ctx)
		}
	}
}

// flush writes the pending times; a failed write is kept for the next flush
// unless a newer time replaced it.
func (t *contactTracker) flush(ctx context.Context) {
	if t.store == nil {
		return
	}
	t.mu.Lock()
	pending := t.dirty
	t.dirty = map[contactKey]time.Time{}
	t.mu.Unlock()
	for k, at := range pending {
		if err := t.store.NoteContact(ctx, k.id, k.kind, at); err != nil {
			t.log.Warn("record contact", "computer", k.id, "err", err)
			t.mu.Lock()
			if at.After(t.dirty[k]) {
				t.dirty[k] = at
			}
			t.mu.Unlock()
		}
	}
}
