package agent

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent/agenttest"
	"patchbay/internal/clientsync"
	"patchbay/internal/wusp"
)

// opLog records the SOAP operations clients call, in order, and can
// answer the next calls of an operation with a fault instead of passing
// them on.
type opLog struct {
	mu     sync.Mutex
	ops    []string
	inject map[string][]string // operation → ErrorCodes to answer, in order
}

func (l *opLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := strings.Trim(r.Header.Get("SOAPAction"), `"`)
		op := action[strings.LastIndexByte(action, '/')+1:]
		if op == "" {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		l.ops = append(l.ops, op)
		var fault string
		if q := l.inject[op]; len(q) > 0 {
			fault, l.inject[op] = q[0], q[1:]
		}
		l.mu.Unlock()
		if fault != "" {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>Fault occurred</faultstring><detail><ErrorCode>%s</ErrorCode><Message /><ID>00000000-0000-0000-0000-000000000001</ID><Method>"%s"</Method></detail></s:Fault></s:Body></s:Envelope>`, fault, action)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// take returns the operations recorded since the last take.
func (l *opLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.ops
	l.ops = nil
	return out
}

func (l *opLog) injectFaults(op string, codes ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inject == nil {
		l.inject = map[string][]string{}
	}
	l.inject[op] = append(l.inject[op], codes...)
}

func count(ops []string, op string) int {
	n := 0
	for _, o := range ops {
		if o == op {
			n++
		}
	}
	return n
}

// scanned runs a scan and returns the needed update ids.
func scanned(t *testing.T, a *Agent) []string {
	t.Helper()
	res, err := a.Scan(t.Context())
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	got := ids(res.Needed())
	if len(got) == 0 {
		t.Fatal("Scan found nothing needed")
	}
	return got
}

// TestHandshakeCaching checks the optimisations of MS-WUSP §3.2.5: the
// first scan runs the whole handshake, the second starts with SyncUpdates.
func TestHandshakeCaching(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	log := &opLog{}
	ts.SetWrap(log.wrap)
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	scanned(t, a)
	first := log.take()
	want := []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "RegisterComputer", "SyncUpdates"}
	if len(first) < len(want) || !slices.Equal(first[:len(want)], want) {
		t.Fatalf("first scan calls %v, want a start of %v", first, want)
	}
	if count(first, "GetExtendedUpdateInfo") == 0 {
		t.Errorf("first scan made no GetExtendedUpdateInfo call: %v", first)
	}
	scanned(t, a)
	second := log.take()
	if second[0] != "SyncUpdates" || count(second, "GetConfig")+count(second, "GetCookie")+count(second, "RegisterComputer") != 0 {
		t.Errorf("second scan calls %v, want SyncUpdates first and no handshake", second)
	}
}

// TestCookieExpiredByServerClock moves the server's clock past the cookie's
// sealed expiry: the agent's clear-text Expiration still looks valid, the
// server answers CookieExpired, and the agent renews both cookies (MS-WUSP
// §2.2.2.4) without GetConfig.
func TestCookieExpiredByServerClock(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	log := &opLog{}
	ts.SetWrap(log.wrap)
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	want := scanned(t, a)
	log.take()
	ts.Advance(2 * time.Hour)
	if got := scanned(t, a); !slices.Equal(got, want) {
		t.Errorf("after renewal needed %v, want %v", got, want)
	}
	ops := log.take()
	if count(ops, "GetAuthorizationCookie") != 1 || count(ops, "GetCookie") != 1 || count(ops, "GetConfig") != 0 {
		t.Errorf("recovery calls %v, want one GetAuthorizationCookie and GetCookie, no GetConfig", ops)
	}
}

// TestFaultRecovery injects each fault of MS-WUSP §2.2.2.4 into a later
// scan's first SyncUpdates and checks the recovery sequence of
// protocol-wusp.md §3.3.
func TestFaultRecovery(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	log := &opLog{}
	ts.SetWrap(log.wrap)
	a, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	want := scanned(t, a)
	tests := []struct {
		fault string
		calls []string // operations that must follow the fault, in order
		none  []string // operations that must not be called
	}{
		{wusp.ErrorCookieExpired, []string{"GetAuthorizationCookie", "GetCookie", "SyncUpdates"}, []string{"GetConfig", "RefreshCache"}},
		{wusp.ErrorConfigChanged, []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "SyncUpdates"}, []string{"RefreshCache"}},
		{wusp.ErrorInvalidCookie, []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "RefreshCache", "SyncUpdates"}, nil},
		{wusp.ErrorServerChanged, []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "RefreshCache", "SyncUpdates"}, nil},
		{wusp.ErrorRegistrationRequired, []string{"RegisterComputer", "SyncUpdates"}, []string{"GetConfig"}},
		{wusp.ErrorFileLocationChanged, []string{"GetFileLocations", "SyncUpdates"}, []string{"GetConfig", "GetCookie"}},
		{wusp.ErrorServerBusy, []string{"SyncUpdates"}, []string{"GetConfig", "GetCookie"}},
		{wusp.ErrorInternalServerError, []string{"SyncUpdates"}, []string{"GetConfig", "GetCookie"}},
	}
	for _, tc := range tests {
		t.Run(tc.fault, func(t *testing.T) {
			log.take()
			log.injectFaults("SyncUpdates", tc.fault)
			if got := scanned(t, a); !slices.Equal(got, want) {
				t.Errorf("after %s needed %v, want %v", tc.fault, got, want)
			}
			ops := log.take()
			if ops[0] != "SyncUpdates" {
				t.Fatalf("calls %v do not start with the faulted SyncUpdates", ops)
			}
			if got := ops[1 : 1+min(len(tc.calls), len(ops)-1)]; !slices.Equal(got, tc.calls) {
				t.Errorf("after %s: calls %v, want %v", tc.fault, ops, tc.calls)
			}
			for _, op := range tc.none {
				if count(ops, op) > 0 {
					t.Errorf("after %s: %s was called: %v", tc.fault, op, ops)
				}
			}
		})
	}
	t.Run("persistent ServerBusy gives up", func(t *testing.T) {
		log.injectFaults("SyncUpdates", slices.Repeat([]string{wusp.ErrorServerBusy}, maxBusyRetry+1)...)
		if _, err := a.Scan(t.Context()); err == nil || !strings.Contains(err.Error(), "ServerBusy") {
			t.Fatalf("Scan = %v, want a ServerBusy error", err)
		}
		if st := a.Status(); !strings.Contains(st.LastScanError, "ServerBusy") {
			t.Errorf("LastScanError = %q", st.LastScanError)
		}
		a.mu.Lock()
		last := a.st.Pending[len(a.st.Pending)-1]
		a.mu.Unlock()
		if last.EventID != EventDetectionFailed {
			t.Errorf("last queued event %d, want 148", last.EventID)
		}
		log.injectFaults("SyncUpdates") // drained
	})
}

// TestCorruptedState damages the state file: Open moves it aside, starts
// from an empty state and the next scan resynchronises (MS-WSUSOD
// §2.7.1.2).
func TestCorruptedState(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t)
	ts.ApproveAll()
	dir := t.TempDir()
	a, _ := newTestAgent(t, ts.URL, dir, nil)
	want := scanned(t, a)
	path := filepath.Join(dir, StateFile)
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		sameID bool
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, false},
		{"edited", func(b []byte) []byte { return []byte(strings.Replace(string(b), `"isLeaf":true`, `"isLeaf":false`, 1)) }, true},
		{"garbage", func([]byte) []byte { return []byte("\x00\x01not json") }, false},
	}
	for _, tc := range tests {
		id := a.ClientID()
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			a2, _ := newTestAgent(t, ts.URL, dir, nil)
			if !a2.Corrupted {
				t.Fatal("Open did not notice the corruption")
			}
			if tc.sameID && a2.ClientID() != id {
				t.Errorf("client id %s, want the legible %s kept", a2.ClientID(), id)
			}
			if st := a2.Status(); st.CachedRevisions != 0 || st.LastScan.IsZero() == false {
				t.Errorf("reset state holds %d revisions, last scan %v", st.CachedRevisions, st.LastScan)
			}
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) == 0 {
				t.Error("corrupted file not kept aside")
			}
			for _, f := range aside {
				os.Remove(f)
			}
			if got := scanned(t, a2); !slices.Equal(got, want) {
				t.Errorf("after reset needed %v, want %v", got, want)
			}
			a = a2
		})
	}
}

// TestServerChange points the agent at a fresh server: the old server's
// state is purged, the cache is re-mapped with RefreshCache, and the scan
// gives the same answer (MS-WSUSOD §3.6).
func TestServerChange(t *testing.T) {
	t.Parallel()
	old := agenttest.New(t)
	old.ApproveAll()
	dir := t.TempDir()
	a, _ := newTestAgent(t, old.URL, dir, nil)
	want := scanned(t, a)
	fresh := agenttest.New(t)
	fresh.ApproveAll()
	log := &opLog{}
	fresh.SetWrap(log.wrap)
	b, _ := newTestAgent(t, fresh.URL, dir, nil)
	if got := scanned(t, b); !slices.Equal(got, want) {
		t.Errorf("on the new server needed %v, want %v", got, want)
	}
	ops := log.take()
	wantOps := []string{"GetConfig", "GetAuthorizationCookie", "GetCookie", "RegisterComputer", "RefreshCache", "SyncUpdates"}
	if len(ops) < len(wantOps) || !slices.Equal(ops[:len(wantOps)], wantOps) {
		t.Errorf("calls %v, want a start of %v", ops, wantOps)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.st.Servers[old.URL]; ok || len(b.st.Servers) != 1 {
		t.Errorf("old server's state kept: %v", keys(b.st.Servers))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestClientSideTargeting: with client-side targeting on the server, the
// agent's TargetGroups decide which approvals reach it (MS-WUSP §3.2.1
// TargetGroup policy; GetAuthorizationCookie targetGroupName).
func TestClientSideTargeting(t *testing.T) {
	t.Parallel()
	ts := agenttest.New(t, func(c *clientsync.Config) { c.ClientSideTargeting = true })
	g, err := ts.DB.CreateGroup(t.Context(), patchbay.TargetGroup{Name: "Pilot"})
	if err != nil {
		t.Fatal(err)
	}
	ts.ApproveAllFor(g.ID)
	dir := t.TempDir()
	pilot, _ := newTestAgent(t, ts.URL, dir, func(c *Config) { c.TargetGroups = []string{"Pilot"} })
	want := scanned(t, pilot)
	other, _ := newTestAgent(t, ts.URL, t.TempDir(), nil)
	res, err := other.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Needed()); n != 0 {
		t.Errorf("a computer outside Pilot needs %d updates approved for Pilot", n)
	}
	// Moving to another group (the server keeps the last claim when none
	// is sent, so the policy names the new one): new cookies, and the
	// Pilot approvals no longer apply.
	if _, err := ts.DB.CreateGroup(t.Context(), patchbay.TargetGroup{Name: "Ring 2"}); err != nil {
		t.Fatal(err)
	}
	ts.Publish()
	left, _ := newTestAgent(t, ts.URL, dir, func(c *Config) { c.TargetGroups = []string{"Ring 2"} })
	res, err = left.Scan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Needed()); n != 0 {
		t.Errorf("after moving to Ring 2, %d of %d updates still needed", n, len(want))
	}
}
