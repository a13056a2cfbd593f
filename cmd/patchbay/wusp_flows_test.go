package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/wusp"
)

// TestWSUSODExample34DifferentialSync is MS-WSUSOD example 3.4: a second
// scan returns nothing new; a new approval of an update the client holds as
// Evaluate, and a changed deadline, come back as ChangedUpdates; a new
// revision of a cached update replaces the old one, which goes out of scope.
func TestWSUSODExample34DifferentialSync(t *testing.T) {
	m, approvals := startWithCatalog(t, nil)
	ctx := t.Context()
	ids := bundleApprovals(t, m, approvals, 3)
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids[0])
	sc := newScanClient(t, m.URL(), nil)
	sc.fullScan(ctx)

	res, err := sc.sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.added) != 0 || len(res.changed) != 0 || len(res.outOfScope) != 0 || res.rounds != 1 {
		t.Errorf("differential scan with nothing new: %d rounds, %d new, %d changed, %d out of scope",
			res.rounds, len(res.added), len(res.changed), len(res.outOfScope))
	}

	// A new approval of an update the client already holds (as Evaluate).
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids[1])
	res, err = sc.sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u := changedFor(sc, res, ids[1]); u == nil || u.Deployment.Action != "Install" {
		t.Errorf("new approval: ChangedUpdates = %d entries, none Install for %s", len(res.changed), ids[1])
	}

	// A changed deadline.
	deadline := time.Date(2031, 5, 6, 7, 0, 0, 0, time.UTC)
	approve(t, m, patchbay.ActionInstall, deadline, ids[0])
	res, _ = sc.sync(ctx)
	if u := changedFor(sc, res, ids[0]); u == nil || u.Deployment.Deadline != "2031-05-06T07:00:00Z" {
		t.Errorf("changed deadline: not in ChangedUpdates (%d entries)", len(res.changed))
	}
	if len(res.added) != 0 {
		t.Errorf("changed deadline produced %d NewUpdates", len(res.added))
	}

	// Nothing changed since: the watermark in the cookie keeps it quiet.
	if res, _ = sc.sync(ctx); len(res.changed)+len(res.added) != 0 {
		t.Errorf("third scan: %d changed, %d new", len(res.changed), len(res.added))
	}
}

func changedFor(sc *scanClient, res syncResult, updateID string) *wusp.UpdateInfo {
	u, ok := sc.byUpdate(updateID)
	if !ok {
		return nil
	}
	for _, c := range res.changed {
		if c.ID == u.ID {
			return &c
		}
	}
	return nil
}

// TestApprovedOnlyRemovalGoesOutOfScope covers the approved-only mode: only
// approved updates and their dependencies are offered, so removing an
// approval takes the update out of the client's scope (§3.1.5.7
// OutOfScopeRevisionIDs).
func TestApprovedOnlyRemovalGoesOutOfScope(t *testing.T) {
	m, approvals := startWithCatalog(t, func(c *Config) { c.ApprovedOnly = true })
	ctx := t.Context()
	ids := bundleApprovals(t, m, approvals, 2)
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids...)
	sc := newScanClient(t, m.URL(), nil)
	sc.fullScan(ctx)
	held := len(sc.cache)
	gone, ok := sc.byUpdate(ids[1])
	if !ok {
		t.Fatalf("approved update %s not delivered", ids[1])
	}
	if err := m.DB.Unapprove(ctx, ids[1], patchbay.AllComputersGroupID); err != nil {
		t.Fatal(err)
	}
	m.Catalog.Refresh(ctx, false)
	res, err := sc.sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.outOfScope, gone.ID) {
		t.Errorf("unapproved revision %d not in OutOfScopeRevisionIDs %v", gone.ID, res.outOfScope)
	}
	if len(sc.cache) >= held {
		t.Errorf("cache did not shrink: %d → %d", held, len(sc.cache))
	}
}

// TestTruncatedPaging checks that a small page size pages the first scan
// with Truncated until complete, never sending an empty truncated page.
func TestTruncatedPaging(t *testing.T) {
	m, _ := startWithCatalog(t, func(c *Config) { c.PageSize = 7 })
	big, _ := startWithCatalog(t, nil)
	small := newScanClient(t, m.URL(), nil)
	res := small.fullScan(t.Context())
	full := newScanClient(t, big.URL(), nil)
	full.fullScan(t.Context())
	if len(small.cache) != len(full.cache) {
		t.Errorf("paged scan cached %d revisions, unpaged %d", len(small.cache), len(full.cache))
	}
	for i, n := range res.pageSizes {
		if n > 7 {
			t.Errorf("page %d: %d updates", i, n)
		}
	}
	if res.rounds < len(small.cache)/7 {
		t.Errorf("%d rounds for %d revisions at 7 a page", res.rounds, len(small.cache))
	}
}

