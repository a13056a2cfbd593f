package applicability

import (
	"strings"
	"time"
)

// Machine is what applicability rules ask of a computer. Profile is the
// implementation the agent and the swarm use; a real Windows implementation
// would call the APIs named in each rule's schema documentation.
//
// Facts fall in two groups. Registry, files, MSI products, devices, CBS
// packages and installed updates are closed-world: something the Machine
// does not list does not exist, and rules asking for it are False, as on a
// real computer. WMI results, system metrics, license values, device
// attributes and product releases are open-world: ok=false means the Machine
// cannot say, and the rule evaluates to Unknown.
type Machine interface {
	// WindowsVersion is the OSVERSIONINFOEX of the operating system.
	WindowsVersion() Version
	// Processor is the native processor architecture
	// (SYSTEM_INFO.wProcessorArchitecture: 0 x86, 5 ARM, 6 IA64, 9 x64, 12 ARM64).
	Processor() Arch
	// Languages are the operating system's languages.
	Languages() Languages
	// RegKey returns a registry key. key is a root key name
	// ("HKEY_LOCAL_MACHINE"), subkey a path below it; wow64 selects the
	// 32-bit registry view (RegType32="true"). Names are case-insensitive.
	RegKey(key, subkey string, wow64 bool) (RegKey, bool)
	// File returns a file's facts. With csidl ≥ 0 path is relative to
	// that shell folder (SHGetFolderPath); with NoCSIDL it is a full path,
	// in which %environment% references are expanded.
	File(path string, csidl int) (FileInfo, bool)
	// MsiProducts lists the Windows Installer products (MsiEnumProducts).
	MsiProducts() []MsiProduct
	// Devices lists the Plug and Play devices with their drivers.
	Devices() []Device
	// CbsPackages lists the servicing-stack (CBS) packages.
	CbsPackages() []CbsPackage
	// Installed reports whether the update with this UpdateID is installed
	// (recorded by the agent's install handler).
	Installed(updateID string) bool
	// InstalledOnce reports whether the update was ever installed.
	InstalledOnce(updateID string) bool
	// WMIQuery is whether the WQL query returns at least one instance.
	WMIQuery(namespace, query string) (result, ok bool)
	// SystemMetric is GetSystemMetrics(index).
	SystemMetric(index int) (value int, ok bool)
	// License is a Software Licensing DWORD value by name
	// (SLGetWindowsInformationDWORD).
	License(name string) (value uint32, ok bool)
	// DeviceAttribute is a device attribute as Windows Update sends it to
	// the service (OSSkuId, OSVersion, …).
	DeviceAttribute(name string) (value string, ok bool)
	// ProductReleases lists installed product releases (ok=false when unknown).
	ProductReleases() (releases []ProductRelease, ok bool)
	// NumberOfProcessors is the logical processor count, 0 when unknown.
	NumberOfProcessors() int
	// Clustered reports membership of a Windows Server failover cluster.
	Clustered() bool
}

// NoCSIDL is the csidl argument of Machine.File for a full path.
const NoCSIDL = -1

// Version is the operating system's version information as
// VerifyVersionInfo sees it (OSVERSIONINFOEX), plus the update build
// revision (UBR) that Windows 10 and later keep in the registry.
type Version struct {
	Major            uint32 `json:"major"`
	Minor            uint32 `json:"minor"`
	Build            uint32 `json:"build"`
	Revision         uint32 `json:"ubr"` // HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\UBR
	ServicePackMajor uint16 `json:"servicePackMajor"`
	ServicePackMinor uint16 `json:"servicePackMinor"`
	ProductType      uint8  `json:"productType"` // 1 workstation, 2 domain controller, 3 server
	SuiteMask        uint16 `json:"suiteMask"`   // VER_SUITE_* bits
}

// Arch is a PROCESSOR_ARCHITECTURE_* value, the number bar:Processor's
// Architecture attribute carries.
type Arch int

// Processor architectures (winnt.h; the SyncUpdates capture m0/000005 has
// 0, 5, 6, 12).
const (
	ArchX86   Arch = 0
	ArchARM   Arch = 5
	ArchIA64  Arch = 6
	ArchAMD64 Arch = 9
	ArchARM64 Arch = 12
)

