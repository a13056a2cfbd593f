package updatexml

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"patchbay"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenName names the golden file of one fragment.
func goldenName(f patchbay.Fragment) string {
	switch f.Kind {
	case patchbay.FragmentCore:
		return "core.golden"
	case patchbay.FragmentExtended:
		return "extended.golden"
	case patchbay.FragmentLocalizedProperties:
		return "localized-" + f.Locale + ".golden"
	case patchbay.FragmentEula:
		if f.GeoID != "" {
			return "eula-" + f.Locale + "-" + f.GeoID + ".golden"
		}
		return "eula-" + f.Locale + ".golden"
	}
	return "unknown.golden"
}

// TestGolden parses testdata/<case>/update.xml and compares every derived
// fragment and the parsed Revision (as JSON) with the golden files beside it.
// Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/update.xml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := map[string][]byte{}
			for _, f := range doc.Fragments {
				name := goldenName(f)
				if _, dup := got[name]; dup {
					t.Errorf("two fragments named %s", name)
				}
				got[name] = f.XML
			}
			rev, err := json.MarshalIndent(doc.Revision, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got["revision.golden.json"] = append(rev, '\n')

			if *update {
				old, _ := filepath.Glob(filepath.Join(dir, "*.golden*"))
				for _, f := range old {
					os.Remove(f)
				}
				for name, b := range got {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.golden*"))
			for _, f := range files {
				if _, ok := got[filepath.Base(f)]; !ok {
					t.Errorf("golden file %s has no fragment", f)
				}
			}
			for name, b := range got {
				want, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Errorf("missing golden file (run with -update): %v", err)
					continue
				}
				if !bytes.Equal(b, want) {
					t.Errorf("%s differs (-want +got):\n%s", name, cmp.Diff(string(want), string(b)))
				}
			}
		})
	}
}

// TestFragmentsWellFormedUnderRoot checks that every golden fragment parses
// as a list of elements under a synthetic root, as a client reads it
// (protocol-wusp.md §16 trap 32), and carries no namespace prefix.
func TestFragmentsWellFormedUnderRoot(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.golden")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		root, err := parseTree([]byte("<r>" + string(b) + "</r>"))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var walk func(n *node)
		walk = func(n *node) {
			if n.prefix != "" || strings.Contains(n.local, ":") {
				t.Errorf("%s: element %s:%s keeps a prefix", f, n.prefix, n.local)
			}
			for _, a := range n.attrs {
				if a.isDecl {
					t.Errorf("%s: namespace declaration on <%s>", f, n.local)
				}
			}
			for _, c := range n.content {
				if c.el != nil {
					walk(c.el)
				}
			}
		}
		walk(root)
	}
}
