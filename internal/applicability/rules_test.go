package applicability

import (
	"testing"
	"time"
)

// testMachine is a hand-written Windows 11 23H2 x64 Pro, en-US.
func testMachine() *Profile {
	day := time.Date(2024, 11, 12, 10, 0, 0, 0, time.UTC)
	return &Profile{
		Name:       "test",
		OS:         Version{Major: 10, Minor: 0, Build: 22631, Revision: 4460, ProductType: 1, SuiteMask: 0x100},
		SKU:        48,
		Arch:       ArchAMD64,
		Processors: 8,
		Lang:       Languages{System: "en-US", UI: "en-US", Installed: []string{"en-US", "de-DE"}},
		Registry: []ProfileKey{
			{Key: "HKEY_LOCAL_MACHINE", Subkey: `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, Values: map[string]RegValue{
				"UBR": {Type: RegDword, Data: "4460"}, "CurrentBuild": {Type: RegSz, Data: "22631"},
				"ProductName": {Type: RegSz, Data: "Windows 10 Pro"}, "PathName": {Type: RegExpandSz, Data: `%SystemRoot%`},
				"DisplayVersion": {Type: RegSz, Data: "23H2"}, "Multi": {Type: RegMultiSz, Strings: []string{"a", "b"}},
			}},
			{Key: "HKLM", Subkey: `SOFTWARE\Microsoft\Windows Defender\Signature Updates`, Values: map[string]RegValue{
				"SignatureLocation": {Type: RegSz, Data: `C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{X}`},
			}},
			{Key: "HKLM", Subkey: `SOFTWARE\Vendor\App`, Values: map[string]RegValue{
				"": {Type: RegSz, Data: "default"}, "Version": {Type: RegSz, Data: "2.5"}, "Blob": {Type: RegBinary, Data: "00ff"},
			}},
			{Key: "HKLM", Subkey: `SOFTWARE\WOW6432Node\Vendor\App`, Values: map[string]RegValue{"Version": {Type: RegSz, Data: "1.0"}}},
			{Key: "HKLM", Subkey: `SOFTWARE\Vendor\Plugins\Alpha`, Values: map[string]RegValue{"Enabled": {Type: RegDword, Data: "1"}}},
			{Key: "HKLM", Subkey: `SOFTWARE\Vendor\Plugins\Beta`, Values: map[string]RegValue{"Enabled": {Type: RegDword, Data: "0"}}},
		},
		Files: []ProfileFile{
			{Path: `%SystemRoot%\System32\ntoskrnl.exe`, Version: "10.0.22621.4460", Size: 11268472, Created: day, Modified: day, Language: 1033},
			{Path: `C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{X}\mpengine.dll`, Version: "1.1.24090.11", Size: 100, Created: day, Modified: day},
			{Path: `C:\Windows\notes.txt`, Size: 12, Created: day, Modified: day.Add(time.Hour)},
		},
		Msi: []MsiProduct{{ProductCode: "{A181A302-3F6D-4BAD-97A8-A426A6499D78}", Version: "14.40.33810", Language: 1033,
			Patches: []string{"{11111111-2222-3333-4444-555555555555}"}, Components: []string{"{3A1E1C6B-4C8F-4F2B-9D8E-2B6F0C5A7D11}"},
			Features: []string{"VC_Runtime_Minimum"}}},
		Cbs:              []CbsPackage{{Name: "Package_for_RollupFix", Version: "22631.4460.1.9", Arch: "amd64", State: "Installed"}},
		Releases:         []ProductRelease{{Name: "Client.OS.rs2.amd64", Version: "10.0.22631.4460"}},
		WMI:              []WMIResult{{Query: "SELECT * FROM Win32_OperatingSystem WHERE ProductType = 1", Result: true}},
		Metrics:          map[string]int{"86": 0},
		Licenses:         map[string]uint32{"Kernel-ProductInfo": 48},
		InstallHistory:   []string{"0d0d0d0d-0000-4000-8000-000000000000"},
		DeviceAttributes: map[string]string{"FlightRing": "Retail"},
		PnP: []Device{
			{HardwareIDs: []string{`PCI\VEN_8086&DEV_9A49&SUBSYS_0A6B1028&REV_01`, `PCI\VEN_8086&DEV_9A49&SUBSYS_0A6B1028`},
				CompatibleIDs: []string{`PCI\VEN_8086&DEV_9A49`, `PCI\CC_0300`},
				Driver:        &InstalledDriver{MatchingID: `PCI\VEN_8086&DEV_9A49&SUBSYS_0A6B1028`, DriverVerDate: "2024-05-09", DriverVerVersion: "31.0.101.5522"}},
			{HardwareIDs: []string{`ACPI\SYNA7DB5`}},
		},
	}
}

// evalRule evaluates expr as an IsInstalled rule of an update with the given
// extra ApplicabilityRules content (Metadata).
func evalRule(t *testing.T, m Machine, expr, metadata string) Verdict {
	t.Helper()
	r, err := ParseCore([]byte(`<UpdateIdentity UpdateID="0d0d0d0d-0000-4000-8000-000000000000" RevisionNumber="1" /><ApplicabilityRules><IsInstalled>` +
		expr + `</IsInstalled>` + metadata + `</ApplicabilityRules>`))
	if err != nil {
		t.Fatalf("ParseCore(%s): %v", expr, err)
	}
	return r.Evaluate(m)
}

type ruleCase struct {
	name string
	expr string
	want Result
}

func runRuleCases(t *testing.T, m Machine, metadata string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := evalRule(t, m, tc.expr, metadata)
			if v.Installed != tc.want {
				t.Errorf("%s = %v, want %v (unknown %v)", tc.expr, v.Installed, tc.want, v.Unknown)
			}
			if (tc.want == Unknown) != (len(v.Unknown) > 0) {
				t.Errorf("Verdict.Unknown = %v with result %v", v.Unknown, v.Installed)
			}
		})
	}
}

func TestWindowsVersion(t *testing.T) {
	runRuleCases(t, testMachine(), "", []ruleCase{
		{"equal major minor", `<b.WindowsVersion MajorVersion="10" MinorVersion="0" />`, True},
		{"comparison defaults to EqualTo", `<b.WindowsVersion MajorVersion="6" MinorVersion="3" />`, False},
		{"ge older", `<b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="6" MinorVersion="3" ProductType="1" />`, True},
		{"ge wrong product type", `<b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="6" MinorVersion="3" ProductType="3" />`, False},
		{"equal build", `<b.WindowsVersion Comparison="EqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="22631" ProductType="1" />`, True},
		{"equal other build", `<b.WindowsVersion Comparison="EqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="19045" />`, False},
		{"ge build", `<b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="22000" />`, True},
		{"ge newer build", `<b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" MinorVersion="0" BuildNumber="26100" />`, False},
		{"lt hierarchy", `<b.WindowsVersion Comparison="LessThan" MajorVersion="10" MinorVersion="1" />`, True},
		{"lt equal", `<b.WindowsVersion Comparison="LessThan" MajorVersion="10" />`, False},
		{"gt major decides", `<b.WindowsVersion Comparison="GreaterThan" MajorVersion="6" MinorVersion="9" />`, True},
		{"le service pack", `<b.WindowsVersion Comparison="LessThanOrEqualTo" MajorVersion="10" MinorVersion="0" ServicePackMajor="0" />`, True},
		{"sp greater", `<b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" MinorVersion="0" ServicePackMajor="1" />`, False},
		{"suite any", `<b.WindowsVersion SuiteMask="384" />`, True},
		{"suite all missing", `<b.WindowsVersion AllSuitesMustBePresent="true" SuiteMask="384" />`, False},
		{"not datacenter", `<Not><b.WindowsVersion AllSuitesMustBePresent="true" SuiteMask="128" /></Not>`, True},
		{"platform version", `<b.PlatformVersion Comparison="GreaterThan" MajorVersion="6" />`, True},
		{"bad comparison", `<b.WindowsVersion Comparison="Roughly" MajorVersion="10" />`, Unknown},
		{"bad number", `<b.WindowsVersion MajorVersion="ten" />`, Unknown},
	})
}

func TestEnvironmentRules(t *testing.T) {
	m := testMachine()
	runRuleCases(t, m, "", []ruleCase{
		{"language primary", `<b.WindowsLanguage Language="en" />`, True},
		{"language region", `<b.WindowsLanguage Language="en-US" />`, True},
		{"language other region", `<b.WindowsLanguage Language="en-GB" />`, False},
		{"language other", `<b.WindowsLanguage Language="de" />`, False},
		{"language missing", `<b.WindowsLanguage />`, Unknown},
		{"mui not installed", `<b.MuiInstalled />`, False},
		{"mui language", `<b.MuiLanguageInstalled Language="de" />`, False},
		{"processor x64", `<b.Processor Architecture="9" />`, True},
		{"processor arm64", `<b.Processor Architecture="12" />`, False},
		{"processor level", `<b.Processor Architecture="9" Level="6" />`, Unknown},
		{"platform nt", `<b.Platform PlatformID="2" />`, True},
		{"platform name", `<b.Platform PlatformID="Win32NT" />`, Unknown},
		{"processors", `<b.NumberOfProcessors Comparison="GreaterThanOrEqualTo" Number="4" />`, True},
		{"metric known", `<b.SystemMetric Comparison="EqualTo" Index="86" Value="0" />`, True},
		{"metric unknown", `<b.SystemMetric Comparison="EqualTo" Index="87" Value="0" />`, Unknown},
		{"not clustered", `<b.ClusteredOS />`, False},
		{"wmi listed", `<b.WmiQuery Namespace="root\cimv2" WqlQuery="select * from Win32_OperatingSystem  where ProductType = 1" />`, True},
		{"wmi default namespace", `<b.WmiQuery WqlQuery="SELECT * FROM Win32_OperatingSystem WHERE ProductType = 1" />`, True},
		{"wmi unlisted", `<b.WmiQuery WqlQuery="SELECT * FROM Win32_Battery" />`, Unknown},
		{"license", `<b.LicenseDword Value="Kernel-ProductInfo" Comparison="EqualTo" Data="48" />`, True},
		{"license other", `<b.LicenseDword Value="Kernel-ProductInfo" Comparison="LessThan" Data="48" />`, False},
		{"license unknown", `<b.LicenseDword Value="CE163B38-1AEC-47AF-854D-FC90ABD6951C" Comparison="EqualTo" Data="1" />`, Unknown},
		{"license exists", `<b.LicenseValueExists Value="Kernel-ProductInfo" />`, True},
		{"installed once", `<b.InstalledOnce />`, True},
		{"release", `<ProductReleaseInstalled Name="Client.OS.RS2.AMD64" Version="10.0.22631.1" />`, True},
		{"release newer", `<ProductReleaseInstalled Name="Client.OS.RS2.AMD64" Version="10.0.26100.1" />`, False},
		{"release other", `<ProductReleaseInstalled Name="Client.OS.RS2.ARM64" />`, False},
		{"device attribute sku", `<DeviceAttribute Name="OSSkuId" Type="String" Comparison="EqualTo" Value="48" />`, True},
		{"device attribute version", `<DeviceAttribute Name="OSVersion" Type="Version" Comparison="LessThan" Value="10.0.22632.0" />`, True},
		{"device attribute listed", `<DeviceAttribute Name="flightring" Type="String" Comparison="EqualTo" Value="retail" />`, True},
		{"device attribute unknown", `<DeviceAttribute Name="IsCloudDomainJoined" Type="String" Comparison="EqualTo" Value="1" />`, Unknown},
		{"generic query", `<b.GenericQuery Namespace="n" Type="t" Parameter="p" />`, Unknown},
	})
	m.Releases = nil
	runRuleCases(t, m, "", []ruleCase{{"releases unknown", `<ProductReleaseInstalled Name="Client.OS.RS2.AMD64" />`, Unknown}})
}

func TestRegistryRules(t *testing.T) {
	const cv = `Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Microsoft\Windows NT\CurrentVersion"`
	const app = `Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Vendor\App"`
	runRuleCases(t, testMachine(), "", []ruleCase{
		{"key exists", `<b.RegKeyExists ` + cv + ` />`, True},
		{"key case", `<b.RegKeyExists Key="HKEY_LOCAL_MACHINE" Subkey="software\microsoft\WINDOWS NT" />`, True},
		{"key missing", `<b.RegKeyExists Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Nope" />`, False},
		{"key no root", `<b.RegKeyExists Subkey="SOFTWARE" />`, Unknown},
		{"value exists", `<b.RegValueExists ` + cv + ` Value="UBR" />`, True},
		{"value type", `<b.RegValueExists ` + cv + ` Value="UBR" Type="REG_DWORD" />`, True},
		{"value wrong type", `<b.RegValueExists ` + cv + ` Value="UBR" Type="REG_SZ" />`, False},
		{"value binary", `<b.RegValueExists ` + app + ` Value="Blob" Type="REG_BINARY" />`, True},
		{"value missing", `<b.RegValueExists ` + cv + ` Value="LCUReoffer" />`, False},
		{"default value", `<b.RegValueExists ` + app + ` />`, True},
		{"no default value", `<b.RegValueExists ` + cv + ` />`, False},
		{"dword ge", `<b.RegDword ` + cv + ` Value="UBR" Comparison="GreaterThanOrEqualTo" Data="4000" />`, True},
		{"dword lt", `<b.RegDword ` + cv + ` Value="UBR" Comparison="LessThan" Data="4000" />`, False},
		{"dword missing", `<b.RegDword ` + cv + ` Value="LCUReoffer" Comparison="EqualTo" Data="1" />`, False},
		{"dword not a dword", `<b.RegDword ` + cv + ` Value="CurrentBuild" Comparison="EqualTo" Data="22631" />`, False},
		{"dword bad data", `<b.RegDword ` + cv + ` Value="UBR" Comparison="EqualTo" Data="-1" />`, Unknown},
		{"dword no comparison", `<b.RegDword ` + cv + ` Value="UBR" Data="1" />`, Unknown},
		{"sz equal", `<b.RegSz ` + cv + ` Value="DisplayVersion" Comparison="EqualTo" Data="23h2" />`, True},
		{"sz contains", `<b.RegSz ` + cv + ` Value="ProductName" Comparison="Contains" Data="pro" />`, True},
		{"sz begins", `<b.RegSz ` + cv + ` Value="ProductName" Comparison="BeginsWith" Data="Windows 11" />`, False},
		{"sz ends", `<b.RegSz ` + cv + ` Value="ProductName" Comparison="EndsWith" Data="Pro" />`, True},
		{"sz bad comparison", `<b.RegSz ` + cv + ` Value="ProductName" Comparison="Matches" Data="x" />`, Unknown},
		{"expand sz", `<b.RegExpandSz ` + cv + ` Value="PathName" Comparison="EqualTo" Data="%systemroot%" />`, True},
		{"expand sz on sz", `<b.RegExpandSz ` + cv + ` Value="ProductName" Comparison="Contains" Data="Pro" />`, False},
		{"sz to version", `<b.RegSzToVersion ` + app + ` Value="Version" Comparison="GreaterThanOrEqualTo" Data="2.5.0.0" />`, True},
		{"sz to version 32-bit view", `<b.RegSzToVersion ` + app + ` RegType32="true" Value="Version" Comparison="GreaterThanOrEqualTo" Data="2.5.0.0" />`, False},
		{"sz to version not a version", `<b.RegSzToVersion ` + cv + ` Value="ProductName" Comparison="EqualTo" Data="1.0.0.0" />`, False},
		{"loop any", `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Vendor\Plugins" TrueIf="Any"><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="" Value="Enabled" Comparison="EqualTo" Data="1" /></b.RegKeyLoop>`, True},
		{"loop all", `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Vendor\Plugins" TrueIf="All"><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="" Value="Enabled" Comparison="EqualTo" Data="1" /></b.RegKeyLoop>`, False},
		{"loop none", `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Vendor\Plugins" TrueIf="None"><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="" Value="Enabled" Comparison="EqualTo" Data="2" /></b.RegKeyLoop>`, True},
		{"loop missing key", `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Nope" TrueIf="Any"><True /></b.RegKeyLoop>`, False},
		{"loop bad logic", `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Vendor\Plugins" TrueIf="Most"><True /></b.RegKeyLoop>`, Unknown},
	})
}

func TestFileRules(t *testing.T) {
	const sig = `Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Microsoft\Windows Defender\Signature Updates" Value="SignatureLocation"`
	runRuleCases(t, testMachine(), "", []ruleCase{
		{"exists csidl", `<b.FileExists Path="ntoskrnl.exe" Csidl="37" />`, True},
		{"exists full path", `<b.FileExists Path="C:\Windows\System32\ntoskrnl.exe" />`, True},
		{"exists env", `<b.FileExists Path="%windir%\system32\NTOSKRNL.EXE" />`, True},
		{"exists version", `<b.FileExists Path="ntoskrnl.exe" Csidl="37" Version="10.0.22621.4460" />`, True},
		{"exists other version", `<b.FileExists Path="ntoskrnl.exe" Csidl="37" Version="10.0.22621.1" />`, False},
		{"exists size", `<b.FileExists Path="ntoskrnl.exe" Csidl="37" Size="11268472" Language="1033" />`, True},
		{"exists created", `<b.FileExists Path="ntoskrnl.exe" Csidl="37" Created="2024-11-12T10:00:00" />`, True},
		{"missing", `<b.FileExists Path="nope.dll" Csidl="37" />`, False},
		{"exists prepend", `<b.FileExistsPrependRegSz Path="mpengine.dll" ` + sig + ` />`, True},
		{"version ge", `<b.FileVersion Path="ntoskrnl.exe" Csidl="37" Comparison="GreaterThanOrEqualTo" Version="10.0.22621.4000" />`, True},
		{"version lt", `<b.FileVersion Path="ntoskrnl.exe" Csidl="37" Comparison="LessThan" Version="10.0.22621.4000" />`, False},
		{"version missing file", `<b.FileVersion Path="nope.sys" Csidl="37" Comparison="LessThan" Version="99.0.0.0" />`, False},
		{"version no resource", `<b.FileVersion Path="C:\Windows\notes.txt" Comparison="GreaterThan" Version="0.0.0.0" />`, False},
		{"version bad", `<b.FileVersion Path="ntoskrnl.exe" Csidl="37" Comparison="EqualTo" Version="ten" />`, Unknown},
		{"version prepend", `<b.FileVersionPrependRegSz Path="mpengine.dll" Comparison="GreaterThanOrEqualTo" Version="1.1.24090.11" ` + sig + ` />`, True},
		{"version prepend missing value", `<b.FileVersionPrependRegSz Path="mpengine.dll" Comparison="GreaterThan" Version="0.0.0.0" Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Microsoft\Windows Defender" Value="InstallLocation" />`, False},
		{"created", `<b.FileCreated Path="C:\Windows\notes.txt" Comparison="EqualTo" Created="2024-11-12T10:00:00Z" />`, True},
		{"modified", `<b.FileModified Path="C:\Windows\notes.txt" Comparison="GreaterThan" Modified="2024-11-12T10:00:00Z" />`, True},
		{"modified prepend", `<b.FileModifiedPrependRegSz Path="mpengine.dll" Comparison="LessThan" Modified="2020-01-01T00:00:00Z" ` + sig + ` />`, False},
		{"size", `<b.FileSize Path="C:\Windows\notes.txt" Comparison="LessThanOrEqualTo" Size="12" />`, True},
		{"size prepend", `<b.FileSizePrependRegSz Path="mpengine.dll" Comparison="GreaterThan" Size="1000" ` + sig + ` />`, False},
		{"bad csidl", `<b.FileExists Path="x" Csidl="system" />`, Unknown},
	})
}

func TestMsiRules(t *testing.T) {
	const code = `ProductCode="{a181a302-3f6d-4bad-97a8-a426a6499d78}"`
	runRuleCases(t, testMachine(), "", []ruleCase{
		{"product", `<m.MsiProductInstalled ` + code + ` />`, True},
		{"product absent", `<m.MsiProductInstalled ProductCode="{00000000-0000-0000-0000-000000000000}" />`, False},
		{"min", `<m.MsiProductInstalled ` + code + ` VersionMin="14.40.33810" />`, True},
		{"min excluded", `<m.MsiProductInstalled ` + code + ` VersionMin="14.40.33810" ExcludeVersionMin="true" />`, False},
		{"max", `<m.MsiProductInstalled ` + code + ` VersionMax="14.40.33810" />`, True},
		{"max excluded", `<m.MsiProductInstalled ` + code + ` VersionMax="14.40.33810" ExcludeVersionMax="true" />`, False},
		{"range", `<m.MsiProductInstalled ` + code + ` VersionMin="14.0.0" VersionMax="15.0.0" Language="1033" />`, True},
		{"other language", `<m.MsiProductInstalled ` + code + ` Language="1031" />`, False},
		{"no product code", `<m.MsiProductInstalled />`, Unknown},
		{"patch", `<m.MsiPatchInstalledForProduct PatchCode="{11111111-2222-3333-4444-555555555555}" ` + code + ` />`, True},
		{"patch absent", `<m.MsiPatchInstalledForProduct PatchCode="{11111111-2222-3333-4444-000000000000}" ` + code + ` />`, False},
		{"component", `<m.MsiComponentInstalledForProduct><m.Component>{3A1E1C6B-4C8F-4F2B-9D8E-2B6F0C5A7D11}</m.Component><m.Product>{A181A302-3F6D-4BAD-97A8-A426A6499D78}</m.Product></m.MsiComponentInstalledForProduct>`, True},
		{"all components", `<m.MsiComponentInstalledForProduct AllComponentsRequired="true"><m.Component>{3A1E1C6B-4C8F-4F2B-9D8E-2B6F0C5A7D11}</m.Component><m.Component>{00000000-0000-0000-0000-000000000001}</m.Component><m.Product>{A181A302-3F6D-4BAD-97A8-A426A6499D78}</m.Product></m.MsiComponentInstalledForProduct>`, False},
		{"all products", `<m.MsiFeatureInstalledForProduct AllProductsRequired="true"><m.Feature>VC_Runtime_Minimum</m.Feature><m.Product>{A181A302-3F6D-4BAD-97A8-A426A6499D78}</m.Product><m.Product>{00000000-0000-0000-0000-000000000002}</m.Product></m.MsiFeatureInstalledForProduct>`, False},
		{"feature", `<m.MsiFeatureInstalledForProduct><m.Feature>VC_Runtime_Minimum</m.Feature><m.Product>{A181A302-3F6D-4BAD-97A8-A426A6499D78}</m.Product></m.MsiFeatureInstalledForProduct>`, True},
		{"patch metadata rule", `<m.MsiPatchInstalled />`, Unknown},
	})
}

func TestDriverRules(t *testing.T) {
	meta := func(hwid, date, ver string) string {
		return `<Metadata><d.WindowsDriverMetaData HardwareID="` + hwid + `" WhqlDriverID="1" Manufacturer="Intel Corporation" Company="Intel Corporation" Provider="Intel" DriverVerDate="` + date + `" DriverVerVersion="` + ver + `" Class="Display" Model="m" /></Metadata>`
	}
	const inst, able, sup = `<d.WindowsDriverInstalled />`, `<d.WindowsDriverInstallable />`, `<d.WindowsDriverSuperseded />`
	m := testMachine()
	for _, tc := range []struct {
		name, meta              string
		installed, able, superd Result
	}{
		{"the installed driver", meta(`PCI\VEN_8086&amp;DEV_9A49&amp;SUBSYS_0A6B1028`, "2024-05-09", "31.0.101.5522"), True, False, False},
		{"newer", meta(`PCI\VEN_8086&amp;DEV_9A49&amp;SUBSYS_0A6B1028`, "2024-09-01", "31.0.101.5590"), False, True, False},
		{"older", meta(`PCI\VEN_8086&amp;DEV_9A49&amp;SUBSYS_0A6B1028`, "2023-01-01", "31.0.101.4000"), False, False, True},
		{"same date higher version", meta(`PCI\VEN_8086&amp;DEV_9A49&amp;SUBSYS_0A6B1028`, "2024-05-09", "31.0.101.5523"), False, True, False},
		{"more specific id", meta(`PCI\VEN_8086&amp;DEV_9A49&amp;SUBSYS_0A6B1028&amp;REV_01`, "2020-01-01", "1.0.0.0"), False, True, False},
		{"compatible id newer", meta(`PCI\VEN_8086&amp;DEV_9A49`, "2025-01-01", "32.0.0.0"), False, False, True},
		{"device without driver", meta(`ACPI\SYNA7DB5`, "2020-01-01", "1.0.0.0"), False, True, False},
		{"no matching device", meta(`USB\VID_046D&amp;PID_C52B`, "2024-01-01", "1.0.0.0"), False, False, False},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				rule string
				want Result
			}{{inst, tc.installed}, {able, tc.able}, {sup, tc.superd}} {
				if got := evalRule(t, m, c.rule, tc.meta).Installed; got != c.want {
					t.Errorf("%s = %v, want %v", c.rule, got, c.want)
				}
			}
		})
	}
	if v := evalRule(t, m, inst, ""); v.Installed != Unknown {
		t.Errorf("driver rule without metadata = %v, want Unknown", v.Installed)
	}
}

