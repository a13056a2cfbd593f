package wusp

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"patchbay/internal/soap"
)

// checkSyncUpdatesDecode decodes doc with encoding/xml alone and with
// decodeMessage; both must fail, or both succeed with the same request.
// It reports whether the fast path was taken.
func checkSyncUpdatesDecode(t *testing.T, doc []byte) bool {
	t.Helper()
	m, err := soap.ParseMessage(doc)
	if err != nil || m.Body == nil {
		return false
	}
	var slow, fast SyncUpdates
	serr := m.Decode(&slow)
	ferr := fast.decodeMessage(m)
	if (serr == nil) != (ferr == nil) {
		t.Fatalf("decodeMessage = %v, encoding/xml = %v", ferr, serr)
	}
	if serr == nil && !reflect.DeepEqual(slow, fast) {
		t.Fatalf("decodeMessage = %+v\nencoding/xml = %+v", describe(fast), describe(slow))
	}
	spans, _, ok := cutSyncUpdates(m.Body)
	return ok && len(spans) > 0
}

func describe(r SyncUpdates) string {
	if r.Parameters == nil {
		return fmt.Sprintf("%+v", r)
	}
	p := *r.Parameters
	return fmt.Sprintf("cookie %+v installed %#v other %#v drivers %#v params %+v", r.Cookie,
		p.InstalledNonLeafUpdateIDs, p.OtherCachedUpdateIDs, p.CachedDriverIDs, p)
}

// syncUpdatesDoc wraps a parameters element's content in a SyncUpdates
// envelope.
func syncUpdatesDoc(params string) []byte {
	return []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><s:Body>` +
		`<SyncUpdates xmlns="` + NSClient + `"><cookie><EncryptedData>AAEC</EncryptedData></cookie><parameters>` + params +
		`</parameters></SyncUpdates></s:Body></s:Envelope>`)
}

var syncUpdatesDecodeCases = []struct {
	name   string
	params string
	fast   bool // the fast path must be taken
}{
	{"plain", `<ExpressQuery>false</ExpressQuery><InstalledNonLeafUpdateIDs><int>1</int><int>-2</int></InstalledNonLeafUpdateIDs><OtherCachedUpdateIDs><int>2147483647</int></OtherCachedUpdateIDs><SkipSoftwareSync>true</SkipSoftwareSync><CachedDriverIDs><int>-2147483648</int></CachedDriverIDs>`, true},
	{"white space and signs", "<InstalledNonLeafUpdateIDs>\r\n <int> +7\t</int>\n<int>007</int> <int>-0</int></InstalledNonLeafUpdateIDs>", true},
	{"empty items", `<OtherCachedUpdateIDs><int></int><int/><int xsi:nil="true"/></OtherCachedUpdateIDs>`, true},
	{"blank item", `<OtherCachedUpdateIDs><int> </int></OtherCachedUpdateIDs>`, false},
	{"prefixes", `<w:InstalledNonLeafUpdateIDs xmlns:w="` + NSClient + `"><w:int>5</w:int><x:INT xmlns:x="urn:x">6</x:INT><int >7</int ></w:InstalledNonLeafUpdateIDs>`, true},
	{"empty and nil arrays", `<InstalledNonLeafUpdateIDs/><OtherCachedUpdateIDs xsi:nil="true"></OtherCachedUpdateIDs><CachedDriverIDs> </CachedDriverIDs>`, true},
	{"repeated array", `<OtherCachedUpdateIDs><int>1</int></OtherCachedUpdateIDs><OtherCachedUpdateIDs><int>2</int></OtherCachedUpdateIDs>`, true},
	{"overflow", `<OtherCachedUpdateIDs><int>2147483648</int></OtherCachedUpdateIDs>`, false},
	{"not a number", `<OtherCachedUpdateIDs><int>1x</int></OtherCachedUpdateIDs>`, false},
	{"hex", `<OtherCachedUpdateIDs><int>0x10</int></OtherCachedUpdateIDs>`, false},
	{"entity", `<OtherCachedUpdateIDs><int>&#49;</int></OtherCachedUpdateIDs>`, false},
	{"cdata", `<OtherCachedUpdateIDs><int><![CDATA[1]]></int></OtherCachedUpdateIDs>`, false},
	{"comment", `<OtherCachedUpdateIDs><!-- x --><int>1</int></OtherCachedUpdateIDs>`, false},
	{"other child", `<OtherCachedUpdateIDs><long>1</long><int>2</int></OtherCachedUpdateIDs>`, false},
	{"array type attribute", `<OtherCachedUpdateIDs xmlns:e="http://schemas.xmlsoap.org/soap/encoding/" e:arrayType="xsd:int[1]"><int>1</int></OtherCachedUpdateIDs>`, false},
	{"mismatched item end", `<OtherCachedUpdateIDs><int>1</Int></OtherCachedUpdateIDs>`, false},
	{"mismatched array end", `<OtherCachedUpdateIDs><int>1</int></CachedDriverIDs>`, false},
	{"unclosed array", `<OtherCachedUpdateIDs><int>1</int>`, false},
	{"text between items", `<OtherCachedUpdateIDs><int>1</int>x<int>2</int></OtherCachedUpdateIDs>`, false},
	{"nested array ignored", `<SystemSpec><OtherCachedUpdateIDs><int>1</int></OtherCachedUpdateIDs></SystemSpec><CachedDriverIDs><int>3</int></CachedDriverIDs>`, true},
	{"mismatched parameters end", `<CachedDriverIDs><int>3</int></CachedDriverIDs></cookie><parameters>`, false},
	{"no arrays", `<ExpressQuery>true</ExpressQuery>`, false},
}

