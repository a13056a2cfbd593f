package soap

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

const nsClient = "http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"

// getConfig is a trimmed MS-WUSP §2.2.2.2.1 request, for tests.
type getConfig struct {
	XMLName         xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetConfig"`
	ProtocolVersion string   `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService protocolVersion"`
}

type getConfigResponse struct {
	XMLName xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetConfigResponse"`
	Result  struct {
		LastChange string `xml:"LastChange"`
	} `xml:"GetConfigResult"`
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func TestParseMessage(t *testing.T) {
	wua := string(readTestdata(t, "getconfig-11.xml"))
	tests := []struct {
		name    string
		doc     []byte
		version Version
		want    string // protocolVersion
	}{
		{"wua shape", []byte(wua), V11, "1.8"},
		{"soap 1.2 with header and prefixes", readTestdata(t, "getconfig-12.xml"), V12, "1.8"},
		{"default namespace envelope", readTestdata(t, "default-ns-envelope.xml"), V11, "2.90"},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, wua...), V11, "1.8"},
		{"utf-16 with declaration", utf16LE(`<?xml version="1.0" encoding="utf-16"?>`+wua, true), V11, "1.8"},
		{"latin-1 declaration", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?>` + wua), V11, "1.8"},
		{"prefix declared on envelope", []byte(`<a:Envelope xmlns:a="` + NS11 + `" xmlns:w="` + nsClient + `"><a:Body><w:GetConfig><w:protocolVersion>1.8</w:protocolVersion></w:GetConfig></a:Body></a:Envelope>`), V11, "1.8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage(tc.doc)
			if err != nil {
				t.Fatalf("ParseMessage = %v", err)
			}
			if m.Version != tc.version {
				t.Errorf("Version = %v, want %v", m.Version, tc.version)
			}
			if want := (xml.Name{Space: nsClient, Local: "GetConfig"}); m.Name != want {
				t.Errorf("Name = %v, want %v", m.Name, want)
			}
			if !bytes.HasSuffix(m.Body, []byte("GetConfig>")) || !bytes.Contains(m.Body, []byte("GetConfig")) {
				t.Errorf("Body = %q, want the GetConfig element", m.Body)
			}
			for range 2 { // Decode may be called twice
				var gc getConfig
				if err := m.Decode(&gc); err != nil {
					t.Fatalf("Decode = %v", err)
				}
				if gc.ProtocolVersion != tc.want {
					t.Errorf("protocolVersion = %q, want %q", gc.ProtocolVersion, tc.want)
				}
			}
		})
	}
}

func TestParseMessageSpecStyle(t *testing.T) {
	m, err := ParseMessage(readTestdata(t, "spec-style.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var req struct {
		Params struct {
			Installed []int `xml:"InstalledNonLeafUpdateIDs>int"`
		} `xml:"parameters"`
	}
	if err := m.Decode(&req); err != nil {
		t.Fatal(err)
	}
	if len(req.Params.Installed) != 2 {
		t.Errorf("InstalledNonLeafUpdateIDs = %v, want [1 2]", req.Params.Installed)
	}
	var wrong getConfig
	if err := m.Decode(&wrong); err == nil {
		t.Error("Decode into a struct for another element succeeded")
	}
}

func TestParseMessageErrors(t *testing.T) {
	wua := string(readTestdata(t, "getconfig-11.xml"))
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"empty", "", ErrNotEnvelope},
		{"not xml", "hello", ErrNotEnvelope},
		{"not an envelope", `<GetConfig xmlns="` + nsClient + `"/>`, ErrNotEnvelope},
		{"no body", `<s:Envelope xmlns:s="` + NS11 + `"><s:Header/></s:Envelope>`, ErrNotEnvelope},
		{"body in wrong namespace", `<s:Envelope xmlns:s="` + NS11 + `"><Body><x/></Body></s:Envelope>`, ErrNotEnvelope},
		{"truncated", wua[:len(wua)-20], nil},
		{"trailing garbage", strings.TrimSpace(wua) + "<x>", nil},
		{"external entity", `<!DOCTYPE s:Envelope [<!ENTITY e SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="` + NS11 + `"><s:Body><a>&e;</a></s:Body></s:Envelope>`, nil},
		{"unknown charset", `<?xml version="1.0" encoding="ebcdic"?>` + wua, ErrNotEnvelope},
		{"deep in body", envelope11(strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)), ErrTooDeep},
		{"deep in header", `<s:Envelope xmlns:s="` + NS11 + `"><s:Header>` + strings.Repeat("<a>", 100000), ErrTooDeep},
		{"deep after body", envelope11("<a/>" + strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)), ErrTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tc.doc))
			if err == nil {
				t.Fatalf("ParseMessage = %+v, want an error", m)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("ParseMessage = %v, want %v", err, tc.want)
			}
		})
	}
	_, err := ParseMessage([]byte(`<s:Envelope xmlns:s="urn:soap-2.0"><s:Body/></s:Envelope>`))
	var vm *VersionMismatchError
	if !errors.As(err, &vm) {
		t.Errorf("ParseMessage(unknown namespace) = %v, want *VersionMismatchError", err)
	}
	m, err := ParseMessage([]byte(`<s:Envelope xmlns:s="` + NS11 + `"><s:Body> </s:Body></s:Envelope>`))
	if err != nil || m.Body != nil || m.Name != (xml.Name{}) {
		t.Errorf("ParseMessage(empty Body) = %+v, %v; want empty Name and Body", m, err)
	}
	if err := m.Decode(&getConfig{}); err == nil {
		t.Error("Decode of an empty Body succeeded")
	}
}

func TestUnquoteAction(t *testing.T) {
	tests := map[string]string{
		`"urn:a/B"`:   "urn:a/B",
		` "urn:a/B" `: "urn:a/B",
		`urn:a/B`:     "urn:a/B",
		`""`:          "",
		``:            "",
		`'urn:a'`:     "urn:a",
		`"`:           `"`,
	}
	for in, want := range tests {
		if got := UnquoteAction(in); got != want {
			t.Errorf("UnquoteAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentTypeInfo(t *testing.T) {
	tests := []struct{ ct, media, action string }{
		{"text/xml; charset=utf-8", "text/xml", ""},
		{"text/xml", "text/xml", ""},
		{`application/soap+xml; charset=utf-8; action="urn:a/B"`, "application/soap+xml", "urn:a/B"},
		{`Application/SOAP+XML;action=urn:a/B`, "application/soap+xml", "urn:a/B"},
		{`application/soap+xml; charset=utf-8; action="urn:a/B"; action=x`, "application/soap+xml", "urn:a/B"},
		{"", "", ""},
	}
	for _, tc := range tests {
		media, action := contentTypeInfo(tc.ct)
		if media != tc.media || action != tc.action {
			t.Errorf("contentTypeInfo(%q) = %q, %q; want %q, %q", tc.ct, media, action, tc.media, tc.action)
		}
	}
}

func TestMarshalEnvelopeRoundTrip(t *testing.T) {
	for _, v := range []Version{V11, V12} {
		t.Run(v.String(), func(t *testing.T) {
			in := getConfig{ProtocolVersion: "1.8"}
			b, err := MarshalEnvelope(v, in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="utf-8"?><`+v.prefix()+`:Envelope`)) {
				t.Errorf("MarshalEnvelope = %s, want an explicit %s: prefix", b, v.prefix())
			}
			m, err := ParseMessage(b)
			if err != nil {
				t.Fatal(err)
			}
			var out getConfig
			if m.Version != v || m.Decode(&out) != nil || out.ProtocolVersion != "1.8" {
				t.Errorf("round trip = %v %+v", m.Version, out)
			}
		})
	}
	if _, err := MarshalEnvelope(V11, make(chan int)); err == nil {
		t.Error("MarshalEnvelope(chan) succeeded")
	}
}

