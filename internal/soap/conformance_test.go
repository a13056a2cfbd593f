package soap

// Conformance tests against real traffic in ../shared/data/real (see the
// README of each folder for its source). They skip when ../shared is absent.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"patchbay/internal/soap/soaptest"
	"patchbay/internal/xpress"
)

const realData = "../../../shared/data/real"

func realDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join(realData, sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s not present", dir)
	}
	return dir
}

// readHeaders reads a captured request.headers file (request line, then
// "Key: Value" lines).
func readHeaders(t *testing.T, path string) http.Header {
	t.Helper()
	h := http.Header{}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // request line
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return h
}

// qnameOfAction derives the body element's QName from a WUSP/WSUSSS
// SOAPAction: the namespace is the action up to its last '/', the local name
// the rest (protocol-wusp.md §1.2, protocol-wsusss.md §3.2).
func qnameOfAction(action string) xml.Name {
	i := strings.LastIndexByte(action, '/')
	return xml.Name{Space: action[:i], Local: action[i+1:]}
}

// TestConformanceRequests posts every captured real request body, with its
// captured headers, through a Mux and checks the body QName and SOAPAction
// the handler sees, that the operation element decodes, and that the xpress
// response decodes when the client asked for it.
func TestConformanceRequests(t *testing.T) {
	base := realDir(t, "wsus-rs")
	var dirs []string
	for _, pat := range []string{"wsus-m0-native/scan/*", "wsus-m0-native/flow/*", "wsus-m0-wsusss/exchanges/*"} {
		m, _ := filepath.Glob(filepath.Join(base, pat))
		dirs = append(dirs, m...)
	}
	n := 0
	for _, dir := range dirs {
		body, err := os.ReadFile(filepath.Join(dir, "request.body"))
		if err != nil {
			continue
		}
		hdr := readHeaders(t, filepath.Join(dir, "request.headers"))
		action := UnquoteAction(hdr.Get("SOAPAction"))
		if action == "" {
			var meta struct {
				SOAPAction string `json:"soap_action"`
			}
			raw, _ := os.ReadFile(filepath.Join(dir, "meta.json"))
			_ = json.Unmarshal(raw, &meta)
			action = UnquoteAction(meta.SOAPAction)
			hdr.Set("SOAPAction", QuoteAction(action))
		}
		if action == "" {
			continue
		}
		n++
		name := filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir))
		t.Run(name, func(t *testing.T) {
			want := qnameOfAction(action)
			var got *Request
			var decoded struct {
				XMLName  xml.Name
				Children []struct{ XMLName xml.Name } `xml:",any"`
			}
			m := &Mux{Xpress: true, Routes: map[xml.Name]Route{want: {Action: action, Handler: func(ctx context.Context, req *Request) (any, error) {
				got = req
				if err := req.Decode(&decoded); err != nil {
					return nil, err
				}
				return RawXML(`<` + want.Local + `Response xmlns="` + want.Space + `"/>`), nil
			}}}}
			r := httptest.NewRequest(http.MethodPost, "/x.asmx", bytes.NewReader(body))
			for k, v := range hdr {
				if k != "Content-Length" && k != "Host" {
					r.Header[k] = v
				}
			}
			w := httptest.NewRecorder()
			m.ServeHTTP(w, r)
			if w.Code != http.StatusOK || got == nil {
				t.Fatalf("status %d; body %s", w.Code, w.Body)
			}
			if got.Name != want || got.Action != action || got.Version != V11 {
				t.Errorf("request = %v %q %v, want %v %q SOAP 1.1", got.Name, got.Action, got.Version, want, action)
			}
			if decoded.XMLName != want {
				t.Errorf("decoded element %v, want %v", decoded.XMLName, want)
			}
			for _, c := range decoded.Children {
				if c.XMLName.Space != want.Space {
					t.Errorf("child %v not in the operation namespace", c.XMLName)
				}
			}
			resp := w.Body.Bytes()
			if acceptsXpress(hdr) {
				if w.Header().Get("Content-Encoding") != "xpress" {
					t.Fatalf("client sent Accept-Encoding %q, response not xpress", hdr.Get("Accept-Encoding"))
				}
				if resp, err = xpress.DecodeBody(resp, 1<<20); err != nil {
					t.Fatal(err)
				}
			}
			if msg, err := ParseMessage(resp); err != nil || msg.Name.Local != want.Local+"Response" {
				t.Errorf("response = %v, %v", msg, err)
			}
		})
	}
	if n == 0 {
		t.Error("no captured requests found")
	}
}

