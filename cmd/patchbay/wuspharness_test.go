package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/refcatalog"
	"patchbay/internal/wusp"
	"patchbay/internal/xpress"
)

// refCatalog generates a small reference catalog once per test binary.
var refCatalog = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "patchbay-refcat-")
	if err != nil {
		return "", err
	}
	_, err = refcatalog.Generate(dir, refcatalog.Options{Revisions: 400, Seed: 7, WithContent: true, ContentBytes: 2048})
	return dir, err
})

// startWithCatalog starts a server whose data dir holds the imported
// reference catalog, configured by cfg (Addr and DataDir are set here).
func startWithCatalog(t *testing.T, cfg func(*Config)) (*Main, []refcatalog.Approval) {
	t.Helper()
	ref, err := refCatalog()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"import", "--quiet", "--data", data, ref}, noEnv, &out, &out); code != 0 {
		t.Fatalf("import: %s", out.String())
	}
	m := NewMain()
	m.Config.Addr, m.Config.DataDir = "127.0.0.1:0", data
	if cfg != nil {
		cfg(&m.Config)
	}
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	b, err := os.ReadFile(filepath.Join(ref, "approvals.json"))
	if err != nil {
		t.Fatal(err)
	}
	var approvals []refcatalog.Approval
	if err := json.Unmarshal(b, &approvals); err != nil {
		t.Fatal(err)
	}
	return m, approvals
}

// approve approves the latest revisions of updates for All Computers and
// publishes the catalog.
func approve(t *testing.T, m *Main, action patchbay.Action, deadline time.Time, ids ...string) {
	t.Helper()
	cat := m.Catalog.Load()
	for _, id := range ids {
		rid, ok := cat.RevisionID(id)
		if !ok {
			t.Fatalf("update %s is not in the catalog", id)
		}
		rev, _, _ := cat.Revision(rid)
		if err := m.DB.Approve(t.Context(), patchbay.Approval{UpdateID: id, RevisionNumber: rev.RevisionNumber, GroupID: patchbay.AllComputersGroupID, Action: action, Deadline: deadline}); err != nil {
			t.Fatalf("approve %s: %v", id, err)
		}
	}
	if _, err := m.Catalog.Refresh(t.Context(), false); err != nil {
		t.Fatal(err)
	}
}

