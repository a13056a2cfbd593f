package updatexml

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics, that every failure is a
// *ParseError, and that a success carries the Core and Extended fragments.
// Seeded from testdata/*/update.xml (and their UTF-16LE forms).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/update.xml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(utf16LE(string(b)))
	}
	f.Add(doc(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T %v is not a *ParseError", err, err)
			}
			return
		}
		if len(d.Fragments) < 2 || d.Revision.UpdateID == "" {
			t.Fatalf("Parse succeeded with %d fragments and identity %+v", len(d.Fragments), d.Revision.RevisionKey)
		}
		// Fragments must read back under a synthetic root.
		for _, fr := range d.Fragments {
			if _, err := parseTree(append(append([]byte("<r>"), fr.XML...), "</r>"...)); err != nil {
				t.Fatalf("%s fragment does not parse under a root: %v\n%s", fr.Kind, err, fr.XML)
			}
		}
	})
}
