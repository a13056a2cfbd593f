package soap

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"patchbay/internal/xpress"
)

// newServer serves testMux on 127.0.0.1 and records the Content-Encoding of
// each response.
func newServer(t *testing.T) (*httptest.Server, *atomic.Value) {
	t.Helper()
	m := testMux(t, nil)
	var enc atomic.Value
	enc.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.ServeHTTP(w, r)
		enc.Store(w.Header().Get("Content-Encoding"))
	}))
	t.Cleanup(srv.Close)
	return srv, &enc
}

func TestClientRoundTrip(t *testing.T) {
	srv, enc := newServer(t)
	tests := []struct {
		name    string
		version Version
		xpress  bool
		wantEnc string
	}{
		{"soap 1.1 identity", V11, false, ""},
		{"soap 1.1 xpress", V11, true, "xpress"},
		{"soap 1.2 xpress", V12, true, "xpress"},
		{"zero version", 0, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{HTTP: srv.Client(), URL: srv.URL + "/ClientWebService/client.asmx", Version: tc.version, AcceptXpress: tc.xpress}
			var out getConfigResponse
			if err := c.Call(t.Context(), actionGetConfig, getConfig{ProtocolVersion: "2.90"}, &out); err != nil {
				t.Fatalf("Call = %v", err)
			}
			if !strings.HasPrefix(out.Result.LastChange, "v=2.90 ") {
				t.Errorf("LastChange = %.20q", out.Result.LastChange)
			}
			if got := enc.Load().(string); got != tc.wantEnc {
				t.Errorf("Content-Encoding = %q, want %q", got, tc.wantEnc)
			}
		})
	}
}

func TestClientStreamXpress(t *testing.T) {
	srv, enc := newServer(t)
	c := &Client{HTTP: srv.Client(), URL: srv.URL, AcceptXpress: true}
	type streamReq struct {
		XMLName struct{} `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService Stream"`
	}
	var out struct {
		IDs []int `xml:"StreamResult>UpdateInfo>ID"`
	}
	if err := c.Call(t.Context(), nsClient+"/Stream", streamReq{}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.IDs) != 3000 || enc.Load().(string) != "xpress" {
		t.Errorf("got %d ids, encoding %q", len(out.IDs), enc.Load())
	}
}

func TestClientFaults(t *testing.T) {
	srv, _ := newServer(t)
	c := &Client{HTTP: srv.Client(), URL: srv.URL, AcceptXpress: true}
	err := c.Call(t.Context(), actionGetConfig, getConfig{}, &getConfigResponse{})
	f, ok := errors.AsType[*Fault](err)
	if !ok {
		t.Fatalf("Call = %v, want *Fault", err)
	}
	if f.Code != CodeClient || f.ErrorCode() != "InvalidParameters" || f.Detail.Message != "protocolVersion" ||
		f.Detail.Method != QuoteAction(actionGetConfig) || f.String != FaultString {
		t.Errorf("fault = %+v %+v", f, f.Detail)
	}
	c.Version = V12
	err = c.Call(t.Context(), nsClient+"/Secret", RawXML(`<Secret xmlns="`+nsClient+`"/>`), nil)
	if f, ok := errors.AsType[*Fault](err); !ok || f.Code != CodeServer || f.ErrorCode() != InternalServerError {
		t.Errorf("Call(Secret) = %v, want a Server InternalServerError fault", err)
	}
}

func TestClientErrors(t *testing.T) {
	big := strings.Repeat("x", 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/404":
			http.NotFound(w, r)
		case "/big":
			w.Write([]byte(envelope11(`<a>` + big + `</a>`)))
		case "/bomb":
			w.Header().Set("Content-Encoding", "xpress")
			w.Write(xpress.EncodeBody(nil, []byte(envelope11(`<a>`+strings.Repeat(big, 100)+`</a>`))))
		case "/html":
			w.Write([]byte("<html><body>hello</body></html>"))
		case "/fault200":
			w.Write([]byte(envelope11(`<s:Fault><faultcode>s:Server</faultcode><faultstring>boom</faultstring></s:Fault>`)))
		case "/wcf":
			w.WriteHeader(500)
			w.Write([]byte(`<s:Envelope xmlns:s="` + NS11 + `"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">a:InternalServiceFault</faultcode><faultstring xml:lang="en-US">internal</faultstring></s:Fault></s:Body></s:Envelope>`))
		case "/brotli":
			w.Header().Set("Content-Encoding", "br")
			w.Write([]byte("??"))
		}
	}))
	t.Cleanup(srv.Close)
	c := func(path string) error {
		cl := &Client{HTTP: srv.Client(), URL: srv.URL + path, MaxResponseBytes: 2000, AcceptXpress: true}
		return cl.Call(t.Context(), "urn:a/B", RawXML(`<B xmlns="urn:a"/>`), &struct{}{})
	}
	if err := c("/404"); !isHTTPError(err, 404) {
		t.Errorf("404: %v", err)
	}
	if err := c("/big"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("big: %v", err)
	}
	if err := c("/bomb"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("bomb: %v", err)
	}
	if err := c("/html"); err == nil {
		t.Error("html: no error")
	}
	if err := c("/brotli"); err == nil {
		t.Error("br: no error")
	}
	if f, ok := errors.AsType[*Fault](c("/fault200")); !ok || f.String != "boom" || f.Detail != nil {
		t.Errorf("fault with 200 = %v", f)
	}
	if f, ok := errors.AsType[*Fault](c("/wcf")); !ok || f.Code != "InternalServiceFault" || f.ErrorCode() != "" {
		t.Errorf("WCF fault = %v", f)
	}
	bad := &Client{URL: "http://127.0.0.1:1/", HTTP: srv.Client()}
	if err := bad.Call(t.Context(), "urn:a/B", nil, nil); err == nil {
		t.Error("unreachable server: no error")
	}
}

func isHTTPError(err error, status int) bool {
	e, ok := errors.AsType[*HTTPError](err)
	return ok && e.StatusCode == status
}
