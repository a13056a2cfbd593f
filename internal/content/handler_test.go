package content_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"patchbay/internal/content"
	"patchbay/internal/content/disk"
)

// fixture is a content server on loopback holding one file.
type fixture struct {
	srv   *httptest.Server
	data  []byte
	sha1  []byte
	path  string // "/Content/XX/HEX.cab"
	info  content.Info
	store *disk.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	store, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(t.Context(), s1[:], s256[:], int64(len(data)), ".cab", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	info, err := store.Stat(t.Context(), s1[:])
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(content.Handler(store, content.HandlerOptions{}))
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, data: data, sha1: s1[:], path: content.Path(s1[:], ".cab"), info: info, store: store}
}

// do sends method to path (sent verbatim) with the given headers.
func (f *fixture) do(t *testing.T, method, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Keep "..", "%2e", "//" and case as written.
	if strings.HasPrefix(path, "//") {
		req.URL.Path = path // Opaque "//…" would name a host
	} else {
		req.URL.Opaque = path
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, body
}

// checkHeaders checks the headers every successful answer carries.
func (f *fixture) checkHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	want := map[string]string{
		"Accept-Ranges": "bytes",
		"ETag":          content.ETag(f.sha1),
		"Last-Modified": f.info.ModTime.UTC().Format(http.TimeFormat),
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges") {
		want["Content-Type"] = "application/octet-stream"
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("Content-Encoding = %q, want none", resp.Header.Get("Content-Encoding"))
	}
}

func TestHandlerGet(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, "GET", f.path, "Accept-Encoding", "gzip, xpress")
	if resp.StatusCode != 200 || !bytes.Equal(body, f.data) || resp.ContentLength != 3000 {
		t.Fatalf("GET = %d, %d bytes (Content-Length %d), want 200 with the file", resp.StatusCode, len(body), resp.ContentLength)
	}
	f.checkHeaders(t, resp)
}

func TestHandlerHead(t *testing.T) {
	f := newFixture(t)
	resp, body := f.do(t, "HEAD", f.path)
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "3000" {
		t.Fatalf("HEAD = %d, %d bytes, Content-Length %q, want 200, none, 3000", resp.StatusCode, len(body), resp.Header.Get("Content-Length"))
	}
	f.checkHeaders(t, resp)
	resp, _ = f.do(t, "HEAD", f.path, "Range", "bytes=0-99")
	if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != "bytes 0-99/3000" {
		t.Errorf("HEAD with Range = %d, Content-Range %q, want 206, bytes 0-99/3000", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
}

func TestHandlerRange(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		rng        string
		start, end int // inclusive
	}{
		{"first bytes", "bytes=0-1023", 0, 1023},
		{"middle", "bytes=1000-1999", 1000, 1999},
		{"whole file is still 206", "bytes=0-2999", 0, 2999},
		{"open end", "bytes=2500-", 2500, 2999},
		{"suffix", "bytes=-100", 2900, 2999},
		{"end past size clamps", "bytes=2000-999999", 2000, 2999},
		{"one byte", "bytes=2999-2999", 2999, 2999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", f.path, "Range", tc.rng)
			wantCR := fmt.Sprintf("bytes %d-%d/3000", tc.start, tc.end)
			if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != wantCR {
				t.Fatalf("Range %s = %d, Content-Range %q, want 206, %q", tc.rng, resp.StatusCode, resp.Header.Get("Content-Range"), wantCR)
			}
			if !bytes.Equal(body, f.data[tc.start:tc.end+1]) || resp.ContentLength != int64(tc.end-tc.start+1) {
				t.Errorf("Range %s body = %d bytes (Content-Length %d), want %d", tc.rng, len(body), resp.ContentLength, tc.end-tc.start+1)
			}
			f.checkHeaders(t, resp)
		})
	}
}

