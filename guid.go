package patchbay

import "strings"

// ParseGUID returns s as a canonical lower-case GUID (8-4-4-4-12 hex digits,
// MS-WUSP §2.2.4.1), accepting any letter case, surrounding space and braces
// as Windows writes them; ok is false for anything else. GUIDs are compared
// case-insensitively on the wire and emitted in lower case.
func ParseGUID(s string) (guid string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return "", false
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			b[i] = c + ('a' - 'A')
		default:
			return "", false
		}
	}
	return string(b), true
}
