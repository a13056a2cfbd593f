package applicability

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"patchbay/internal/updatexml"
)

// Conformance tests over real metadata in ../shared/data/real/wsus-rs (see
// its README for provenance). They skip when ../shared is absent.

const realDir = "../../../shared/data/real/wsus-rs"

func realPath(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{realDir}, parts...)...)
	if _, err := os.Stat(realDir); err != nil {
		t.Skipf("real captures absent: %v", err)
	}
	return p
}

// syncUpdatesCores returns the Core fragments (UpdateInfo/Xml) of a captured
// SyncUpdates response body.
func syncUpdatesCores(t *testing.T, body []byte) [][]byte {
	t.Helper()
	var out [][]byte
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("decode SyncUpdates response: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Xml" {
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				t.Fatalf("decode Xml: %v", err)
			}
			out = append(out, []byte(s))
		}
	}
}

type realCore struct {
	name string
	core []byte
}

func realCores(t *testing.T) []realCore {
	t.Helper()
	var cores []realCore
	cbs, _ := filepath.Glob(realPath(t, "wsus-m0-cbs", "*core*.xml"))
	for _, p := range cbs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cores = append(cores, realCore{filepath.Base(p), data})
	}
	bodies, _ := filepath.Glob(realPath(t, "wsus-m0-native", "scan", "*", "response.body"))
	bodies = append(bodies, realPath(t, "wsus-m0", "000005", "response.body"))
	for _, p := range bodies {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("SyncUpdatesResponse")) {
			continue
		}
		for i, c := range syncUpdatesCores(t, data) {
			rel, _ := filepath.Rel(realDir, p)
			cores = append(cores, realCore{rel + "#" + strconv.Itoa(i), c})
		}
	}
	docs, _ := filepath.Glob(realPath(t, "wsus-m0-wsusss", "docs", "*.xml"))
	for _, p := range docs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := updatexml.Parse(data)
		if err != nil {
			t.Fatalf("updatexml.Parse(%s): %v", p, err)
		}
		cores = append(cores, realCore{filepath.Base(p), doc.Fragments[0].XML})
	}
	if len(cores) < 30 {
		t.Fatalf("found %d real Core fragments, want at least 30", len(cores))
	}
	return cores
}

// TestRealCoreFragments parses every real Core fragment and evaluates it on
// every profile: no error, no panic, every rule of the captures except the
// open-world ones decided.
func TestRealCoreFragments(t *testing.T) {
	cores := realCores(t)
	// Rules whose answer a profile may not know (open-world facts, or
	// rules this evaluator leaves Unknown by design).
	mayBeUnknown := []string{"b.WmiQuery", "b.LicenseDword", "ProductReleaseInstalled", "DeviceAttribute"}
	var profiles []*Profile
	for _, n := range profileNames(t) {
		profiles = append(profiles, loadTestProfile(t, n))
	}
	rules := 0
	for _, c := range cores {
		r, err := ParseCore(c.core)
		if err != nil {
			t.Errorf("ParseCore(%s): %v", c.name, err)
			continue
		}
		if r.UpdateID == "" {
			t.Errorf("%s: no UpdateID", c.name)
		}
		if r.IsInstalled != nil || r.IsInstallable != nil {
			rules++
		}
		for _, p := range profiles {
			v := r.Evaluate(p)
			for _, u := range v.Unknown {
				if !slices.Contains(mayBeUnknown, u) {
					t.Errorf("%s on %s: rule %s evaluated Unknown", c.name, p.Name, u)
				}
			}
		}
	}
	if rules < 30 {
		t.Errorf("%d fragments with rules, want at least 30", rules)
	}
}

// TestRealFullDocumentRules checks that the ApplicabilityRules of the real
// full documents, read with their namespaces, give the same verdicts as the
// Core fragments derived from them.
func TestRealFullDocumentRules(t *testing.T) {
	docs, _ := filepath.Glob(realPath(t, "wsus-m0-wsusss", "docs", "*.xml"))
	p := loadTestProfile(t, "windows11-x64-en-us")
	checked := 0
	for _, path := range docs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		i, j := strings.Index(s, "<upd:ApplicabilityRules>"), strings.Index(s, "</upd:ApplicabilityRules>")
		if i < 0 || j < 0 {
			continue
		}
		// The rules as they sit in the document: prefixes declared on
		// the root, which the cut leaves out.
		raw, err := ParseCore([]byte(s[i : j+len("</upd:ApplicabilityRules>")]))
		if err != nil {
			t.Errorf("ParseCore(%s rules): %v", filepath.Base(path), err)
			continue
		}
		doc, err := updatexml.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		core, err := ParseCore(doc.Fragments[0].XML)
		if err != nil {
			t.Fatal(err)
		}
		raw.UpdateID = core.UpdateID
		got, want := raw.Evaluate(p), core.Evaluate(p)
		if got.Installed != want.Installed || got.Installable != want.Installable || got.Superseded != want.Superseded ||
			!slices.Equal(got.Unknown, want.Unknown) {
			t.Errorf("%s: full-document rules %+v, Core %+v", filepath.Base(path), got, want)
		}
		checked++
	}
	if checked < 2 {
		t.Errorf("checked %d documents with rules, want at least 2", checked)
	}
}

// TestRealDefenderRules evaluates the real Defender updates' rules (deep
// And/Or/Not over RegDword, RegValueExists and FileVersionPrependRegSz) on the
// Windows 11 profile, whose engine and signatures are older than the
// updates: neither is installed, the engine update is needed, and the
// signature update's installability hangs on a Software Licensing value the
// profile does not know.
func TestRealDefenderRules(t *testing.T) {
	p := loadTestProfile(t, "windows11-x64-en-us")
	for _, name := range []string{"ff36f0b5-dded-4780-8664-cd78af8b62c1-r200.xml", "266f6222-c89d-43f2-9f8a-69340271e677-r200.xml"} {
		data, err := os.ReadFile(realPath(t, "wsus-m0-wsusss", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := updatexml.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCore(doc.Fragments[0].XML)
		if err != nil {
			t.Fatal(err)
		}
		v := r.Evaluate(p)
		if v.Installed != False {
			t.Errorf("%s: Installed = %v, want False (unknown %v)", name, v.Installed, v.Unknown)
		}
		want := True
		if strings.HasPrefix(name, "266f6222") {
			want = Unknown
		}
		if v.Installable != want {
			t.Errorf("%s: Installable = %v, want %v (unknown %v)", name, v.Installable, want, v.Unknown)
		}
	}
}

// TestRealCbsRollup evaluates the real CBS rollup fragment (KB5026368, an
// arm64 package for build 22000) on the profiles: it is for none of them.
func TestRealCbsRollup(t *testing.T) {
	data, err := os.ReadFile(realPath(t, "wsus-m0-cbs", "cbs-rollupfix-core-reduced.xml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseCore(data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cbs == nil || r.Cbs.Name != "Package_for_RollupFix" || r.Cbs.Arch != "arm64" || r.Cbs.Version != (FourPart{22000, 1936, 1, 9}) || r.Cbs.Identifier != "KB5026368" {
		t.Fatalf("Cbs = %+v", r.Cbs)
	}
	for _, n := range profileNames(t) {
		v := r.Evaluate(loadTestProfile(t, n))
		if v.Installed != False || v.Installable != False || len(v.Unknown) > 0 {
			t.Errorf("%s: %+v, want not installed and not installable", n, v)
		}
	}
}
