package main

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/schemacheck"
	"patchbay/internal/soap"
	"patchbay/internal/wusp"
)

// faultCode returns the MS-WUSP ErrorCode of a failed call, or "".
func faultCode(err error) string {
	var f *soap.Fault
	if errors.As(err, &f) {
		return f.ErrorCode()
	}
	return ""
}

// TestWSUSODExample33InitialSync is MS-WSUSOD example 3.3: a new client's
// first scan against a server with approvals, then extended metadata, a
// ranged download verified by digest, and an event report.
func TestWSUSODExample33InitialSync(t *testing.T) {
	m, approvals := startWithCatalog(t, func(c *Config) { c.PageSize = 25 })
	ctx := t.Context()
	ids := bundleApprovals(t, m, approvals, 10)
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids...)

	rec := &recorder{}
	sc := newScanClient(t, m.URL(), rec)
	res := sc.fullScan(ctx)
	if res.rounds < 2 {
		t.Errorf("first scan took %d round(s); staged delivery needs several", res.rounds)
	}
	for i, n := range res.pageSizes {
		if n > 25 {
			t.Errorf("page %d has %d updates, more than the page size", i, n)
		}
	}
	actions := map[string]int{}
	for _, u := range sc.cache {
		if u.Deployment == nil {
			t.Fatalf("revision %d has no Deployment (trap 19)", u.ID)
		}
		if len(u.Deployment.LastChangeTime) != len("2006-01-02") {
			t.Errorf("LastChangeTime %q is not date-only (trap 20)", u.Deployment.LastChangeTime)
		}
		actions[u.Deployment.Action]++
	}
	if actions["Install"] != len(ids) || actions["Evaluate"] == 0 || actions["Bundle"] == 0 {
		t.Errorf("actions = %v, want %d Install, some Evaluate and Bundle", actions, len(ids))
	}
	for _, id := range ids {
		u, ok := sc.byUpdate(id)
		if !ok || u.Deployment.Action != "Install" {
			t.Errorf("approved update %s not cached with Install (%v %+v)", id, ok, u.Deployment)
		}
	}

	// GetExtendedUpdateInfo for the installable leaves, en-US falling back to en.
	var leaves wusp.Ints
	for id, u := range sc.cache {
		if u.Deployment.Action == "Bundle" && len(leaves) < 50 {
			leaves = append(leaves, id)
		}
	}
	eui, err := sc.c.GetExtendedUpdateInfo(ctx, &wusp.GetExtendedUpdateInfo{
		Cookie: sc.cookie, RevisionIDs: leaves,
		InfoTypes: wusp.FragmentTypes{wusp.FragmentExtended, wusp.FragmentLocalizedProperties},
		Locales:   wusp.Strings{"en-US", "en"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := eui.GetExtendedUpdateInfoResult
	if len(r.Updates) != 2*len(leaves) {
		t.Errorf("GetExtendedUpdateInfo returned %d fragments for %d revisions, want Extended + en each", len(r.Updates), len(leaves))
	}
	if len(r.FileLocations) == 0 {
		t.Fatal("no FileLocations for revisions with files (trap 34)")
	}
	for _, u := range r.Updates {
		if !strings.HasPrefix(string(u.Xml), "<ExtendedProperties") && !strings.HasPrefix(string(u.Xml), "<LocalizedProperties><Language>en</Language>") {
			t.Errorf("unexpected fragment %.80s", u.Xml)
		}
	}

	// Download one file the way Delivery Optimization does: closed ranges.
	loc := r.FileLocations[0]
	if !strings.HasPrefix(loc.Url, m.URL()+"/Content/") {
		t.Errorf("file URL %s does not point at the server the client called", loc.Url)
	}
	whole := rangedGet(t, loc.Url)
	if sum := sha1.Sum(whole); string(sum[:]) != string(loc.FileDigest) {
		t.Errorf("downloaded file does not match its digest")
	}

	// Report: detection finished with the approved update needed (156 U list).
	ok, err := sc.c.ReportEventBatch(ctx, &wusp.ReportEventBatch{
		Cookie: sc.cookie, ClientTime: wusp.DateTime{Time: time.Now().UTC()},
		EventBatch: wusp.List[wusp.ReportingEvent]{
			event(sc.id, 147, "", []string{"1"}, nil),
			event(sc.id, 156, "", nil, []string{"U=" + strings.ToUpper(ids[0])}),
		},
	})
	if err != nil || !ok.ReportEventBatchResult {
		t.Fatalf("ReportEventBatch = %v, %v", ok, err)
	}
	status, err := m.DB.Status(ctx, sc.id)
	if err != nil {
		t.Fatal(err)
	}
	if len(status) != 1 || status[0].UpdateID != strings.ToLower(ids[0]) || status[0].State != patchbay.StateNotInstalled {
		t.Errorf("status after the report = %+v, want %s needed", status, ids[0])
	}
	c, err := m.DB.Computer(ctx, sc.id)
	if err != nil || !c.Registered || c.OSBuildNumber != 26200 || c.ComputerManufacturer != "QEMU" || c.ClientVersion != "1507.2601.30012.0" {
		t.Errorf("computer = %+v, %v", c, err)
	}
	validateResponses(t, rec)
}

func event(client string, id int16, updateID string, repl, misc []string) wusp.ReportingEvent {
	e := wusp.ReportingEvent{}
	e.BasicData.TargetID.Sid = client
	e.BasicData.TimeAtTarget = wusp.DateTime{Time: time.Now().UTC()}
	e.BasicData.EventInstanceID = newGUID()
	e.BasicData.NamespaceID = 1
	e.BasicData.EventID = id
	e.BasicData.SourceID = 101
	e.BasicData.UpdateID = &wusp.UpdateIdentity{UpdateID: "00000000-0000-0000-0000-000000000000"}
	if updateID != "" {
		e.BasicData.UpdateID = &wusp.UpdateIdentity{UpdateID: updateID, RevisionNumber: 200}
	}
	e.ExtendedData.ReplacementStrings = repl
	e.ExtendedData.MiscData = misc
	e.ExtendedData.ProcessorArchitecture = "Amd64Compatible"
	e.ExtendedData.OSVersion = wusp.DetailedVersion{Major: 10, Build: 26200}
	e.ExtendedData.OSLocaleID = 1033
	return e
}

// rangedGet fetches a file in 1 KiB closed ranges and checks the 206s.
func rangedGet(t *testing.T, url string) []byte {
	t.Helper()
	var out []byte
	for off := 0; ; off += 1024 {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+1023))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
			return out
		}
		if resp.StatusCode != http.StatusPartialContent {
			t.Fatalf("GET %s range at %d = %d", url, off, resp.StatusCode)
		}
		out = append(out, b...)
		if len(b) < 1024 {
			return out
		}
	}
}

// validateResponses checks every response body the client received against
// the XML Schema in the MS-WUSP WSDLs with xmllint. It is a conformance
// check: it skips when ../shared is absent, and in CI xmllint must exist.
func validateResponses(t *testing.T, rec *recorder) {
	t.Helper()
	wsdls, _ := filepath.Glob("../../../shared/spec/wsdl/wusp-*.wsdl")
	if len(wsdls) == 0 {
		t.Log("schema validation skipped: ../shared/spec/wsdl is absent")
		return
	}
	v, err := schemacheck.New(t.TempDir(), wsdls...)
	if errors.Is(err, schemacheck.ErrNoValidator) && os.Getenv("CI") != "true" {
		t.Log("schema validation skipped:", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.bodies) == 0 {
		t.Fatal("no responses recorded")
	}
	for name, body := range rec.bodies {
		elem, fault, err := schemacheck.BodyElement(body)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fault {
			continue
		}
		if err := v.Validate(elem); err != nil {
			t.Errorf("%s: %v\n%.2000s", name, err, elem)
		}
	}
}
