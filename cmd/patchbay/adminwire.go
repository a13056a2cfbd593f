package main

import (
	"context"
	"net/http"
	"path/filepath"

	"patchbay/internal/admin"
	"patchbay/internal/adminapi"
)

// adminHandler returns the admin REST API for routes.go to mount at
// adminapi.Prefix (/api/v1/). The bearer token is the data directory's
// admin.token, generated (mode 0600) on the first start; the admin CLI reads
// the same file through --data, or takes --token / PATCHBAY_TOKEN. When the
// token cannot be read or written the API stays mounted but refuses every
// call, and the reason is logged. It must be called after the catalog
// keeper and background context are set up in Run.
func (m *Main) adminHandler() http.Handler {
	svc := admin.New(m.DB)
	svc.OnChange = m.catalogRefresher()
	token, created, err := adminapi.LoadOrCreateToken(m.Config.DataDir)
	switch {
	case err != nil:
		m.Logger.Error("admin API disabled", "err", err)
	case created:
		m.Logger.Info("generated the admin API token", "file", filepath.Join(m.Config.DataDir, adminapi.TokenFile))
	}
	return m.Metrics.Instrument("api", adminapi.NewServer(svc, token, m.Logger))
}

// catalogRefresher returns the admin OnChange hook: it asks for a catalog
// rebuild without waiting for it, so that an approval reaches clients
// within moments instead of at the next poll of the catalog version. Asks
// that arrive during a rebuild coalesce into one more rebuild, so a script
// approving hundreds of updates does not queue hundreds of rebuilds.
func (m *Main) catalogRefresher() func() {
	if m.Catalog == nil || m.bgctx == nil {
		return nil // no client protocol: nothing to rebuild
	}
	kick := make(chan struct{}, 1)
	m.goBackground(func(ctx context.Context) {
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				if _, err := m.Catalog.Refresh(ctx, false); err != nil && ctx.Err() == nil {
					m.Logger.Warn("catalog rebuild after an admin change", "err", err)
				}
			}
		}
	})
	return func() {
		select {
		case kick <- struct{}{}:
		default: // a rebuild is already asked for
		}
	}
}
