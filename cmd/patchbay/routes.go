package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"patchbay/internal/adminapi"
	"patchbay/internal/content"
	"patchbay/internal/router"
	"patchbay/internal/wusp"
)

// routes is the route table of the one listener (docs/architecture.md).
func (m *Main) routes() http.Handler {
	rt := &router.Router{}
	rt.Handle("/healthz", m.Metrics.Instrument("healthz", http.HandlerFunc(m.healthz)))
	rt.Handle("/metrics", m.Metrics.Handler())
	// The admin REST API (bearer token; see internal/adminapi).
	rt.HandlePrefix(adminapi.Prefix, m.adminHandler())
	// The MS-WUSP web services (architecture.md path table).
	rt.Handle(wusp.PathSimpleAuth, m.Metrics.Instrument("simpleauth", withBaseURL(m.wusp.SimpleAuth)))
	rt.Handle(wusp.PathClient, m.Metrics.Instrument("client", withBaseURL(m.wusp.Client)))
	rt.Handle(wusp.PathReporting, m.Metrics.Instrument("reporting", withBaseURL(m.wusp.Reporting)))
	// Update content by digest (MS-WUSP §2.2.2.5) and the self-update
	// directory an administrator may fill for pre-Windows-10 clients.
	rt.HandlePrefix("/Content/", m.Metrics.Instrument("content", content.Handler(m.Content, content.HandlerOptions{Logger: m.Logger})))
	rt.HandlePrefix("/selfupdate/", m.Metrics.Instrument("selfupdate", m.SelfUpdate))
	return rt
}

// healthz reports liveness and readiness: 200 with {"status":"ok"} when the
// database answers within two seconds, 503 otherwise.
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok", "version": version}
	code := http.StatusOK
	if v, err := m.DB.CatalogVersion(ctx); err != nil {
		body["status"], body["error"] = "unavailable", "database not answering"
		code = http.StatusServiceUnavailable
		m.Logger.Warn("health check", "err", err)
	} else {
		body["catalogVersion"] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}
