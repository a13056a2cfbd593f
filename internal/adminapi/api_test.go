package adminapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/admin"
	"patchbay/internal/adminapi"
	"patchbay/internal/store"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/store/storetest"
)

const testToken = "test-token-0123456789abcdef"

// fixture is an API server on loopback over a fresh SQLite store.
type fixture struct {
	db     *sqlite.DB
	svc    *admin.Service
	srv    *httptest.Server
	client *adminapi.Client
	logs   *logRecorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatalf("sqlite.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, svc: admin.New(db), logs: &logRecorder{}}
	logger := slog.New(f.logs)
	f.srv = httptest.NewServer(adminapi.NewServer(f.svc, testToken, logger))
	t.Cleanup(f.srv.Close)
	f.client = &adminapi.Client{BaseURL: f.srv.URL, Token: testToken, HTTP: f.srv.Client()}
	return f
}

// raw sends a request with the test token (unless the header is given) and
// returns the status, the decoded error body (if any) and the headers.
func (f *fixture) raw(t *testing.T, method, path, body string, header ...string) (int, map[string]any, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s %s: body is not a JSON object: %q", method, path, b)
		}
	}
	if ct := resp.Header.Get("Content-Type"); len(b) > 0 && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type = %q", method, path, ct)
	}
	return resp.StatusCode, m, resp.Header
}

func (f *fixture) addComputer(t *testing.T, id, name string) {
	t.Helper()
	if _, err := f.db.TouchComputer(t.Context(), id, name, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) addUpdates(t *testing.T, is ...int) []string {
	t.Helper()
	var recs []store.RevisionRecord
	var ids []string
	for _, i := range is {
		r := storetest.Record(i)
		recs, ids = append(recs, r), append(ids, r.Revision.UpdateID)
	}
	if _, err := f.db.PutRevisions(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	return ids
}

// wantError fails unless err is a *patchbay.Error with code and a message
// containing msg.
func wantError(t *testing.T, call string, err error, code, msg string) {
	t.Helper()
	if patchbay.ErrorCode(err) != code || err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s = %v (code %q), want code %q with %q", call, err, patchbay.ErrorCode(err), code, msg)
	}
}

// logRecorder is a slog.Handler that keeps each record as one line of
// "message key=value …".
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.String()
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	return nil
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestAuth(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ name, header string }{
		{"missing", ""},
		{"wrong", "Bearer wrong-token-0123456789"},
		{"other scheme", "Basic " + testToken},
		{"empty bearer", "Bearer "},
		{"token prefix", "Bearer " + testToken[:10]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/groups", "/api/v1/no-such-thing"} {
				code, body, hdr := f.raw(t, "GET", path, "", "Authorization", tc.header)
				if code != 401 || body["code"] != "unauthorized" || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("GET %s with %q = %d %v, want 401 unauthorized", path, tc.header, code, body)
				}
			}
		})
	}
	if code, _, _ := f.raw(t, "GET", "/api/v1/groups", "", "Authorization", "bearer "+testToken); code != 200 {
		t.Errorf("lower-case scheme = %d, want 200", code)
	}
	c := *f.client
	c.Token = "wrong-token-0123456789"
	_, err := c.Groups(t.Context())
	wantError(t, "Client.Groups(wrong token)", err, patchbay.EUnauthorized, "wrong admin token")
	c.Token = ""
	_, err = c.Groups(t.Context())
	wantError(t, "Client.Groups(no token)", err, patchbay.EUnauthorized, "admin.token")
}

func TestEmptyServerTokenRefusesAll(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "patchbay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(adminapi.NewServer(admin.New(db), "", nil))
	t.Cleanup(srv.Close)
	c := &adminapi.Client{BaseURL: srv.URL, Token: "", HTTP: srv.Client()}
	_, err = c.Groups(t.Context())
	wantError(t, "Groups with no server token", err, patchbay.EUnauthorized, "")
}

func TestRequestBodies(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"unknown field", `{"name":"A","colour":"red"}`, 400, `unknown field "colour"`},
		{"wrong type", `{"name":5}`, 400, `field "name" must be a string`},
		{"not an object", `["A"]`, 400, "must be a JSON object"},
		{"syntax", `{"name":`, 400, "truncated"},
		{"garbage", `{"name" "A"}`, 400, "not valid JSON"},
		{"empty", ``, 400, "empty"},
		{"trailing data", `{"name":"A"} {}`, 400, "after the JSON object"},
		{"too large", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, 413, "larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := f.raw(t, "POST", "/api/v1/groups", tc.body, "Content-Type", "application/json")
			msg, _ := body["message"].(string)
			if code != tc.status || body["code"] != "invalid" || !strings.Contains(msg, tc.msg) {
				t.Errorf("POST /groups %s = %d %v, want %d invalid with %q", tc.name, code, body, tc.status, tc.msg)
			}
		})
	}
	if gs, _ := f.client.Groups(t.Context()); len(gs[0].Children) != 1 {
		t.Errorf("a rejected body created a group: %+v", gs)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	code, body, _ := f.raw(t, "GET", "/api/v1/nothing", "")
	if code != 404 || body["code"] != "not_found" {
		t.Errorf("GET /api/v1/nothing = %d %v", code, body)
	}
	code, body, hdr := f.raw(t, "PATCH", "/api/v1/groups", "")
	if code != 405 || body["code"] != "invalid" || hdr.Get("Allow") != "GET, POST" {
		t.Errorf("PATCH /api/v1/groups = %d %v Allow %q", code, body, hdr.Get("Allow"))
	}
}

func TestInternalErrorHidesCause(t *testing.T) {
	f := newFixture(t)
	f.db.Close()
	code, body, _ := f.raw(t, "GET", "/api/v1/groups", "")
	id, _ := body["id"].(string)
	msg, _ := body["message"].(string)
	if code != 500 || body["code"] != "internal" || id == "" || !strings.Contains(msg, id) {
		t.Fatalf("GET /groups with closed DB = %d %v", code, body)
	}
	if strings.Contains(msg, "closed") || strings.Contains(msg, "sql") {
		t.Errorf("internal error leaks its cause: %q", msg)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "fault="+id) || !strings.Contains(logs, "closed") {
		t.Errorf("log does not hold the fault id and cause:\n%s", logs)
	}
	_, err := f.client.Groups(t.Context())
	wantError(t, "Client.Groups(closed DB)", err, patchbay.EInternal, "internal error (fault id ")
}

func TestClientCannotReachServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := &adminapi.Client{BaseURL: url, Token: testToken}
	_, err := c.Groups(t.Context())
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server at "+url) {
		t.Errorf("Groups(closed server) = %v", err)
	}
	c.BaseURL = "127.0.0.1:8530"
	_, err = c.Groups(t.Context())
	wantError(t, "Groups(no scheme)", err, patchbay.EInvalid, "not an absolute")
}

func TestClientNonPatchbayError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	c := &adminapi.Client{BaseURL: srv.URL, Token: testToken}
	_, err := c.Groups(t.Context())
	wantError(t, "Groups(proxy error)", err, patchbay.EInternal, "502 Bad Gateway")
}
