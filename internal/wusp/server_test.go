package wusp

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay/internal/soap/soaptest"
)

var update = flag.Bool("update", false, "rewrite testdata/*/response.golden.xml")

// operations lists every operation with its service namespace.
var operations = []struct{ ns, op string }{
	{NSSimpleAuth, "GetAuthorizationCookie"},
	{NSClient, "GetConfig"},
	{NSClient, "GetCookie"},
	{NSClient, "RegisterComputer"},
	{NSClient, "StartCategoryScan"},
	{NSClient, "SyncUpdates"},
	{NSClient, "SyncPrinterCatalog"},
	{NSClient, "RefreshCache"},
	{NSClient, "GetExtendedUpdateInfo"},
	{NSClient, "GetExtendedUpdateInfo2"},
	{NSClient, "GetFileLocations"},
	{NSReporting, "ReportEventBatch"},
}

// handlerFor returns the service handler of namespace ns.
func (s *Server) handlerFor(ns string) http.Handler {
	switch ns {
	case NSSimpleAuth:
		return s.SimpleAuth
	case NSReporting:
		return s.Reporting
	}
	return s.Client
}

// post sends body to the handler of ns with the operation's SOAPAction and
// returns the recorded response.
func post(t testing.TB, h http.Handler, ns, op string, body []byte, hdr http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if op != "" {
		r.Header.Set("SOAPAction", `"`+action(ns, op)+`"`)
	}
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var goldenTime = time.Date(2006, 5, 17, 16, 16, 38, 15e6, time.UTC)

// cannedService answers every operation deterministically from its
// request, so that the golden files show what each field becomes.
func cannedService() *fakeService {
	newCookie := func(c *Cookie) *Cookie {
		return &Cookie{Expiration: DateTime{goldenTime.Add(time.Hour)}, EncryptedData: Binary("sealed:" + string(c.EncryptedData[:4]))}
	}
	deploy := func(id int32, action string) *Deployment {
		return &Deployment{ID: id, Action: action, IsAssigned: true, LastChangeTime: "2006-05-17",
			AutoSelect: "0", AutoDownload: "0", SupersedenceBehavior: "0"}
	}
	return &fakeService{
		getAuthorizationCookie: func(_ context.Context, r *GetAuthorizationCookie) (*GetAuthorizationCookieResponse, error) {
			return &GetAuthorizationCookieResponse{GetAuthorizationCookieResult: &AuthorizationCookie{
				PlugInId: "SimpleTargeting", CookieData: Binary("auth:" + r.ClientID)}}, nil
		},
		getConfig: func(context.Context, *GetConfig) (*GetConfigResponse, error) {
			return &GetConfigResponse{GetConfigResult: &Config{
				LastChange:             DateTime{time.Date(2007, 1, 31, 4, 16, 35, 240e6, time.UTC)},
				IsRegistrationRequired: true,
				AuthInfo:               []AuthPlugInInfo{{PlugInID: "SimpleTargeting", ServiceUrl: "SimpleAuthWebService/SimpleAuth.asmx"}},
				Properties: []ConfigurationProperty{
					{Name: "MaxExtendedUpdatesPerRequest", Value: "50"},
					{Name: "ProtocolVersion", Value: "3.2"},
					{Name: "IsInventoryRequired", Value: "0"},
					{Name: "ClientReportingLevel", Value: "2"},
				},
			}}, nil
		},
		getCookie: func(_ context.Context, r *GetCookie) (*GetCookieResponse, error) {
			return &GetCookieResponse{GetCookieResult: &Cookie{Expiration: DateTime{r.CurrentTime.Add(time.Hour)},
				EncryptedData: Binary("cookie for " + r.ProtocolVersion)}}, nil
		},
		registerComputer: func(context.Context, *RegisterComputer) (*RegisterComputerResponse, error) {
			return nil, nil
		},
		startCategoryScan: func(_ context.Context, r *StartCategoryScan) (*StartCategoryScanResponse, error) {
			resp := &StartCategoryScanResponse{}
			for _, c := range r.RequestedCategories {
				if c.IndexOfAndGroup == 0 {
					resp.PreferredCategoryIds = append(resp.PreferredCategoryIds, c.CategoryId)
				} else {
					resp.RequestedCategoryIdsInError = append(resp.RequestedCategoryIdsInError, c.CategoryId)
				}
			}
			return resp, nil
		},
		syncUpdates: func(_ context.Context, r *SyncUpdates) (*SyncUpdatesResponse, error) {
			return &SyncUpdatesResponse{SyncUpdatesResult: &SyncInfo{
				NewUpdates: []UpdateInfo{
					{ID: 29, Deployment: deploy(8059, ActionEvaluate), IsLeaf: false,
						Xml: []byte(`<UpdateIdentity UpdateID="56309036-4C77-4DD9-951A-99EE9C246A94" RevisionNumber="101" /><Properties UpdateType="Category" /><ApplicabilityRules><IsInstalled><True /></IsInstalled></ApplicabilityRules>`)},
					{ID: 30, Deployment: &Deployment{ID: 8060, Action: ActionInstall, Deadline: "2006-06-01T00:00:00Z", IsAssigned: true,
						LastChangeTime: "2006-05-17", HardwareIds: []string{"pci\\ven_8086&dev_100e"}, AutoSelect: "0", AutoDownload: "0", SupersedenceBehavior: "0", FlagBitmask: "0"},
						IsLeaf: true, Xml: []byte(`<UpdateIdentity UpdateID="dd78b8a1-0b20-45c1-add6-4da72e9364cf" RevisionNumber="202" /><ApplicabilityRules><IsInstalled><b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="6" /></IsInstalled></ApplicabilityRules>`)},
				},
				OutOfScopeRevisionIDs: r.Parameters.OtherCachedUpdateIDs,
				Truncated:             false,
				NewCookie:             newCookie(r.Cookie),
				DriverSyncNotNeeded:   "true",
			}}, nil
		},
		syncPrinterCatalog: func(_ context.Context, r *SyncPrinterCatalog) (*SyncPrinterCatalogResponse, error) {
			return &SyncPrinterCatalogResponse{SyncPrinterCatalogResult: &SyncInfo{
				OutOfScopeRevisionIDs: r.PrinterUpdateIDs, NewCookie: newCookie(r.Cookie)}}, nil
		},
		refreshCache: func(_ context.Context, r *RefreshCache) (*RefreshCacheResponse, error) {
			resp := &RefreshCacheResponse{}
			for i, g := range r.GlobalIDs {
				resp.RefreshCacheResult = append(resp.RefreshCacheResult, RefreshCacheResult{
					RevisionID: int32(1000 + i), GlobalID: &g, IsLeaf: i > 0, Deployment: deploy(int32(2000+i), ActionEvaluate)})
			}
			return resp, nil
		},
		getExtendedUpdateInfo: func(_ context.Context, r *GetExtendedUpdateInfo) (*GetExtendedUpdateInfoResponse, error) {
			res := &ExtendedUpdateInfo{OutOfScopeRevisionIDs: r.RevisionIDs[1:]}
			for _, t := range r.InfoTypes {
				res.Updates = append(res.Updates, UpdateData{ID: r.RevisionIDs[0],
					Xml: []byte(fmt.Sprintf(`<%s Kind="%s">a &amp; b</%[1]s>`, "Fragment", t))})
			}
			res.FileLocations = []FileLocation{{FileDigest: Binary{0x86, 0x54, 0x2c, 0x97},
				Url: "http://patchbay.example.test:8530/Content/A2/86542C97261C46D5B379A43EC895F97EAF409BA2.cab"}}
			return &GetExtendedUpdateInfoResponse{GetExtendedUpdateInfoResult: res}, nil
		},
		getExtendedUpdateInfo2: func(_ context.Context, r *GetExtendedUpdateInfo2) (*GetExtendedUpdateInfo2Response, error) {
			return &GetExtendedUpdateInfo2Response{GetExtendedUpdateInfo2Result: &ExtendedUpdateInfo2{
				Updates: []UpdateData{{ID: 30, Xml: []byte(`<ExtendedProperties DefaultPropertiesLanguage="en" />`)}},
				FileLocations: []FileLocation{{FileDigest: Binary{1, 2, 3}, Url: "http://patchbay.example.test:8530/Content/03/010203.cab",
					FileDigestAlgorithm: "SHA1"}},
				UpdateEncryptionDetails: []UpdateEncryptionDetail{{UpdateIdentity: r.UpdateIDs[0], HasEncryptedFiles: false}},
			}}, nil
		},
		getFileLocations: func(_ context.Context, r *GetFileLocations) (*GetFileLocationsResponse, error) {
			res := &GetFileLocationsResults{NewCookie: newCookie(r.Cookie)}
			for _, d := range r.FileDigests {
				h := strings.ToUpper(hex.EncodeToString(d))
				res.FileLocations = append(res.FileLocations, FileLocation{FileDigest: d,
					Url: "http://patchbay.example.test:8530/Content/" + h[len(h)-2:] + "/" + h + ".cab"})
			}
			return &GetFileLocationsResponse{GetFileLocationsResult: res}, nil
		},
		reportEventBatch: func(_ context.Context, r *ReportEventBatch) (*ReportEventBatchResponse, error) {
			return &ReportEventBatchResponse{ReportEventBatchResult: len(r.EventBatch) == 2}, nil
		},
	}
}

// TestGolden runs each testdata/<Operation>/request.xml through NewServer
// over cannedService and compares the answer with response.golden.xml.
func TestGolden(t *testing.T) {
	srv := NewServer(cannedService(), Options{})
	for _, o := range operations {
		t.Run(o.op, func(t *testing.T) {
			dir := filepath.Join("testdata", o.op)
			req, err := os.ReadFile(filepath.Join(dir, "request.xml"))
			if err != nil {
				t.Fatal(err)
			}
			w := post(t, srv.handlerFor(o.ns), o.ns, o.op, req, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200; body:\n%s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/xml; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			golden := filepath.Join(dir, "response.golden.xml")
			if *update {
				if err := os.WriteFile(golden, w.Body.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			soaptest.EqualXML(t, w.Body.Bytes(), want)
		})
	}
}
