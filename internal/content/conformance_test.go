package content_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"patchbay/internal/content"
	"patchbay/internal/content/disk"
)

// captures holds real Delivery Optimization requests to a WSUS on Windows
// Server 2025 and IIS's answers (protocol-wusp.md §9.2, "dl/*").
const captures = "../../../shared/data/real/wsus-rs/wsus-m0-native/content-headers"

// TestConformanceIISRanges replays each captured request byte for byte
// against Handler, over a disk store holding a file of the captured size at
// the captured path, and compares the status and the range headers with the
// real answer. The file is sparse and its bytes do not match the digest in
// the path: the store trusts files already in its folder (as when serving a
// copied WsusContent folder) and only these headers are compared.
//
// Conformance test: it reads ../shared and skips when it is absent.
func TestConformanceIISRanges(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(captures, "*", "request.headers"))
	if err != nil || len(dirs) == 0 {
		t.Skipf("no captures under %s", captures)
	}
	root := t.TempDir()
	store, err := disk.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(content.Handler(store, content.HandlerOptions{}))
	t.Cleanup(srv.Close)

	for _, reqFile := range dirs {
		dir := filepath.Dir(reqFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rawReq, err := os.ReadFile(reqFile)
			if err != nil {
				t.Fatal(err)
			}
			rawResp, err := os.ReadFile(filepath.Join(dir, "response.headers"))
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(rawReq)))
			if err != nil {
				t.Fatal(err)
			}
			real, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(rawResp)), req)
			if err != nil {
				t.Fatal(err)
			}
			size := entitySize(t, real.Header.Get("Content-Range"))
			sum, ext, ok := content.ParsePath(req.URL.Path)
			if !ok {
				t.Fatalf("ParsePath(%q) failed on a real content URL", req.URL.Path)
			}
			name := filepath.Join(root, filepath.FromSlash(content.Name(sum, ext)))
			os.MkdirAll(filepath.Dir(name), 0o755)
			if err := os.WriteFile(name, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(name, size); err != nil {
				t.Fatal(err)
			}

			got := replay(t, srv.Listener.Addr().String(), rawReq, req)
			if got.StatusCode != real.StatusCode {
				t.Errorf("status = %d, IIS %d", got.StatusCode, real.StatusCode)
			}
			for _, k := range []string{"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges"} {
				if g, w := got.Header.Get(k), real.Header.Get(k); g != w {
					t.Errorf("%s = %q, IIS %q", k, g, w)
				}
			}
			// Present on both, values differ by design (see Handler).
			for _, k := range []string{"ETag", "Last-Modified"} {
				if got.Header.Get(k) == "" || real.Header.Get(k) == "" {
					t.Errorf("%s = %q, IIS %q, want both set", k, got.Header.Get(k), real.Header.Get(k))
				}
			}
			if _, err := time.Parse(http.TimeFormat, got.Header.Get("Last-Modified")); err != nil {
				t.Errorf("Last-Modified %q: %v", got.Header.Get("Last-Modified"), err)
			}
		})
	}
}

// replay sends raw to addr over a fresh connection and reads the answer,
// checking that the body has the announced length.
func replay(t *testing.T, addr string, raw []byte, req *http.Request) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute))
	if _, err := conn.Write(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != resp.ContentLength {
		t.Errorf("body = %d bytes (%v), Content-Length %d", n, err, resp.ContentLength)
	}
	return resp
}

// entitySize returns the size after the slash of a Content-Range.
func entitySize(t *testing.T, cr string) int64 {
	t.Helper()
	_, s, ok := strings.Cut(cr, "/")
	n, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil {
		t.Fatalf("captured Content-Range %q has no size", cr)
	}
	return n
}
