package download_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/content"
	"patchbay/internal/content/disk"
	"patchbay/internal/content/download"
)

const size = 5000

// file is the content the test servers hold.
type file struct {
	data []byte
	want content.Digests
}

func newFile(seed uint64) file {
	r := rand.New(rand.NewPCG(seed, seed))
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	return file{data: data, want: content.Digests{SHA1: s1[:], SHA256: s256[:], Size: size}}
}

// origin is a real content server on loopback (content.Handler over a disk
// store) that records requests and can cut each answer after dropAfter
// body bytes or fail the first failures requests with failStatus.
type origin struct {
	srv        *httptest.Server
	mu         sync.Mutex
	requests   []http.Header
	dropAfter  int
	failures   int
	failStatus int
	retryAfter string
}

func newOrigin(t *testing.T, f file) (*origin, string) {
	t.Helper()
	st, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(t.Context(), f.want.SHA1, f.want.SHA256, size, ".cab", bytes.NewReader(f.data)); err != nil {
		t.Fatal(err)
	}
	o := &origin{}
	h := content.Handler(st, content.HandlerOptions{})
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.requests = append(o.requests, r.Header.Clone())
		fail := o.failures > 0
		if fail {
			o.failures--
		}
		drop := o.dropAfter
		o.mu.Unlock()
		if fail {
			if o.retryAfter != "" {
				w.Header().Set("Retry-After", o.retryAfter)
			}
			http.Error(w, "busy", o.failStatus)
			return
		}
		if drop > 0 {
			w = &dropWriter{ResponseWriter: w, left: drop}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o, o.srv.URL + content.Path(f.want.SHA1, ".cab")
}

func (o *origin) headers() []http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]http.Header(nil), o.requests...)
}

// dropWriter sends left body bytes, then kills the connection mid-body.
type dropWriter struct {
	http.ResponseWriter
	left int
}