func TestHandlerMultipleRanges(t *testing.T) {
	f := newFixture(t)
	// Out of order on purpose: MC-BUP §3.5.5.1 forbids reordering.
	resp, body := f.do(t, "GET", f.path, "Range", "bytes=2000-2099, 0-9, -5")
	if resp.StatusCode != 206 {
		t.Fatalf("multi-range GET = %d, want 206", resp.StatusCode)
	}
	f.checkHeaders(t, resp)
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type = %q, want multipart/byteranges", resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length = %d, body %d bytes", resp.ContentLength, len(body))
	}
	want := []struct{ start, end int }{{2000, 2099}, {0, 9}, {2995, 2999}}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i, w := range want {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		cr := fmt.Sprintf("bytes %d-%d/3000", w.start, w.end)
		if got := part.Header.Get("Content-Range"); got != cr {
			t.Errorf("part %d Content-Range = %q, want %q", i, got, cr)
		}
		if got := part.Header.Get("Content-Type"); got != "application/octet-stream" {
			t.Errorf("part %d Content-Type = %q", i, got)
		}
		got, _ := io.ReadAll(part)
		if !bytes.Equal(got, f.data[w.start:w.end+1]) {
			t.Errorf("part %d = %d bytes, want bytes %d-%d", i, len(got), w.start, w.end)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the last part: %v, want EOF", err)
	}
}

func TestHandlerConditional(t *testing.T) {
	f := newFixture(t)
	lm := f.info.ModTime.UTC().Format(http.TimeFormat)
	tests := []struct {
		name   string
		hdr    []string
		status int
		size   int
	}{
		{"If-Range ETag matches", []string{"Range", "bytes=100-199", "If-Range", content.ETag(f.sha1)}, 206, 100},
		{"If-Range ETag differs", []string{"Range", "bytes=100-199", "If-Range", `"809ce85db53add1:0"`}, 200, 3000},
		{"If-Range date matches", []string{"Range", "bytes=100-199", "If-Range", lm}, 206, 100},
		{"If-Range date differs", []string{"Range", "bytes=100-199", "If-Range", "Wed, 02 Sep 2020 08:30:53 GMT"}, 200, 3000},
		{"If-Range weak ETag", []string{"Range", "bytes=100-199", "If-Range", "W/" + content.ETag(f.sha1)}, 200, 3000},
		{"If-Modified-Since same", []string{"If-Modified-Since", lm}, 304, 0},
		{"If-Modified-Since older", []string{"If-Modified-Since", "Wed, 02 Sep 2020 08:30:53 GMT"}, 200, 3000},
		{"If-None-Match", []string{"If-None-Match", content.ETag(f.sha1)}, 304, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, "GET", f.path, tc.hdr...)
			if resp.StatusCode != tc.status || len(body) != tc.size {
				t.Errorf("GET %v = %d with %d bytes, want %d with %d", tc.hdr, resp.StatusCode, len(body), tc.status, tc.size)
			}
		})
	}
}