// TestSyncUpdatesFastDecode checks the fast decoding of SyncUpdates against
// encoding/xml on hand-written shapes, generated large requests and, when
// ../shared is present, the captured real scans (a conformance test).
func TestSyncUpdatesFastDecode(t *testing.T) {
	for _, tc := range syncUpdatesDecodeCases {
		t.Run(tc.name, func(t *testing.T) {
			if fast := checkSyncUpdatesDecode(t, syncUpdatesDoc(tc.params)); tc.fast && !fast {
				t.Error("fast path not taken")
			}
		})
	}
	t.Run("generated", func(t *testing.T) {
		for _, n := range []int{1, 400, 17000} {
			var b strings.Builder
			b.WriteString("<ExpressQuery>false</ExpressQuery><InstalledNonLeafUpdateIDs>")
			for i := range n / 10 {
				fmt.Fprintf(&b, "<int>%d</int>", 100000+i*3)
			}
			b.WriteString("</InstalledNonLeafUpdateIDs><OtherCachedUpdateIDs>")
			for i := range n {
				fmt.Fprintf(&b, "<int>%d</int>", i*7-n)
			}
			b.WriteString("</OtherCachedUpdateIDs><SkipSoftwareSync>false</SkipSoftwareSync>")
			if !checkSyncUpdatesDecode(t, syncUpdatesDoc(b.String())) {
				t.Errorf("%d ids: fast path not taken", n)
			}
		}
	})
	t.Run("real", func(t *testing.T) {
		requireReal(t)
		files, _ := filepath.Glob(filepath.Join(realDir, "wsus-rs", "wsus-m0-native", "scan", "*", "request.body"))
		for _, p := range files {
			body, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(body, []byte("<SyncUpdates")) {
				continue
			}
			t.Run(filepath.Base(filepath.Dir(p)), func(t *testing.T) {
				fast := checkSyncUpdatesDecode(t, body)
				if !fast && bytes.Contains(body, []byte("UpdateIDs><int>")) {
					t.Error("fast path not taken")
				}
			})
		}
	})
}

// FuzzSyncUpdatesDecode compares decodeMessage with encoding/xml on
// arbitrary SyncUpdates envelopes.
func FuzzSyncUpdatesDecode(f *testing.F) {
	for _, tc := range syncUpdatesDecodeCases {
		f.Add(syncUpdatesDoc(tc.params))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "SyncUpdates", "request.xml")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkSyncUpdatesDecode(t, doc)
	})
}
