package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/wusp"
)

// TestClientFaults provokes every fault of MS-WUSP §2.2.2.4 that Patchbay
// raises, through the real server, and checks each ErrorCode.
func TestClientFaults(t *testing.T) {
	m, _ := startWithCatalog(t, nil)
	ctx := t.Context()
	sc := newScanClient(t, m.URL(), nil)
	if err := sc.handshake(ctx); err != nil {
		t.Fatal(err)
	}
	sync := func(c *wusp.Cookie, p *wusp.SyncUpdateParameters) error {
		_, err := sc.c.SyncUpdates(ctx, &wusp.SyncUpdates{Cookie: c, Parameters: p})
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"RegistrationRequired before RegisterComputer", func() error { return sync(sc.cookie, &wusp.SyncUpdateParameters{}) }, wusp.ErrorRegistrationRequired},
		{"InvalidCookie: forged", func() error {
			return sync(&wusp.Cookie{Expiration: sc.cookie.Expiration, EncryptedData: bytes.Repeat([]byte{1}, 120)}, &wusp.SyncUpdateParameters{})
		}, wusp.ErrorInvalidCookie},
		{"InvalidCookie: missing", func() error { return sync(nil, &wusp.SyncUpdateParameters{}) }, wusp.ErrorInvalidCookie},
		{"InvalidAuthorizationCookie", func() error {
			_, err := sc.c.GetCookie(ctx, &wusp.GetCookie{
				AuthCookies: wusp.List[wusp.AuthorizationCookie]{{PlugInId: "SimpleTargeting", CookieData: []byte("not a cookie")}},
				LastChange:  sc.lastChange, CurrentTime: wusp.DateTime{Time: time.Now()}, ProtocolVersion: "1.8",
			})
			return err
		}, wusp.ErrorInvalidAuthorizationCookie},
		{"ConfigChanged in GetCookie", func() error {
			_, err := sc.c.GetCookie(ctx, &wusp.GetCookie{
				AuthCookies: wusp.List[wusp.AuthorizationCookie]{sc.auth},
				LastChange:  wusp.DateTime{Time: sc.lastChange.Add(-time.Hour)}, CurrentTime: wusp.DateTime{Time: time.Now()}, ProtocolVersion: "1.8",
			})
			return err
		}, wusp.ErrorConfigChanged},
		{"InvalidParameters: protocolVersion", func() error {
			_, err := sc.c.GetCookie(ctx, &wusp.GetCookie{
				AuthCookies: wusp.List[wusp.AuthorizationCookie]{sc.auth},
				LastChange:  sc.lastChange, CurrentTime: wusp.DateTime{Time: time.Now()}, ProtocolVersion: "latest",
			})
			return err
		}, wusp.ErrorInvalidParameters},
		{"InvalidParameters: clientId", func() error {
			_, err := sc.c.GetAuthorizationCookie(ctx, &wusp.GetAuthorizationCookie{ClientID: "not valid!", DnsName: "x"})
			return err
		}, wusp.ErrorInvalidParameters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultCode(tc.call()); got != tc.want {
				t.Errorf("fault = %q, want %q", got, tc.want)
			}
		})
	}

	if err := sc.register(ctx); err != nil {
		t.Fatal(err)
	}
	after := []struct {
		name string
		call func() error
		want string
	}{
		{"InvalidParameters: SystemSpec in the software pass", func() error {
			return sync(sc.cookie, &wusp.SyncUpdateParameters{SystemSpec: wusp.List[wusp.Device]{{HardwareIDs: wusp.Strings{"PCI\\VEN_1"}}}})
		}, wusp.ErrorInvalidParameters},
		{"InvalidParameters: too many revisionIDs", func() error {
			ids := make(wusp.Ints, 51)
			_, err := sc.c.GetExtendedUpdateInfo(ctx, &wusp.GetExtendedUpdateInfo{Cookie: sc.cookie, RevisionIDs: ids, InfoTypes: wusp.FragmentTypes{"Extended"}})
			return err
		}, wusp.ErrorInvalidParameters},
		{"InvalidParameters: locales missing", func() error {
			_, err := sc.c.GetExtendedUpdateInfo(ctx, &wusp.GetExtendedUpdateInfo{Cookie: sc.cookie, RevisionIDs: wusp.Ints{1}, InfoTypes: wusp.FragmentTypes{"LocalizedProperties"}})
			return err
		}, wusp.ErrorInvalidParameters},
		{"InvalidParameters: short digest", func() error {
			_, err := sc.c.GetFileLocations(ctx, &wusp.GetFileLocations{Cookie: sc.cookie, FileDigests: wusp.Base64s{[]byte("short")}})
			return err
		}, wusp.ErrorInvalidParameters},
		{"InvalidParameters: no requestedCategories", func() error {
			_, err := sc.c.StartCategoryScan(ctx, &wusp.StartCategoryScan{})
			return err
		}, wusp.ErrorInvalidParameters},
	}
	for _, tc := range after {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultCode(tc.call()); got != tc.want {
				t.Errorf("fault = %q, want %q", got, tc.want)
			}
		})
	}

	// InternalServerError: the database goes away under the server. The
	// fault carries an ID and no internal text.
	m.DB.Close()
	_, err := sc.c.GetAuthorizationCookie(ctx, &wusp.GetAuthorizationCookie{ClientID: sc.id, DnsName: sc.dns})
	if faultCode(err) != wusp.ErrorInternalServerError {
		t.Fatalf("with the database closed: %v, want InternalServerError", err)
	}
	if strings.Contains(err.Error(), "sql") || strings.Contains(err.Error(), "database is closed") {
		t.Errorf("fault leaks internal text: %v", err)
	}
}