func TestPrinterDriverVendor(t *testing.T) {
	m := &Profile{PnP: []Device{{IsPrinter: true, HardwareIDs: []string{`USBPRINT\HPLaserJet_4001`},
		Driver: &InstalledDriver{MatchingID: `USBPRINT\HPLaserJet_4001`, DriverVerDate: "2020-01-01", DriverVerVersion: "1.0.0.0", Provider: "HP", Manufacturer: "HP"}}}}
	md := func(provider string) string {
		return `<Metadata><d.WindowsDriverMetaData HardwareID="USBPRINT\HPLaserJet_4001" Manufacturer="HP" Provider="` + provider + `" DriverVerDate="2024-01-01" DriverVerVersion="2.0.0.0" Class="Printers" Model="m" Company="c" WhqlDriverID="1" /></Metadata>`
	}
	if got := evalRule(t, m, `<d.WindowsDriverInstallable />`, md("HP")).Installed; got != True {
		t.Errorf("same provider: %v, want True", got)
	}
	if got := evalRule(t, m, `<d.WindowsDriverInstallable />`, md("Microsoft")).Installed; got != False {
		t.Errorf("other provider: %v, want False", got)
	}
}

func TestCbsRules(t *testing.T) {
	meta := func(name, version, arch string) string {
		return `<Metadata><CbsPackageApplicabilityMetadata><assembly xmlns="urn:schemas-microsoft-com:asm.v3" manifestVersion="1.0"><assemblyIdentity name="` + name +
			`" version="` + version + `" processorArchitecture="` + arch + `" language="neutral" publicKeyToken="31bf3856ad364e35" /><package identifier="KB1" /></assembly></CbsPackageApplicabilityMetadata></Metadata>`
	}
	m := testMachine()
	for _, tc := range []struct {
		name, meta      string
		installed, able Result
	}{
		{"the installed rollup", meta("Package_for_RollupFix", "22631.4460.1.9", "amd64"), True, True},
		{"an older rollup", meta("Package_for_RollupFix", "22631.4317.1.12", "amd64"), True, True},
		{"a newer rollup", meta("Package_for_RollupFix", "22631.4541.1.4", "amd64"), False, True},
		{"another build", meta("Package_for_RollupFix", "19045.5131.1.6", "amd64"), False, False},
		{"another architecture", meta("Package_for_RollupFix", "22631.4541.1.4", "arm64"), False, False},
		{"a non-cumulative package", meta("Package_for_KB5040001", "22631.3000.1.1", "amd64"), False, True},
		{"no metadata", "", Unknown, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := evalRule(t, m, `<CbsPackageInstalled />`, tc.meta).Installed; got != tc.installed {
				t.Errorf("CbsPackageInstalled = %v, want %v", got, tc.installed)
			}
			if got := evalRule(t, m, `<CbsPackageInstallable />`, tc.meta).Installed; got != tc.able {
				t.Errorf("CbsPackageInstallable = %v, want %v", got, tc.able)
			}
		})
	}
}

