package wusp

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"patchbay/internal/soap/soaptest"
)

// TestSyncUpdatesEncoderMatchesXML checks the hand-written encoder against
// encoding/xml on a fully populated response: same document by meaning.
func TestSyncUpdatesEncoderMatchesXML(t *testing.T) {
	for _, v := range samples() {
		a, ok := v.(interface{ AppendXML([]byte) []byte })
		if !ok {
			continue
		}
		want, err := xml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		soaptest.EqualXML(t, a.AppendXML(nil), want)
	}
}

// TestAppendEscaped checks escaping of fragment bytes, including bytes
// that are not XML characters.
func TestAppendEscaped(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ``},
		{`<a b="c">&amp;</a>`, `&lt;a b="c"&gt;&amp;amp;&lt;/a&gt;`},
		{"a\r\nb\tc", "a&#xD;\nb\tc"},
		{"x\x00y\x1f", "x\uFFFDy\uFFFD"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{"é€😀", "é€😀"},
		{"\uFFFE", "\uFFFD"},
		{"]]>", "]]&gt;"},
	}
	for _, tc := range tests {
		if got := string(appendEscaped(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("appendEscaped(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := string(appendEscaped(nil, tc.in)); got != tc.want {
			t.Errorf("appendEscaped(string %q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSyncUpdatesWriteTo checks the io.WriterTo form against AppendXML.
func TestSyncUpdatesWriteTo(t *testing.T) {
	r := benchResponse(3)
	var b strings.Builder
	n, err := r.WriteTo(&b)
	if err != nil || int(n) != b.Len() || b.String() != string(r.AppendXML(nil)) {
		t.Errorf("WriteTo = %d, %v", n, err)
	}
}

// benchResponse is a SyncUpdates page of n updates with realistic Core
// fragments (about 700 bytes each, as WSUS sends for bundle members).
func benchResponse(n int) *SyncUpdatesResponse {
	si := &SyncInfo{NewCookie: &Cookie{Expiration: DateTime{time.Date(2026, 10, 4, 16, 3, 35, 996723600, time.UTC)}, EncryptedData: make(Binary, 224)},
		Truncated: true, DriverSyncNotNeeded: "false"}
	si.NewUpdates = make(List[UpdateInfo], n)
	for i := range si.NewUpdates {
		frag := fmt.Sprintf(`<UpdateIdentity UpdateID="%08X-4C77-4DD9-951A-99EE9C246A94" RevisionNumber="200" />`+
			`<Properties UpdateType="Software" ExplicitlyDeployable="true" AutoSelectOnWebSites="true" />`+
			`<Relationships><Prerequisites><AtLeastOne IsCategory="true"><UpdateIdentity UpdateID="0FA1201D-4330-4FA8-8AE9-B877473B6441" /></AtLeastOne>`+
			`<UpdateIdentity UpdateID="59653007-E2E9-4F71-8525-2FF588527978" /></Prerequisites>`+
			`<BundledUpdates><UpdateIdentity UpdateID="A2FEF9B0-7951-4C2C-A42B-9E351DD1C1FE" RevisionNumber="200" /></BundledUpdates></Relationships>`+
			`<ApplicabilityRules><IsInstalled><b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="26100" /></IsInstalled>`+
			`<IsInstallable><b.RegSz Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Microsoft" Value="x" Comparison="EqualTo" Data="a &amp; b" /></IsInstallable></ApplicabilityRules>`, i)
		si.NewUpdates[i] = UpdateInfo{ID: int32(100000 + i), IsLeaf: i%3 != 0, Xml: []byte(frag),
			Deployment: &Deployment{ID: int32(5000 + i), Action: ActionEvaluate, IsAssigned: true, LastChangeTime: "2026-10-04",
				AutoSelect: "0", AutoDownload: "0", SupersedenceBehavior: "0"}}
	}
	return &SyncUpdatesResponse{SyncUpdatesResult: si}
}

// BenchmarkSyncUpdatesEncode measures the streaming encoder on a page of
// 1,000 updates: allocs/op must stay constant (no allocation per update).
func BenchmarkSyncUpdatesEncode(b *testing.B) {
	r := benchResponse(1000)
	b.SetBytes(int64(len(r.AppendXML(nil))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyncUpdatesEncodeXML is the encoding/xml baseline.
func BenchmarkSyncUpdatesEncodeXML(b *testing.B) {
	r := benchResponse(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := xml.NewEncoder(io.Discard).Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSyncUpdatesEncodeAllocs pins the allocation count of the encoder
// so that a per-update allocation cannot creep in.
func TestSyncUpdatesEncodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops buffers at random under -race")
	}
	r := benchResponse(1000)
	r.WriteTo(io.Discard) // warm the buffer pool
	if n := testing.AllocsPerRun(20, func() { r.WriteTo(io.Discard) }); n > 2 {
		t.Errorf("WriteTo of 1,000 updates allocates %v times, want at most 2", n)
	}
}

// TestXmlEscapedMatchesXml: a pre-escaped fragment is written exactly as
// the encoder would have escaped the raw one.
func TestXmlEscapedMatchesXml(t *testing.T) {
	core := []byte("<UpdateIdentity UpdateID=\"a\" /><b.RegSz Data=\"x&amp;y\" Value='q'>a<b\r\n\x01</b.RegSz>")
	raw := &SyncUpdatesResponse{SyncUpdatesResult: &SyncInfo{NewUpdates: List[UpdateInfo]{{ID: 1, IsLeaf: true, Xml: core}}}}
	pre := &SyncUpdatesResponse{SyncUpdatesResult: &SyncInfo{NewUpdates: List[UpdateInfo]{{ID: 1, IsLeaf: true, Xml: core, XmlEscaped: EscapeText(nil, core)}}}}
	if a, b := string(raw.AppendXML(nil)), string(pre.AppendXML(nil)); a != b {
		t.Errorf("pre-escaped output differs:\n%s\n%s", a, b)
	}
}
