package applicability

import "strings"

// This file holds the component-based servicing rules CbsPackageInstalled and
// CbsPackageInstallable. Core fragments carry them unprefixed, with the
// package's identity in Metadata/CbsPackageApplicabilityMetadata/assembly
// (wsus-m0-cbs/cbs-rollupfix-core-reduced.xml; protocol-wusp.md §7.1). On
// Windows, CBS answers both questions from the package manifest; no
// published schema documents them, so this evaluator decides them from the
// identity alone [INFERRED]:
//
//   - Installed: a package of the same name and architecture is in state
//     Installed or Superseded at the same version; for cumulative packages
//     (names ending in "RollupFix", the monthly cumulative update) a later
//     version for the same OS build counts too, since it contains the
//     earlier one.
//   - Installable: the package's architecture is the machine's (or neutral)
//     and the first field of its version, which for Windows 10 and later
//     servicing packages is the OS build ("22000.1936.1.9" targets build
//     22000), is the machine's build.

// cbsArch is the CBS processorArchitecture of a machine architecture.
func cbsArch(a Arch) string {
	switch a {
	case ArchX86:
		return "x86"
	case ArchAMD64:
		return "amd64"
	case ArchARM64:
		return "arm64"
	case ArchARM:
		return "arm"
	case ArchIA64:
		return "ia64"
	}
	return ""
}

func archFits(pkg, machine string) bool {
	pkg = strings.ToLower(strings.TrimSpace(pkg))
	return pkg == "neutral" || pkg == "" || pkg == machine
}

func (e *evaluator) cbsInstalled(n *Node) Result {
	id := e.r.Cbs
	if id == nil || id.Name == "" {
		return Unknown
	}
	cumulative := strings.HasSuffix(strings.ToLower(id.Name), "rollupfix")
	for _, p := range e.m.CbsPackages() {
		if !strings.EqualFold(p.Name, id.Name) || !strings.EqualFold(p.Arch, id.Arch) {
			continue
		}
		switch strings.ToLower(p.State) {
		case "installed", "superseded":
		default:
			continue
		}
		v, ok := ParseFourPart(p.Version)
		if !ok {
			continue
		}
		if c := v.Compare(id.Version); c == 0 || (cumulative && c > 0 && v[0] == id.Version[0]) {
			return True
		}
	}
	return False
}

func (e *evaluator) cbsInstallable(n *Node) Result {
	id := e.r.Cbs
	if id == nil || id.Version[0] < 1000 {
		return Unknown
	}
	if !archFits(id.Arch, cbsArch(e.m.Processor())) {
		return False
	}
	return boolResult(id.Version[0] == e.m.WindowsVersion().Build)
}
