package applicability

import (
	"errors"
	"strings"
	"testing"

	"patchbay"
)

func TestParseCoreShapes(t *testing.T) {
	for _, tc := range []struct {
		name, core string
		wantRule   string // name of IsInstalled's rule
	}{
		{"core", `<UpdateIdentity UpdateID="a" RevisionNumber="1" /><ApplicabilityRules><IsInstalled><b.RegKeyExists Key="HKEY_LOCAL_MACHINE" Subkey="x" /></IsInstalled></ApplicabilityRules>`, "b.RegKeyExists"},
		{"declaration and BOM", "\xef\xbb\xbf<?xml version=\"1.0\"?><ApplicabilityRules><IsInstalled><True /></IsInstalled></ApplicabilityRules>", "True"},
		{"namespaced full document rules", `<upd:ApplicabilityRules xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:IsInstalled><lar:Not xmlns:lar="http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules"><bar:RegDword xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" Key="HKEY_LOCAL_MACHINE" Subkey="x" Value="v" Comparison="EqualTo" Data="1" /></lar:Not></upd:IsInstalled></upd:ApplicabilityRules>`, "Not"},
		{"undeclared prefixes", `<ApplicabilityRules><IsInstalled><msiar:MsiProductInstalled ProductCode="{00000000-0000-0000-0000-000000000000}" /></IsInstalled></ApplicabilityRules>`, "m.MsiProductInstalled"},
		{"embedded default namespace", `<ApplicabilityRules><IsInstalled><CbsPackageInstalled /></IsInstalled><Metadata><CbsPackageApplicabilityMetadata><assembly xmlns="urn:schemas-microsoft-com:asm.v3"><assemblyIdentity name="P" version="22000.1.1.1" processorArchitecture="arm64" /></assembly></CbsPackageApplicabilityMetadata></Metadata></ApplicabilityRules>`, "CbsPackageInstalled"},
		{"several rules read as And", `<ApplicabilityRules><IsInstalled><True /><False /></IsInstalled></ApplicabilityRules>`, "And"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseCore([]byte(tc.core))
			if err != nil {
				t.Fatalf("ParseCore: %v", err)
			}
			if r.IsInstalled == nil || r.IsInstalled.Name != tc.wantRule {
				t.Fatalf("IsInstalled = %+v, want %s", r.IsInstalled, tc.wantRule)
			}
		})
	}
}

func TestParseCoreNamespacedRuleName(t *testing.T) {
	r, err := ParseCore([]byte(`<ApplicabilityRules xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules"><IsInstallable><bar:Processor Architecture="9" /></IsInstallable></ApplicabilityRules>`))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.IsInstallable.Name; got != "b.Processor" {
		t.Errorf("name = %q, want b.Processor", got)
	}
}