// TestConformanceResponses parses every captured real response envelope
// (WSUS, and the pywsus server's) and reads the faults among them.
func TestConformanceResponses(t *testing.T) {
	base := realDir(t, "")
	var files []string
	for _, pat := range []string{"wsus-rs/wsus-m0*/*/response.body", "wsus-rs/wsus-m0*/*/*/response.body", "pywsus/resources-*/*.xml"} {
		m, _ := filepath.Glob(filepath.Join(base, pat))
		files = append(files, m...)
	}
	wantFaults := map[string]*Fault{
		"wsus-m0/000141": {Code: CodeClient, String: FaultString, Detail: &Detail{ErrorCode: "InvalidParameters",
			Message: "parameters.InstalledNonLeafUpdateIDs", ID: "81418b4e-82c1-48d0-9504-da01db6148ae",
			Method: `"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"`}},
		"exchanges/000017": {Code: CodeServer, String: FaultString, Actor: "http://127.0.0.1:8530/ServerSyncWebService/ServerSyncWebService.asmx",
			Detail: &Detail{ErrorCode: "InternalServerError", ID: "b6114a8d-9939-41e0-ad7f-0d9a72260804", Method: `"http://www.microsoft.com/SoftwareDistribution/GetUpdateData"`}},
		"exchanges/000018": {Code: CodeClient, String: FaultString, Actor: "http://127.0.0.1:8530/ServerSyncWebService/ServerSyncWebService.asmx",
			Detail: &Detail{ErrorCode: "InvalidParameters", Message: "filter", ID: "94327110-fc7e-4c3c-878d-186ab273d9fd", Method: `"http://www.microsoft.com/SoftwareDistribution/GetRevisionIdList"`}},
		"exchanges/000019": {Code: CodeClient, String: FaultString, Actor: "http://127.0.0.1:8530/ServerSyncWebService/ServerSyncWebService.asmx",
			Detail: &Detail{ErrorCode: "InvalidCookie", ID: "6ea693bc-a66e-4334-a797-043728561c7d", Method: `"http://www.microsoft.com/SoftwareDistribution/GetRevisionIdList"`}},
		"resources-2020/internal-error.xml": {Code: "InternalServiceFault", String: "The server was unable to process the request due to an internal error."},
		"resources-2026/internal-error.xml": {Code: "InternalServiceFault", String: "The server was unable to process the request due to an\n                internal error."},
	}
	seen := 0
	for _, file := range files {
		key := filepath.Join(filepath.Base(filepath.Dir(filepath.Dir(file))), filepath.Base(filepath.Dir(file)))
		if strings.HasSuffix(file, ".xml") {
			key = filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file))
		}
		t.Run(key, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			msg, err := ParseMessage(data)
			if err != nil {
				t.Fatalf("ParseMessage = %v", err)
			}
			if msg.Name.Local == "" {
				t.Fatal("no body element")
			}
			want, isFault := wantFaults[key]
			if (msg.Name.Local == "Fault") != isFault {
				t.Fatalf("body element %v; expected fault: %v", msg.Name, isFault)
			}
			if !isFault {
				return
			}
			seen++
			got, err := DecodeFault(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("DecodeFault mismatch (-want +got):\n%s", diff)
			}
			if got.Detail != nil {
				// What we write for the same fault has the real shape.
				ours, err := MarshalEnvelope(V11, got)
				if err != nil {
					t.Fatal(err)
				}
				soaptest.EqualXML(t, ours, data)
			}
		})
	}
	if seen != len(wantFaults) {
		t.Errorf("found %d of %d known faults", seen, len(wantFaults))
	}
}
