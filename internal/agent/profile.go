package agent

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/applicability"
	"patchbay/internal/wusp"
)

// ProfileInventory is the Inventory of a machine profile file
// (applicability.Profile): the machine facts come from the file, the rules
// are evaluated by internal/applicability, and installations are recorded
// in the file, so that the next scan sees them.
type ProfileInventory struct {
	p    *applicability.Profile
	path string
	dns  string
}

// OpenProfile loads the profile at path. dnsName is the computer name sent
// to the server; "" means the profile's name.
func OpenProfile(path, dnsName string) (*ProfileInventory, error) {
	p, err := applicability.LoadProfile(path)
	if err != nil {
		return nil, err
	}
	if dnsName == "" {
		dnsName = p.Name
	}
	return &ProfileInventory{p: p, path: path, dns: dnsName}, nil
}

// Profile returns the underlying profile.
func (pi *ProfileInventory) Profile() *applicability.Profile { return pi.p }

// Evaluate parses core and evaluates it against the profile.
func (pi *ProfileInventory) Evaluate(core []byte) (Verdict, error) {
	r, err := applicability.ParseCore(core)
	if err != nil {
		return Verdict{}, err
	}
	return fromVerdict(r.Evaluate(pi.p)), nil
}

// BundleInstalled implements Inventory.
func (pi *ProfileInventory) BundleInstalled(leaves []Verdict) Result {
	vs := make([]applicability.Verdict, len(leaves))
	for i, l := range leaves {
		vs[i] = applicability.Verdict{Installed: applicability.Result(l.Installed), Installable: applicability.Result(l.Installable),
			Superseded: applicability.Result(l.Superseded)}
	}
	return Result(applicability.BundleInstalled(vs))
}

// MarkInstalled implements Inventory.
func (pi *ProfileInventory) MarkInstalled(updateID string, revision int) {
	pi.p.MarkInstalled(updateID, revision)
}

// MarkUninstalled implements Inventory.
func (pi *ProfileInventory) MarkUninstalled(updateID string) { pi.p.MarkUninstalled(updateID) }

// Save writes the profile back to its file.
func (pi *ProfileInventory) Save() error { return pi.p.Save(pi.path) }

// Facts derives the reported machine facts from the profile.
func (pi *ProfileInventory) Facts() Facts {
	v := pi.p.WindowsVersion()
	lang := pi.p.Languages()
	f := Facts{
		DNSName: pi.dns, OSMajor: int32(v.Major), OSMinor: int32(v.Minor), OSBuild: int32(v.Build), OSRev: int32(v.Revision),
		SPMajor: int32(v.ServicePackMajor), SPMinor: int32(v.ServicePackMinor), OSLocale: lang.System,
		OSLocaleID: lcid(lang.System), ProcessorArchitecture: archName(pi.p.Processor()),
		Manufacturer: "Patchbay", Model: "Machine profile", BiosVersion: "unknown", BiosName: "unknown",
		SuiteMask: int32(v.SuiteMask), ProductType: int32(v.ProductType), SKU: int32(pi.p.SKU),
		OSDescription: osDescription(v, pi.p.Edition),
	}
	// ComputerSpec carries guids: no braces, lower case (MS-WUSP §2.2.4.1).
	for _, id := range pi.p.ComputerHardwareIDs {
		if g, ok := patchbay.ParseGUID(id); ok {
			f.ComputerHardwareIDs = append(f.ComputerHardwareIDs, g)
		}
	}
	if f.ProductType == 0 {
		f.ProductType = 1
	}
	// GetExtendedUpdateInfo locales: the system language, then its
	// primary language, as WUA asks for en-US then en (protocol-wusp.md §7.2).
	for _, l := range []string{lang.System, lang.UI} {
		if l == "" {
			continue
		}
		f.Languages = appendNew(f.Languages, l)
		if i := strings.IndexByte(l, '-'); i > 0 {
			f.Languages = appendNew(f.Languages, l[:i])
		}
	}
	for _, d := range pi.p.Devices() {
		f.Devices = append(f.Devices, wireDevice(d))
	}
	return f
}

// wireDevice converts a profile device to SyncUpdates' Device (MS-WUSP
// §2.2.2.2.4). A device without a driver carries no installedDriver;
// printers carry DeviceFlags bit 0 (protocol-wusp.md §5.8).
func wireDevice(d applicability.Device) wusp.Device {
	wd := wusp.Device{HardwareIDs: d.HardwareIDs, CompatibleIDs: d.CompatibleIDs}
	if d.Driver != nil {
		drv := &wusp.InstalledDriver{MatchingID: d.Driver.MatchingID, Class: d.Driver.Class, Manufacturer: d.Driver.Manufacturer,
			Provider: d.Driver.Provider, DriverVerDate: wusp.DateTime{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
			DriverVerVersion: packVersion(d.Driver.DriverVerVersion), DriverRank: 0xff0000}
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(d.Driver.DriverVerDate)); err == nil {
			drv.DriverVerDate = wusp.DateTime{Time: t}
		}
		wd.InstalledDriver = drv
	}
	if d.IsPrinter {
		one := uint8(1)
		wd.DeviceFlags = &one
	}
	return wd
}

// packVersion packs a.b.c.d into the 64-bit DriverVerVersion (16 bits each).
func packVersion(s string) int64 {
	var v int64
	parts := strings.Split(strings.TrimSpace(s), ".")
	for i := range 4 {
		v <<= 16
		if i < len(parts) {
			n, _ := strconv.ParseUint(parts[i], 10, 16)
			v |= int64(n)
		}
	}
	return v
}

func fromVerdict(v applicability.Verdict) Verdict {
	return Verdict{Installed: Result(v.Installed), Installable: Result(v.Installable), Superseded: Result(v.Superseded), Unknown: v.Unknown}
}

func archName(a applicability.Arch) string {
	switch a {
	case applicability.ArchAMD64:
		return "AMD64"
	case applicability.ArchX86:
		return "x86"
	case applicability.ArchARM64:
		return "ARM64"
	case applicability.ArchARM:
		return "ARM"
	case applicability.ArchIA64:
		return "IA64"
	}
	return "Unknown"
}

func osDescription(v applicability.Version, edition string) string {
	name := "Windows"
	switch {
	case v.ProductType > 1:
		name = "Windows Server"
	case v.Major == 10 && v.Build >= 22000:
		name = "Windows 11"
	case v.Major == 10:
		name = "Windows 10"
	default:
		name = fmt.Sprintf("Windows %d.%d", v.Major, v.Minor)
	}
	if edition != "" {
		name += " " + edition
	}
	return name
}

// lcid maps a locale name to its Windows LCID (ReportingEvent OSLocaleID).
func lcid(locale string) int32 {
	ids := map[string]int32{"en-us": 1033, "en-gb": 2057, "de-de": 1031, "fr-fr": 1036, "es-es": 3082, "it-it": 1040,
		"ja-jp": 1041, "ko-kr": 1042, "zh-cn": 2052, "zh-tw": 1028, "pt-br": 1046, "pt-pt": 2070, "nl-nl": 1043,
		"sv-se": 1053, "pl-pl": 1045, "ru-ru": 1049, "tr-tr": 1055, "cs-cz": 1029, "da-dk": 1030, "fi-fi": 1035, "nb-no": 1044}
	if id, ok := ids[strings.ToLower(locale)]; ok {
		return id
	}
	return 1033
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if strings.EqualFold(x, v) {
			return s
		}
	}
	return append(s, v)
}

var _ Inventory = (*ProfileInventory)(nil)
