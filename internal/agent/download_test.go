package agent

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay/internal/agent/agenttest"
)

// contentFaults wraps the content handler: the first GET of each file
// without a Range header is cut after half its body (a dropped connection)
// when drop is set; every body is corrupted when corrupt is set.
type contentFaults struct {
	drop, corrupt bool
	mu            sync.Mutex
	seen          map[string]bool
	ranges        int
}

func (c *contentFaults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/Content/") {
			next.ServeHTTP(w, r)
			return
		}
		c.mu.Lock()
		first := !c.seen[r.URL.Path]
		if c.seen == nil {
			c.seen = map[string]bool{}
		}
		c.seen[r.URL.Path] = true
		if r.Header.Get("Range") != "" {
			c.ranges++
		}
		c.mu.Unlock()
		if !(c.drop && first && r.Header.Get("Range") == "") && !c.corrupt {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if c.corrupt && len(body) > 0 {
			body = append([]byte(nil), body...)
			body[len(body)/2] ^= 0xff
		}
		if !(c.drop && first) {
			w.WriteHeader(rec.Code)
			w.Write(body)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drop the connection mid-body
	})
}

// TestDownloadResume drops every file's first transfer half-way: the
// downloader resumes with Range and the files verify.
func TestDownloadResume(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	cf := &contentFaults{drop: true}
	ts.SetWrap(cf.wrap)
	var progress sync.Map
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), func(c *Config) {
		c.ParallelDownloads = 3
		c.Progress = func(file string, done, total int64) { progress.Store(file, done) }
	})
	scanned(t, a)
	res, err := a.Download(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != "" {
			t.Errorf("download %s: %s", r.UpdateID, r.Err)
		}
	}
	cf.mu.Lock()
	files, ranges := len(cf.seen), cf.ranges
	cf.mu.Unlock()
	if files == 0 || ranges < files {
		t.Errorf("%d files, %d ranged requests: want every file resumed", files, ranges)
	}
	n := 0
	progress.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Error("no progress reported")
	}
	// A second Download finds everything in the cache: no transfer, no events.
	pending := a.Pending()
	again, err := a.Download(t.Context())
	if err != nil || len(again) != len(res) || a.Pending() != pending {
		t.Errorf("second Download = %d results, %v; %d events queued", len(again), err, a.Pending()-pending)
	}
	if _, err := a.Install(t.Context(), InstallOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestDownloadHashMismatch serves corrupted content: the files are
// rejected, nothing stays in the cache, and event 161 is queued with
// WU_E_DM_INCORRECTFILEHASH (MS-WSUSOD §2.7.1.3).
func TestDownloadHashMismatch(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	ts.SetWrap((&contentFaults{corrupt: true}).wrap)
	dir := t.TempDir()
	a, _ := newTestAgent(t, ts.URL, dir, nil)
	scanned(t, a)
	res, err := a.Download(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatal("nothing to download")
	}
	for _, r := range res {
		if r.Err == "" {
			t.Errorf("download %s succeeded with corrupted content", r.UpdateID)
		}
	}
	left, _ := os.ReadDir(filepath.Join(dir, "downloads"))
	for _, e := range left {
		t.Errorf("left in the cache: %s", e.Name())
	}
	a.mu.Lock()
	failed := 0
	for _, e := range a.st.Pending {
		if e.EventID == EventDownloadFailed && e.HResult == hrFileHash {
			failed++
		}
	}
	a.mu.Unlock()
	if failed != len(res) {
		t.Errorf("%d 161 events with 0x80246002, want %d", failed, len(res))
	}
	inst, err := a.Install(t.Context(), InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range inst {
		if r.Succeeded {
			t.Errorf("installed %s without its files", r.UpdateID)
		}
	}
}

// TestBandwidthLimit checks that the limit is applied to the transfers: the
// waits the token bucket asks for add up to the bytes over the rate (the
// clock is not involved; the waits are recorded, not slept).
func TestBandwidthLimit(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	var mu sync.Mutex
	var waited time.Duration
	const rate = 1024
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), func(c *Config) {
		c.BandwidthLimit = rate
		c.ParallelDownloads = 1
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waited += d
			mu.Unlock()
			return ctx.Err()
		}
	})
	scanned(t, a)
	res, err := a.Download(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, r := range res {
		if r.Err != "" {
			t.Fatalf("download %s: %s", r.UpdateID, r.Err)
		}
		total += r.Bytes
	}
	// The bucket starts full (burst = rate); every further byte costs 1/rate s.
	want := time.Duration(float64(total-rate) / rate * float64(time.Second))
	mu.Lock()
	defer mu.Unlock()
	if total <= rate || waited < want*9/10 {
		t.Errorf("%d bytes at %d B/s: waited %v, want at least %v", total, rate, waited, want*9/10)
	}
}
