package updatexml

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

// minimal is the smallest document Parse accepts; the error tests break it.
const minimal = `<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update">` +
	`<upd:UpdateIdentity UpdateID="266F6222-C89D-43F2-9F8A-69340271E677" RevisionNumber="200" />` +
	`<upd:Properties UpdateType="Software" />%s</upd:Update>`

func doc(extra string) []byte { return []byte(strings.Replace(minimal, "%s", extra, 1)) }

func TestParseMinimal(t *testing.T) {
	d, err := Parse(doc(""))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	want := patchbay.RevisionKey{UpdateID: "266f6222-c89d-43f2-9f8a-69340271e677", RevisionNumber: 200}
	if d.Revision.RevisionKey != want || d.Revision.Type != patchbay.TypeSoftware {
		t.Errorf("Parse = %+v %v, want %+v Software", d.Revision.RevisionKey, d.Revision.Type, want)
	}
	var kinds []patchbay.FragmentKind
	for _, f := range d.Fragments {
		kinds = append(kinds, f.Kind)
	}
	if diff := cmp.Diff([]patchbay.FragmentKind{patchbay.FragmentCore, patchbay.FragmentExtended}, kinds); diff != "" {
		t.Errorf("fragment kinds (-want +got):\n%s", diff)
	}
	if got, want := string(d.Fragments[0].XML), `<UpdateIdentity UpdateID="266F6222-C89D-43F2-9F8A-69340271E677" RevisionNumber="200" /><Properties UpdateType="Software" />`; got != want {
		t.Errorf("Core = %s, want %s", got, want)
	}
	if got, want := string(d.Fragments[1].XML), `<ExtendedProperties />`; got != want {
		t.Errorf("Extended = %s, want %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	key := patchbay.RevisionKey{UpdateID: "266f6222-c89d-43f2-9f8a-69340271e677", RevisionNumber: 200}
	const ns = `xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"`
	tests := []struct {
		name  string
		in    string
		path  string
		rev   patchbay.RevisionKey
		cause error // checked with errors.Is when set
		text  string
	}{
		{name: "no identity", in: `<upd:Update ` + ns + `><upd:Properties UpdateType="Software" /></upd:Update>`,
			path: "/Update/UpdateIdentity", cause: ErrMissing, text: "update: /Update/UpdateIdentity: missing"},
		{name: "no UpdateID", in: `<upd:Update ` + ns + `><upd:UpdateIdentity RevisionNumber="1" /><upd:Properties UpdateType="Software" /></upd:Update>`,
			path: "/Update/UpdateIdentity/@UpdateID", cause: ErrMissing},
		{name: "bad UpdateID", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e67" RevisionNumber="1" /><upd:Properties UpdateType="Software" /></upd:Update>`,
			path: "/Update/UpdateIdentity/@UpdateID", text: `invalid GUID "266f6222-c89d-43f2-9f8a-69340271e67"`},
		{name: "no RevisionNumber", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" /><upd:Properties UpdateType="Software" /></upd:Update>`,
			path: "/Update/UpdateIdentity/@RevisionNumber", cause: ErrMissing},
		{name: "bad RevisionNumber", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" RevisionNumber="2x" /><upd:Properties UpdateType="Software" /></upd:Update>`,
			path: "/Update/UpdateIdentity/@RevisionNumber", text: `invalid integer "2x"`},
		{name: "no Properties", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" RevisionNumber="200" /></upd:Update>`,
			path: "/Update/Properties", rev: key, cause: ErrMissing},
		{name: "no UpdateType", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" RevisionNumber="200" /><upd:Properties /></upd:Update>`,
			path: "/Update/Properties/@UpdateType", rev: key, cause: ErrMissing,
			text: "update 266f6222-c89d-43f2-9f8a-69340271e677/200: /Update/Properties/@UpdateType: missing"},
		{name: "bad UpdateType", in: `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" RevisionNumber="200" /><upd:Properties UpdateType="Firmware" /></upd:Update>`,
			path: "/Update/Properties/@UpdateType", rev: key, text: `invalid update type "Firmware"`},
		{name: "bad file size", in: string(doc(`<upd:Files><upd:File FileName="a" Size="1" /><upd:File FileName="b" Size="x" /></upd:Files>`)),
			path: "/Update/Files/File[2]/@Size", rev: key,
			text: `update 266f6222-c89d-43f2-9f8a-69340271e677/200: /Update/Files/File[2]/@Size: invalid integer "x"`},
		{name: "short digest", in: string(doc(`<upd:Files><upd:File Digest="AAAA" DigestAlgorithm="SHA1" /></upd:Files>`)),
			path: "/Update/Files/File[1]/@Digest", rev: key},
		{name: "bad sha256", in: string(doc(`<upd:Files><upd:File><upd:AdditionalDigest Algorithm="SHA256">UNxEihVjtbUH40QmtyhP4V7GfcY=</upd:AdditionalDigest></upd:File></upd:Files>`)),
			path: "/Update/Files/File[1]/AdditionalDigest[1]", rev: key},
		{name: "bad modified", in: string(doc(`<upd:Files><upd:File Modified="yesterday" /></upd:Files>`)),
			path: "/Update/Files/File[1]/@Modified", rev: key},
		{name: "bad prerequisite", in: string(doc(`<upd:Relationships><upd:Prerequisites><upd:AtLeastOne><upd:UpdateIdentity UpdateID="x" /></upd:AtLeastOne></upd:Prerequisites></upd:Relationships>`)),
			path: "/Update/Relationships/Prerequisites/AtLeastOne[1]/UpdateIdentity[1]/@UpdateID", rev: key},
		{name: "bundled without revision", in: string(doc(`<upd:Relationships><upd:BundledUpdates><upd:AtLeastOne><upd:UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" /></upd:AtLeastOne></upd:BundledUpdates></upd:Relationships>`)),
			path: "/Update/Relationships/BundledUpdates/AtLeastOne[1]/UpdateIdentity[1]/@RevisionNumber", rev: key, cause: ErrMissing},
		{name: "bad IsCategory", in: string(doc(`<upd:Relationships><upd:Prerequisites><upd:AtLeastOne IsCategory="yes" /></upd:Prerequisites></upd:Relationships>`)),
			path: "/Update/Relationships/Prerequisites/AtLeastOne[1]/@IsCategory", rev: key},
		{name: "bad feature score", in: string(doc(`<upd:ApplicabilityRules><upd:Metadata><drv:WindowsDriverMetaData xmlns:drv="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver"><drv:FeatureScore OperatingSystem="amd64.10.0" FeatureScore="100" /></drv:WindowsDriverMetaData></upd:Metadata></upd:ApplicabilityRules>`)),
			path: "/Update/ApplicabilityRules/Metadata/WindowsDriverMetaData[1]/FeatureScore[1]/@FeatureScore", rev: key},
		{name: "localized without language", in: string(doc(`<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Title>x</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>`)),
			path: "/Update/LocalizedPropertiesCollection/LocalizedProperties[1]/Language", rev: key, cause: ErrMissing},
		{name: "eula without language", in: string(doc(`<upd:LocalizedPropertiesCollection><upd:EulaFile FileName="e.txt" /></upd:LocalizedPropertiesCollection>`)),
			path: "/Update/LocalizedPropertiesCollection/EulaFile[1]/@Language", rev: key, cause: ErrMissing},
		{name: "wrong root", in: `<Envelope />`, path: "/Update"},
		{name: "malformed", in: `<upd:Update ` + ns + `><upd:Properties></upd:Update>`, text: "malformed XML"},
		{name: "entity", in: `<!DOCTYPE u [<!ENTITY x "boom">]><upd:Update ` + ns + `>&x;</upd:Update>`, text: "malformed XML"},
		{name: "two roots", in: string(doc("")) + `<x />`, text: "more than one root"},
		{name: "empty", in: ``, text: "no root element"},
		{name: "deep", in: `<upd:Update ` + ns + `>` + strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300) + `</upd:Update>`, text: "nested deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if pe.Path != tc.path {
				t.Errorf("Path = %q, want %q (%v)", pe.Path, tc.path, err)
			}
			if pe.Revision != tc.rev {
				t.Errorf("Revision = %+v, want %+v", pe.Revision, tc.rev)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.cause)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("Error() = %q, want it to contain %q", err, tc.text)
			}
			if code := patchbay.ErrorCode(err); code != patchbay.EInvalid {
				t.Errorf("ErrorCode = %q, want %q", code, patchbay.EInvalid)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	big := make([]byte, MaxSize+1)
	_, err := Parse(big)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Parse(%d bytes) = %v, want ErrTooLarge", len(big), err)
	}
}

// TestParseEncodings checks that every accepted encoding of the same document
// yields the same result, fragments always in UTF-8.
func TestParseEncodings(t *testing.T) {
	src, err := os.ReadFile("testdata/localized-eula/update.xml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	decl16 := strings.Replace(s, `encoding="utf-8"`, `encoding="utf-16"`, 1)
	bare := s[strings.Index(s, "?>")+2:]
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, src...)},
		{"utf-8 no declaration", []byte(strings.TrimSpace(bare))},
		{"utf-8 declaring utf-16", []byte(decl16)},
		{"utf-16le BOM", append([]byte{0xFF, 0xFE}, utf16LE(decl16)...)},
		{"utf-16be BOM", append([]byte{0xFE, 0xFF}, utf16BE(decl16)...)},
		{"utf-16le no BOM", utf16LE(decl16)},
		{"utf-16be no BOM", utf16BE(decl16)},
		{"utf-16le no declaration", utf16LE(strings.TrimSpace(bare))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse differs (-utf8 +got):\n%s", diff)
			}
		})
	}
	for _, bad := range [][]byte{{0xFF, 0xFE, '<'}, {'<', 0xFF, 'a', '>'}, append([]byte{0xFF, 0xFE}, 0x00, 0xD8, '<', 0)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(% x) = nil error, want one", bad)
		}
	}
}

