package agent

import "patchbay/internal/wusp"

// Result is the three-valued outcome of an applicability rule (MS-WUSP
// §3.1.1): an unknown rule type makes a rule Unknown, never silently true.
type Result int

// Results of an applicability rule.
const (
	False Result = iota
	True
	Unknown
)

// String returns "false", "true" or "unknown".
func (r Result) String() string {
	switch r {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

// Verdict is the evaluation of one revision's IsInstalled, IsInstallable
// and IsSuperseded rules against a machine (MS-WUSP §3.1.1.1). Unknown
// names the rule types that could not be evaluated.
type Verdict struct {
	Installed, Installable, Superseded Result
	Unknown                            []string
}

// Facts are the machine facts the agent reports: the RegisterComputer
// computerInfo of MS-WUSP §2.2.2.2.3, the ReportingEvent fields of
// §2.2.2.3.1, the locales of GetExtendedUpdateInfo and the driver pass's
// SystemSpec (§2.2.2.2.4).
type Facts struct {
	DNSName                          string
	OSMajor, OSMinor, OSBuild, OSRev int32
	SPMajor, SPMinor                 int32
	OSLocale                         string // "en-US"
	OSLocaleID                       int32  // LCID, 1033
	Languages                        []string
	ProcessorArchitecture            string // "AMD64", "x86", "ARM64"
	Manufacturer, Model              string
	BiosVersion, BiosName            string
	OSDescription                    string
	SuiteMask, ProductType           int32 // ProductType: 1 workstation, 2 domain controller, 3 server
	SKU                              int32 // OSSkuId, sent as RegisterComputer's NewProductType (48 Professional)
	Devices                          []wusp.Device
	ComputerHardwareIDs              []string
}

// Inventory is what the agent knows about the machine it updates: it
// evaluates Core fragments, records installations and supplies the facts
// above. On Windows it would be the registry, WMI and the MSI database;
// elsewhere a machine profile file (OpenProfile).
type Inventory interface {
	// Evaluate evaluates the applicability rules of a Core fragment.
	Evaluate(core []byte) (Verdict, error)
	// BundleInstalled combines the verdicts of a bundle's leaves: a bundle
	// is installed when its leaves are (MS-WUSP §3.1.1).
	BundleInstalled(leaves []Verdict) Result
	// MarkInstalled records that an update revision is installed.
	MarkInstalled(updateID string, revision int)
	// MarkUninstalled records that an update is no longer installed.
	MarkUninstalled(updateID string)
	// Save persists the changes made by MarkInstalled and MarkUninstalled.
	Save() error
	// Facts returns the machine facts.
	Facts() Facts
}
