package agent

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
// 300 revisions with content, and every deployable update approved.
var refCatalog = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "patchbay-agent-refcat-")
	if err != nil {
		return "", err
	}
	refCatalogDir.Store(&dir)
	_, err = refcatalog.Generate(dir, refcatalog.Options{Revisions: 300, Seed: 11, Approved: 1000, WithContent: true, ContentBytes: 4096})
	return dir, err
})

// refCatalogDir is the generated catalog's directory, removed by TestMain.
var refCatalogDir atomic.Pointer[string]

func TestMain(m *testing.M) {
	code := m.Run()
	if dir := refCatalogDir.Load(); dir != nil {
		os.RemoveAll(*dir)
	}
	os.Exit(code)
}

// testServer is a Patchbay client-protocol server built in-process from its
// packages, as cmd/patchbay/wuspwire.go wires it: real SQLite, the
// imported reference catalog, clientsync, the three SOAP endpoints and the
// content handler, on 127.0.0.1.
type testServer struct {
	t       *testing.T
	URL     string
	DB      *sqlite.DB
	Catalog *snapshot.Keeper
	Content *disk.Store
	http    *httptest.Server
	clock   atomic.Int64 // offset added to time.Now, in nanoseconds
	// wrap, when set, wraps the whole handler (fault injection).
	wrap atomic.Pointer[func(http.Handler) http.Handler]
}

// Now is the server's clock: real time plus the offset tests move.
func (ts *testServer) Now() time.Time { return time.Now().Add(time.Duration(ts.clock.Load())) }

// Advance moves the server's clock.
func (ts *testServer) Advance(d time.Duration) { ts.clock.Add(int64(d)) }

// newTestServer starts a server over a fresh database holding the
// reference catalog.
func newTestServer(t *testing.T, opts ...func(*clientsync.Config)) *testServer {
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
	ts := &testServer{t: t, DB: db, Content: files}
	ts.Catalog = &snapshot.Keeper{Source: db}
	if _, err := ts.Catalog.Refresh(ctx, true); err != nil {
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
	svc, err := clientsync.New(cfg,
		clientsync.Deps{Computers: db, Fragments: db, Reporter: reporting.Ingester{Store: db}, Catalogs: ts.Catalog, Contacts: db, Key: key, Now: ts.Now})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	var bg sync.WaitGroup
	bg.Go(func() { svc.Run(runCtx) })
	srv := wusp.NewServer(svc, wusp.Options{})
	mux := http.NewServeMux()
	mux.Handle(wusp.PathSimpleAuth, srv.SimpleAuth)
	mux.Handle(wusp.PathClient, srv.Client)
	mux.Handle(wusp.PathReporting, srv.Reporting)
	mux.Handle("/Content/", content.Handler(files, content.HandlerOptions{}))
	var base http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(clientsync.WithBaseURL(r.Context(), "http://"+r.Host))
		var h http.Handler = mux
		if wrap := ts.wrap.Load(); wrap != nil {
			h = (*wrap)(mux)
		}
		h.ServeHTTP(w, r)
	})
	ts.http = httptest.NewServer(base)
	ts.URL = ts.http.URL
	t.Cleanup(func() {
		ts.http.Close()
		cancel()
		bg.Wait()
	})
	return ts
}

// setWrap installs a handler wrapper (nil removes it).
func (ts *testServer) setWrap(w func(http.Handler) http.Handler) {
	if w == nil {
		ts.wrap.Store(nil)
		return
	}
	ts.wrap.Store(&w)
}

// approveAll makes the approvals of the reference catalog's approvals.json
// for All Computers.
func (ts *testServer) approveAll() { ts.approveAllFor(patchbay.AllComputersGroupID) }

// approveAllFor makes the approvals of approvals.json for one group.
func (ts *testServer) approveAllFor(groupID string) {
	ts.t.Helper()
	ref, _ := refCatalog()
	b, err := os.ReadFile(filepath.Join(ref, "approvals.json"))
	if err != nil {
		ts.t.Fatal(err)
	}
	var approvals []refcatalog.Approval
	if err := json.Unmarshal(b, &approvals); err != nil {
		ts.t.Fatal(err)
	}
	for _, a := range approvals {
		ts.approveFor(groupID, a.UpdateID, a.RevisionNumber, patchbay.ActionInstall)
	}
	ts.publish()
}

func (ts *testServer) approve(updateID string, rev int, action patchbay.Action) {
	ts.approveFor(patchbay.AllComputersGroupID, updateID, rev, action)
}

func (ts *testServer) approveFor(groupID, updateID string, rev int, action patchbay.Action) {
	ts.t.Helper()
	if err := ts.DB.Approve(ts.t.Context(), patchbay.Approval{UpdateID: updateID, RevisionNumber: rev,
		GroupID: groupID, Action: action}); err != nil {
		ts.t.Fatalf("approve %s: %v", updateID, err)
	}
}

func (ts *testServer) publish() {
	ts.t.Helper()
	if _, err := ts.Catalog.Refresh(ts.t.Context(), false); err != nil {
		ts.t.Fatal(err)
	}
}
