package applicability

import "slices"

// Verdict is the outcome of one revision's rules on one machine.
type Verdict struct {
	Installed, Installable, Superseded Result
	// Unknown names the rules (element names as in Core, "b.WmiQuery")
	// that evaluated to Unknown, each once, in first-seen order.
	Unknown []string
}

// Needed reports whether the update should be offered: not installed, not
// superseded and installable (WSUS "Update Applicability Rules": an update is
// needed when IsInstalled is false, IsSuperseded is false and IsInstallable is
// true), in three-valued logic.
func (v Verdict) Needed() Result {
	return And(Not(v.Installed), Not(v.Superseded), v.Installable)
}

// Evaluate evaluates r's rules on m.
//
// An update whose UpdateID m reports Installed is Installed=True whatever
// its IsInstalled rule says: that is how the agent's simulated install
// handler makes the next scan see it. Absent rules default to IsInstalled
// False, IsSuperseded False and IsInstallable True [INFERRED: the CSAPI
// Update schema makes all three optional; a detectoid or category carries
// IsInstalled only, a bundle no rules at all, its state coming from its
// leaves, see BundleInstalled]. m must not be nil.
func (r *Rules) Evaluate(m Machine) Verdict {
	e := &evaluator{m: m, r: r}
	var v Verdict
	switch {
	case r.UpdateID != "" && m.Installed(r.UpdateID):
		v.Installed = True
	case r.IsInstalled != nil:
		v.Installed = e.eval(r.IsInstalled)
	default:
		v.Installed = False
	}
	v.Installable = True
	if r.IsInstallable != nil {
		v.Installable = e.eval(r.IsInstallable)
	}
	v.Superseded = False
	if r.IsSuperseded != nil {
		v.Superseded = e.eval(r.IsSuperseded)
	}
	v.Unknown = e.unknowns
	return v
}

// evaluator holds one evaluation's state.
type evaluator struct {
	m        Machine
	r        *Rules
	unknowns []string
	depth    int
	steps    int
	loop     *loopScope
}

// maxSteps bounds the rule evaluations of one Evaluate: nested RegKeyLoops
// multiply, and a hostile fragment must not hang the agent.
const maxSteps = 1 << 20

// unknown records n as undecidable and returns Unknown.
func (e *evaluator) unknown(n *Node) Result {
	if !slices.Contains(e.unknowns, n.Name) {
		e.unknowns = append(e.unknowns, n.Name)
	}
	return Unknown
}

// eval evaluates one rule element. Every rule not implemented here, and every
// implemented rule with a missing or unrecognised attribute value, is
// Unknown.
func (e *evaluator) eval(n *Node) Result {
	e.depth++
	e.steps++
	defer func() { e.depth-- }()
	if e.depth > MaxDepth*2 || e.steps > maxSteps { // ParseCore already bounds nesting
		return e.unknown(n)
	}
	if r, ok := e.evalLogic(n); ok {
		return r
	}
	var r Result
	ok := true
	switch n.Name {
	case "b.WindowsVersion", "b.PlatformVersion":
		r = e.windowsVersion(n)
	case "b.WindowsLanguage", "b.PlatformLanguage":
		r = e.windowsLanguage(n)
	case "b.MuiInstalled":
		r = boolResult(e.m.Languages().LegacyMUI)
	case "b.MuiLanguageInstalled":
		r = e.muiLanguage(n)
	case "b.Platform":
		r = e.platform(n)
	case "b.Processor":
		r = e.processor(n)
	case "b.NumberOfProcessors":
		r = e.numberOfProcessors(n)
	case "b.SystemMetric":
		r = e.systemMetric(n)
	case "b.ClusteredOS":
		r = boolResult(e.m.Clustered())
	case "b.RegKeyExists":
		r = e.regKeyExists(n)
	case "b.RegValueExists":
		r = e.regValueExists(n)
	case "b.RegDword":
		r = e.regDword(n)
	case "b.RegSz", "b.RegExpandSz":
		r = e.regString(n)
	case "b.RegSzToVersion":
		r = e.regSzToVersion(n)
	case "b.RegKeyLoop":
		r = e.regKeyLoop(n)
	case "b.FileExists", "b.FileExistsPrependRegSz":
		r = e.fileExists(n)
	case "b.FileVersion", "b.FileVersionPrependRegSz":
		r = e.fileVersion(n)
	case "b.FileCreated", "b.FileCreatedPrependRegSz", "b.FileModified", "b.FileModifiedPrependRegSz":
		r = e.fileDate(n)
	case "b.FileSize", "b.FileSizePrependRegSz":
		r = e.fileSize(n)
	case "b.WmiQuery":
		r = e.wmiQuery(n)
	case "b.LicenseDword":
		r = e.licenseDword(n)
	case "b.LicenseValueExists":
		r = e.licenseValueExists(n)
	case "b.InstalledOnce":
		r = boolResult(e.r.UpdateID != "" && e.m.InstalledOnce(e.r.UpdateID))
	case "m.MsiProductInstalled":
		r = e.msiProductInstalled(n)
	case "m.MsiPatchInstalledForProduct":
		r = e.msiPatchInstalledForProduct(n)
	case "m.MsiComponentInstalledForProduct":
		r = e.msiForProduct(n, "m.Component", "AllComponentsRequired", func(p MsiProduct) []string { return p.Components })
	case "m.MsiFeatureInstalledForProduct":
		r = e.msiForProduct(n, "m.Feature", "AllFeaturesRequired", func(p MsiProduct) []string { return p.Features })
	case "d.WindowsDriverInstalled":
		r = e.driverRule(n, driverEqual)
	case "d.WindowsDriverInstallable":
		r = e.driverRule(n, driverBetter)
	case "d.WindowsDriverSuperseded":
		r = e.driverRule(n, driverWorse)
	case "CbsPackageInstalled":
		r = e.cbsInstalled(n)
	case "CbsPackageInstallable":
		r = e.cbsInstallable(n)
	case "ProductReleaseInstalled":
		r = e.productReleaseInstalled(n)
	case "DeviceAttribute":
		r = e.deviceAttribute(n)
	default:
		ok = false
	}
	if !ok || r == Unknown {
		return e.unknown(n)
	}
	return r
}
