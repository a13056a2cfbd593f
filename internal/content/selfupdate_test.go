package content

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newSelfUpdate(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	h, err := SelfUpdate(dir, HandlerOptions{})
	if err != nil {
		t.Fatalf("SelfUpdate(%q) = %v", dir, err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, method, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(path, "//") {
		req.URL.Path = path
	} else {
		req.URL.Opaque = path
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestSelfUpdateCreatesEmptyDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "selfupdate")
	srv := newSelfUpdate(t, dir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("SelfUpdate did not create %s: %v", dir, err)
	}
	for path, want := range map[string]int{
		"/selfupdate/wuident.cab": 404,
		"/SelfUpdate/wuident.cab": 404,
		"/selfupdate/":            403,
		"/selfupdate":             403,
		"/SELFUPDATE//":           403,
	} {
		if resp, _ := get(t, srv, "GET", path); resp.StatusCode != want {
			t.Errorf("GET %s on an empty directory = %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestSelfUpdateServe(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	data := bytes.Repeat([]byte("wuident"), 1000)
	mtime := time.Date(2026, 9, 2, 8, 30, 53, 0, time.UTC)
	os.MkdirAll(filepath.Join(dir, "WSUS3", "x86", "Other"), 0o755)
	os.WriteFile(filepath.Join(dir, "wuident.cab"), data, 0o644)
	os.Chtimes(filepath.Join(dir, "wuident.cab"), mtime, mtime)
	os.WriteFile(filepath.Join(dir, "WSUS3", "x86", "Other", "wsus3setup.cab"), []byte("setup"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden"), []byte("no"), 0o644)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escapedir")); err != nil {
		t.Fatal(err)
	}
	srv := newSelfUpdate(t, dir)

	resp, body := get(t, srv, "GET", "/selfupdate/wuident.cab")
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("GET wuident.cab = %d with %d bytes", resp.StatusCode, len(body))
	}
	for k, v := range map[string]string{
		"Content-Type":  "application/octet-stream",
		"Accept-Ranges": "bytes",
		"Last-Modified": "Wed, 02 Sep 2026 08:30:53 GMT",
		"ETag":          `"809ce85db53add1:0"`, // the IIS tag of this time, dl/final-range
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	resp, body = get(t, srv, "GET", "/SelfUpdate/WUIDENT.CAB", "Range", "bytes=7-13")
	if resp.StatusCode != 206 || string(body) != "wuident" || resp.Header.Get("Content-Range") != "bytes 7-13/7000" {
		t.Errorf("ranged GET = %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	resp, body = get(t, srv, "HEAD", "/selfupdate/wuident.cab")
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "7000" {
		t.Errorf("HEAD = %d, %d bytes, Content-Length %q", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/selfupdate/wsus3/X86/other/WSUS3SETUP.cab", 200},
		{"//selfupdate//WSUS3/x86/Other/wsus3setup.cab", 200},
		{"/selfupdate/WSUS3/x86", 403},
		{"/selfupdate/wuident.cab/x", 404},
		{"/selfupdate/.hidden", 404},
		{"/selfupdate/../selfupdate/wuident.cab", 404},
		{"/selfupdate/%2e%2e/%2e%2e/etc/passwd", 404},
		{"/selfupdate/..%5c..%5cetc%5cpasswd", 404},
		{"/selfupdate/escape", 404},
		{"/selfupdate/escapedir/secret", 404},
		{"/selfupdatex/wuident.cab", 404},
		{"/Content/wuident.cab", 404},
	} {
		resp, body := get(t, srv, "GET", tc.path)
		if resp.StatusCode != tc.status || bytes.Contains(body, []byte("secret")) {
			t.Errorf("GET %s = %d %q, want %d", tc.path, resp.StatusCode, body, tc.status)
		}
	}
	if resp, _ := get(t, srv, "PUT", "/selfupdate/wuident.cab"); resp.StatusCode != 405 {
		t.Errorf("PUT = %d, want 405", resp.StatusCode)
	}
}

func TestSelfUpdateNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := SelfUpdate(file, HandlerOptions{}); err == nil {
		t.Error("SelfUpdate(a file) = nil error")
	}
}

func TestIISETag(t *testing.T) {
	// Both real tags of the captures, from their Last-Modified (IIS's
	// sub-second part is unknown; the second capture's is zero).
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 1, 11, 20, 39, 44, 0, time.UTC), `"0e8fc4ece44da1:0"`},
		{time.Date(2026, 9, 2, 8, 30, 53, 0, time.UTC), `"809ce85db53add1:0"`},
	}
	for _, tc := range tests {
		if got := iisETag(tc.t); got != tc.want {
			t.Errorf("iisETag(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
