package swarm

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay/internal/applicability"
	"patchbay/internal/soap"
)

// TestRun runs 5 clients for 2 cycles each against an in-process server
// and checks the server's view and the summary's arithmetic.
func TestRun(t *testing.T) {
	ts := newTestServer(t)
	const clients, cycles = 5, 2
	s, err := Run(t.Context(), Config{ServerURL: ts.URL, Clients: clients, Concurrency: 3, Cycles: cycles, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Cycles != clients*cycles || s.FailedCycles != 0 {
		t.Errorf("cycles = %d completed, %d failed (%v), want %d, 0", s.Cycles, s.FailedCycles, s.CycleErrors, clients*cycles)
	}
	if len(s.Errors) != 0 || s.Canceled != 0 {
		t.Errorf("errors = %v, canceled %d; want none", s.Errors, s.Canceled)
	}
	var sum, sent, received int64
	ops := map[string]OpStats{}
	for _, o := range s.Operations {
		ops[o.Name] = o
		sum += o.Count
		sent += o.BytesSent
		received += o.BytesReceived
		if o.Count > 0 && !(o.P50 <= o.P90 && o.P90 <= o.P99 && o.P99 <= o.Max && o.Max > 0) {
			t.Errorf("%s percentiles = %v %v %v %v, want ordered and > 0", o.Name, o.P50, o.P90, o.P99, o.Max)
		}
	}
	if sum != s.Ops || sent != s.BytesSent || received != s.BytesReceived {
		t.Errorf("sum of operations = %d ops, %d sent, %d received; summary says %d, %d, %d", sum, sent, received, s.Ops, s.BytesSent, s.BytesReceived)
	}
	if s.BytesSent == 0 || s.BytesReceived == 0 {
		t.Errorf("bytes = %d sent, %d received, want both > 0", s.BytesSent, s.BytesReceived)
	}
	for _, op := range []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "RegisterComputer", "SyncUpdates", "GetExtendedUpdateInfo", "ReportEventBatch", OpDownload} {
		if ops[op].Count == 0 {
			t.Errorf("operation %s: no calls; measured %v", op, s.Operations)
		}
	}
	// Each client registers once and syncs at least twice per cycle
	// (software then drivers, MS-WUSP §3.2.5).
	if n := ops["RegisterComputer"].Count; n != clients {
		t.Errorf("RegisterComputer calls = %d, want %d", n, clients)
	}
	if n := ops["SyncUpdates"].Count; n < 2*clients*cycles {
		t.Errorf("SyncUpdates calls = %d, want at least %d", n, 2*clients*cycles)
	}
	ts.StopSync()
	computers, err := ts.DB.Computers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(computers) != clients {
		t.Fatalf("server has %d computers, want %d", len(computers), clients)
	}
	for _, c := range computers {
		if !strings.HasPrefix(c.DNSName, "swarm-") || c.LastSync.IsZero() {
			t.Errorf("computer %s (%s): last sync %v, want a swarm client that synced", c.ID, c.DNSName, c.LastSync)
		}
	}
	total := 0
	for _, n := range s.Profiles {
		total += n
	}
	if total != clients || len(s.Profiles) != min(clients, len(applicability.BuiltinProfiles())) {
		t.Errorf("profiles = %v, want %d clients round-robin over the built-in profiles", s.Profiles, clients)
	}

	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil || back.Ops != s.Ops || len(back.Operations) != len(s.Operations) {
		t.Errorf("JSON round trip = %+v, %v; want the summary back", back, err)
	}
	var text bytes.Buffer
	if err := s.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ops/s", "SyncUpdates", "errors by code: none", "bytes: sent"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text summary lacks %q:\n%s", want, text.String())
		}
	}
}