// FuzzDecodeEnvelope checks that no input panics ParseMessage, Decode or
// fault parsing, and that a parsed Body is a slice of the input's element.
func FuzzDecodeEnvelope(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<s:Envelope xmlns:s="` + NS11 + `"><s:Body/></s:Envelope>`))
	mux := testMux(f, nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		w := post(t, mux, string(b), map[string]string{"Accept-Encoding": "xpress"})
		if w.Code != 200 && w.Code != 500 {
			t.Fatalf("Mux status = %d", w.Code)
		}
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		var v struct {
			XMLName xml.Name
			Inner   []byte `xml:",innerxml"`
			Any     []struct {
				XMLName xml.Name
				Attr    []xml.Attr `xml:",any,attr"`
			} `xml:",any"`
		}
		if m.Body != nil {
			if err := m.Decode(&v); err != nil {
				// ParseMessage only delimits the body element's content;
				// Decode may refuse it only if the tokenizer would have.
				if _, terr := parseMessage(toUTF8(b), false); terr == nil {
					t.Fatalf("Decode after a successful ParseMessage = %v", err)
				}
				return
			}
			if v.XMLName != m.Name {
				t.Fatalf("Decode name = %v, ParseMessage name = %v", v.XMLName, m.Name)
			}
		}
		_, _ = parseFault(m)
		_, _ = DecodeFault(b)
	})
}
