package refcatalog_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"testing"

	"patchbay"
	"patchbay/internal/refcatalog"
	"patchbay/internal/updatexml"
)

// TestUpdatexmlParse checks that every generated document parses with
// updatexml.Parse and that the parsed fields agree with the catalog: the
// identity matches the file name, file digests match the content bytes,
// bundled revisions and prerequisites exist, and every kind is present.
func TestUpdatexmlParse(t *testing.T) {
	files := map[string][]byte{}
	var names []string
	_, err := refcatalog.Stream(refcatalog.Options{Revisions: 1500, Seed: 11, WithContent: true, ContentBytes: 128},
		func(name string, data []byte) error {
			files[name] = data
			if strings.HasPrefix(name, "metadata/") {
				names = append(names, name)
			}
			return nil
		})
	if err != nil {
		t.Fatalf("Stream error: %v", err)
	}
	revs := map[patchbay.RevisionKey]*patchbay.Revision{}
	ids := map[string]bool{}
	types := map[patchbay.UpdateType]int{}
	for _, name := range names {
		doc, err := updatexml.Parse(files[name])
		if err != nil {
			t.Fatalf("updatexml.Parse(%s) error: %v", name, err)
		}
		r := &doc.Revision
		if want := fmt.Sprintf("metadata/%s-r%d.xml", r.UpdateID, r.RevisionNumber); want != name {
			t.Errorf("updatexml.Parse(%s) key = %+v, want the file's", name, r.RevisionKey)
		}
		revs[r.RevisionKey] = r
		ids[r.UpdateID] = true
		types[r.Type]++
		if want := 2 + len(r.Localized) + len(r.Eulas); len(doc.Fragments) != want {
			t.Errorf("%s: %d fragments, want %d", name, len(doc.Fragments), want)
		}
		if r.Type == patchbay.TypeDriver && len(r.Driver) == 0 {
			t.Errorf("%s: driver without WindowsDriverMetaData", name)
		}
		if r.Type == patchbay.TypeCategory && r.CategoryType == "" {
			t.Errorf("%s: category without CategoryType", name)
		}
		for _, f := range r.Files {
			data, ok := files["content/"+strings.ToUpper(hex.EncodeToString(f.SHA1))+strings.ToLower(path.Ext(f.FileName))]
			if !ok {
				t.Errorf("%s: no content for %s", name, f.FileName)
				continue
			}
			s1, s256 := sha1.Sum(data), sha256.Sum256(data)
			if !bytes.Equal(s1[:], f.SHA1) || !bytes.Equal(s256[:], f.SHA256) || int64(len(data)) != f.Size {
				t.Errorf("%s: %s: parsed digests or size do not match the content", name, f.FileName)
			}
		}
	}
	for _, ty := range []patchbay.UpdateType{patchbay.TypeSoftware, patchbay.TypeDriver, patchbay.TypeCategory, patchbay.TypeDetectoid} {
		if types[ty] == 0 {
			t.Errorf("no revision of type %s parsed", ty)
		}
	}
	for key, r := range revs {
		for _, c := range r.Bundled {
			for _, b := range c.Revisions {
				if revs[b] == nil {
					t.Errorf("%+v bundles %+v, which does not exist", key, b)
				}
			}
		}
		for _, c := range r.Prerequisites {
			for _, id := range c.UpdateIDs {
				if !ids[id] {
					t.Errorf("%+v requires %s, which does not exist", key, id)
				}
			}
		}
		if r.ExplicitlyDeployable && r.Type != patchbay.TypeCategory && len(r.CategoryIDs()) < 2 {
			t.Errorf("%+v: CategoryIDs() = %v, want a product and a classification", key, r.CategoryIDs())
		}
	}
}