// Languages are the operating system's language facts.
type Languages struct {
	// System is the language the operating system was installed in
	// ("en-US"), what WindowsLanguage tests.
	System string `json:"system"`
	// UI is the current user-interface language.
	UI string `json:"ui,omitempty"`
	// Installed are the installed language packs.
	Installed []string `json:"installed,omitempty"`
	// LegacyMUI is true when the Windows 2000/XP Multilanguage User
	// Interface pack is installed; false on Windows Vista and later, whose
	// language packs are not that MUI.
	LegacyMUI bool `json:"legacyMui,omitempty"`
}

// RegKey is one registry key's values and the names of its subkeys.
type RegKey struct {
	Values  map[string]RegValue // by value name; "" is the default value
	Subkeys []string
}

// value returns the value named name, case-insensitively.
func (k RegKey) value(name string) (RegValue, bool) {
	if v, ok := k.Values[name]; ok {
		return v, true
	}
	for n, v := range k.Values {
		if strings.EqualFold(n, name) {
			return v, true
		}
	}
	return RegValue{}, false
}

// Registry value types.
const (
	RegSz       = "REG_SZ"
	RegExpandSz = "REG_EXPAND_SZ"
	RegMultiSz  = "REG_MULTI_SZ"
	RegDword    = "REG_DWORD"
	RegQword    = "REG_QWORD"
	RegBinary   = "REG_BINARY"
)

// RegValue is one typed registry value. Data holds REG_SZ and REG_EXPAND_SZ
// text, REG_DWORD and REG_QWORD numbers in decimal (or 0x hex), REG_BINARY
// bytes in hex; Strings holds REG_MULTI_SZ.
type RegValue struct {
	Type    string   `json:"type"`
	Data    string   `json:"data,omitempty"`
	Strings []string `json:"strings,omitempty"`
}

// FileInfo is what file rules read of one file.
type FileInfo struct {
	Version    FourPart // VS_FIXEDFILEINFO file version; zero with HasVersion false when none
	HasVersion bool
	Size       int64
	Created    time.Time
	Modified   time.Time
	Language   uint16 // language id of the version resource, 0 when none
}

// MsiProduct is one installed Windows Installer product.
type MsiProduct struct {
	ProductCode string   `json:"productCode"` // {GUID}
	Name        string   `json:"name,omitempty"`
	Version     string   `json:"version"` // ProductVersion, a.b.c[.d]
	Language    int      `json:"language,omitempty"`
	Patches     []string `json:"patches,omitempty"`    // applied patch codes
	Components  []string `json:"components,omitempty"` // installed component codes
	Features    []string `json:"features,omitempty"`   // installed feature names
}

// Device is one Plug and Play device, as the agent reports it in
// SyncUpdates' SystemSpec (MS-WUSP §2.2.2.2.4; protocol-wusp.md §5.8).
type Device struct {
	HardwareIDs   []string         `json:"hardwareIds"` // most specific first
	CompatibleIDs []string         `json:"compatibleIds,omitempty"`
	Driver        *InstalledDriver `json:"installedDriver,omitempty"`
	IsPrinter     bool             `json:"isPrinter,omitempty"`
}

// InstalledDriver is the driver a device runs.
type InstalledDriver struct {
	MatchingID       string `json:"matchingId"`
	DriverVerDate    string `json:"driverVerDate"` // yyyy-mm-dd
	DriverVerVersion string `json:"driverVerVersion"`
	Class            string `json:"class,omitempty"`
	Manufacturer     string `json:"manufacturer,omitempty"`
	Provider         string `json:"provider,omitempty"`
}

// CbsPackage is one package known to the component-based servicing stack.
type CbsPackage struct {
	Name    string `json:"name"`    // "Package_for_RollupFix"
	Version string `json:"version"` // "22631.4460.1.9"
	Arch    string `json:"arch"`    // amd64, arm64, x86, neutral
	State   string `json:"state"`   // Installed, Superseded, Staged, Absent
}

// ProductRelease is an installed product release (unprefixed
// ProductReleaseInstalled rule; wsus-m0-cbs/osinstaller-core.xml).
type ProductRelease struct {
	Name    string `json:"name"` // "Client.OS.RS2.AMD64"
	Version string `json:"version"`
}
