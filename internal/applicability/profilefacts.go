package applicability

import (
	"strconv"
	"strings"
)

// This file answers a Profile's registry and file questions the way Windows
// would: case-insensitive names, the WOW64 registry view, CSIDL folders and
// %environment% expansion.

// hiveNames maps root key spellings to their canonical names.
var hiveNames = map[string]string{
	"hkey_local_machine": "HKEY_LOCAL_MACHINE", "hklm": "HKEY_LOCAL_MACHINE",
	"hkey_current_user": "HKEY_CURRENT_USER", "hkcu": "HKEY_CURRENT_USER",
	"hkey_classes_root": "HKEY_CLASSES_ROOT", "hkcr": "HKEY_CLASSES_ROOT",
	"hkey_users": "HKEY_USERS", "hku": "HKEY_USERS",
	"hkey_current_config": "HKEY_CURRENT_CONFIG", "hkcc": "HKEY_CURRENT_CONFIG",
}

func canonicalHive(k string) string { return hiveNames[strings.ToLower(strings.TrimSpace(k))] }

// canonicalSubkey lower-cases a subkey and removes empty path elements.
func canonicalSubkey(s string) string {
	parts := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '\\' || r == '/' })
	return strings.Join(parts, `\`)
}

func is64Bit(a Arch) bool { return a == ArchAMD64 || a == ArchARM64 || a == ArchIA64 }

// RegKey implements Machine. On 64-bit Windows the 32-bit view of
// HKLM\SOFTWARE is HKLM\SOFTWARE\WOW6432Node (registry redirector); other
// keys are shared.
func (p *Profile) RegKey(key, subkey string, wow64 bool) (RegKey, bool) {
	hive := canonicalHive(key)
	if hive == "" {
		return RegKey{}, false
	}
	sub := canonicalSubkey(subkey)
	if wow64 && is64Bit(p.Arch) && hive == "HKEY_LOCAL_MACHINE" {
		if rest, ok := strings.CutPrefix(sub, `software\`); ok && !strings.HasPrefix(rest, `wow6432node`) {
			sub = `software\wow6432node\` + rest
		} else if sub == "software" {
			sub = `software\wow6432node`
		}
	}
	var out RegKey
	found := false
	seen := map[string]bool{}
	for _, k := range p.Registry {
		if canonicalHive(k.Key) != hive {
			continue
		}
		ks := canonicalSubkey(k.Subkey)
		switch {
		case ks == sub:
			found = true
			if out.Values == nil {
				out.Values = make(map[string]RegValue, len(k.Values))
			}
			for n, v := range k.Values {
				out.Values[n] = v
			}
		case sub == "" || strings.HasPrefix(ks, sub+`\`):
			found = true // an implicit parent
			rest := ks
			if sub != "" {
				rest = ks[len(sub)+1:]
			}
			child, _, _ := strings.Cut(rest, `\`)
			if !seen[child] {
				seen[child] = true
				// Report the child with the profile's spelling.
				orig := strings.FieldsFunc(k.Subkey, func(r rune) bool { return r == '\\' || r == '/' })
				depth := 0
				if sub != "" {
					depth = strings.Count(sub, `\`) + 1
				}
				if depth < len(orig) {
					child = orig[depth]
				}
				out.Subkeys = append(out.Subkeys, child)
			}
		}
	}
	return out, found
}

// CSIDL values (shlobj.h) and their folders on a standard installation.
const (
	csidlWindows               = 0x24
	csidlSystem                = 0x25
	csidlProgramFiles          = 0x26
	csidlSystemX86             = 0x29
	csidlProgramFilesX86       = 0x2a
	csidlProgramFilesCommon    = 0x2b
	csidlProgramFilesCommonX86 = 0x2c
	csidlCommonAppData         = 0x23
	csidlFonts                 = 0x14
)

// folderDefaults are the CSIDL folders of a Windows installed on C: as the
// 64-bit (or, on x86, the only) Windows Update Agent sees them.
func folderDefaults(a Arch) map[int]string {
	m := map[int]string{
		csidlWindows:            `C:\Windows`,
		csidlSystem:             `C:\Windows\System32`,
		csidlProgramFiles:       `C:\Program Files`,
		csidlProgramFilesCommon: `C:\Program Files\Common Files`,
		csidlCommonAppData:      `C:\ProgramData`,
		csidlFonts:              `C:\Windows\Fonts`,
	}
	if is64Bit(a) {
		m[csidlSystemX86] = `C:\Windows\SysWOW64`
		m[csidlProgramFilesX86] = `C:\Program Files (x86)`
		m[csidlProgramFilesCommonX86] = `C:\Program Files (x86)\Common Files`
	} else {
		m[csidlSystemX86] = m[csidlSystem]
		m[csidlProgramFilesX86] = m[csidlProgramFiles]
		m[csidlProgramFilesCommonX86] = m[csidlProgramFilesCommon]
	}
	return m
}

// folder returns the path of a CSIDL.
func (p *Profile) folder(csidl int) (string, bool) {
	if v, ok := p.Folders[strconv.Itoa(csidl)]; ok {
		return v, true
	}
	v, ok := folderDefaults(p.Arch)[csidl]
	return v, ok
}

// env returns an environment variable, case-insensitively.
func (p *Profile) env(name string) (string, bool) {
	for k, v := range p.Environment {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	f := func(c int) (string, bool) { return p.folder(c) }
	switch strings.ToLower(name) {
	case "systemroot", "windir":
		return f(csidlWindows)
	case "systemdrive":
		return "C:", true
	case "programfiles", "programw6432":
		return f(csidlProgramFiles)
	case "programfiles(x86)":
		return f(csidlProgramFilesX86)
	case "commonprogramfiles", "commonprogramw6432":
		return f(csidlProgramFilesCommon)
	case "commonprogramfiles(x86)":
		return f(csidlProgramFilesCommonX86)
	case "programdata", "allusersprofile":
		return f(csidlCommonAppData)
	}
	return "", false
}

// expand replaces %VAR% references; unknown ones stay as written
// (ExpandEnvironmentStrings does the same).
func (p *Profile) expand(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			break
		}
		name := s[i+1 : i+1+j]
		if v, ok := p.env(name); ok && name != "" {
			b.WriteString(s[:i])
			b.WriteString(v)
		} else {
			b.WriteString(s[:i+2+j])
		}
		s = s[i+2+j:]
	}
	b.WriteString(s)
	return b.String()
}

// canonicalPath lower-cases a path, turns slashes into backslashes and
// removes duplicate separators, "." elements and resolves "..".
func canonicalPath(s string) string {
	parts := strings.FieldsFunc(strings.ToLower(strings.TrimSpace(s)), func(r rune) bool { return r == '\\' || r == '/' })
	out := parts[:0]
	for _, part := range parts {
		switch part {
		case ".":
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, part)
		}
	}
	return strings.Join(out, `\`)
}

// File implements Machine.
func (p *Profile) File(path string, csidl int) (FileInfo, bool) {
	full := p.expand(path)
	if csidl >= 0 {
		dir, ok := p.folder(csidl)
		if !ok {
			return FileInfo{}, false
		}
		full = joinPath(dir, path)
	}
	want := canonicalPath(full)
	if want == "" {
		return FileInfo{}, false
	}
	for _, f := range p.Files {
		if canonicalPath(p.expand(f.Path)) != want {
			continue
		}
		fi := FileInfo{Size: f.Size, Created: f.Created, Modified: f.Modified, Language: f.Language}
		if f.Version != "" {
			fi.Version, fi.HasVersion = ParseFourPart(f.Version)
		}
		return fi, true
	}
	return FileInfo{}, false
}
