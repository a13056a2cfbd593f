package applicability

import (
	"strconv"
	"strings"
)

// This file holds the operating-system, processor and environment rules of
// the BaseApplicabilityRules namespace (b.*). Sources: the schema with its
// documentation in MS-WUSP Appendix B note 42 ("Windows uses the following
// schemas … The WUA uses Windows APIs to process the rules"), the WSUS
// "BaseApplicabilityRules Schema" and "BaseTypes Schema" pages of the WSUS
// Client Servicing API reference (learn.microsoft.com bb972749, bb972756),
// and System Center Updates Publisher's "Windows Version Rule" page.

// uintAttr reads an optional unsigned attribute: present reports whether it is
// there, ok whether it parsed.
func uintAttr(n *Node, name string, bits int) (v uint64, present, ok bool) {
	s, present := n.attr(name)
	if !present {
		return 0, false, true
	}
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, bits)
	return v, true, err == nil
}

// intAttr reads a required signed attribute.
func intAttr(n *Node, name string) (int64, bool) {
	s, present := n.attr(name)
	if !present {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil
}

// boolAttr reads an optional xs:boolean with its default.
func boolAttr(n *Node, name string, def bool) (bool, bool) {
	s, present := n.attr(name)
	if !present {
		return def, true
	}
	switch strings.TrimSpace(s) {
	case "true", "1", "True":
		return true, true
	case "false", "0", "False":
		return false, true
	}
	return false, false
}

// comparisonAttr reads Comparison; def is used when it is absent (cmpBad:
// required).
func comparisonAttr(n *Node, def comparison) comparison {
	s, ok := n.attr("Comparison")
	if !ok {
		return def
	}
	return parseComparison(s)
}

// windowsVersion implements WindowsVersion (and PlatformVersion, documented
// identically): "Implemented using Win32 VerifyVersionInfo(). The Comparison
// attribute applies to MajorVersion, MinorVersion, BuildNumber,
// ServicePackMajor, and ServicePackMinor. If Comparison is omitted, it is
// assumed to be set to EqualTo. The AllSuitesMustBePresent attribute applies
// to SuiteMask. If true, all specified suites need to be present. If false or
// omitted, one or more suites needs to be present." Following
// VerifyVersionInfo, the major version, minor version and service pack are
// compared hierarchically (the first one that differs decides), the build
// number on its own; ProductType must be equal (VER_PRODUCT_TYPE with
// VER_EQUAL); SuiteMask is VER_AND or VER_OR. Every attribute is optional: an
// element with SuiteMask only, as the refcatalog's "not Datacenter"
// detectoids write it, tests the suites only.
func (e *evaluator) windowsVersion(n *Node) Result {
	os := e.m.WindowsVersion()
	cmp := comparisonAttr(n, cmpEQ)
	if cmp == cmpBad {
		return Unknown
	}
	type field struct {
		name string
		bits int
		have uint64
	}
	hier := []field{
		{"MajorVersion", 32, uint64(os.Major)},
		{"MinorVersion", 32, uint64(os.Minor)},
		{"ServicePackMajor", 16, uint64(os.ServicePackMajor)},
		{"ServicePackMinor", 16, uint64(os.ServicePackMinor)},
	}
	order, any := 0, false
	for _, f := range hier {
		want, present, ok := uintAttr(n, f.name, f.bits)
		if !ok {
			return Unknown
		}
		if !present {
			continue
		}
		any = true
		if order == 0 {
			order = compareInt(f.have, want)
		}
	}
	result := True
	if any && !cmp.holds(order) {
		result = False
	}
	if want, present, ok := uintAttr(n, "BuildNumber", 32); !ok {
		return Unknown
	} else if present && !cmp.holds(compareInt(uint64(os.Build), want)) {
		result = False
	}
	if want, present, ok := uintAttr(n, "ProductType", 8); !ok {
		return Unknown
	} else if present && uint64(os.ProductType) != want {
		result = False
	}
	mask, present, ok := uintAttr(n, "SuiteMask", 16)
	all, okAll := boolAttr(n, "AllSuitesMustBePresent", false)
	if !ok || !okAll {
		return Unknown
	}
	if present && mask != 0 {
		have := uint64(os.SuiteMask) & mask
		if (all && have != mask) || (!all && have == 0) {
			result = False
		}
	}
	return result
}

// windowsLanguage implements WindowsLanguage (and PlatformLanguage): "Returns
// true if the operating system is localized to the specified language. Always
// returns false if the Windows Multilanguage User Interface (MUI) is
// installed." Language is an xs:language; a rule without a region ("de")
// matches any region of that language ("de-DE", "de-AT"), one with a region
// ("zh-cn", "pt-br") must match exactly, both without regard to case.
func (e *evaluator) windowsLanguage(n *Node) Result {
	want, ok := n.attr("Language")
	if !ok || strings.TrimSpace(want) == "" {
		return Unknown
	}
	l := e.m.Languages()
	if l.System == "" {
		return Unknown
	}
	if l.LegacyMUI {
		return False
	}
	return boolResult(languageMatches(l.System, want))
}

// languageMatches reports whether the machine language have ("en-US")
// satisfies the rule language want ("en" or "en-us").
func languageMatches(have, want string) bool {
	have, want = strings.ToLower(strings.TrimSpace(have)), strings.ToLower(strings.TrimSpace(want))
	if have == want {
		return true
	}
	if !strings.Contains(want, "-") {
		primary, _, _ := strings.Cut(have, "-")
		return primary == want
	}
	return false
}

// muiLanguage implements MuiLanguageInstalled: "Returns true if the specified
// language is installed for the Windows Multilanguage User Interface (MUI).
// Always returns false if MUI itself is not installed."
func (e *evaluator) muiLanguage(n *Node) Result {
	want, ok := n.attr("Language")
	if !ok {
		return Unknown
	}
	l := e.m.Languages()
	if !l.LegacyMUI {
		return False
	}
	for _, have := range l.Installed {
		if languageMatches(have, want) {
			return True
		}
	}
	return False
}

// platform implements Platform (PlatformID, "Compares the platform type to
// specified values"). The BaseTypes PlatformID is read as the
// OSVERSIONINFO.dwPlatformId number: every Windows this project describes is
// VER_PLATFORM_WIN32_NT (2). Non-numeric values are Unknown.
func (e *evaluator) platform(n *Node) Result {
	v, present, ok := uintAttr(n, "PlatformID", 32)
	if !present || !ok {
		return Unknown
	}
	return boolResult(v == 2)
}

// processor implements Processor: "Checks that the system's processor is the
// specified architecture, level, and revision." Level and Revision are not
// machine facts here, so a rule naming them is Unknown.
func (e *evaluator) processor(n *Node) Result {
	arch, ok := intAttr(n, "Architecture")
	if !ok {
		return Unknown
	}
	if _, has := n.attr("Level"); has {
		return Unknown
	}
	if _, has := n.attr("Revision"); has {
		return Unknown
	}
	return boolResult(Arch(arch) == e.m.Processor())
}

// numberOfProcessors implements NumberOfProcessors (Comparison, Number).
func (e *evaluator) numberOfProcessors(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	want, present, ok := uintAttr(n, "Number", 32)
	have := e.m.NumberOfProcessors()
	if cmp == cmpBad || !present || !ok || have <= 0 {
		return Unknown
	}
	return boolResult(cmp.holds(compareInt(uint64(have), want)))
}

// systemMetric implements SystemMetric: "Calls Win32 GetSystemMetrics and
// compares the metric with the specified index to the specified value."
func (e *evaluator) systemMetric(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	idx, ok1 := intAttr(n, "Index")
	want, ok2 := intAttr(n, "Value")
	if cmp == cmpBad || !ok1 || !ok2 {
		return Unknown
	}
	have, ok := e.m.SystemMetric(int(idx))
	if !ok {
		return Unknown
	}
	return boolResult(cmp.holds(compareInt(int64(have), want)))
}

// wmiQuery implements WmiQuery: "Executes a specified WMI query and evaluates
// to true if one or more results are returned, or false if zero results are
// returned." Namespace is optional; WMI's default is root\cimv2.
func (e *evaluator) wmiQuery(n *Node) Result {
	q, ok := n.attr("WqlQuery")
	if !ok || strings.TrimSpace(q) == "" {
		return Unknown
	}
	ns, _ := n.attr("Namespace")
	if strings.TrimSpace(ns) == "" {
		ns = `root\cimv2`
	}
	res, ok := e.m.WMIQuery(ns, q)
	if !ok {
		return Unknown
	}
	return boolResult(res)
}

// licenseDword implements LicenseDword: "Compares a specified Software
// License DWORD value to a specified number."
func (e *evaluator) licenseDword(n *Node) Result {
	name, ok := n.attr("Value")
	cmp := comparisonAttr(n, cmpBad)
	want, present, okData := uintAttr(n, "Data", 32)
	if !ok || cmp == cmpBad || !present || !okData {
		return Unknown
	}
	have, ok := e.m.License(name)
	if !ok {
		return Unknown
	}
	return boolResult(cmp.holds(compareInt(uint64(have), want)))
}

// licenseValueExists implements LicenseValueExists: "Checks for the
// existence of the specified Software License value." License values are
// open-world facts: a value the Machine does not list is Unknown, not False.
func (e *evaluator) licenseValueExists(n *Node) Result {
	name, ok := n.attr("Value")
	if !ok {
		return Unknown
	}
	if _, ok := e.m.License(name); ok {
		return True
	}
	return Unknown
}

// productReleaseInstalled implements the unprefixed ProductReleaseInstalled
// rule of OS-upgrade updates (Name, Version; wsus-m0-cbs/osinstaller-core.xml).
// It is outside the published schemas; read here as "a release of that name
// at that version or later is installed" [INFERRED].
func (e *evaluator) productReleaseInstalled(n *Node) Result {
	name, ok := n.attr("Name")
	if !ok {
		return Unknown
	}
	rels, ok := e.m.ProductReleases()
	if !ok {
		return Unknown
	}
	var want FourPart
	wantStr, hasVersion := n.attr("Version")
	if hasVersion {
		if want, ok = ParseFourPart(wantStr); !ok {
			return Unknown
		}
	}
	for _, rel := range rels {
		if !strings.EqualFold(rel.Name, name) {
			continue
		}
		if !hasVersion {
			return True
		}
		if have, ok := ParseFourPart(rel.Version); ok && have.Compare(want) >= 0 {
			return True
		}
	}
	return False
}

// deviceAttribute implements the unprefixed DeviceAttribute rule (Name, Type
// String|Version|Number, Comparison, Value; osinstaller-core.xml). Outside the
// published schemas; strings compare for equality without regard to case,
// versions and numbers by value [INFERRED].
func (e *evaluator) deviceAttribute(n *Node) Result {
	name, ok1 := n.attr("Name")
	want, ok2 := n.attr("Value")
	if !ok1 || !ok2 {
		return Unknown
	}
	cmp := comparisonAttr(n, cmpEQ)
	if cmp == cmpBad {
		return Unknown
	}
	have, ok := e.m.DeviceAttribute(name)
	if !ok {
		return Unknown
	}
	typ, _ := n.attr("Type")
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "", "string":
		if cmp != cmpEQ {
			return Unknown
		}
		return boolResult(strings.EqualFold(strings.TrimSpace(have), strings.TrimSpace(want)))
	case "version":
		h, ok1 := ParseFourPart(have)
		w, ok2 := ParseFourPart(want)
		if !ok1 || !ok2 {
			return Unknown
		}
		return boolResult(cmp.holds(h.Compare(w)))
	case "number", "integer", "int", "uint":
		h, err1 := strconv.ParseInt(strings.TrimSpace(have), 10, 64)
		w, err2 := strconv.ParseInt(strings.TrimSpace(want), 10, 64)
		if err1 != nil || err2 != nil {
			return Unknown
		}
		return boolResult(cmp.holds(compareInt(h, w)))
	}
	return Unknown
}
