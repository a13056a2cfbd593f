package applicability

import (
	"strconv"
	"strings"
)

// This file holds the registry rules of BaseApplicabilityRules. Every one
// takes bt:RegistryKeyAttributes — Key (a root key name such as
// HKEY_LOCAL_MACHINE), Subkey and the optional RegType32 ("true" reads the
// 32-bit registry view on 64-bit Windows) — and most add Value, the value
// name (sources: MS-WUSP Appendix B note 42; WSUS BaseTypes schema;
// Microsoft's update-server-server-sync KnownExpressionDefinitions, which
// lists RegType32 on every registry rule). A key or value that does not
// exist makes the rule False, as it does on Windows; a value of another type
// than the rule reads is False too [INFERRED: WUA treats a type mismatch as
// "not matching"].

// regKey looks the key of n up, relative to the enclosing RegKeyLoop subkey
// when there is one.
func (e *evaluator) regKey(n *Node) (RegKey, bool, bool) {
	key, okKey := n.attr("Key")
	sub, _ := n.attr("Subkey")
	wow, okWow := boolAttr(n, "RegType32", false)
	if !okWow {
		return RegKey{}, false, false
	}
	if l := e.loop; l != nil {
		// Inside RegKeyLoop the inner rule's Subkey is relative to the
		// enumerated subkey [INFERRED from the schema's "evaluates a rule
		// against every subkey of the specified key"].
		key, wow = l.key, l.wow
		sub = joinKey(l.subkey, sub)
		okKey = true
	}
	if !okKey || strings.TrimSpace(key) == "" {
		return RegKey{}, false, false
	}
	k, found := e.m.RegKey(key, sub, wow)
	return k, found, true
}

