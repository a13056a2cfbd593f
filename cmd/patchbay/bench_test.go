package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"patchbay"
	"patchbay/internal/refcatalog"
)

// benchServer is the reference-catalog server of the benchmarks: 20,000
// revisions (PATCHBAY_BENCH_REVISIONS overrides) with the catalog's 3,000
// approvals, built once per benchmark binary.
var benchServer = sync.OnceValues(func() (*Main, error) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("PATCHBAY_BENCH_REVISIONS")); err == nil && v > 0 {
		n = v
	}
	root, err := os.MkdirTemp("", "patchbay-bench-")
	if err != nil {
		return nil, err
	}
	ref, data := filepath.Join(root, "ref"), filepath.Join(root, "data")
	if _, err := refcatalog.Generate(ref, refcatalog.Options{Revisions: n, Seed: 1}); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"import", "--quiet", "--data", data, ref}, noEnv, &out, &out); code != 0 {
		return nil, fmt.Errorf("import: %s", out.String())
	}
	m := NewMain()
	m.Config.Addr, m.Config.DataDir = "127.0.0.1:0", data
	if err := m.Run(context.Background()); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(ref, "approvals.json"))
	if err != nil {
		return nil, err
	}
	var approvals []refcatalog.Approval
	if err := json.Unmarshal(b, &approvals); err != nil {
		return nil, err
	}
	for _, a := range approvals {
		if err := m.DB.Approve(context.Background(), patchbay.Approval{UpdateID: a.UpdateID, RevisionNumber: a.RevisionNumber,
			GroupID: patchbay.AllComputersGroupID, Action: patchbay.ActionInstall}); err != nil {
			return nil, err
		}
	}
	if _, err := m.Catalog.Refresh(context.Background(), false); err != nil {
		return nil, err
	}
	return m, nil
})

// capture records the SOAP requests a client sends, to replay them
// straight into the server's handler.
type capture struct {
	mu   sync.Mutex
	reqs []capturedRequest
}

type capturedRequest struct {
	action string
	body   []byte
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	c.reqs = append(c.reqs, capturedRequest{r.Header.Get("SOAPAction"), body})
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// recordScan runs a first scan of a fresh client over loopback and returns
// the SyncUpdates requests it sent, in order.
func recordScan(b *testing.B, m *Main) (*scanClient, []capturedRequest) {
	t := &testing.T{}
	sc := newScanClient(t, m.URL(), nil)
	capt := &capture{}
	if err := sc.handshake(b.Context()); err != nil {
		b.Fatal(err)
	}
	if err := sc.register(b.Context()); err != nil {
		b.Fatal(err)
	}
	sc.c.ClientService.HTTP = &http.Client{Transport: capt}
	if _, err := sc.sync(b.Context()); err != nil {
		b.Fatal(err)
	}
	var syncs []capturedRequest
	for _, r := range capt.reqs {
		if strings.HasSuffix(strings.Trim(r.action, `"`), "/SyncUpdates") {
			syncs = append(syncs, r)
		}
	}
	return sc, syncs
}

// serve runs one request through the server's client web service handler,
// in process: what the benchmark measures is the server's work.
func serve(b *testing.B, h http.Handler, r capturedRequest) int {
	req := httptest.NewRequest("POST", "/ClientWebService/client.asmx", bytes.NewReader(r.body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", r.action)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("status %d: %.300s", w.Code, w.Body.String())
	}
	return w.Body.Len()
}

// BenchmarkFirstScan is one client's complete first software pass (every
// SyncUpdates round) on the reference catalog: ns/op is server CPU per scan.
func BenchmarkFirstScan(b *testing.B) {
	m, err := benchServer()
	if err != nil {
		b.Fatal(err)
	}
	sc, rounds := recordScan(b, m)
	b.ReportMetric(float64(len(rounds)), "rounds/scan")
	b.ReportMetric(float64(len(sc.cache)), "revisions/scan")
	h := withBaseURL(m.wusp.Client)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rounds {
			serve(b, h, r)
		}
	}
}

// BenchmarkDifferentialSync is a later scan of a client that holds the
// whole catalog: one SyncUpdates call with nothing new. It runs in
// parallel (GOMAXPROCS goroutines) so ops/s is the server's rate; the bare
// sub-benchmark is a plain net/http handler that reads the same request and
// writes a response of the same size, the floor the ratio is taken against.
func BenchmarkDifferentialSync(b *testing.B) {
	m, err := benchServer()
	if err != nil {
		b.Fatal(err)
	}
	sc, _ := recordScan(b, m)
	capt := &capture{}
	sc.c.ClientService.HTTP = &http.Client{Transport: capt}
	res, err := sc.sync(b.Context())
	if err != nil || len(res.added) != 0 {
		b.Fatalf("differential scan: %d new, %v", len(res.added), err)
	}
	diff := capt.reqs[len(capt.reqs)-1]
	h := withBaseURL(m.wusp.Client)
	size := serve(b, h, diff)
	b.Run("patchbay", func(b *testing.B) {
		b.SetBytes(int64(len(diff.body)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b, h, diff)
			}
		})
	})
	response := bytes.Repeat([]byte("x"), size)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(response)
	})
	b.Run("bare", func(b *testing.B) {
		b.SetBytes(int64(len(diff.body)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				serve(b, bare, diff)
			}
		})
	})
}