func TestHandlerUnsatisfiable(t *testing.T) {
	f := newFixture(t)
	for _, rng := range []string{"bytes=3000-", "bytes=5000-6000"} {
		resp, _ := f.do(t, "GET", f.path, "Range", rng)
		if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */3000" {
			t.Errorf("Range %s = %d, Content-Range %q, want 416, bytes */3000", rng, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
	}
}

func TestHandlerPaths(t *testing.T) {
	f := newFixture(t)
	hexd := strings.TrimSuffix(f.path[len("/Content/XX/"):], ".cab")
	folder := f.path[len("/Content/") : len("/Content/")+2]
	tests := []struct {
		name   string
		method string
		path   string
		status int
	}{
		{"canonical", "GET", f.path, 200},
		{"lower case", "GET", strings.ToLower(f.path), 200},
		{"upper ext", "GET", "/CONTENT/" + folder + "/" + hexd + ".CAB", 200},
		{"double slashes", "GET", "//Content//" + folder + "//" + hexd + ".cab", 200},
		{"other extension, same digest", "GET", "/Content/" + folder + "/" + hexd + ".exe", 200},
		{"no extension", "GET", "/Content/" + folder + "/" + hexd, 200},
		{"unknown digest", "GET", content.Path(make([]byte, 20), ".cab"), 404},
		{"wrong folder", "GET", "/Content/ZZ/" + hexd + ".cab", 404},
		{"folder listing", "GET", "/Content/" + folder + "/", 404},
		{"content root", "GET", "/Content/", 404},
		{"dot-dot", "GET", "/Content/" + folder + "/../../../etc/passwd", 404},
		{"dot-dot to file", "GET", "/Content/" + folder + "/../" + folder + "/" + hexd + ".cab", 404},
		{"encoded dot-dot", "GET", "/Content/" + folder + "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 404},
		{"encoded slash", "GET", "/Content/" + folder + "%2f" + hexd + ".cab", 200},
		{"backslash", "GET", "/Content/" + folder + "/..%5c..%5c" + hexd + ".cab", 404},
		{"traversal in extension", "GET", "/Content/" + folder + "/" + hexd + ".cab%00.exe", 404},
		{"POST", "POST", f.path, 405},
		{"PUT", "PUT", f.path, 405},
		{"DELETE", "DELETE", f.path, 405},
		{"OPTIONS", "OPTIONS", f.path, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(t, tc.method, tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
			}
			if tc.status == 200 && !bytes.Equal(body, f.data) {
				t.Errorf("%s %s served %d other bytes", tc.method, tc.path, len(body))
			}
			if tc.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q, want GET, HEAD", resp.Header.Get("Allow"))
			}
		})
	}
}

// brokenStore fails every Open: the handler must answer 500 without details.
type brokenStore struct{ content.Store }

func (brokenStore) Open(context.Context, []byte) (*content.File, error) {
	return nil, errors.New("disk on fire at /srv/secret")
}

func TestHandlerStoreError(t *testing.T) {
	srv := httptest.NewServer(content.Handler(brokenStore{}, content.HandlerOptions{}))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + content.Path(make([]byte, 20), ".cab"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || bytes.Contains(body, []byte("secret")) {
		t.Errorf("GET with a broken store = %d %q, want 500 without details", resp.StatusCode, body)
	}
}

// TestHandlerConcurrentRanges replays the Delivery Optimization pattern:
// shuffled ranges over several connections at once (protocol-wusp.md §9.2).
func TestHandlerConcurrentRanges(t *testing.T) {
	f := newFixture(t)
	got := make([]byte, len(f.data))
	order := rand.New(rand.NewPCG(1, 2)).Perm(len(f.data) / 100)
	done := make(chan error, len(order))
	for _, i := range order {
		go func() {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", f.srv.URL+f.path, nil)
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", i*100, i*100+99))
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				done <- err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil && (resp.StatusCode != 206 || len(b) != 100) {
				err = fmt.Errorf("range %d: %d with %d bytes", i, resp.StatusCode, len(b))
			}
			copy(got[i*100:], b)
			done <- err
		}()
	}
	timeout := time.After(time.Minute)
	for range order {
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-timeout:
			t.Fatal("ranges did not complete")
		}
	}
	if !bytes.Equal(got, f.data) {
		t.Error("reassembled ranges differ from the file")
	}
}

// TestHandlerContentTypeNotGuessed: a text file with a known extension is
// still application/octet-stream (protocol-wusp.md §9.3 item 2).
func TestHandlerContentTypeNotGuessed(t *testing.T) {
	f := newFixture(t)
	text := []byte("<html><body>hello</body></html>\n")
	sum := sha1.Sum(text)
	if err := f.store.Put(t.Context(), sum[:], nil, int64(len(text)), ".htm", bytes.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(t, "GET", content.Path(sum[:], ".htm"))
	if resp.StatusCode != 200 || !bytes.Equal(body, text) {
		t.Fatalf("GET = %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("Content-Type = %q, want application/octet-stream", got)
	}
}