// TestOtherClientOperations drives the operations a first scan does not:
// StartCategoryScan, the driver pass, GetExtendedUpdateInfo2,
// GetFileLocations and SyncPrinterCatalog, and validates their answers
// against the WSDL schema.
func TestOtherClientOperations(t *testing.T) {
	m, approvals := startWithCatalog(t, nil)
	ctx := t.Context()
	ids := bundleApprovals(t, m, approvals, 2)
	approve(t, m, patchbay.ActionInstall, time.Time{}, ids...)
	rec := &recorder{}
	sc := newScanClient(t, m.URL(), rec)
	sc.fullScan(ctx)
	cat := m.Catalog.Load()

	// StartCategoryScan with a product, a product+classification, and an unknown id.
	var product, class string
	for id := range sc.cache {
		rev, _, _ := cat.Revision(id)
		switch rev.CategoryType {
		case "Product":
			product = strings.ToLower(rev.UpdateID)
		case "UpdateClassification":
			class = strings.ToLower(rev.UpdateID)
		}
	}
	unknown := "11111111-2222-3333-4444-555555555555"
	cs, err := sc.c.StartCategoryScan(ctx, &wusp.StartCategoryScan{RequestedCategories: wusp.List[wusp.CategoryRelationship]{
		{IndexOfAndGroup: 0, CategoryId: product},
		{IndexOfAndGroup: 1, CategoryId: product}, {IndexOfAndGroup: 1, CategoryId: class},
		{IndexOfAndGroup: 2, CategoryId: unknown},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.PreferredCategoryIds) != 1 || cs.PreferredCategoryIds[0] != product || len(cs.RequestedCategoryIdsInError) != 1 || cs.RequestedCategoryIdsInError[0] != unknown {
		t.Errorf("StartCategoryScan = %+v", cs)
	}

	// The driver pass, with a device matching one of the catalog's drivers.
	var hwid string
	for id := range cat.All() {
		rev, _, _ := cat.Revision(id)
		info, _ := cat.Lookup(id)
		if rev.Type == patchbay.TypeDriver && info.Latest && len(rev.Driver) > 0 &&
			len(rev.Driver[0].TargetComputerHardwareIDs) == 0 && len(rev.Driver[0].DistributionComputerHardwareIDs) == 0 {
			hwid = rev.Driver[0].HardwareID
			break
		}
	}
	var installed wusp.Ints
	for id, u := range sc.cache {
		if !u.IsLeaf {
			installed = append(installed, id)
		}
	}
	dr, err := sc.c.SyncUpdates(ctx, &wusp.SyncUpdates{Cookie: sc.cookie, Parameters: &wusp.SyncUpdateParameters{
		InstalledNonLeafUpdateIDs: installed, SkipSoftwareSync: true,
		SystemSpec:              wusp.List[wusp.Device]{{HardwareIDs: wusp.Strings{hwid}}},
		ComputerSpec:            &wusp.ComputerHardwareSpecification{},
		FeatureScoreMatchingKey: "AMD64.10.0",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dr.SyncUpdatesResult.NewUpdates) == 0 {
		t.Errorf("driver pass for %s offered no driver", hwid)
	}
	for _, u := range dr.SyncUpdatesResult.NewUpdates {
		if !strings.Contains(string(u.Xml), `UpdateType="Driver"`) {
			t.Errorf("driver pass offered a non-driver: %.100s", u.Xml)
		}
	}
	sc.cookie = dr.SyncUpdatesResult.NewCookie

	// GetExtendedUpdateInfo2 by identity, with FileUrl.
	var leaf wusp.UpdateInfo
	for _, u := range sc.cache {
		if u.Deployment.Action == "Bundle" {
			leaf = u
			break
		}
	}
	ident := identity(t, leaf.Xml)
	e2, err := sc.c.GetExtendedUpdateInfo2(ctx, &wusp.GetExtendedUpdateInfo2{Cookie: sc.cookie,
		UpdateIDs: wusp.List[wusp.UpdateIdentity]{ident}, InfoTypes: wusp.FragmentTypes{"Extended", "FileUrl"}})
	if err != nil {
		t.Fatal(err)
	}
	r2 := e2.GetExtendedUpdateInfo2Result
	if len(r2.Updates) != 1 || len(r2.FileLocations) == 0 || r2.FileLocations[0].FileDigestAlgorithm != "SHA1" {
		t.Fatalf("GetExtendedUpdateInfo2 = %d updates, %+v", len(r2.Updates), r2.FileLocations)
	}

	// GetFileLocations for that digest and an unknown one.
	fl, err := sc.c.GetFileLocations(ctx, &wusp.GetFileLocations{Cookie: sc.cookie,
		FileDigests: wusp.Base64s{r2.FileLocations[0].FileDigest, bytes.Repeat([]byte{7}, 20)}})
	if err != nil {
		t.Fatal(err)
	}
	res := fl.GetFileLocationsResult
	if len(res.FileLocations) != 1 || res.FileLocations[0].Url != r2.FileLocations[0].Url || res.NewCookie == nil {
		t.Errorf("GetFileLocations = %+v", res)
	}
	resp, err := http.Head(res.FileLocations[0].Url)
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD %s = %v, %v", res.FileLocations[0].Url, resp, err)
	}

	// SyncPrinterCatalog: a printer-less catalog answers an empty, valid SyncInfo.
	pc, err := sc.c.SyncPrinterCatalog(ctx, &wusp.SyncPrinterCatalog{Cookie: sc.cookie, InstalledNonLeafUpdateIDs: installed, PrinterUpdateIDs: wusp.Ints{999999}})
	if err != nil {
		t.Fatal(err)
	}
	if pr := pc.SyncPrinterCatalogResult; pr.NewCookie == nil || len(pr.OutOfScopeRevisionIDs) != 1 {
		t.Errorf("SyncPrinterCatalog = %+v", pr)
	}
	validateResponses(t, rec)
}

// TestASMXGet: a browser or monitoring probe that GETs a service path gets
// the service page a web service answers with, not an error.
func TestASMXGet(t *testing.T) {
	m := startMain(t)
	for _, p := range []string{"/ClientWebService/client.asmx", "/SIMPLEAUTHWEBSERVICE/SimpleAuth.asmx", "//ReportingWebService/ReportingWebService.asmx"} {
		code, body, hdr := get(t, m.URL()+p)
		if code != 200 || !strings.Contains(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, "Web Service") {
			t.Errorf("GET %s = %d %s %.100q", p, code, hdr.Get("Content-Type"), body)
		}
	}
}
