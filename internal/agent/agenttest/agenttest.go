// Package agenttest runs a Patchbay client-protocol server in-process for
// the agent's tests: the packages wired as cmd/patchbay wires them (real
// SQLite holding a generated reference catalog, clientsync, the three SOAP
// endpoints and the content handler) on 127.0.0.1, with a movable clock and
// a handler wrapper for fault injection. Like net/http/httptest, it is for
// tests only; the agent binary never links it.
package agenttest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/clientsync"
	"patchbay/internal/content"
	"patchbay/internal/content/disk"
	"patchbay/internal/cookie"
	"patchbay/internal/importer"
	"patchbay/internal/refcatalog"
	"patchbay/internal/reporting"
	"patchbay/internal/snapshot"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/wusp"
)

// refCatalog generates the reference catalog once per test binary: about
// 300 revisions with content, and every deployable update in approvals.json.
var refCatalog = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "patchbay-agenttest-")
	if err != nil {
		return "", err
	}
	refCatalogDir.Store(&dir)
	_, err = refcatalog.Generate(dir, refcatalog.Options{Revisions: 300, Seed: 11, Approved: 1000, WithContent: true, ContentBytes: 4096})
	return dir, err
})

// refCatalogDir is the generated catalog's directory, removed by Main.
var refCatalogDir atomic.Pointer[string]

// Main runs the tests and removes the generated catalog; call it from
// TestMain: os.Exit(agenttest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if dir := refCatalogDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
	return code
}

// Server is a running in-process server.
type Server struct {
	URL     string
	DB      *sqlite.DB
	Catalog *snapshot.Keeper
	Content *disk.Store

	t      testing.TB
	clock  atomic.Int64 // offset added to time.Now, in nanoseconds
	wrap   atomic.Pointer[func(http.Handler) http.Handler]
	cancel context.CancelFunc
	bg     sync.WaitGroup
}

// Now is the server's clock: real time plus the offset Advance moves.
func (s *Server) Now() time.Time { return time.Now().Add(time.Duration(s.clock.Load())) }

// Advance moves the server's clock.
func (s *Server) Advance(d time.Duration) { s.clock.Add(int64(d)) }

// New starts a server over a fresh database holding the reference catalog,
// with nothing approved. SyncUpdates pages hold 30 updates, as WSUS's do, so
// that tests see several rounds; opts change the client-sync configuration.
// The server stops when the test ends.
func New(t testing.TB, opts ...func(*clientsync.Config)) *Server {
	t.Helper()
	ref, err := refCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "patchbay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	files, err := disk.Open(filepath.Join(dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	im := &importer.Importer{Revisions: db, Files: db, Content: importer.RecordedSink{Files: files, Index: db}}
	if sum, err := im.Import(ctx, ref); err != nil || sum.Rejected > 0 {
		t.Fatalf("import: %v (%d rejected)", err, sum.Rejected)
	}
	s := &Server{t: t, DB: db, Content: files, Catalog: &snapshot.Keeper{Source: db}}
	if _, err := s.Catalog.Refresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	serverID, err := db.ServerID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lastChange, err := db.ConfigLastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := cookie.LoadOrCreateKey(filepath.Join(dir, "cookie.key"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientsync.Config{ServerID: serverID, LastChange: lastChange, PageSize: 30}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := clientsync.New(cfg, clientsync.Deps{Computers: db, Fragments: db, Reporter: reporting.Ingester{Store: db},
		Catalogs: s.Catalog, Contacts: db, Key: key, Now: s.Now})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.bg.Go(func() { svc.Run(runCtx) })
	srv := wusp.NewServer(svc, wusp.Options{})
	mux := http.NewServeMux()
	mux.Handle(wusp.PathSimpleAuth, srv.SimpleAuth)
	mux.Handle(wusp.PathClient, srv.Client)
	mux.Handle(wusp.PathReporting, srv.Reporting)
	mux.Handle("/Content/", content.Handler(files, content.HandlerOptions{}))
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(clientsync.WithBaseURL(r.Context(), "http://"+r.Host))
		var h http.Handler = mux
		if wrap := s.wrap.Load(); wrap != nil {
			h = (*wrap)(mux)
		}
		h.ServeHTTP(w, r)
	}))
	s.URL = hs.URL
	t.Cleanup(func() {
		hs.Close()
		s.StopSync()
	})
	return s
}

// StopSync stops client-sync's background work, which writes the buffered
// last-contact times (LastSync) to DB; a test reads them after it. It is
// safe to call more than once.
func (s *Server) StopSync() {
	s.cancel()
	s.bg.Wait()
}

// SetWrap installs a wrapper around the whole handler, for fault
// injection; nil removes it.
func (s *Server) SetWrap(w func(http.Handler) http.Handler) {
	if w == nil {
		s.wrap.Store(nil)
		return
	}
	s.wrap.Store(&w)
}

// ApproveAll approves for All Computers every update listed in the
// reference catalog's approvals.json, and publishes the catalog.
func (s *Server) ApproveAll() { s.ApproveAllFor(patchbay.AllComputersGroupID) }

// ApproveAllFor approves every update of approvals.json for one group.
func (s *Server) ApproveAllFor(groupID string) {
	s.t.Helper()
	ref, _ := refCatalog()
	b, err := os.ReadFile(filepath.Join(ref, "approvals.json"))
	if err != nil {
		s.t.Fatal(err)
	}
	var approvals []refcatalog.Approval
	if err := json.Unmarshal(b, &approvals); err != nil {
		s.t.Fatal(err)
	}
	for _, a := range approvals {
		s.ApproveFor(groupID, a.UpdateID, a.RevisionNumber, patchbay.ActionInstall)
	}
	s.Publish()
}

// Approve approves one revision for All Computers; call Publish after.
func (s *Server) Approve(updateID string, rev int, action patchbay.Action) {
	s.ApproveFor(patchbay.AllComputersGroupID, updateID, rev, action)
}

// ApproveFor approves one revision for a group; call Publish after.
func (s *Server) ApproveFor(groupID, updateID string, rev int, action patchbay.Action) {
	s.t.Helper()
	if err := s.DB.Approve(s.t.Context(), patchbay.Approval{UpdateID: updateID, RevisionNumber: rev,
		GroupID: groupID, Action: action}); err != nil {
		s.t.Fatalf("approve %s: %v", updateID, err)
	}
}

// Publish rebuilds the catalog clients are served from.
func (s *Server) Publish() {
	s.t.Helper()
	if _, err := s.Catalog.Refresh(s.t.Context(), false); err != nil {
		s.t.Fatal(err)
	}
}