func (d *dropWriter) Write(p []byte) (int, error) {
	if len(p) <= d.left {
		d.left -= len(p)
		return d.ResponseWriter.Write(p)
	}
	d.ResponseWriter.Write(p[:d.left])
	d.ResponseWriter.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// sleeps records the waits asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// cache is the downloading side: a disk store and a Partial in it.
func cache(t *testing.T, f file) (*disk.Store, *disk.Partial) {
	t.Helper()
	st, err := disk.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Partial(t.Context(), f.want.SHA1, ".cab")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return st, p
}

func stored(t *testing.T, st *disk.Store, f file) {
	t.Helper()
	rc, err := st.Open(t.Context(), f.want.SHA1)
	if err != nil {
		t.Fatalf("downloaded file not stored: %v", err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, f.data) {
		t.Errorf("stored %d bytes that differ from the origin's", len(got))
	}
}

func TestGet(t *testing.T) {
	f := newFile(1)
	o, url := newOrigin(t, f)
	st, p := cache(t, f)
	var last int64
	d := &download.Downloader{Client: o.srv.Client(), Progress: func(done, total int64) {
		if total != size || done < last {
			t.Errorf("Progress(%d, %d) after %d", done, total, last)
		}
		last = done
	}}
	if err := d.Get(t.Context(), url, p, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	if last != size {
		t.Errorf("last progress = %d, want %d", last, size)
	}
	if h := o.headers(); len(h) != 1 || h[0].Get("Range") != "" || h[0].Get("User-Agent") != "Patchbay" {
		t.Errorf("requests = %v, want one plain GET", h)
	}
}

func TestGetResumesAfterDroppedConnections(t *testing.T) {
	f := newFile(2)
	o, url := newOrigin(t, f)
	o.dropAfter = 1200
	st, p := cache(t, f)
	var s sleeps
	d := &download.Downloader{Client: o.srv.Client(), Sleep: s.sleep, Retries: 1}
	if err := d.Get(t.Context(), url, p, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	h := o.headers()
	wantRanges := []string{"", "bytes=1200-", "bytes=2400-", "bytes=3600-", "bytes=4800-"}
	if len(h) != len(wantRanges) {
		t.Fatalf("%d requests, want %d", len(h), len(wantRanges))
	}
	for i, w := range wantRanges {
		if got := h[i].Get("Range"); got != w {
			t.Errorf("request %d Range = %q, want %q", i, got, w)
		}
		if i > 0 && h[i].Get("If-Range") != content.ETag(f.want.SHA1) {
			t.Errorf("request %d If-Range = %q, want the ETag", i, h[i].Get("If-Range"))
		}
	}
	if len(s.d) != 4 {
		t.Errorf("waited %v, want 4 waits", s.d)
	}
}

func TestGetResumesEarlierPartial(t *testing.T) {
	f := newFile(3)
	o, url := newOrigin(t, f)
	st, p := cache(t, f)
	p.Write(f.data[:2000])
	p.SetValidator(content.ETag(f.want.SHA1))
	p.Close() // an earlier run stopped here

	p2, err := st.Partial(t.Context(), f.want.SHA1, ".cab")
	if err != nil {
		t.Fatal(err)
	}
	if err := download.Get(t.Context(), o.srv.Client(), url, p2, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	if h := o.headers(); len(h) != 1 || h[0].Get("Range") != "bytes=2000-" {
		t.Errorf("requests = %v, want one for bytes=2000-", h)
	}
}

func TestGetStaleValidatorRestarts(t *testing.T) {
	f := newFile(4)
	o, url := newOrigin(t, f)
	st, p := cache(t, f)
	p.Write(bytes.Repeat([]byte{0xEE}, 3000)) // from another version of the URL
	p.SetValidator(`"809ce85db53add1:0"`)
	if err := download.Get(t.Context(), o.srv.Client(), url, p, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	if h := o.headers(); len(h) != 1 || h[0].Get("If-Range") != `"809ce85db53add1:0"` {
		t.Errorf("requests = %v, want one with the stale If-Range answered by 200", h)
	}
}

func TestGetAlreadyComplete(t *testing.T) {
	f := newFile(5)
	o, url := newOrigin(t, f)
	st, p := cache(t, f)
	p.Write(f.data)
	if err := download.Get(t.Context(), o.srv.Client(), url, p, content.Digests{SHA1: f.want.SHA1, Size: content.UnknownSize}); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	if h := o.headers(); len(h) != 1 || h[0].Get("Range") != "bytes=5000-" {
		t.Errorf("requests = %v, want one answered 416", h)
	}
}

func TestGetDigestMismatch(t *testing.T) {
	f := newFile(6)
	o, url := newOrigin(t, f)
	wrong := f.want
	wrong.SHA256 = bytes.Repeat([]byte{1}, 32)
	st, p := cache(t, f)
	err := download.Get(t.Context(), o.srv.Client(), url, p, wrong)
	if patchbay.ErrorCode(err) != patchbay.EInvalid || !strings.Contains(err.Error(), "sha256 expected 0101") {
		t.Fatalf("Get() = %v, want code %s naming the digests", err, patchbay.EInvalid)
	}
	if ok, _ := st.Has(t.Context(), f.want.SHA1); ok {
		t.Error("mismatching file was stored")
	}
	// The partial is gone: a new Partial starts from zero.
	p2, err := st.Partial(t.Context(), f.want.SHA1, ".cab")
	if err != nil {
		t.Fatalf("Partial() after mismatch = %v", err)
	}
	defer p2.Close()
	if p2.Offset() != 0 {
		t.Errorf("partial after mismatch holds %d bytes, want deleted", p2.Offset())
	}
}

func TestGetSizeMismatch(t *testing.T) {
	f := newFile(7)
	o, url := newOrigin(t, f)
	wrong := f.want
	wrong.Size = size + 1
	_, p := cache(t, f)
	err := download.Get(t.Context(), o.srv.Client(), url, p, wrong)
	if patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Fatalf("Get() = %v, want code %s", err, patchbay.EInvalid)
	}
}

func TestGetNotFound(t *testing.T) {
	f := newFile(8)
	o, url := newOrigin(t, f)
	_, p := cache(t, f)
	var s sleeps
	d := &download.Downloader{Client: o.srv.Client(), Sleep: s.sleep}
	err := d.Get(t.Context(), strings.Replace(url, ".cab", "", 1)+"0.cab", p, f.want)
	if patchbay.ErrorCode(err) != patchbay.ENotFound {
		t.Errorf("Get(unknown) = %v, want code %s", err, patchbay.ENotFound)
	}
	if len(o.headers()) != 1 || len(s.d) != 0 {
		t.Errorf("404 was retried: %d requests", len(o.headers()))
	}
}

func TestGetRetriesBusyServer(t *testing.T) {
	f := newFile(9)
	o, url := newOrigin(t, f)
	o.failures, o.failStatus, o.retryAfter = 2, http.StatusServiceUnavailable, "3"
	st, p := cache(t, f)
	var s sleeps
	d := &download.Downloader{Client: o.srv.Client(), Sleep: s.sleep}
	if err := d.Get(t.Context(), url, p, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	want := []time.Duration{3 * time.Second, 3 * time.Second}
	if len(s.d) != 2 || s.d[0] != want[0] || s.d[1] != want[1] {
		t.Errorf("waits = %v, want %v (Retry-After)", s.d, want)
	}
}

func TestGetGivesUp(t *testing.T) {
	f := newFile(10)
	o, url := newOrigin(t, f)
	o.failures, o.failStatus = 100, http.StatusInternalServerError
	_, p := cache(t, f)
	var s sleeps
	d := &download.Downloader{Client: o.srv.Client(), Sleep: s.sleep, Retries: 3, Backoff: time.Second, MaxBackoff: 5 * time.Second}
	err := d.Get(t.Context(), url, p, f.want)
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("Get() = %v, want the 500 after the retries", err)
	}
	if n := len(o.headers()); n != 4 {
		t.Errorf("%d requests, want 4 (1 + 3 retries)", n)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	if len(s.d) != 3 || s.d[0] != want[0] || s.d[1] != want[1] || s.d[2] != want[2] {
		t.Errorf("waits = %v, want %v", s.d, want)
	}
}

// TestGetRangeIgnoredDropped: a server that ignores Range and drops every
// answer at the same byte never gets further; Get must give up.
func TestGetRangeIgnoredDropped(t *testing.T) {
	f := newFile(14)
	o, url := newOrigin(t, f)
	o.dropAfter = 1200
	_, p := cache(t, f)
	var s sleeps
	ignoring := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Del("Range")
		return o.srv.Client().Transport.RoundTrip(r)
	})}
	d := &download.Downloader{Client: ignoring, Sleep: s.sleep, Retries: 2}
	if err := d.Get(t.Context(), url, p, f.want); err == nil {
		t.Fatal("Get() = nil, want an error")
	}
	if n := len(o.headers()); n != 3 {
		t.Errorf("%d requests, want 3 (one that got 1200 bytes, then 2 retries that got no further)", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGetCanceled(t *testing.T) {
	f := newFile(11)
	o, url := newOrigin(t, f)
	o.failures, o.failStatus = 100, http.StatusServiceUnavailable
	_, p := cache(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	d := &download.Downloader{Client: o.srv.Client(), Sleep: func(context.Context, time.Duration) error {
		cancel()
		return context.Canceled
	}}
	if err := d.Get(ctx, url, p, f.want); !errors.Is(err, context.Canceled) {
		t.Errorf("Get() = %v, want context.Canceled", err)
	}
}

func TestGetBadArguments(t *testing.T) {
	f := newFile(13)
	_, p := cache(t, f)
	err := download.Get(t.Context(), nil, "http://127.0.0.1:1/x", p, content.Digests{SHA1: f.want.SHA1[:4], Size: 1})
	if patchbay.ErrorCode(err) != patchbay.EInvalid {
		t.Errorf("Get(short digest) = %v, want code %s", err, patchbay.EInvalid)
	}
}

var _ download.PartialWriter = (*disk.Partial)(nil)
