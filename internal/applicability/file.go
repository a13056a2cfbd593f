package applicability

import (
	"strconv"
	"strings"
	"time"
)

// This file holds the file rules of BaseApplicabilityRules: FileExists,
// FileVersion, FileCreated, FileModified, FileSize and their *PrependRegSz
// forms. "If Csidl is specified, the MSUS Client will call Win32
// SHGetFolderPath to retrieve the CSIDL and prepend it to Path to form the
// actual path to the file. Before checking the file, the Client will
// canonicalize the path to remove duplicate backslashes"; the PrependRegSz
// forms "prepend the specified REG_SZ value from the registry instead of a
// CSIDL" (MS-WUSP Appendix B note 42). A file that does not exist makes every
// rule False, FileExists included.

// file resolves n's file and returns its facts; r is False when the file (or
// the registry value naming its folder) does not exist, Unknown when the
// rule is malformed.
func (e *evaluator) file(n *Node) (FileInfo, Result) {
	path, ok := n.attr("Path")
	if !ok || strings.TrimSpace(path) == "" {
		return FileInfo{}, Unknown
	}
	if strings.HasSuffix(n.Name, "PrependRegSz") {
		prefix, r := e.regSzPrefix(n)
		if r != True {
			return FileInfo{}, r
		}
		fi, found := e.m.File(joinPath(prefix, path), NoCSIDL)
		return fi, boolResult(found)
	}
	csidl := NoCSIDL
	if s, has := n.attr("Csidl"); has {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c < 0 {
			return FileInfo{}, Unknown
		}
		csidl = c
	}
	fi, found := e.m.File(path, csidl)
	return fi, boolResult(found)
}

// joinPath joins a folder and a relative path with one backslash.
func joinPath(dir, rel string) string {
	dir = strings.TrimRight(strings.TrimSpace(dir), `\/`)
	rel = strings.TrimLeft(strings.TrimSpace(rel), `\/`)
	if dir == "" {
		return rel
	}
	return dir + `\` + rel
}

// fileExists implements FileExists and FileExistsPrependRegSz: "If other
// optional metadata are specified, such as Version or Size, they must all
// match for this applicability rule to return true."
func (e *evaluator) fileExists(n *Node) Result {
	fi, r := e.file(n)
	if r != True {
		return r
	}
	if s, has := n.attr("Version"); has {
		want, ok := ParseFourPart(s)
		if !ok {
			return Unknown
		}
		if !fi.HasVersion || fi.Version != want {
			return False
		}
	}
	for _, a := range []struct {
		name string
		have time.Time
	}{{"Created", fi.Created}, {"Modified", fi.Modified}} {
		if s, has := n.attr(a.name); has {
			want := parseDate(s)
			if want.IsZero() {
				return Unknown
			}
			if a.have.IsZero() || !a.have.Truncate(time.Second).Equal(want.Truncate(time.Second)) {
				return False
			}
		}
	}
	if want, present, ok := uintAttr(n, "Size", 63); !ok {
		return Unknown
	} else if present && uint64(fi.Size) != want {
		return False
	}
	if want, present, ok := uintAttr(n, "Language", 16); !ok {
		return Unknown
	} else if present && uint64(fi.Language) != want {
		return False
	}
	return True
}

// fileVersion implements FileVersion and FileVersionPrependRegSz: "Compares
// the specified file's version to the specified four-part version string."
// A file without a version resource is False.
func (e *evaluator) fileVersion(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	s, _ := n.attr("Version")
	want, ok := ParseFourPart(s)
	if cmp == cmpBad || !ok {
		return Unknown
	}
	fi, r := e.file(n)
	if r != True {
		return r
	}
	if !fi.HasVersion {
		return False
	}
	return boolResult(cmp.holds(fi.Version.Compare(want)))
}

// fileDate implements FileCreated and FileModified (and their PrependRegSz
// forms): "Compares the specified file's creation (modification) date to the
// specified value", to the second.
func (e *evaluator) fileDate(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	attr := "Modified"
	if strings.HasPrefix(n.Name, "b.FileCreated") {
		attr = "Created"
	}
	s, _ := n.attr(attr)
	want := parseDate(s)
	if cmp == cmpBad || want.IsZero() {
		return Unknown
	}
	fi, r := e.file(n)
	if r != True {
		return r
	}
	have := fi.Modified
	if attr == "Created" {
		have = fi.Created
	}
	if have.IsZero() {
		return Unknown
	}
	return boolResult(cmp.holds(have.Truncate(time.Second).Compare(want.Truncate(time.Second))))
}

// fileSize implements FileSize and FileSizePrependRegSz: "Compares the
// specified file's size to the specified value."
func (e *evaluator) fileSize(n *Node) Result {
	cmp := comparisonAttr(n, cmpBad)
	want, present, ok := uintAttr(n, "Size", 63)
	if cmp == cmpBad || !present || !ok {
		return Unknown
	}
	fi, r := e.file(n)
	if r != True {
		return r
	}
	return boolResult(cmp.holds(compareInt(uint64(fi.Size), want)))
}
