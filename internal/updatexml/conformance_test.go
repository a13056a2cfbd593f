package updatexml

import (
	"bytes"
	"encoding/binary"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

// realData is the shared corpus of real traffic (see ../../../shared/data/real
// and its READMEs). The conformance test skips when it is absent.
const realData = "../../../shared/data/real"

// capture is one fragment WSUS served: the revision id it was served under and
// its unescaped XML.
type capture struct {
	source string
	id     string
	xml    string
}

var (
	reUpdateInfo = regexp.MustCompile(`(?s)<(?:UpdateInfo|Update)><ID>(\d+)</ID>.*?<Xml>(.*?)</Xml>`)
	reIdentity   = regexp.MustCompile(`^<UpdateIdentity UpdateID="([^"]+)" RevisionNumber="(\d+)"`)
	reTitle      = regexp.MustCompile(`(?s)<Title>.*?</Title>`)
	reLinkID     = regexp.MustCompile(`LinkId=[^<"]*`)
)

// loadCaptures reads every fragment in the SOAP responses of the captures,
// keyed by fragment kind.
func loadCaptures(t *testing.T, root string) map[patchbay.FragmentKind][]capture {
	t.Helper()
	out := map[patchbay.FragmentKind][]capture{}
	bodies, _ := filepath.Glob(filepath.Join(root, "wsus-rs", "*", "*", "response.body"))
	more, _ := filepath.Glob(filepath.Join(root, "wsus-rs", "*", "*", "*", "response.body"))
	for _, f := range append(bodies, more...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range reUpdateInfo.FindAllStringSubmatch(string(b), -1) {
			x := html.UnescapeString(m[2])
			c := capture{source: f, id: m[1], xml: x}
			switch {
			case strings.HasPrefix(x, "<UpdateIdentity"):
				out[patchbay.FragmentCore] = append(out[patchbay.FragmentCore], c)
			case strings.HasPrefix(x, "<ExtendedProperties"):
				out[patchbay.FragmentExtended] = append(out[patchbay.FragmentExtended], c)
			case strings.HasPrefix(x, "<LocalizedProperties"):
				out[patchbay.FragmentLocalizedProperties] = append(out[patchbay.FragmentLocalizedProperties], c)
			}
		}
	}
	return out
}

// TestConformanceRealDocs parses every real full update XML and compares the
// derived fragments with what a real WSUS (Windows Server 2025) served for the
// same revision. Needs ../shared; skips without it.
//
// Revisions are matched to the server's revision ids through the Core
// fragment's UpdateIdentity, or, where only GetExtendedUpdateInfo was
// captured, through the English title in the LocalizedProperties fragment
// served under the same id. Core and Extended are compared byte for byte. The
// capture's LocalizedProperties had SupportUrl LinkIds sanitized to REDACTED
// (wsus-rs README), so those are compared with LinkId values masked.
func TestConformanceRealDocs(t *testing.T) {
	docs, _ := filepath.Glob(filepath.Join(realData, "wsus-rs", "wsus-m0-wsusss", "docs", "*.xml"))
	if len(docs) == 0 {
		t.Skip("real data not present")
	}
	caps := loadCaptures(t, realData)
	compared := map[patchbay.FragmentKind]int{}
	for _, f := range docs {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// The same document as the UTF-16LE blob it came from must parse the same.
			doc16, err := Parse(utf16LE(string(data)))
			if err != nil {
				t.Fatalf("Parse(UTF-16LE): %v", err)
			}
			if diff := cmp.Diff(doc, doc16); diff != "" {
				t.Errorf("UTF-16LE parse differs (-utf8 +utf16):\n%s", diff)
			}
			frag := func(k patchbay.FragmentKind, locale string) string {
				for _, fr := range doc.Fragments {
					if fr.Kind == k && fr.Locale == locale {
						return string(fr.XML)
					}
				}
				return ""
			}
			key := doc.Revision.RevisionKey
			ids := map[string]bool{}
			for _, c := range caps[patchbay.FragmentCore] {
				m := reIdentity.FindStringSubmatch(c.xml)
				if m == nil || !strings.EqualFold(m[1], key.UpdateID) || m[2] != strconv.Itoa(key.RevisionNumber) {
					continue
				}
				ids[c.id] = true
				if got := frag(patchbay.FragmentCore, ""); got != c.xml {
					t.Errorf("Core differs from %s:\n got %s\nwant %s", c.source, got, c.xml)
				}
				compared[patchbay.FragmentCore]++
			}
			en := frag(patchbay.FragmentLocalizedProperties, "en")
			title := reTitle.FindString(en)
			for _, c := range caps[patchbay.FragmentLocalizedProperties] {
				if title == "" || !strings.Contains(c.xml, title) {
					continue
				}
				ids[c.id] = true
				if got, want := reLinkID.ReplaceAllString(en, "LinkId=X"), reLinkID.ReplaceAllString(c.xml, "LinkId=X"); got != want {
					t.Errorf("LocalizedProperties differs from %s:\n got %s\nwant %s", c.source, got, want)
				}
				compared[patchbay.FragmentLocalizedProperties]++
			}
			for _, c := range caps[patchbay.FragmentExtended] {
				if !ids[c.id] {
					continue
				}
				if got := frag(patchbay.FragmentExtended, ""); got != c.xml {
					t.Errorf("Extended differs from %s (id %s):\n got %s\nwant %s", c.source, c.id, got, c.xml)
				}
				compared[patchbay.FragmentExtended]++
			}
		})
	}
	// Guard against a silently empty comparison: the corpus holds Core for 3
	// of the documents and Extended/LocalizedProperties for 7.
	for _, k := range []patchbay.FragmentKind{patchbay.FragmentCore, patchbay.FragmentExtended, patchbay.FragmentLocalizedProperties} {
		if compared[k] < 3 {
			t.Errorf("only %d %s fragments compared", compared[k], k)
		}
	}
	t.Logf("compared: %v", compared)
}

// TestConformanceRealFragmentsReparse checks that the real Core and Extended
// fragments of the CBS captures (no full XML available) survive our writer:
// parsing them under a synthetic root and writing them back gives the same bytes.
func TestConformanceRealFragmentsReparse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realData, "wsus-rs", "wsus-m0-cbs", "*-core*.xml"))
	ext, _ := filepath.Glob(filepath.Join(realData, "wsus-rs", "wsus-m0-cbs", "*-extended.xml"))
	files = append(files, ext...)
	if len(files) == 0 {
		t.Skip("real data not present")
	}
	for _, f := range files {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		root, err := parseTree([]byte("<r>" + string(want) + "</r>"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var w writer
		w.content(root)
		if !bytes.Equal(w.b, bytes.TrimSpace(want)) {
			t.Errorf("%s: rewrite differs:\n got %s\nwant %s", filepath.Base(f), w.b, want)
		}
	}
}

func utf16LE(s string) []byte { return encodeUTF16(s, binary.LittleEndian) }

func utf16BE(s string) []byte { return encodeUTF16(s, binary.BigEndian) }

func encodeUTF16(s string, order binary.ByteOrder) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		order.PutUint16(b[2*i:], c)
	}
	return b
}
