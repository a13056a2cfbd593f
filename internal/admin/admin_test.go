package admin_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/admin"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/store/storetest"
)

// fixture is a Service over a fresh SQLite store that counts OnChange calls.
type fixture struct {
	svc     *admin.Service
	db      *sqlite.DB
	changes atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	f := &fixture{db: db}
	f.svc = admin.New(db)
	f.svc.OnChange = func() { f.changes.Add(1) }
	return f
}

// addComputer registers a computer as a client would.
func (f *fixture) addComputer(t *testing.T, id, name string) {
	t.Helper()
	at := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if _, err := f.db.TouchComputer(t.Context(), id, name, nil, at); err != nil {
		t.Fatalf("TouchComputer(%s) = %v", id, err)
	}
	if err := f.db.RegisterComputer(t.Context(), patchbay.Computer{ID: id, DNSName: name,
		OSMajorVersion: 10, OSBuildNumber: 26100, OSDescription: "Windows 11 Enterprise", ClientVersion: "10.0.26100.1"}); err != nil {
		t.Fatalf("RegisterComputer(%s) = %v", id, err)
	}
}

// addUpdates stores storetest.Record(i) for each i and returns their ids.
func (f *fixture) addUpdates(t *testing.T, is ...int) []string {
	t.Helper()
	var recs []store.RevisionRecord
	var ids []string
	for _, i := range is {
		r := storetest.Record(i)
		recs = append(recs, r)
		ids = append(ids, r.Revision.UpdateID)
	}
	if _, err := f.db.PutRevisions(t.Context(), recs); err != nil {
		t.Fatalf("PutRevisions = %v", err)
	}
	return ids
}

func (f *fixture) group(t *testing.T, name, parent string) admin.Group {
	t.Helper()
	g, err := f.svc.CreateGroup(t.Context(), name, parent)
	if err != nil {
		t.Fatalf("CreateGroup(%q, %q) = %v", name, parent, err)
	}
	return g
}

// wantCode fails unless err has the code want ("" for nil).
func wantCode(t *testing.T, call string, err error, want string) {
	t.Helper()
	if got := patchbay.ErrorCode(err); got != want {
		t.Errorf("%s = %v (code %q), want code %q", call, err, got, want)
	}
}

// addClassification stores a classification category with the update id id.
func (f *fixture) addClassification(t *testing.T, id, title string) {
	t.Helper()
	r := storetest.Record(50) // a category
	r.Revision.UpdateID, r.Revision.CategoryType = id, "UpdateClassification"
	r.Revision.Localized = []patchbay.Localized{{Language: "en", Title: title}}
	r.XML = []byte(`<Update><UpdateIdentity UpdateID="` + id + `" /></Update>`)
	if _, err := f.db.PutRevisions(t.Context(), []store.RevisionRecord{r}); err != nil {
		t.Fatalf("PutRevisions(classification) = %v", err)
	}
}
