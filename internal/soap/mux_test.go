package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"patchbay/internal/soap/soaptest"
	"patchbay/internal/xpress"
)

const actionGetConfig = nsClient + "/GetConfig"

var errSecret = errors.New("database password is hunter2")

// testMux serves GetConfig, plus operations that fail in various ways.
func testMux(t testing.TB, logs *bytes.Buffer) *Mux {
	t.Helper()
	name := func(local string) xml.Name { return xml.Name{Space: nsClient, Local: local} }
	var logger *slog.Logger
	if logs != nil {
		logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	return &Mux{
		Service: "Client Web Service",
		Routes: map[xml.Name]Route{
			name("GetConfig"): {Action: actionGetConfig, Handler: func(ctx context.Context, req *Request) (any, error) {
				var in getConfig
				if err := req.Decode(&in); err != nil || in.ProtocolVersion == "" {
					return nil, NewFault(CodeClient, "InvalidParameters", "protocolVersion")
				}
				var out getConfigResponse
				out.Result.LastChange = "v=" + in.ProtocolVersion + " " + strings.Repeat("x", 2000)
				return out, nil
			}},
			name("Secret"): {Action: nsClient + "/Secret", Handler: func(ctx context.Context, req *Request) (any, error) {
				return nil, fmt.Errorf("lookup: %w", errSecret)
			}},
			name("Mapped"): {Action: nsClient + "/Mapped", Handler: func(ctx context.Context, req *Request) (any, error) {
				return nil, context.DeadlineExceeded
			}},
			name("Wrapped"): {Action: nsClient + "/Wrapped", Handler: func(ctx context.Context, req *Request) (any, error) {
				return nil, fmt.Errorf("validate: %w", NewFault(CodeClient, "InvalidCookie", ""))
			}},
			name("Stream"): {Action: nsClient + "/Stream", Aliases: []string{nsClient + "/StreamAlias"}, Handler: func(ctx context.Context, req *Request) (any, error) {
				return streamBody(3000), nil
			}},
			name("Empty"): {Action: nsClient + "/Empty", Handler: func(ctx context.Context, req *Request) (any, error) {
				return RawXML(`<EmptyResponse xmlns="` + nsClient + `"/>`), nil
			}},
		},
		ErrorFault: func(ctx context.Context, req *Request, err error) *Fault {
			if errors.Is(err, context.DeadlineExceeded) {
				return NewFault(CodeServer, "ServerBusy", "")
			}
			return nil
		},
		Logger: logger,
		Xpress: true,
	}
}

// streamBody is an io.WriterTo response of n UpdateInfo elements.
type streamBody int

func (n streamBody) WriteTo(w io.Writer) (int64, error) {
	var total int64
	k, err := io.WriteString(w, `<StreamResponse xmlns="`+nsClient+`"><StreamResult>`)
	total += int64(k)
	for i := range int(n) {
		if err != nil {
			return total, err
		}
		k, err = fmt.Fprintf(w, "<UpdateInfo><ID>%d</ID></UpdateInfo>", i)
		total += int64(k)
	}
	if err != nil {
		return total, err
	}
	k, err = io.WriteString(w, `</StreamResult></StreamResponse>`)
	return total + int64(k), err
}

func post(t testing.TB, h http.Handler, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/ClientWebService/client.asmx", strings.NewReader(body))
	r.Header.Set("Content-Type", "text/xml; charset=utf-8")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func envelope11(inner string) string {
	return `<s:Envelope xmlns:s="` + NS11 + `"><s:Body>` + inner + `</s:Body></s:Envelope>`
}

func op(local, inner string) string {
	return `<` + local + ` xmlns="` + nsClient + `">` + inner + `</` + local + `>`
}

func mustFault(t testing.TB, w *httptest.ResponseRecorder, status int) *Fault {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body)
	}
	if w.Header().Get("Content-Encoding") != "" {
		t.Errorf("fault has Content-Encoding %q, want none", w.Header().Get("Content-Encoding"))
	}
	f, err := DecodeFault(w.Body.Bytes())
	if err != nil {
		t.Fatalf("DecodeFault = %v; body %s", err, w.Body)
	}
	return f
}

