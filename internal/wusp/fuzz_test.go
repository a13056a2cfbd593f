package wusp

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"patchbay/internal/soap"
	"patchbay/internal/xpress"
)

// echoService answers with values taken from the request, so that fuzzed
// input reaches the encoders (including Core fragment escaping).
func echoService() *fakeService {
	f := cannedService()
	f.syncUpdates = func(_ context.Context, r *SyncUpdates) (*SyncUpdatesResponse, error) {
		p := r.Parameters
		var frag []byte
		if p.ProductsParameters != nil {
			frag = []byte(p.ProductsParameters.DeviceAttributes)
		}
		frag = append(frag, p.FeatureScoreMatchingKey...)
		si := &SyncInfo{NewCookie: r.Cookie, OutOfScopeRevisionIDs: p.OtherCachedUpdateIDs, DriverSyncNotNeeded: p.FeatureScoreMatchingKey}
		for _, id := range p.InstalledNonLeafUpdateIDs {
			si.NewUpdates = append(si.NewUpdates, UpdateInfo{ID: id, Xml: frag,
				Deployment: &Deployment{ID: id, Action: p.FeatureScoreMatchingKey, LastChangeTime: string(frag)}})
		}
		return &SyncUpdatesResponse{SyncUpdatesResult: si}, nil
	}
	f.getConfig = func(_ context.Context, r *GetConfig) (*GetConfigResponse, error) {
		return &GetConfigResponse{GetConfigResult: &Config{Properties: List[ConfigurationProperty]{{Name: "ProtocolVersion", Value: r.ProtocolVersion}}}}, nil
	}
	return f
}

// FuzzServer posts arbitrary bodies to the three services: the server
// must not panic and must always answer a well-formed SOAP envelope.
func FuzzServer(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "request.xml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		for svc := range 3 {
			f.Add(uint8(svc), b)
		}
	}
	f.Add(uint8(1), []byte(getConfigBody))
	f.Add(uint8(1), []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SyncUpdates xmlns="`+NSClient+
		`"><cookie><EncryptedData>AAEC</EncryptedData></cookie><parameters><InstalledNonLeafUpdateIDs><int>1</int></InstalledNonLeafUpdateIDs>`+
		`<FeatureScoreMatchingKey>&#x1;]]&gt;&lt;x&amp;</FeatureScoreMatchingKey><ProductsParameters><DeviceAttributes>a&lt;b&#xD;</DeviceAttributes></ProductsParameters></parameters></SyncUpdates></s:Body></s:Envelope>`))
	f.Add(uint8(0), []byte("not xml"))
	srv := NewServer(echoService(), Options{MaxBodyBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		h := []http.Handler{srv.SimpleAuth, srv.Client, srv.Reporting}[int(which)%3]
		w := post(t, h, "", "", body, http.Header{"Accept-Encoding": {"xpress"}})
		switch w.Code {
		case http.StatusOK, http.StatusInternalServerError, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d", w.Code)
		}
		out := w.Body.Bytes()
		if w.Header().Get("Content-Encoding") == "xpress" {
			var err error
			if out, err = xpress.DecodeBody(out, 1<<26); err != nil {
				t.Fatalf("xpress: %v", err)
			}
		}
		m, err := soap.ParseMessage(out)
		if err != nil {
			t.Fatalf("response is not a SOAP envelope: %v\n%q", err, out)
		}
		if (w.Code == http.StatusOK) == (m.Name.Local == "Fault") {
			t.Fatalf("status %d with body element %s", w.Code, m.Name.Local)
		}
	})
}
