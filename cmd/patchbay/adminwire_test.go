package main

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// rebuildHandler is a slog.Handler that passes on the catalog versions of
// "catalog rebuilt" records.
type rebuildHandler struct{ versions chan int64 }

func (h rebuildHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h rebuildHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h rebuildHandler) WithGroup(string) slog.Handler            { return h }

func (h rebuildHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "catalog rebuilt" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "version" {
			select {
			case h.versions <- a.Value.Int64():
			default:
			}
		}
		return true
	})
	return nil
}

// TestApproveRebuildsCatalog checks that an approval through the API
// rebuilds the catalog at once rather than at the next version poll.
func TestApproveRebuildsCatalog(t *testing.T) {
	h := rebuildHandler{versions: make(chan int64, 16)}
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = t.TempDir()
	m.Logger = slog.New(h)
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	ids := addUpdates(t, m, 1)
	mustCLI(t, m, "approve", ids[0], "--group", "All Computers")
	want, err := m.DB.CatalogVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Well under catalogPoll, so that the periodic poll cannot be what
	// rebuilt it.
	timeout := time.After(catalogPoll / 2)
	for {
		select {
		case v := <-h.versions:
			if v >= want {
				if got := m.Catalog.Load().Version(); got < want {
					t.Errorf("catalog version %d after rebuild, want %d", got, want)
				}
				return
			}
		case <-timeout:
			t.Fatalf("catalog not rebuilt to version %d after the approval", want)
		}
	}
}
