package applicability

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func profileNames(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "profiles", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no profiles: %v", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
	}
	return names
}

func loadTestProfile(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := LoadProfile(filepath.Join("testdata", "profiles", name+".json"))
	if err != nil {
		t.Fatalf("LoadProfile(%s): %v", name, err)
	}
	return p
}

// TestProfilesConsistent checks that each profile's registry and files agree
// with its OS version, as they do on a real machine.
func TestProfilesConsistent(t *testing.T) {
	for _, name := range profileNames(t) {
		t.Run(name, func(t *testing.T) {
			p := loadTestProfile(t, name)
			k, ok := p.RegKey("HKLM", `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, false)
			if !ok {
				t.Fatal("no CurrentVersion key")
			}
			ubr, _ := k.value("UBR")
			if n, _ := parseRegNumber(ubr.Data, 32); uint32(n) != p.OS.Revision || ubr.Type != RegDword {
				t.Errorf("UBR = %+v, want REG_DWORD %d", ubr, p.OS.Revision)
			}
			build, _ := k.value("CurrentBuildNumber")
			if build.Data != strconv.Itoa(int(p.OS.Build)) {
				t.Errorf("CurrentBuildNumber = %q, want %d", build.Data, p.OS.Build)
			}
			fi, ok := p.File("ntoskrnl.exe", csidlSystem)
			if !ok || fi.Version[3] != p.OS.Revision {
				t.Errorf("ntoskrnl.exe = %+v, %v; want version ending in the UBR %d", fi, ok, p.OS.Revision)
			}
			var rollup bool
			for _, c := range p.Cbs {
				v, _ := ParseFourPart(c.Version)
				if c.Name == "Package_for_RollupFix" && v[0] == p.OS.Build && v[1] == p.OS.Revision && c.Arch == cbsArch(p.Arch) {
					rollup = true
				}
			}
			if !rollup {
				t.Errorf("no Package_for_RollupFix %d.%d for %s", p.OS.Build, p.OS.Revision, cbsArch(p.Arch))
			}
		})
	}
}

func TestProfileSaveLoad(t *testing.T) {
	p := loadTestProfile(t, "windows11-x64-en-us")
	p.MarkInstalled("{4F5A1B2C-0000-4000-8000-000000000001}", 201)
	p.MarkInstalled("4f5a1b2c-0000-4000-8000-000000000001", 202) // replaces
	path := filepath.Join(t.TempDir(), "machine.json")
	if err := p.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	q, err := LoadProfile(path)
	if err != nil {
		t.Fatalf("LoadProfile: %v", err)
	}
	if diff := cmp.Diff(p, q, cmpopts.IgnoreUnexported(Profile{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
	want := []InstalledUpdate{{UpdateID: "4f5a1b2c-0000-4000-8000-000000000001", RevisionNumber: 202}}
	if diff := cmp.Diff(want, q.InstalledUpdates); diff != "" {
		t.Errorf("InstalledUpdates (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want only the profile", len(entries))
	}
}

func TestLoadProfileErrors(t *testing.T) {
	for _, tc := range []struct{ name, json string }{
		{"unknown field", `{"os":{"major":10},"languages":{"system":"en-US"},"colour":"blue"}`},
		{"no os", `{"languages":{"system":"en-US"}}`},
		{"no language", `{"os":{"major":10}}`},
		{"bad dword", `{"os":{"major":10},"languages":{"system":"en-US"},"registry":[{"key":"HKLM","subkey":"x","values":{"v":{"type":"REG_DWORD","data":"x"}}}]}`},
		{"bad hive", `{"os":{"major":10},"languages":{"system":"en-US"},"registry":[{"key":"HKXX","subkey":"x"}]}`},
		{"bad version", `{"os":{"major":10},"languages":{"system":"en-US"},"files":[{"path":"c:\\a","version":"1.x"}]}`},
		{"not json", `{`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(path, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadProfile(path); err == nil {
				t.Errorf("LoadProfile(%s) = nil error", tc.json)
			}
		})
	}
}

func TestProfileRegistryViews(t *testing.T) {
	p := &Profile{Arch: ArchAMD64, Registry: []ProfileKey{
		{Key: "HKEY_LOCAL_MACHINE", Subkey: `SOFTWARE\Vendor\App`, Values: map[string]RegValue{"Bits": {Type: RegDword, Data: "64"}}},
		{Key: "HKLM", Subkey: `SOFTWARE\WOW6432Node\Vendor\App`, Values: map[string]RegValue{"Bits": {Type: RegDword, Data: "32"}}},
		{Key: "HKLM", Subkey: `SOFTWARE\Vendor\App\Plugins\One`},
		{Key: "HKLM", Subkey: `SOFTWARE\Vendor\App\Plugins\Two`},
	}}
	k, ok := p.RegKey("HKEY_LOCAL_MACHINE", `software\vendor\app`, false)
	if v, _ := k.value("bits"); !ok || v.Data != "64" {
		t.Errorf("64-bit view: %+v %v", k, ok)
	}
	k, ok = p.RegKey("HKEY_LOCAL_MACHINE", `SOFTWARE\Vendor\App`, true)
	if v, _ := k.value("Bits"); !ok || v.Data != "32" {
		t.Errorf("32-bit view: %+v %v", k, ok)
	}
	k, ok = p.RegKey("HKEY_LOCAL_MACHINE", `SOFTWARE\Vendor\App\Plugins`, false)
	slices.Sort(k.Subkeys)
	if !ok || !slices.Equal(k.Subkeys, []string{"One", "Two"}) {
		t.Errorf("implicit parent Plugins: %+v %v", k, ok)
	}
	if _, ok := p.RegKey("HKEY_LOCAL_MACHINE", `SOFTWARE\Vendor\Other`, false); ok {
		t.Error("missing key found")
	}
}

func TestProfileFilePaths(t *testing.T) {
	p := &Profile{Arch: ArchAMD64, Files: []ProfileFile{
		{Path: `%SystemRoot%\System32\drivers\tcpip.sys`, Version: "10.0.22621.4460"},
		{Path: `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, Version: "130.0.2849.80"},
	}}
	for _, tc := range []struct {
		path  string
		csidl int
		want  bool
	}{
		{`drivers\tcpip.sys`, csidlSystem, true},
		{`\drivers\\TCPIP.SYS`, csidlSystem, true},
		{`C:\Windows\System32\drivers\tcpip.sys`, NoCSIDL, true},
		{`%windir%\system32\drivers\..\drivers\tcpip.sys`, NoCSIDL, true},
		{`Microsoft\Edge\Application\msedge.exe`, csidlProgramFilesX86, true},
		{`Microsoft\Edge\Application\msedge.exe`, csidlProgramFiles, false},
		{`tcpip.sys`, 9999, false},
	} {
		if _, got := p.File(tc.path, tc.csidl); got != tc.want {
			t.Errorf("File(%q, %d) = %v, want %v", tc.path, tc.csidl, got, tc.want)
		}
	}
}

func TestBuiltinProfiles(t *testing.T) {
	names := BuiltinProfiles()
	if !slices.Equal(names, profileNames(t)) {
		t.Errorf("BuiltinProfiles() = %v, want %v", names, profileNames(t))
	}
	a, err := BuiltinProfile("windows11-x64-en-us")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BuiltinProfile("windows11-x64-en-us")
	a.MarkInstalled("4f5a1b2c-0000-4000-8000-000000000001", 1)
	if b.Installed("4f5a1b2c-0000-4000-8000-000000000001") {
		t.Error("built-in profiles share state")
	}
	if _, err := BuiltinProfile("../profiles/windows11-x64-en-us"); err == nil {
		t.Error("path in name accepted")
	}
	if _, err := BuiltinProfile("windows95"); err == nil {
		t.Error("unknown profile found")
	}
}

// TestProfileConcurrentUse evaluates while the install handler records
// installations, as the agent's scan and install loops may (run with -race).
func TestProfileConcurrentUse(t *testing.T) {
	p := loadTestProfile(t, "windows11-x64-en-us")
	r, err := ParseCore([]byte(`<UpdateIdentity UpdateID="4f5a1b2c-0000-4000-8000-000000000009" RevisionNumber="1" /><ApplicabilityRules><IsInstalled><b.InstalledOnce /></IsInstalled></ApplicabilityRules>`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			p.MarkInstalled("4f5a1b2c-0000-4000-8000-000000000009", i)
			p.MarkUninstalled("4f5a1b2c-0000-4000-8000-000000000009")
		}
	}()
	for range 200 {
		r.Evaluate(p)
	}
	<-done
	if err := p.Save(filepath.Join(t.TempDir(), "p.json")); err != nil {
		t.Fatal(err)
	}
}