// TestRunDuration checks that a run without a cycle limit ends with its
// duration and does not count the cycles it cut off as failures.
func TestRunDuration(t *testing.T) {
	ts := newTestServer(t)
	s, err := Run(t.Context(), Config{ServerURL: ts.URL, Clients: 2, Duration: 1500 * time.Millisecond, Seed: 7, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if s.FailedCycles != 0 || len(s.Errors) != 0 {
		t.Errorf("failed cycles = %d (%v), errors %v; want none", s.FailedCycles, s.CycleErrors, s.Errors)
	}
	if s.Ops == 0 {
		t.Error("no operations in 1.5s")
	}
}

// TestRunProfileDir draws the clients' profiles from a directory.
func TestRunProfileDir(t *testing.T) {
	ts := newTestServer(t)
	dir := t.TempDir()
	p, err := applicability.BuiltinProfile(applicability.BuiltinProfiles()[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(filepath.Join(dir, "lab.json")); err != nil {
		t.Fatal(err)
	}
	s, err := Run(t.Context(), Config{ServerURL: ts.URL, Clients: 2, Cycles: 1, ProfileDir: dir, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Profiles["lab"] != 2 || s.Cycles != 2 {
		t.Errorf("profiles = %v, cycles %d; want lab=2, 2", s.Profiles, s.Cycles)
	}
}

func TestRunInvalid(t *testing.T) {
	empty := t.TempDir()
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "x.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no server", Config{Clients: 1, Cycles: 1}},
		{"no clients", Config{ServerURL: "http://127.0.0.1:1", Cycles: 1}},
		{"negative concurrency", Config{ServerURL: "http://127.0.0.1:1", Clients: 1, Concurrency: -1, Cycles: 1}},
		{"bad server url", Config{ServerURL: "127.0.0.1:1", Clients: 1, Cycles: 1}},
		{"empty profile dir", Config{ServerURL: "http://127.0.0.1:1", Clients: 1, Cycles: 1, ProfileDir: empty}},
		{"bad profile", Config{ServerURL: "http://127.0.0.1:1", Clients: 1, Cycles: 1, ProfileDir: bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.TempDir = t.TempDir()
			if s, err := Run(t.Context(), tc.cfg); err == nil {
				t.Errorf("Run(%+v) = %+v, want an error", tc.cfg, s)
			}
		})
	}
}

// TestRunServerDown counts transport errors and failed cycles against a
// closed port, and stops at the duration although every cycle fails.
func TestRunServerDown(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	s, err := Run(t.Context(), Config{ServerURL: url, Clients: 2, Cycles: 1, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if s.FailedCycles != 2 || s.Cycles != 0 || s.Errors[ErrTransport] != s.Ops || s.Ops == 0 || s.CycleErrors[ErrTransport] != 2 {
		t.Errorf("summary = %d cycles, %d failed, %d ops, errors %v, cycle errors %v; want 0, 2, every op and cycle a transport error", s.Cycles, s.FailedCycles, s.Ops, s.Errors, s.CycleErrors)
	}
}

// TestMeter checks the operation names, fault classification and byte
// counts of the measuring transport.
func TestMeter(t *testing.T) {
	fault, err := soap.MarshalEnvelope(soap.V11, soap.NewFault(soap.CodeServer, "CookieExpired", "expired"))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet:
			w.Write(make([]byte, 1000))
		case strings.Contains(r.Header.Get("SOAPAction"), "SyncUpdates"):
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(fault)
		case strings.Contains(r.Header.Get("Content-Type"), "GetCookie"):
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte("<ok/>"))
		}
	}))
	t.Cleanup(hs.Close)
	m := newMeter(http.DefaultTransport)
	hc := &http.Client{Transport: m}
	do := func(method, header, value string, body string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, hs.URL+"/x", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			req.Header.Set(header, value)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	const ns = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/"
	do(http.MethodPost, "SOAPAction", `"`+ns+`GetConfig"`, "12345")
	do(http.MethodPost, "SOAPAction", `"`+ns+`SyncUpdates"`, "")
	do(http.MethodPost, "Content-Type", `application/soap+xml; charset=utf-8; action="`+ns+`GetCookie"`, "")
	do(http.MethodGet, "", "", "")
	s := m.summary(time.Second)
	got := map[string]OpStats{}
	for _, o := range s.Operations {
		got[o.Name] = o
	}
	if o := got["GetConfig"]; o.Count != 1 || o.Errors != 0 || o.BytesSent != 5 || o.BytesReceived != 5 {
		t.Errorf("GetConfig = %+v, want 1 call, no error, 5 bytes each way", o)
	}
	if o := got["SyncUpdates"]; o.Count != 1 || o.Errors != 1 || o.BytesReceived != int64(len(fault)) {
		t.Errorf("SyncUpdates = %+v, want 1 failed call of %d bytes", o, len(fault))
	}
	if o := got[OpDownload]; o.Count != 1 || o.BytesReceived != 1000 {
		t.Errorf("download = %+v, want 1 call of 1000 bytes", o)
	}
	want := map[string]int64{"CookieExpired": 1, "http 503": 1}
	if len(s.Errors) != len(want) || s.Errors["CookieExpired"] != 1 || s.Errors["http 503"] != 1 {
		t.Errorf("errors = %v, want %v", s.Errors, want)
	}
	if s.Ops != 4 || s.OpsPerSecond != 4 {
		t.Errorf("ops = %d, %v/s; want 4, 4", s.Ops, s.OpsPerSecond)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    int
		want float64
	}{{50, 50}, {90, 90}, {99, 99}, {100, 100}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("percentile(1..100ms, %d) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %v, want 0", got)
	}
	if got := percentile(d[:1], 99); got != 1 {
		t.Errorf("percentile(1ms, 99) = %v, want 1", got)
	}
}
