package refcatalog

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// atom writes one base applicability rule (a bar: or mar: element). Every
// base rule carries its own xmlns declaration, as in real documents
// (docs/266f6222…, docs/ff36f0b5…).
type atom func(w *xw, r *rand.Rand)

// comparisons of bar: version rules.
var comparisons = []string{"GreaterThanOrEqualTo", "GreaterThanOrEqualTo", "GreaterThan", "EqualTo", "LessThan"}

// atoms returns the base rules that suit the product of sw.
func atoms(sw *software) []atom {
	c := sw.product.cat
	ver := func(r *rand.Rand) string {
		return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(16), r.IntN(10), sw.kb%30000+r.IntN(100), r.IntN(6000))
	}
	fileVersion := func(path string, csidl int) atom {
		return func(w *xw, r *rand.Rand) {
			w.empty("bar:FileVersion", "Path", path, "Comparison", pick(r, comparisons),
				"Version", ver(r), "Csidl", itoa(csidl), "xmlns:bar", nsBar)
		}
	}
	regDword := func(subkey, value string) atom {
		return func(w *xw, r *rand.Rand) {
			w.empty("bar:RegDword", "Key", "HKEY_LOCAL_MACHINE", "Subkey", subkey, "Value", value,
				"Comparison", pick(r, []string{"EqualTo", "GreaterThanOrEqualTo"}), "Data", itoa(r.IntN(3)), "xmlns:bar", nsBar)
		}
	}
	regSzVersion := func(subkey, value string) atom {
		return func(w *xw, r *rand.Rand) {
			w.empty("bar:RegSzToVersion", "Key", "HKEY_LOCAL_MACHINE", "Subkey", subkey, "Value", value,
				"Comparison", pick(r, comparisons), "Data", ver(r), "xmlns:bar", nsBar)
		}
	}
	switch c.prof {
	case profWindows:
		return []atom{
			fileVersion("ntoskrnl.exe", 37), fileVersion("win32kfull.sys", 37), fileVersion(`drivers\tcpip.sys`, 37),
			fileVersion("mshtml.dll", 37), regDword(`SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing`, "LCUReoffer"),
		}
	case profDefender:
		return []atom{
			func(w *xw, r *rand.Rand) {
				w.empty("bar:FileVersionPrependRegSz", "Path", pick(r, []string{"mpengine.dll", "mpasdlta.vdm", "mpavdlta.vdm"}),
					"Comparison", pick(r, comparisons), "Version", sw.version, "Key", "HKEY_LOCAL_MACHINE",
					"Subkey", `SOFTWARE\Microsoft\Windows Defender\Signature Updates`, "Value", "SignatureLocation", "xmlns:bar", nsBar)
			},
			regDword(`SOFTWARE\Microsoft\Windows Defender\Miscellaneous Configuration`, "DeltaUpdateFailure"),
			func(w *xw, r *rand.Rand) {
				w.empty("bar:RegValueExists", "Key", "HKEY_LOCAL_MACHINE",
					"Subkey", `SOFTWARE\Microsoft\Windows Defender\Diagnostics\BlockedVersions\Engine`,
					"Value", sw.version, "Type", "REG_BINARY", "xmlns:bar", nsBar)
			},
		}
	case profOffice:
		return []atom{
			fileVersion(`Microsoft Office\root\Office16\WINWORD.EXE`, 38), fileVersion(`Microsoft Shared\Office16\mso.dll`, 43),
			regSzVersion(`SOFTWARE\Microsoft\Office\ClickToRun\Configuration`, "VersionToReport"),
		}
	case profSQL:
		return []atom{
			regSzVersion(`SOFTWARE\Microsoft\Microsoft SQL Server\MSSQL15.MSSQLSERVER\Setup`, "PatchLevel"),
			fileVersion(`Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe`, 38),
		}
	case profDotnet:
		return []atom{
			fileVersion(`dotnet\shared\Microsoft.NETCore.App\`+sw.version+`\coreclr.dll`, 38),
			regSzVersion(`SOFTWARE\dotnet\Setup\InstalledVersions\x64\sharedhost`, "Version"),
		}
	case profEdge:
		return []atom{
			fileVersion(`Microsoft\Edge\Application\msedge.exe`, 42),
			regSzVersion(`SOFTWARE\Microsoft\EdgeUpdate\Clients\{56EB18F8-B008-4CBD-B6D2-8C97FE7E9062}`, "pv"),
		}
	}
	key := `SOFTWARE\Microsoft\` + c.name
	return []atom{regSzVersion(key, "Version"), regDword(key, "Installed"),
		fileVersion(strings.ReplaceAll(c.name, " ", "")+`\bin\setup.exe`, 38)}
}

// tree writes a random lar:And/Or/Not tree of at most depth levels over
// as. The outermost logical element declares xmlns:lar, as real ones do.
func tree(w *xw, r *rand.Rand, as []atom, depth int, top bool) {
	if depth == 0 || (!top && r.IntN(3) == 0) {
		pick(r, as)(w, r)
		return
	}
	var ns []string
	if top {
		ns = []string{"xmlns:lar", nsLar}
	}
	op := pick(r, []string{"lar:And", "lar:And", "lar:Or", "lar:Not"})
	w.start(op, ns...)
	n := 1
	if op != "lar:Not" {
		n = between(r, 2, 4)
	}
	for i := 0; i < n; i++ {
		tree(w, r, as, depth-1, false)
	}
	w.end(op)
}

// writeRules writes the ApplicabilityRules of a leaf or standalone update:
// IsInstalled and IsInstallable, plus the CBS package metadata for the CBS
// handler (the shape of wsus-m0-cbs/cbs-rollupfix-core-reduced.xml).
func writeRules(w *xw, r *rand.Rand, sw *software, created string) {
	as := atoms(sw)
	c := sw.product.cat
	w.start("upd:ApplicabilityRules")
	w.start("upd:IsInstalled")
	if sw.ser.handler == handlerCbs {
		if sw.ser.key == "cu" {
			w.start("lar:And", "xmlns:lar", nsLar)
			w.empty("cbsar:CbsPackageInstalled", "xmlns:cbsar", nsCbsar)
			w.start("lar:Not")
			w.empty("bar:RegDword", "Key", "HKEY_LOCAL_MACHINE",
				"Subkey", `SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing`,
				"Value", "LCUReoffer", "Comparison", "EqualTo", "Data", "1", "xmlns:bar", nsBar)
			w.end("lar:Not")
			w.end("lar:And")
		} else {
			w.empty("cbsar:CbsPackageInstalled", "xmlns:cbsar", nsCbsar)
		}
	} else {
		tree(w, r, as, between(r, 1, 4), true)
	}
	w.end("upd:IsInstalled")
	w.start("upd:IsInstallable")
	w.start("lar:And", "xmlns:lar", nsLar)
	if sw.ser.handler == handlerCbs {
		w.empty("cbsar:CbsPackageInstallable", "xmlns:cbsar", nsCbsar)
	}
	v := c.win
	if v.major == 0 {
		v = winVersion{10, 0, 17763, 1}
	}
	w.empty("bar:WindowsVersion", "Comparison", "GreaterThanOrEqualTo", "MajorVersion", itoa(v.major),
		"MinorVersion", itoa(v.minor), "BuildNumber", itoa(v.build), "xmlns:bar", nsBar)
	if code, ok := processorCode(sw.arch); ok && c.prof != profOffice {
		w.empty("bar:Processor", "Architecture", itoa(code), "xmlns:bar", nsBar)
	}
	if r.IntN(2) == 0 {
		w.start("lar:Not")
		tree(w, r, as, between(r, 1, 3), false)
		w.end("lar:Not")
	}
	if r.IntN(3) == 0 {
		w.start("lar:Or")
		for i := between(r, 2, 3); i > 0; i-- {
			tree(w, r, as, 1, false)
		}
		w.end("lar:Or")
	}
	w.end("lar:And")
	w.end("upd:IsInstallable")
	if sw.ser.handler == handlerCbs {
		w.start("upd:Metadata")
		w.start("cbsar:CbsPackageApplicabilityMetadata", "xmlns:cbsar", nsCbsar)
		w.start("assembly", "xmlns", nsAsmV3, "manifestVersion", "1.0",
			"description", fmt.Sprintf("Fix for KB%d", sw.kb), "displayName", "default",
			"company", "Microsoft Corporation", "copyright", "Microsoft Corporation",
			"supportInformation", fmt.Sprintf("https://support.microsoft.com/help/%d", sw.kb),
			"creationTimeStamp", created, "lastUpdateTimeStamp", created)
		w.empty("assemblyIdentity", "name", "Package_for_RollupFix",
			"version", fmt.Sprintf("%d.%d.1.%d", v.build, 1000+r.IntN(5000), r.IntN(20)),
			"processorArchitecture", cbsArch(sw.arch), "language", "neutral", "publicKeyToken", "31bf3856ad364e35")
		w.start("package", "identifier", fmt.Sprintf("KB%d", sw.kb), "releaseType", cbsRelease(sw.class.cat.name), "restart", "possible")
		w.end("package")
		w.end("assembly")
		w.end("cbsar:CbsPackageApplicabilityMetadata")
		w.end("upd:Metadata")
	}
	w.end("upd:ApplicabilityRules")
}

func processorCode(arch string) (int, bool) {
	for _, a := range archTable {
		if a.name == arch {
			return a.code, true
		}
	}
	return 0, false
}

func cbsArch(arch string) string {
	switch arch {
	case "x64":
		return "amd64"
	case "ARM64":
		return "arm64"
	}
	return "x86"
}

func cbsRelease(class string) string {
	switch class {
	case "Security Updates":
		return "Security Update"
	case "Feature Packs", "Upgrades":
		return "Feature Pack"
	case "Critical Updates":
		return "Critical Update"
	}
	return "Update"
}