func TestMuxDispatch(t *testing.T) {
	m := testMux(t, nil)
	w := post(t, m, envelope11(op("GetConfig", "<protocolVersion>1.8</protocolVersion>")), map[string]string{"SOAPAction": QuoteAction(actionGetConfig)})
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d; body %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Content-Type"); got != "text/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "private" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := w.Header().Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding = %q without Accept-Encoding", got)
	}
	want := `<soap:Envelope xmlns:soap="` + NS11 + `"><soap:Body><GetConfigResponse xmlns="` + nsClient + `"><GetConfigResult><LastChange>v=1.8 ` + strings.Repeat("x", 2000) + `</LastChange></GetConfigResult></GetConfigResponse></soap:Body></soap:Envelope>`
	soaptest.EqualXML(t, w.Body.Bytes(), []byte(want))
	if !bytes.HasPrefix(w.Body.Bytes(), []byte(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope `)) {
		t.Errorf("response does not start with the ASMX prefix: %.80s", w.Body)
	}
}

func TestMuxActions(t *testing.T) {
	m := testMux(t, nil)
	body := envelope11(op("GetConfig", "<protocolVersion>1.8</protocolVersion>"))
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"quoted", map[string]string{"SOAPAction": QuoteAction(actionGetConfig)}, 200},
		{"unquoted", map[string]string{"SOAPAction": actionGetConfig}, 200},
		{"empty", map[string]string{"SOAPAction": `""`}, 200},
		{"absent", nil, 200},
		{"soap 1.2 content type action", map[string]string{"Content-Type": `application/soap+xml; charset=utf-8; action="` + actionGetConfig + `"`}, 200},
		{"mismatch", map[string]string{"SOAPAction": QuoteAction(nsClient + "/GetCookie")}, 500},
		{"mismatch in content type", map[string]string{"Content-Type": `application/soap+xml; action="urn:x"`}, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := post(t, m, body, tc.hdr)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.status == 500 {
				if f := mustFault(t, w, 500); f.Code != CodeClient {
					t.Errorf("fault code = %q, want Client", f.Code)
				}
			}
		})
	}
	// Aliases are accepted; LenientAction dispatches a mismatch and logs it.
	w := post(t, m, envelope11(op("Stream", "")), map[string]string{"SOAPAction": QuoteAction(nsClient + "/StreamAlias")})
	if w.Code != 200 {
		t.Errorf("alias: status = %d", w.Code)
	}
	var logs bytes.Buffer
	lm := testMux(t, &logs)
	lm.LenientAction = true
	w = post(t, lm, body, map[string]string{"SOAPAction": QuoteAction(nsClient + "/GetCookie")})
	if w.Code != 200 || !strings.Contains(logs.String(), "does not match") {
		t.Errorf("lenient mismatch: status %d, log %q", w.Code, logs.String())
	}
}

func TestMuxFaults(t *testing.T) {
	var logs bytes.Buffer
	m := testMux(t, &logs)
	tests := []struct {
		name      string
		body      string
		action    string
		code      FaultCode
		errorCode string
	}{
		{"unknown element", envelope11(op("GetFoo", "")), nsClient + "/GetFoo", CodeClient, ""},
		{"element in other namespace", envelope11(`<GetConfig xmlns="urn:other"/>`), "", CodeClient, ""},
		{"malformed", envelope11(op("GetConfig", "<protocolVersion>")), actionGetConfig, CodeClient, ""},
		{"not soap", `{"json":true}`, "", CodeClient, ""},
		{"empty body", envelope11(""), "", CodeClient, ""},
		{"version mismatch", `<s:Envelope xmlns:s="urn:soap-9"><s:Body/></s:Envelope>`, "", CodeVersionMismatch, ""},
		{"handler fault", envelope11(op("GetConfig", "")), actionGetConfig, CodeClient, "InvalidParameters"},
		{"wrapped fault", envelope11(op("Wrapped", "")), nsClient + "/Wrapped", CodeClient, "InvalidCookie"},
		{"mapped error", envelope11(op("Mapped", "")), nsClient + "/Mapped", CodeServer, "ServerBusy"},
		{"internal error", envelope11(op("Secret", "")), nsClient + "/Secret", CodeServer, InternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"Accept-Encoding": "xpress"}
			if tc.action != "" {
				hdr["SOAPAction"] = QuoteAction(tc.action)
			}
			w := post(t, m, tc.body, hdr)
			f := mustFault(t, w, http.StatusInternalServerError)
			if f.Code != tc.code || f.ErrorCode() != tc.errorCode {
				t.Errorf("fault = %q/%q, want %q/%q", f.Code, f.ErrorCode(), tc.code, tc.errorCode)
			}
			if strings.Contains(w.Body.String(), "hunter2") {
				t.Errorf("fault leaks the internal error: %s", w.Body)
			}
			if tc.errorCode != "" {
				if len(f.Detail.ID) != 36 {
					t.Errorf("fault ID = %q, want a GUID", f.Detail.ID)
				}
				if f.Detail.Method != QuoteAction(tc.action) {
					t.Errorf("fault Method = %q, want %q", f.Detail.Method, QuoteAction(tc.action))
				}
			}
			if tc.errorCode == InternalServerError && !strings.Contains(logs.String(), f.Detail.ID) {
				t.Errorf("log %q lacks fault ID %s", logs.String(), f.Detail.ID)
			}
		})
	}
}

func TestMuxSOAP12(t *testing.T) {
	m := testMux(t, nil)
	body := readTestdata(t, "getconfig-12.xml")
	w := post(t, m, string(body), map[string]string{"Content-Type": `application/soap+xml; charset=utf-8; action="` + actionGetConfig + `"`})
	if w.Code != 200 {
		t.Fatalf("status = %d; %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Content-Type"); got != "application/soap+xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	msg, err := ParseMessage(w.Body.Bytes())
	if err != nil || msg.Version != V12 {
		t.Fatalf("response = %v, %v; want SOAP 1.2", msg, err)
	}
	var out getConfigResponse
	if err := msg.Decode(&out); err != nil || !strings.HasPrefix(out.Result.LastChange, "v=1.8") {
		t.Errorf("Decode = %+v, %v", out, err)
	}
	// A 1.2 fault.
	w = post(t, m, strings.Replace(string(body), "GetConfig>", "GetFoo>", 2), map[string]string{"Content-Type": "application/soap+xml"})
	f := mustFault(t, w, 500)
	if f.Code != CodeClient || !strings.Contains(w.Body.String(), "soap12:Sender") {
		t.Errorf("SOAP 1.2 fault = %+v\n%s", f, w.Body)
	}
}

func TestMuxXpress(t *testing.T) {
	m := testMux(t, nil)
	body := envelope11(op("GetConfig", "<protocolVersion>1.8</protocolVersion>"))
	for _, ae := range []string{"xpress", "gzip, XPRESS", "xpress;q=0.5"} {
		w := post(t, m, body, map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "xpress" || w.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Accept-Encoding %q: headers %v", ae, w.Header())
		}
		if cl := w.Header().Get("Content-Length"); cl != fmt.Sprint(w.Body.Len()) {
			t.Errorf("Content-Length = %s, body %d", cl, w.Body.Len())
		}
		plain, err := xpress.DecodeBody(w.Body.Bytes(), 1<<20)
		if err != nil || !bytes.Contains(plain, []byte("v=1.8")) || w.Body.Len() >= len(plain) {
			t.Errorf("DecodeBody = %d bytes from %d, %v", len(plain), w.Body.Len(), err)
		}
	}
	for _, ae := range []string{"gzip", "xpress;q=0", "xpressx"} {
		w := post(t, m, body, map[string]string{"Accept-Encoding": ae})
		if w.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", ae, w.Header().Get("Content-Encoding"))
		}
	}
	m.Xpress = false
	if w := post(t, m, body, map[string]string{"Accept-Encoding": "xpress"}); w.Header().Get("Content-Encoding") != "" {
		t.Error("xpress used with Xpress false")
	}
}

func TestMuxStream(t *testing.T) {
	m := testMux(t, nil)
	for _, ae := range []string{"", "xpress"} {
		w := post(t, m, envelope11(op("Stream", "")), map[string]string{"Accept-Encoding": ae})
		if w.Code != 200 {
			t.Fatalf("status = %d", w.Code)
		}
		b := w.Body.Bytes()
		// Streamed answers still carry Content-Length, as WSUS's do.
		if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(len(b)) {
			t.Errorf("Content-Length = %q, body %d bytes", cl, len(b))
		}
		if ae != "" {
			var err error
			if b, err = xpress.DecodeBody(b, 1<<22); err != nil {
				t.Fatal(err)
			}
		}
		msg, err := ParseMessage(b)
		if err != nil || msg.Name.Local != "StreamResponse" {
			t.Fatalf("ParseMessage = %v, %v", msg, err)
		}
		var out struct {
			IDs []int `xml:"StreamResult>UpdateInfo>ID"`
		}
		if err := msg.Decode(&out); err != nil || len(out.IDs) != 3000 || out.IDs[2999] != 2999 {
			t.Errorf("Decode = %d ids, %v", len(out.IDs), err)
		}
	}
}

func TestMuxBodyLimit(t *testing.T) {
	m := testMux(t, nil)
	m.MaxBodyBytes = 1000
	big := envelope11(op("GetConfig", "<protocolVersion>"+strings.Repeat("9", 5000)+"</protocolVersion>"))
	// With Content-Length: refused before reading.
	cr := &countingReader{r: strings.NewReader(big)}
	r := httptest.NewRequest(http.MethodPost, "/", cr)
	r.ContentLength = int64(len(big))
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || cr.n != 0 {
		t.Errorf("Content-Length over limit: status %d, read %d bytes", w.Code, cr.n)
	}
	mustFault(t, w, http.StatusRequestEntityTooLarge)
	// Without Content-Length (chunked): stops after the limit.
	cr = &countingReader{r: strings.NewReader(big + strings.Repeat(" ", 1<<20))}
	r = httptest.NewRequest(http.MethodPost, "/", cr)
	r.ContentLength = -1
	w = httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || cr.n > 64<<10 {
		t.Errorf("chunked over limit: status %d, read %d bytes", w.Code, cr.n)
	}
	// Under the limit is fine.
	if w := post(t, m, envelope11(op("GetConfig", "<protocolVersion>1</protocolVersion>")), nil); w.Code != 200 {
		t.Errorf("small body: status %d", w.Code)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestMuxGet(t *testing.T) {
	m := testMux(t, nil)
	get := func(method, target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		m.ServeHTTP(w, httptest.NewRequest(method, target, nil))
		return w
	}
	w := get(http.MethodGet, "/ClientWebService/client.asmx")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(w.Body.String(), "<li>GetConfig</li>") || !strings.Contains(w.Body.String(), "Client Web Service") {
		t.Errorf("GET = %d %q\n%s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := get(http.MethodHead, "/ClientWebService/client.asmx"); w.Code != 200 {
		t.Errorf("HEAD = %d", w.Code)
	}
	if w := get(http.MethodGet, "/x.asmx?WSDL"); w.Code != 404 {
		t.Errorf("GET ?WSDL without WSDL = %d, want 404", w.Code)
	}
	m.WSDL = []byte(`<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>`)
	if w := get(http.MethodGet, "/x.asmx?wsdl"); w.Code != 200 || w.Body.String() != string(m.WSDL) {
		t.Errorf("GET ?wsdl = %d %s", w.Code, w.Body)
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodOptions} {
		w := get(method, "/x.asmx")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") == "" {
			t.Errorf("%s = %d, Allow %q", method, w.Code, w.Header().Get("Allow"))
		}
	}
}
