// Package snapshot keeps the server's in-memory catalog current: it builds a
// catalog.Catalog from the store (revisions, Core fragments, groups,
// approvals) and rebuilds it when the store's catalog version moves, so the
// SyncUpdates path reads an immutable snapshot and never touches SQL
// (docs/architecture.md, data flow step 2).
package snapshot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/store"
)

// Source is what a snapshot is built from; *sqlite.DB satisfies it.
type Source interface {
	CatalogVersion(ctx context.Context) (int64, error)
	Revisions(ctx context.Context, fn func(store.RevisionRecord) error) error
	Fragments(ctx context.Context, kind patchbay.FragmentKind, fn func(id int64, f patchbay.Fragment) error) error
	Groups(ctx context.Context) ([]patchbay.TargetGroup, error)
	Approvals(ctx context.Context) ([]patchbay.Approval, error)
}

// Keeper owns the current catalog. Load is lock-free; Refresh serializes
// rebuilds. The zero value is not usable; set Source and call Refresh once
// before serving.
type Keeper struct {
	Source Source
	// ApprovedOnly offers only approved updates and their dependencies
	// instead of WSUS's every non-declined update (protocol-wusp.md trap 27).
	ApprovedOnly bool
	// Now stamps changed deployments; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger

	holder catalog.Holder
	mu     sync.Mutex // serializes Refresh
}

// Load returns the current catalog, or nil before the first Refresh.
func (k *Keeper) Load() *catalog.Catalog { return k.holder.Load() }

// Refresh rebuilds the catalog when the store's version differs from the
// loaded one (or force is set) and publishes it. It reports whether a new
// catalog was published. Readers keep using the previous catalog until then.
func (k *Keeper) Refresh(ctx context.Context, force bool) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	version, err := k.Source.CatalogVersion(ctx)
	if err != nil {
		return false, fmt.Errorf("catalog version: %w", err)
	}
	prev := k.holder.Load()
	if prev != nil && prev.Version() == version && !force {
		return false, nil
	}
	start := time.Now()
	c, err := k.build(ctx, version, prev)
	if err != nil {
		return false, err
	}
	k.holder.Swap(c)
	if k.Logger != nil {
		k.Logger.Info("catalog rebuilt", "version", version, "revisions", c.Len(),
			"problems", len(c.Problems()), "took", time.Since(start).Round(time.Millisecond))
	}
	return true, nil
}

func (k *Keeper) build(ctx context.Context, version int64, prev *catalog.Catalog) (*catalog.Catalog, error) {
	var entries []catalog.Entry
	index := map[int64]int{}
	err := k.Source.Revisions(ctx, func(r store.RevisionRecord) error {
		rev := r.Revision
		if r.ID > int64(^uint32(0)>>1) {
			return fmt.Errorf("revision id %d does not fit the protocol's int", r.ID)
		}
		index[r.ID] = len(entries)
		entries = append(entries, catalog.Entry{ID: int32(r.ID), Revision: &rev})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	err = k.Source.Fragments(ctx, patchbay.FragmentCore, func(id int64, f patchbay.Fragment) error {
		if i, ok := index[id]; ok {
			entries[i].Core = f.XML
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read core fragments: %w", err)
	}
	groups, err := k.Source.Groups(ctx)
	if err != nil {
		return nil, fmt.Errorf("read groups: %w", err)
	}
	approvals, err := k.Source.Approvals(ctx)
	if err != nil {
		return nil, fmt.Errorf("read approvals: %w", err)
	}
	for _, e := range entries {
		if e.Core == nil {
			return nil, errors.New("revision without a Core fragment: the store is inconsistent")
		}
	}
	in := catalog.Input{
		Revisions:    entries,
		Groups:       groups,
		Approvals:    approvals,
		Version:      version,
		ApprovedOnly: k.ApprovedOnly,
		Previous:     prev,
	}
	if k.Now != nil {
		in.Now = k.Now()
	}
	return catalog.Build(in)
}

// Watch refreshes the catalog every interval until ctx ends, so changes made
// by another process (an import while serving, another front-end sharing
// the database) reach this server's clients. Errors are logged and retried
// at the next tick; the previous catalog stays in service.
func (k *Keeper) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := k.Refresh(ctx, false); err != nil && ctx.Err() == nil && k.Logger != nil {
				k.Logger.Error("catalog refresh", "err", err)
			}
		}
	}
}
