package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"patchbay/internal/clientsync"
	"patchbay/internal/cookie"
	"patchbay/internal/reporting"
	"patchbay/internal/snapshot"
	"patchbay/internal/wusp"
)

// catalogPoll is how often the server looks for catalog changes made by
// another process (an import while serving, another front-end).
const catalogPoll = 5 * time.Second

// startClientProtocol builds the MS-WUSP services: the catalog snapshot
// (loaded before the listener opens, so the first client is served), the
// client-sync service over the store, and the three SOAP endpoints.
func (m *Main) startClientProtocol(ctx context.Context) (*wusp.Server, error) {
	m.Catalog = &snapshot.Keeper{Source: m.DB, Logger: m.Logger, ApprovedOnly: m.Config.ApprovedOnly}
	if _, err := m.Catalog.Refresh(ctx, true); err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	serverID, err := m.DB.ServerID(ctx)
	if err != nil {
		return nil, fmt.Errorf("read server id: %w", err)
	}
	lastChange, err := m.DB.ConfigLastChange(ctx)
	if err != nil {
		return nil, fmt.Errorf("read configuration time: %w", err)
	}
	mode, err := m.DB.TargetingMode(ctx)
	if err != nil {
		return nil, fmt.Errorf("read targeting mode: %w", err)
	}
	if m.Config.Targeting != "" && m.Config.Targeting != mode {
		// Clients must learn that their groups now come from elsewhere:
		// moving LastChange makes their next scan answer ConfigChanged.
		if err := m.DB.SetTargetingMode(ctx, m.Config.Targeting); err != nil {
			return nil, fmt.Errorf("set targeting mode: %w", err)
		}
		if lastChange, err = m.DB.BumpConfigLastChange(ctx); err != nil {
			return nil, fmt.Errorf("record configuration change: %w", err)
		}
		mode = m.Config.Targeting
		m.Logger.Info("targeting mode changed", "mode", mode)
	}
	key, err := cookie.LoadOrCreateKey(filepath.Join(m.Config.DataDir, "cookie.key"))
	if err != nil {
		return nil, err
	}
	svc, err := clientsync.New(clientsync.Config{
		ServerID:            serverID,
		LastChange:          lastChange,
		ClientSideTargeting: mode == "client",
		PageSize:            m.Config.PageSize,
		ContentURL:          m.Config.ContentURL,
	}, clientsync.Deps{
		Computers: m.DB,
		Fragments: m.DB,
		Reporter:  reporting.Ingester{Store: m.DB},
		Catalogs:  m.Catalog,
		Contacts:  m.DB,
		Key:       key,
		Now:       m.Now,
		Logger:    m.Logger,
	})
	if err != nil {
		return nil, err
	}
	m.ClientSync = svc
	m.goBackground(func(ctx context.Context) { svc.Run(ctx) })
	m.goBackground(func(ctx context.Context) { m.Catalog.Watch(ctx, catalogPoll) })
	return wusp.NewServer(svc, wusp.Options{Logger: m.Logger}), nil
}

// withBaseURL tells clientsync which scheme, host and port the client used,
// so file URLs point back at the same server, as WSUS builds them from the
// request's Host (protocol-wusp.md §9.1).
func withBaseURL(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		h.ServeHTTP(w, r.WithContext(clientsync.WithBaseURL(r.Context(), scheme+"://"+r.Host)))
	})
}