// TestCoreDropsOnlyDefaults checks the Core Properties rule: the five kept
// attributes in spec order, "false" defaults left out, other values verbatim.
func TestCoreDropsOnlyDefaults(t *testing.T) {
	in := []byte(`<Update xmlns="http://schemas.microsoft.com/msus/2002/12/Update">` +
		`<UpdateIdentity UpdateID="266f6222-c89d-43f2-9f8a-69340271e677" RevisionNumber="1"/>` +
		`<Properties EulaID="e" OSUpgrade="Upgrade" AutoSelectOnWebSites="false" ExplicitlyDeployable="1" UpdateType="Software" PerUser="true" IsBeta="false"><KBArticleID>1</KBArticleID></Properties>` +
		`</Update>`)
	d, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	core := string(d.Fragments[0].XML)
	if want := `<Properties UpdateType="Software" ExplicitlyDeployable="1" OSUpgrade="Upgrade" EulaID="e" />`; !strings.Contains(core, want) {
		t.Errorf("Core = %s, want it to contain %s", core, want)
	}
	ext := string(d.Fragments[1].XML)
	if want := `<ExtendedProperties PerUser="true" IsBeta="false"><KBArticleID>1</KBArticleID></ExtendedProperties>`; ext != want {
		t.Errorf("Extended = %s, want %s", ext, want)
	}
	if !d.Revision.ExplicitlyDeployable || d.Revision.KBArticleID != "1" {
		t.Errorf("Revision = %+v", d.Revision)
	}
}

