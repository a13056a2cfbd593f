package swarm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

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

// testServer is a Patchbay client-protocol server built in-process as
// cmd/patchbay wires it (the same as internal/agent's tests): real SQLite
// holding a generated reference catalog with every deployable update
// approved for All Computers, clientsync, the three SOAP endpoints and the
// content handler, on 127.0.0.1.
type testServer struct {
	URL string
	DB  *sqlite.DB
	// stopSync stops clientsync's background work, which writes the
	// buffered last-contact times (LastSync) to DB.
	stopSync func()
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	if _, err := refcatalog.Generate(ref, refcatalog.Options{Revisions: 300, Seed: 11, Approved: 1000, WithContent: true, ContentBytes: 2048}); err != nil {
		t.Fatal(err)
	}
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
	b, err := os.ReadFile(filepath.Join(ref, "approvals.json"))
	if err != nil {
		t.Fatal(err)
	}
	var approvals []refcatalog.Approval
	if err := json.Unmarshal(b, &approvals); err != nil {
		t.Fatal(err)
	}
	for _, a := range approvals {
		if err := db.Approve(ctx, patchbay.Approval{UpdateID: a.UpdateID, RevisionNumber: a.RevisionNumber,
			GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}); err != nil {
			t.Fatal(err)
		}
	}
	keeper := &snapshot.Keeper{Source: db}
	if _, err := keeper.Refresh(ctx, true); err != nil {
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
	svc, err := clientsync.New(clientsync.Config{ServerID: serverID, LastChange: lastChange, PageSize: 30},
		clientsync.Deps{Computers: db, Fragments: db, Reporter: reporting.Ingester{Store: db}, Catalogs: keeper, Contacts: db, Key: key})
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
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(clientsync.WithBaseURL(r.Context(), "http://"+r.Host)))
	}))
	stopSync := func() {
		cancel()
		bg.Wait()
	}
	t.Cleanup(func() {
		hs.Close()
		stopSync()
	})
	return &testServer{URL: hs.URL, DB: db, stopSync: stopSync}
}
