package refcatalog

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realDocs holds the real update documents from GetUpdateData captures
// (wsus-rs, see its README). The conformance tests skip without ../shared.
const realDocs = "../../../shared/data/real/wsus-rs/wsus-m0-wsusss/docs"

func readReal(t *testing.T, prefix string) []byte {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(realDocs, prefix+"*.xml"))
	if len(m) == 0 {
		t.Skipf("conformance data %s/%s* absent", realDocs, prefix)
	}
	data, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// skeleton returns the element paths of a document, each with its sorted
// attribute names ("{ns}Update/{ns}Properties@CreationDate,…"), with
// namespace URIs instead of prefixes and without xmlns declarations. Paths
// under a subtree named in skip are left out.
func skeleton(t *testing.T, data []byte, skip ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	var stack []string
	d := xml.NewDecoder(bytes.NewReader(data))
	skipping := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, "{"+tok.Name.Space+"}"+tok.Name.Local)
			if skipping > 0 || slices.Contains(skip, tok.Name.Local) {
				skipping++
				continue
			}
			var attrs []string
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				attrs = append(attrs, a.Name.Local)
			}
			slices.Sort(attrs)
			out[strings.Join(stack, "/")+"@"+strings.Join(attrs, ",")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if skipping > 0 {
				skipping--
			}
		}
	}
}

// TestRealCategoryShape compares the generated Company, ProductFamily and
// Product documents with the real ones, element by element and attribute
// by attribute (conformance: needs ../shared).
func TestRealCategoryShape(t *testing.T) {
	c := streamCatalog(t, Options{Revisions: 300})
	for _, tc := range []struct {
		real, ours string
	}{
		{"56309036", "metadata/56309036-4c77-4dd9-951a-99ee9c246a94-r101.xml"},
		{"6964aab4", "metadata/6964aab4-c5b5-43bd-a17d-ffb4346a8e1d-r100.xml"},
		{"dd78b8a1", "metadata/dd78b8a1-0b20-45c1-add6-4da72e9364cf-r202.xml"},
	} {
		t.Run(tc.real, func(t *testing.T) {
			want := skeleton(t, readReal(t, tc.real))
			got := skeleton(t, c.files[tc.ours])
			for k := range want {
				if !got[k] {
					t.Errorf("generated %s lacks %s", tc.ours, k)
				}
			}
			for k := range got {
				if !want[k] {
					t.Errorf("generated %s has %s, which the real document lacks", tc.ours, k)
				}
			}
		})
	}
}

// TestRealNestedBundleShape compares a generated bundle-inside-a-bundle
// with the real one (conformance: needs ../shared).
func TestRealNestedBundleShape(t *testing.T) {
	want := skeleton(t, readReal(t, "1f9bd9bb"))
	c := streamCatalog(t, Options{Revisions: 3000, Seed: 5})
	found := false
	for _, name := range c.metadata {
		data := c.files[name]
		if !bytes.Contains(data, []byte("<upd:Title>HIDDEN: ")) {
			continue
		}
		found = true
		got := skeleton(t, data)
		for k := range want {
			if !got[k] {
				t.Errorf("generated %s lacks %s", name, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("generated %s has %s, which the real document lacks", name, k)
			}
		}
		break
	}
	if !found {
		t.Error("no nested bundle generated")
	}
}

// TestRealSoftwareVocabulary checks that every element and attribute of the
// real bundle and leaves, outside their applicability rules, also occurs in
// generated documents of the same kind (conformance: needs ../shared).
func TestRealSoftwareVocabulary(t *testing.T) {
	c := streamCatalog(t, Options{Revisions: 3000, Seed: 5})
	bundles, leaves := map[string]bool{}, map[string]bool{}
	nb, nl := 0, 0
	for _, name := range c.metadata {
		data := c.files[name]
		switch {
		case bytes.Contains(data, []byte("<upd:BundledUpdates>")) && nb < 300:
			nb++
			for k := range skeleton(t, data, "ApplicabilityRules") {
				bundles[k] = true
			}
		case bytes.Contains(data, []byte("cmd:CommandLineInstallation")) && nl < 300:
			nl++
			for k := range skeleton(t, data, "ApplicabilityRules") {
				leaves[k] = true
			}
		}
	}
	for _, tc := range []struct {
		real string
		ours map[string]bool
	}{{"a2fef9b0", bundles}, {"266f6222", leaves}, {"ff36f0b5", leaves}} {
		t.Run(tc.real, func(t *testing.T) {
			for k := range skeleton(t, readReal(t, tc.real), "ApplicabilityRules") {
				if !tc.ours[k] {
					t.Errorf("no generated document has %s", k)
				}
			}
		})
	}
}