func joinKey(a, b string) string {
	a, b = strings.Trim(a, `\`), strings.Trim(b, `\`)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + `\` + b
}

// regValue returns the value named by n's Value attribute (the default value
// when absent).
func (e *evaluator) regValue(n *Node) (RegValue, Result) {
	k, found, ok := e.regKey(n)
	if !ok {
		return RegValue{}, Unknown
	}
	if !found {
		return RegValue{}, False
	}
	name, _ := n.attr("Value")
	v, found := k.value(name)
	if !found {
		return RegValue{}, False
	}
	return v, True
}

// regKeyExists implements RegKeyExists: "Checks for the existence of the
// specified registry subkey."
func (e *evaluator) regKeyExists(n *Node) Result {
	_, found, ok := e.regKey(n)
	if !ok {
		return Unknown
	}
	return boolResult(found)
}

// regValueExists implements RegValueExists: "Checks for the existence of the
// specified registry value. Checks the existence of the default value for the
// subkey when no value is specified. Checks that the value is of a specific
// type when a type is specified. The type must be REG_SZ if a value is not
// specified."
func (e *evaluator) regValueExists(n *Node) Result {
	v, r := e.regValue(n)
	if r != True {
		return r
	}
	typ, hasType := n.attr("Type")
	if _, hasValue := n.attr("Value"); !hasValue && !hasType {
		typ, hasType = RegSz, true
	}
	if hasType && !strings.EqualFold(strings.TrimSpace(typ), v.Type) {
		return False
	}
	return True
}

// regDword implements RegDword: "Compares a specified REG_DWORD registry
// value to a specified number" (Comparison is a bt:ScalarComparison, Data an
// unsigned 32-bit number).
func (e *evaluator) regDword(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	want, present, ok := uintAttr(n, "Data", 32)
	if cmp == cmpBad || !present || !ok {
		return Unknown
	}
	v, r := e.regValue(n)
	if r != True {
		return r
	}
	if !strings.EqualFold(v.Type, RegDword) {
		return False
	}
	have, ok := parseRegNumber(v.Data, 32)
	if !ok {
		return Unknown
	}
	return boolResult(cmp.holds(compareInt(have, want)))
}

// parseRegNumber reads a REG_DWORD or REG_QWORD of a profile: decimal or 0x
// hexadecimal.
func parseRegNumber(s string, bits int) (uint64, bool) {
	s = strings.TrimSpace(s)
	var v uint64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		v, err = strconv.ParseUint(h, 16, bits)
	} else {
		v, err = strconv.ParseUint(s, 10, bits)
	}
	return v, err == nil
}

// regString implements RegSz ("Compares a specified REG_SZ registry value to
// a specified string") and RegExpandSz (the same for REG_EXPAND_SZ, compared
// as stored, unexpanded [INFERRED: RegQueryValueEx does not expand]).
// Comparison is a bt:StringComparison.
func (e *evaluator) regString(n *Node) Result {
	op, ok1 := n.attr("Comparison")
	want, ok2 := n.attr("Data")
	if !ok1 || !ok2 {
		return Unknown
	}
	if _, known := stringComparison(op, "", ""); !known {
		return Unknown
	}
	v, r := e.regValue(n)
	if r != True {
		return r
	}
	typ := RegSz
	if n.Name == "b.RegExpandSz" {
		typ = RegExpandSz
	}
	if !strings.EqualFold(v.Type, typ) {
		return False
	}
	res, _ := stringComparison(op, v.Data, want)
	return boolResult(res)
}

// regSzToVersion implements RegSzToVersion: "Compares a specified REG_SZ
// registry value to a specified four-part version string." A value that is
// not a version is False.
func (e *evaluator) regSzToVersion(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	data, ok := n.attr("Data")
	want, okV := ParseFourPart(data)
	if cmp == cmpBad || !ok || !okV {
		return Unknown
	}
	v, r := e.regValue(n)
	if r != True {
		return r
	}
	if !strings.EqualFold(v.Type, RegSz) && !strings.EqualFold(v.Type, RegExpandSz) {
		return False
	}
	have, ok := ParseFourPart(v.Data)
	if !ok {
		return False
	}
	return boolResult(cmp.holds(have.Compare(want)))
}

// regSzPrefix reads the REG_SZ that the *PrependRegSz file rules put in
// front of Path ("Same as FileVersion, but the MSUS Client will prepend the
// specified REG_SZ value from the registry instead of a CSIDL").
func (e *evaluator) regSzPrefix(n *Node) (string, Result) {
	v, r := e.regValue(n)
	if r != True {
		return "", r
	}
	if !strings.EqualFold(v.Type, RegSz) && !strings.EqualFold(v.Type, RegExpandSz) {
		return "", False
	}
	return v.Data, True
}

// loopScope is the subkey an enclosing RegKeyLoop is visiting.
type loopScope struct {
	key    string
	subkey string
	wow    bool
}

// regKeyLoop implements RegKeyLoop: "Evaluates a rule against every subkey
// of the specified key." TrueIf (bt:LoopLogic) is read as Any (true when the
// rule holds for at least one subkey), All (for every subkey; vacuously true
// with none) or None (for no subkey). A missing key is False; other TrueIf
// values are Unknown.
func (e *evaluator) regKeyLoop(n *Node) Result {
	if len(n.Children) != 1 {
		return Unknown
	}
	logic, _ := n.attr("TrueIf")
	logic = strings.ToLower(strings.TrimSpace(logic))
	if logic != "any" && logic != "all" && logic != "none" {
		return Unknown
	}
	k, found, ok := e.regKey(n)
	if !ok {
		return Unknown
	}
	if !found {
		return False
	}
	key, _ := n.attr("Key")
	sub, _ := n.attr("Subkey")
	wow, _ := boolAttr(n, "RegType32", false)
	if e.loop != nil {
		key, wow, sub = e.loop.key, e.loop.wow, joinKey(e.loop.subkey, sub)
	}
	outer := e.loop
	defer func() { e.loop = outer }()
	rs := make([]Result, 0, len(k.Subkeys))
	for _, child := range k.Subkeys {
		e.loop = &loopScope{key: key, subkey: joinKey(sub, child), wow: wow}
		rs = append(rs, e.eval(n.Children[0]))
	}
	switch logic {
	case "any":
		return Or(rs...)
	case "all":
		return And(rs...)
	}
	return Not(Or(rs...))
}