// TestWSUSODExample36ClientMovesServer is MS-WSUSOD example 3.6: a client
// whose server was rebuilt (same address and key, new database generation)
// gets ServerChanged, re-runs the handshake, maps its cache with
// RefreshCache, and then has nothing new to fetch.
func TestWSUSODExample36ClientMovesServer(t *testing.T) {
	a, approvals := startWithCatalog(t, nil)
	ctx := t.Context()
	ids := bundleApprovals(t, a, approvals, 2)
	approve(t, a, patchbay.ActionInstall, time.Time{}, ids...)
	sc := newScanClient(t, a.URL(), nil)
	sc.fullScan(ctx)

	// Server B: the same catalog and approvals, its own database, A's key.
	b, _ := startWithCatalog(t, func(c *Config) {})
	approve(t, b, patchbay.ActionInstall, time.Time{}, ids...)
	key, _ := os.ReadFile(filepath.Join(a.Config.DataDir, "cookie.key"))
	b.Close()
	os.WriteFile(filepath.Join(b.Config.DataDir, "cookie.key"), key, 0o600)
	b.Config.Addr = "127.0.0.1:0"
	if err := b.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sc.c = wusp.NewClient(b.URL(), nil)

	_, err := sc.sync(ctx)
	if faultCode(err) != wusp.ErrorServerChanged {
		t.Fatalf("SyncUpdates on the new server = %v, want ServerChanged", err)
	}
	if err := sc.handshake(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sc.register(ctx); err != nil {
		t.Fatal(err)
	}
	var globals wusp.List[wusp.UpdateIdentity]
	idOf := map[wusp.UpdateIdentity]int32{}
	for id, u := range sc.cache {
		g := identity(t, u.Xml)
		globals = append(globals, g)
		idOf[g] = id
	}
	rc, err := sc.c.RefreshCache(ctx, &wusp.RefreshCache{Cookie: sc.cookie, GlobalIDs: globals})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.RefreshCacheResult) != len(globals) {
		t.Errorf("RefreshCache mapped %d of %d revisions", len(rc.RefreshCacheResult), len(globals))
	}
	remapped := map[int32]wusp.UpdateInfo{}
	for _, r := range rc.RefreshCacheResult {
		if r.Deployment == nil || r.GlobalID == nil {
			t.Fatalf("RefreshCacheResult without Deployment or GlobalID: %+v", r)
		}
		u := sc.cache[idOf[*r.GlobalID]]
		u.ID, u.Deployment, u.IsLeaf = r.RevisionID, r.Deployment, r.IsLeaf
		remapped[r.RevisionID] = u
	}
	sc.cache = remapped
	res, err := sc.sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.added) != 0 {
		t.Errorf("after RefreshCache the new server sent %d NewUpdates", len(res.added))
	}
}

// identity reads the UpdateIdentity at the start of a Core fragment.
func identity(t *testing.T, core []byte) wusp.UpdateIdentity {
	t.Helper()
	var id wusp.UpdateIdentity
	var probe struct {
		UpdateID       string `xml:"UpdateID,attr"`
		RevisionNumber int32  `xml:"RevisionNumber,attr"`
	}
	end := 0
	for end < len(core) && core[end] != '>' {
		end++
	}
	if err := unmarshalXML(core[:end+1], &probe); err != nil {
		t.Fatalf("core fragment identity: %v", err)
	}
	id.UpdateID, id.RevisionNumber = probe.UpdateID, probe.RevisionNumber
	return id
}

