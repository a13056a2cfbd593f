package applicability

import (
	"strconv"
	"strings"
)

// FourPart is a four-part version a.b.c.d: bt:Version of the WSUS BaseTypes
// schema ("\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}"), file and driver versions.
type FourPart [4]uint32

// ParseFourPart reads "a.b.c.d". Fewer parts are padded with zeros, as a
// REG_SZ version read by RegSzToVersion often has them ("16.0.1"); more than
// four, empty parts or non-digits fail.
func ParseFourPart(s string) (FourPart, bool) {
	var v FourPart
	s = strings.TrimSpace(s)
	if s == "" {
		return v, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return v, false
		}
		v[i] = uint32(n)
	}
	return v, true
}

// String formats v as "a.b.c.d".
func (v FourPart) String() string {
	return strconv.FormatUint(uint64(v[0]), 10) + "." + strconv.FormatUint(uint64(v[1]), 10) + "." +
		strconv.FormatUint(uint64(v[2]), 10) + "." + strconv.FormatUint(uint64(v[3]), 10)
}

// Compare returns -1, 0 or +1 comparing v with w part by part.
func (v FourPart) Compare(w FourPart) int {
	for i := range v {
		switch {
		case v[i] < w[i]:
			return -1
		case v[i] > w[i]:
			return 1
		}
	}
	return 0
}

// comparison is a bt:ScalarComparison: LessThan, LessThanOrEqualTo, EqualTo,
// GreaterThanOrEqualTo, GreaterThan (WSUS BaseTypes schema). The machine's
// value is on the left: "FileVersion GreaterThanOrEqualTo 1.2.3.4" is true
// when the file's version ≥ 1.2.3.4.
type comparison int

const (
	cmpBad comparison = iota
	cmpLT
	cmpLE
	cmpEQ
	cmpGE
	cmpGT
)

func parseComparison(s string) comparison {
	switch strings.TrimSpace(s) {
	case "LessThan":
		return cmpLT
	case "LessThanOrEqualTo":
		return cmpLE
	case "EqualTo":
		return cmpEQ
	case "GreaterThanOrEqualTo":
		return cmpGE
	case "GreaterThan":
		return cmpGT
	}
	return cmpBad
}

// holds reports whether c holds for the result of a three-way compare of
// the machine's value with the rule's (-1, 0, +1).
func (c comparison) holds(order int) bool {
	switch c {
	case cmpLT:
		return order < 0
	case cmpLE:
		return order <= 0
	case cmpEQ:
		return order == 0
	case cmpGE:
		return order >= 0
	case cmpGT:
		return order > 0
	}
	return false
}

func compareInt[T int | int64 | uint32 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// stringComparison is a bt:StringComparison of RegSz and RegExpandSz:
// EqualTo, Contains, BeginsWith, EndsWith; compared without regard to case,
// as Windows compares registry strings in applicability rules (WSUS
// BaseApplicabilityRules schema; System Center Updates Publisher "Registry
// String" rule). "Equals" is accepted for EqualTo.
func stringComparison(op, have, want string) (bool, bool) {
	h, w := strings.ToLower(have), strings.ToLower(want)
	switch strings.TrimSpace(op) {
	case "EqualTo", "Equals":
		return h == w, true
	case "Contains":
		return strings.Contains(h, w), true
	case "BeginsWith":
		return strings.HasPrefix(h, w), true
	case "EndsWith":
		return strings.HasSuffix(h, w), true
	}
	return false, false
}