func TestParseCoreErrors(t *testing.T) {
	deep := strings.Repeat("<Not>", MaxDepth+5) + "<True />" + strings.Repeat("</Not>", MaxDepth+5)
	for _, tc := range []struct{ name, core string }{
		{"unclosed", `<ApplicabilityRules><IsInstalled>`},
		{"mismatched", `<a></b>`},
		{"text outside", `hello <a />`},
		{"too deep", `<ApplicabilityRules><IsInstalled>` + deep + `</IsInstalled></ApplicabilityRules>`},
		{"bad revision", `<UpdateIdentity UpdateID="a" RevisionNumber="x" />`},
		{"entity", `<!DOCTYPE x [<!ENTITY e "b">]><a>&e;</a>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCore([]byte(tc.core))
			if err == nil {
				t.Fatal("ParseCore = nil error")
			}
			if !errors.Is(err, ErrMalformed) || patchbay.ErrorCode(err) != patchbay.EInvalid {
				t.Errorf("error %v: want ErrMalformed with code invalid", err)
			}
		})
	}
	if _, err := ParseCore(make([]byte, MaxCoreSize+1)); err == nil {
		t.Error("oversized fragment accepted")
	}
}

func TestParseCoreDriverMetadata(t *testing.T) {
	core := `<UpdateIdentity UpdateID="1a2b3c4d-0000-4000-8000-000000000000" RevisionNumber="200" /><Properties UpdateType="Driver" /><ApplicabilityRules><IsInstalled><d.WindowsDriverInstalled /></IsInstalled><IsSuperseded><d.WindowsDriverSuperseded /></IsSuperseded><IsInstallable><d.WindowsDriverInstallable /></IsInstallable><Metadata><d.WindowsDriverMetaData HardwareID="PCI\VEN_8086&amp;DEV_9A49" WhqlDriverID="24512345" Manufacturer="Intel Corporation" Company="Intel Corporation" Provider="Intel" DriverVerDate="2024-09-01" DriverVerVersion="31.0.101.5590" Class="Display" Model="Intel Iris Xe"><d.FeatureScore OperatingSystem="AMD64.10.0" FeatureScore="FE" /><d.TargetComputerHardwareId>{A1B2C3D4-0000-4000-8000-000000000000}</d.TargetComputerHardwareId></d.WindowsDriverMetaData></Metadata></ApplicabilityRules>`
	r, err := ParseCore([]byte(core))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Drivers) != 1 {
		t.Fatalf("Drivers = %+v", r.Drivers)
	}
	d := r.Drivers[0]
	if d.HardwareID != `PCI\VEN_8086&DEV_9A49` || d.DriverVerVersion != (FourPart{31, 0, 101, 5590}) ||
		d.DriverVerDate.Format("2006-01-02") != "2024-09-01" || d.WhqlDriverID != 24512345 ||
		len(d.FeatureScores) != 1 || d.FeatureScores[0].Score != 0xfe ||
		len(d.TargetComputerHardwareIDs) != 1 || d.Provider != "Intel" {
		t.Errorf("driver = %+v", d)
	}
	if r.IsSuperseded == nil || r.IsSuperseded.Name != "d.WindowsDriverSuperseded" {
		t.Errorf("IsSuperseded = %+v", r.IsSuperseded)
	}
}

// FuzzParseCore checks that ParseCore and Evaluate never panic.
func FuzzParseCore(f *testing.F) {
	for _, s := range []string{
		`<UpdateIdentity UpdateID="a" RevisionNumber="1" /><ApplicabilityRules><IsInstalled><And><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="s" Value="v" Comparison="EqualTo" Data="1" /><Not><b.FileVersion Path="x" Csidl="37" Comparison="LessThan" Version="1.2.3.4" /></Not></And></IsInstalled></ApplicabilityRules>`,
		`<ApplicabilityRules><IsInstallable><b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE" TrueIf="Any"><b.RegValueExists Key="HKEY_LOCAL_MACHINE" Subkey="" Value="v" /></b.RegKeyLoop></IsInstallable></ApplicabilityRules>`,
		`<ApplicabilityRules><IsInstalled><m.MsiComponentInstalledForProduct><m.Component>{1}</m.Component><m.Product>{2}</m.Product></m.MsiComponentInstalledForProduct></IsInstalled></ApplicabilityRules>`,
		`<ApplicabilityRules><IsInstalled><d.WindowsDriverInstalled /></IsInstalled><Metadata><d.WindowsDriverMetaData HardwareID="x" DriverVerDate="2020-01-01" DriverVerVersion="1.0.0.0" /></Metadata></ApplicabilityRules>`,
		`<ApplicabilityRules><IsInstalled><CbsPackageInstalled /></IsInstalled><Metadata><CbsPackageApplicabilityMetadata><assembly xmlns="urn:x"><assemblyIdentity name="Package_for_RollupFix" version="22631.1.1.1" processorArchitecture="amd64" /></assembly></CbsPackageApplicabilityMetadata></Metadata></ApplicabilityRules>`,
		`<a`, ``, `<Not><Not><Not>`,
	} {
		f.Add([]byte(s))
	}
	p := &Profile{Arch: ArchAMD64, OS: Version{Major: 10, Build: 22631}, Lang: Languages{System: "en-US"},
		Registry: []ProfileKey{{Key: "HKLM", Subkey: `SOFTWARE\a`, Values: map[string]RegValue{"v": {Type: RegSz, Data: "1"}}}},
		Files:    []ProfileFile{{Path: `C:\Windows\System32\x`, Version: "1.2.3.4"}},
		PnP:      []Device{{HardwareIDs: []string{"x"}}}}
	f.Fuzz(func(t *testing.T, core []byte) {
		r, err := ParseCore(core)
		if err != nil {
			return
		}
		v := r.Evaluate(p)
		for _, res := range []Result{v.Installed, v.Installable, v.Superseded} {
			if res != True && res != False && res != Unknown {
				t.Fatalf("result %d", res)
			}
		}
	})
}