// TestCookieExpiryAndConfigChange: an expired session cookie gets
// CookieExpired and the client renews it; a configuration change gets
// ConfigChanged and the client re-reads the configuration.
func TestCookieExpiryAndConfigChange(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	m, _ := startWithCatalog(t, nil)
	m.Close()
	m.Now = clock
	m.Config.Addr = "127.0.0.1:0"
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	sc := newScanClient(t, m.URL(), nil)
	sc.fullScan(ctx)

	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	_, err := sc.sync(ctx)
	if faultCode(err) != wusp.ErrorCookieExpired {
		t.Fatalf("SyncUpdates after an hour = %v, want CookieExpired", err)
	}
	if err := sc.renew(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := sc.sync(ctx); err != nil || len(res.added) != 0 {
		t.Fatalf("sync after renewal = %d new, %v", len(res.added), err)
	}

	// An administrator changes client configuration (here: targeting mode).
	if err := m.DB.SetTargetingMode(ctx, "client"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.BumpConfigLastChange(ctx); err != nil {
		t.Fatal(err)
	}
	m.Close()
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sc.c = wusp.NewClient(m.URL(), nil)
	_, err = sc.sync(ctx)
	if faultCode(err) != wusp.ErrorConfigChanged {
		t.Fatalf("SyncUpdates after a configuration change = %v, want ConfigChanged", err)
	}
	old := sc.lastChange
	if err := sc.handshake(ctx); err != nil {
		t.Fatal(err)
	}
	if !sc.lastChange.After(old.Time) {
		t.Errorf("LastChange did not move: %v → %v", old, sc.lastChange)
	}
	if _, err := sc.sync(ctx); err != nil {
		t.Fatalf("sync after re-reading the configuration: %v", err)
	}
}

// TestClientSideTargeting: with --targeting client, a computer's groups are
// the names its TargetGroup policy sends in GetAuthorizationCookie, so an
// approval for "Pilot" reaches only the clients that claim Pilot.
func TestClientSideTargeting(t *testing.T) {
	m, approvals := startWithCatalog(t, func(c *Config) { c.Targeting = "client" })
	ctx := t.Context()
	pilot, err := m.DB.CreateGroup(ctx, patchbay.TargetGroup{Name: "Pilot"})
	if err != nil {
		t.Fatal(err)
	}
	id := bundleApprovals(t, m, approvals, 1)[0]
	rid, _ := m.Catalog.Load().RevisionID(id)
	rev, _, _ := m.Catalog.Load().Revision(rid)
	if err := m.DB.Approve(ctx, patchbay.Approval{UpdateID: id, RevisionNumber: rev.RevisionNumber, GroupID: pilot.ID, Action: patchbay.ActionInstall}); err != nil {
		t.Fatal(err)
	}
	m.Catalog.Refresh(ctx, false)

	inPilot := newScanClient(t, m.URL(), nil)
	inPilot.group = "pilot" // group names match case-insensitively
	inPilot.fullScan(ctx)
	other := newScanClient(t, m.URL(), nil)
	other.fullScan(ctx)
	if u, ok := inPilot.byUpdate(id); !ok || u.Deployment.Action != "Install" {
		t.Errorf("Pilot client: %v %+v, want Install", ok, u.Deployment)
	}
	if u, ok := other.byUpdate(id); !ok || u.Deployment.Action != "Evaluate" {
		t.Errorf("other client: %v %+v, want Evaluate", ok, u.Deployment)
	}
}

// TestExternalContentURL: with --content-url, file locations point there
// (content left on Microsoft Update or behind a CDN).
func TestExternalContentURL(t *testing.T) {
	m, approvals := startWithCatalog(t, func(c *Config) { c.ContentURL = "http://cdn.example.test:8080/wsus" })
	ctx := t.Context()
	approve(t, m, patchbay.ActionInstall, time.Time{}, bundleApprovals(t, m, approvals, 1)...)
	sc := newScanClient(t, m.URL(), nil)
	sc.fullScan(ctx)
	var leaves wusp.Ints
	for id, u := range sc.cache {
		if u.Deployment.Action == "Bundle" {
			leaves = append(leaves, id)
		}
	}
	r, err := sc.c.GetExtendedUpdateInfo(ctx, &wusp.GetExtendedUpdateInfo{Cookie: sc.cookie, RevisionIDs: leaves, InfoTypes: wusp.FragmentTypes{"Extended"}})
	if err != nil {
		t.Fatal(err)
	}
	locs := r.GetExtendedUpdateInfoResult.FileLocations
	if len(locs) == 0 {
		t.Fatal("no file locations")
	}
	for _, l := range locs {
		if !strings.HasPrefix(l.Url, "http://cdn.example.test:8080/wsus/Content/") {
			t.Errorf("file URL %s is not under the content URL", l.Url)
		}
	}
}
