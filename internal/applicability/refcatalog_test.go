package applicability

import (
	"strings"
	"testing"

	"patchbay"
	"patchbay/internal/refcatalog"
	"patchbay/internal/updatexml"
)

// catalogRules generates a small reference catalog and returns the parsed
// Core fragment of every revision, as the agent receives them.
func catalogRules(t *testing.T, revisions int) []*Rules {
	t.Helper()
	var out []*Rules
	_, err := refcatalog.Stream(refcatalog.Options{Revisions: revisions, Seed: 7}, func(name string, data []byte) error {
		if !strings.HasPrefix(name, "metadata/") {
			return nil
		}
		doc, err := updatexml.Parse(data)
		if err != nil {
			t.Fatalf("updatexml.Parse(%s): %v", name, err)
		}
		if doc.Fragments[0].Kind != patchbay.FragmentCore {
			t.Fatalf("%s: first fragment is %s", name, doc.Fragments[0].Kind)
		}
		r, err := ParseCore(doc.Fragments[0].XML)
		if err != nil {
			t.Fatalf("ParseCore(%s): %v", name, err)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("refcatalog.Stream: %v", err)
	}
	return out
}

type tally struct {
	installed, needed, notApplicable, unknown int
	unknownRules                              map[string]int
}

func evaluateCatalog(rules []*Rules, m Machine) tally {
	t := tally{unknownRules: map[string]int{}}
	for _, r := range rules {
		v := r.Evaluate(m)
		for _, u := range v.Unknown {
			t.unknownRules[u]++
		}
		if r.Type != "Software" && r.Type != "Driver" {
			continue
		}
		if r.IsInstalled == nil && r.IsInstallable == nil {
			continue // a bundle: its state comes from its leaves
		}
		switch {
		case v.Installed == True:
			t.installed++
		case v.Needed() == True:
			t.needed++
		case v.Installable == False:
			t.notApplicable++
		default:
			t.unknown++
		}
	}
	return t
}

// TestReferenceCatalogMix checks that the reference catalog's rules, on each
// profile, leave some updates installed, some needed and some not
// applicable, and that no rule type the generator writes is Unknown.
func TestReferenceCatalogMix(t *testing.T) {
	rules := catalogRules(t, 600)
	for _, name := range profileNames(t) {
		t.Run(name, func(t *testing.T) {
			p := loadTestProfile(t, name)
			got := evaluateCatalog(rules, p)
			t.Logf("installed %d, needed %d, not applicable %d, unknown %d", got.installed, got.needed, got.notApplicable, got.unknown)
			if len(got.unknownRules) > 0 {
				t.Errorf("Unknown rules: %v", got.unknownRules)
			}
			if got.installed == 0 || got.needed == 0 || got.notApplicable == 0 {
				t.Errorf("want a mix of installed, needed and not applicable updates, got %+v", got)
			}
		})
	}
}

// TestReferenceCatalogDetectoids checks the profiles against the catalog's
// detectoids: the architecture detectoid of the profile's processor and the
// product detectoid of its Windows hold, the others do not.
func TestReferenceCatalogDetectoids(t *testing.T) {
	rules := catalogRules(t, 300)
	p := loadTestProfile(t, "windows11-x64-en-us")
	var installed, notInstalled int
	for _, r := range rules {
		if r.Type != "Detectoid" {
			continue
		}
		v := r.Evaluate(p)
		switch v.Installed {
		case True:
			installed++
		case False:
			notInstalled++
		default:
			t.Errorf("detectoid %s: Installed %v (unknown %v)", r.UpdateID, v.Installed, v.Unknown)
		}
	}
	if installed == 0 || notInstalled == 0 {
		t.Errorf("detectoids installed %d, not installed %d; want both", installed, notInstalled)
	}
}

// TestMarkInstalledOverridesRules is the simulate-install path: a recorded
// update is Installed whatever its IsInstalled rule says.
func TestMarkInstalledOverridesRules(t *testing.T) {
	rules := catalogRules(t, 300)
	p := loadTestProfile(t, "windows11-x64-en-us")
	for _, r := range rules {
		if r.Type != "Software" || r.IsInstalled == nil {
			continue
		}
		if v := r.Evaluate(p); v.Installed == True {
			continue
		}
		p.MarkInstalled(strings.ToUpper(r.UpdateID), r.RevisionNumber)
		if v := r.Evaluate(p); v.Installed != True {
			t.Fatalf("after MarkInstalled(%s): Installed = %v, want True", r.UpdateID, v.Installed)
		}
		p.MarkUninstalled(r.UpdateID)
		if v := r.Evaluate(p); v.Installed == True {
			t.Fatalf("after MarkUninstalled(%s): Installed = True", r.UpdateID)
		}
		if !p.InstalledOnce(r.UpdateID) {
			t.Fatalf("InstalledOnce(%s) = false after an install", r.UpdateID)
		}
		return
	}
	t.Fatal("no uninstalled software update in the catalog")
}