// TestStepBudget checks that evaluation gives up with Unknown once the step
// budget of one Evaluate is spent, so a hostile fragment cannot hang the
// agent.
func TestStepBudget(t *testing.T) {
	e := &evaluator{m: &Profile{}, r: &Rules{}, steps: maxSteps}
	if got := e.eval(&Node{Name: "True"}); got != Unknown || len(e.unknowns) != 1 {
		t.Errorf("eval past the budget = %v (unknown %v), want Unknown", got, e.unknowns)
	}
}

// TestRegKeyLoopNested checks that a loop inside a loop reads its Subkey
// below the subkey the outer loop visits.
func TestRegKeyLoopNested(t *testing.T) {
	p := &Profile{Registry: []ProfileKey{
		{Key: "HKLM", Subkey: `SOFTWARE\Apps\A\Versions\1`, Values: map[string]RegValue{"Patched": {Type: RegDword, Data: "1"}}},
		{Key: "HKLM", Subkey: `SOFTWARE\Apps\B\Versions\1`, Values: map[string]RegValue{"Patched": {Type: RegDword, Data: "0"}}},
	}}
	inner := func(logic string) string {
		return `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="Versions" TrueIf="` + logic + `"><b.RegDword Key="HKEY_LOCAL_MACHINE" Subkey="" Value="Patched" Comparison="EqualTo" Data="1" /></b.RegKeyLoop>`
	}
	outer := func(logic, in string) string {
		return `<b.RegKeyLoop Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Apps" TrueIf="` + logic + `">` + in + `</b.RegKeyLoop>`
	}
	runRuleCases(t, p, "", []ruleCase{
		{"any app patched", outer("Any", inner("All")), True},
		{"all apps patched", outer("All", inner("All")), False},
	})
}