// recorder keeps every SOAP response body a client received, decoded, for
// schema validation.
type recorder struct {
	mu     sync.Mutex
	bodies map[string][]byte // by "operation #n"
	next   http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || resp.StatusCode == http.StatusPartialContent || !strings.Contains(resp.Header.Get("Content-Type"), "xml") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	plain := body
	if resp.Header.Get("Content-Encoding") == "xpress" {
		if plain, err = xpress.DecodeBody(body, 64<<20); err != nil {
			return nil, fmt.Errorf("decode xpress: %w", err)
		}
	}
	r.mu.Lock()
	if r.bodies == nil {
		r.bodies = map[string][]byte{}
	}
	r.bodies[fmt.Sprintf("%s #%d", req.Header.Get("SOAPAction"), len(r.bodies))] = plain
	r.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// scanClient plays a Windows Update Agent: the handshake and the
// SyncUpdates loop of MS-WUSP §3.2.5 (protocol-wusp.md §5.2), treating
// every non-leaf revision as installed so that everything in scope arrives.
type scanClient struct {
	t          *testing.T
	c          *wusp.Client
	id, dns    string
	group      string
	lastChange wusp.DateTime
	auth       wusp.AuthorizationCookie
	cookie     *wusp.Cookie
	cache      map[int32]wusp.UpdateInfo
	rounds     int
}

func newScanClient(t *testing.T, baseURL string, rec *recorder) *scanClient {
	hc := &http.Client{Transport: http.DefaultTransport}
	if rec != nil {
		rec.next = http.DefaultTransport
		hc.Transport = rec
	}
	return &scanClient{t: t, c: wusp.NewClient(baseURL, hc), id: newGUID(), dns: "pc-" + newGUID()[:8] + ".example.test", cache: map[int32]wusp.UpdateInfo{}}
}

func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// handshake runs GetConfig, GetAuthorizationCookie and GetCookie (passing
// the old cookie when there is one), as after InvalidCookie (§2.2.2.4).
func (sc *scanClient) handshake(ctx context.Context) error {
	cfg, err := sc.c.GetConfig(ctx, &wusp.GetConfig{ProtocolVersion: "1.8"})
	if err != nil {
		return fmt.Errorf("GetConfig: %w", err)
	}
	sc.lastChange = cfg.GetConfigResult.LastChange
	if err := sc.c.SetSimpleAuthURL(cfg.GetConfigResult.AuthInfo[0].ServiceUrl); err != nil {
		return err
	}
	return sc.renew(ctx)
}

// renew runs GetAuthorizationCookie and GetCookie, as after CookieExpired.
func (sc *scanClient) renew(ctx context.Context) error {
	a, err := sc.c.GetAuthorizationCookie(ctx, &wusp.GetAuthorizationCookie{ClientID: sc.id, DnsName: sc.dns, TargetGroupName: sc.group})
	if err != nil {
		return fmt.Errorf("GetAuthorizationCookie: %w", err)
	}
	sc.auth = *a.GetAuthorizationCookieResult
	old := sc.cookie
	if old == nil {
		// WUA's first GetCookie carries an Expiration-only oldCookie (trap 13).
		old = &wusp.Cookie{Expiration: wusp.DateTime{Time: time.Now().UTC()}}
	}
	c, err := sc.c.GetCookie(ctx, &wusp.GetCookie{
		AuthCookies: wusp.List[wusp.AuthorizationCookie]{sc.auth}, OldCookie: old,
		LastChange: sc.lastChange, CurrentTime: wusp.DateTime{Time: time.Now().UTC()}, ProtocolVersion: "1.8",
	})
	if err != nil {
		return fmt.Errorf("GetCookie: %w", err)
	}
	sc.cookie = c.GetCookieResult
	return nil
}

func (sc *scanClient) register(ctx context.Context) error {
	_, err := sc.c.RegisterComputer(ctx, &wusp.RegisterComputer{Cookie: sc.cookie, ComputerInfo: &wusp.ComputerInfo{
		DnsName: sc.dns, OSMajorVersion: 10, OSMinorVersion: 0, OSBuildNumber: 26200, OSLocale: "en-US",
		ComputerManufacturer: "QEMU", ComputerModel: "Standard PC", BiosVersion: "1.0", BiosName: "EDK II",
		ProcessorArchitecture: "AMD64", SuiteMask: 256, NewProductType: 48,
		ClientVersionMajorNumber: 1507, ClientVersionMinorNumber: 2601, ClientVersionBuildNumber: 30012,
		OSDescription: "Windows 11 Pro",
	}})
	return err
}

// syncResult sums up one software pass.
type syncResult struct {
	rounds     int
	added      []wusp.UpdateInfo
	changed    []wusp.UpdateInfo
	outOfScope []int32
	pageSizes  []int
}

// sync runs the software pass: call again while Truncated or while the
// answer held a non-leaf revision (§2.2.2.2.4, protocol-wusp.md §5.2).
func (sc *scanClient) sync(ctx context.Context) (syncResult, error) {
	var res syncResult
	for range 2000 {
		var installed, other wusp.Ints
		for id, u := range sc.cache {
			if u.IsLeaf {
				other = append(other, id)
			} else {
				installed = append(installed, id)
			}
		}
		slices.Sort(installed)
		slices.Sort(other)
		r, err := sc.c.SyncUpdates(ctx, &wusp.SyncUpdates{Cookie: sc.cookie, Parameters: &wusp.SyncUpdateParameters{
			InstalledNonLeafUpdateIDs: installed, OtherCachedUpdateIDs: other,
		}})
		if err != nil {
			return res, err
		}
		info := r.SyncUpdatesResult
		res.rounds++
		sc.rounds++
		sc.cookie = info.NewCookie
		res.pageSizes = append(res.pageSizes, len(info.NewUpdates))
		nonLeaf := false
		for _, u := range info.NewUpdates {
			sc.cache[u.ID] = u
			res.added = append(res.added, u)
			nonLeaf = nonLeaf || !u.IsLeaf
		}
		for _, u := range info.ChangedUpdates {
			cur := sc.cache[u.ID]
			cur.Deployment, cur.IsLeaf = u.Deployment, u.IsLeaf
			sc.cache[u.ID] = cur
			res.changed = append(res.changed, u)
		}
		for _, id := range info.OutOfScopeRevisionIDs {
			delete(sc.cache, id)
			res.outOfScope = append(res.outOfScope, id)
		}
		if !info.Truncated && !nonLeaf {
			return res, nil
		}
	}
	return res, fmt.Errorf("software pass did not finish")
}

// fullScan is a first scan: handshake, registration, software pass.
func (sc *scanClient) fullScan(ctx context.Context) syncResult {
	sc.t.Helper()
	if err := sc.handshake(ctx); err != nil {
		sc.t.Fatal(err)
	}
	if err := sc.register(ctx); err != nil {
		sc.t.Fatal(err)
	}
	res, err := sc.sync(ctx)
	if err != nil {
		sc.t.Fatal(err)
	}
	return res
}

// byUpdate finds the cached revision of an update by the UpdateID in its
// Core fragment.
func (sc *scanClient) byUpdate(updateID string) (wusp.UpdateInfo, bool) {
	needle := []byte(`updateid="` + strings.ToLower(updateID) + `"`)
	for _, u := range sc.cache {
		if bytes.Contains(bytes.ToLower(u.Xml[:min(len(u.Xml), 120)]), needle) {
			return u, true
		}
	}
	return wusp.UpdateInfo{}, false
}

// bundleApprovals picks n approvable bundles (software updates with
// bundled leaves) from approvals.json: drivers come through the driver
// pass and are tested there.
func bundleApprovals(t *testing.T, m *Main, approvals []refcatalog.Approval, n int) []string {
	t.Helper()
	cat := m.Catalog.Load()
	var ids []string
	for _, a := range approvals {
		id, ok := cat.RevisionID(a.UpdateID)
		if !ok {
			continue
		}
		if info, _ := cat.Lookup(id); info.Type == patchbay.TypeSoftware && len(info.Bundled) > 0 {
			ids = append(ids, a.UpdateID)
		}
		if len(ids) == n {
			return ids
		}
	}
	t.Fatalf("only %d bundles among the approvals", len(ids))
	return nil
}

func unmarshalXML(b []byte, v any) error { return xml.Unmarshal(b, v) }