// TestForeignDefaultNamespaceKept mirrors the real CBS Core fragment: a
// default namespace outside the MSUS schemas survives, MSUS ones do not.
func TestForeignDefaultNamespaceKept(t *testing.T) {
	in := doc(`<upd:ApplicabilityRules><upd:Metadata><CbsPackageApplicabilityMetadata xmlns="http://schemas.microsoft.com/msus/2002/12/CbsApplicabilityRules"><assembly xmlns="urn:schemas-microsoft-com:asm.v3" manifestVersion="1.0"><package identifier="KB1"></package></assembly></CbsPackageApplicabilityMetadata></upd:Metadata></upd:ApplicabilityRules>`)
	d, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `<ApplicabilityRules><Metadata><CbsPackageApplicabilityMetadata><assembly xmlns="urn:schemas-microsoft-com:asm.v3" manifestVersion="1.0"><package identifier="KB1"></package></assembly></CbsPackageApplicabilityMetadata></Metadata></ApplicabilityRules>`
	if core := d.Fragments[0].XML; !bytes.HasSuffix(core, []byte(want)) {
		t.Errorf("Core = %s, want suffix %s", core, want)
	}
}

// TestAttributeValueNormalization: a literal TAB or newline in an attribute
// reads as a space (XML 1.0 §3.3.3), a character reference as itself; the
// writer then escapes the latter so it survives the client's parser.
func TestAttributeValueNormalization(t *testing.T) {
	in := doc("<upd:Files><upd:File FileName=\"a\r\n\tb&#xA;c&#9;d &amp; &lt;e&gt; &quot;f&quot; 'g'\" Size=\"1\"/></upd:Files>")
	d, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Revision.Files[0].FileName, "a  b\nc\td & <e> \"f\" 'g'"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
	want := `<Files><File FileName="a  b&#xA;c&#x9;d &amp; &lt;e&gt; &quot;f&quot; 'g'" Size="1" /></Files>`
	if ext := string(d.Fragments[1].XML); !strings.Contains(ext, want) {
		t.Errorf("Extended = %s, want it to contain %s", ext, want)
	}
}

// TestParseLimits: the node budget and duplicate attributes after prefix
// removal are handled without blowing up.
func TestParseLimits(t *testing.T) {
	t.Run("nodes", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds an 8 MB document")
		}
		in := doc(strings.Repeat("<a/>", maxNodes))
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), "elements and attributes") {
			t.Errorf("Parse(%d elements) = %v, want the node limit", maxNodes, err)
		}
	})
	t.Run("duplicate after prefix removal", func(t *testing.T) {
		in := doc(`<upd:HandlerSpecificData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="a" type="b" />`)
		d, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(d.Fragments[1].XML), `<ExtendedProperties /><HandlerSpecificData type="a" />`; got != want {
			t.Errorf("Extended = %s, want %s", got, want)
		}
	})
}
