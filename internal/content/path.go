package content

import (
	"encoding/hex"
	"strings"
)

// maxExtLen bounds the extension accepted in names; real ones are short
// (.cab, .exe, .psf, .msu, .wim, .esd, .appxbundle).
const maxExtLen = 32

// Name returns the location of a file relative to the content root,
// "XX/SHA1HEX.ext": XX is the last byte of the SHA-1 and SHA1HEX the whole
// digest, both upper-case hex, as WSUS lays out its Content directory
// [MS-WUSP §7 notes 56, 57] (protocol-wusp.md §9.1; protocol-notes.md).
// ext may be given with or without its leading dot and keeps its case.
// Name returns "" when sha1 is not 20 bytes or ext is not a plain extension.
func Name(sha1 []byte, ext string) string {
	if len(sha1) != SHA1Size {
		return ""
	}
	ext, ok := NormalizeExt(ext)
	if !ok {
		return ""
	}
	h := strings.ToUpper(hex.EncodeToString(sha1))
	return h[len(h)-2:] + "/" + h + ext
}

// Path returns the URL path of a file in the update content directory,
// "/Content/XX/SHA1HEX.ext" (see Name), or "" when Name does.
func Path(sha1 []byte, ext string) string {
	n := Name(sha1, ext)
	if n == "" {
		return ""
	}
	return "/Content/" + n
}

// NormalizeExt returns ext with a leading dot ("" stays ""), and false when
// ext holds anything but ASCII letters, digits, '_' and '-' after the dot, or
// is longer than 32 characters. This keeps extensions from ever naming a
// directory or escaping one.
func NormalizeExt(ext string) (string, bool) {
	if ext == "" {
		return "", true
	}
	ext = strings.TrimPrefix(ext, ".")
	if ext == "" || len(ext) > maxExtLen {
		return "", false
	}
	for i := 0; i < len(ext); i++ {
		c := ext[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "", false
		}
	}
	return "." + ext, true
}

// ParsePath parses the URL path of an update content file,
// "/Content/XX/SHA1HEX.ext", and returns the digest and the extension (with
// its leading dot, as requested, or "" when the URL has none). Like IIS it
// ignores case and repeated slashes ("//Content//ab/…"); the folder must be
// the digest's last byte. It rejects anything else: other folders, "." and
// ".." segments, backslashes, NUL, a trailing slash, names that are not 40
// hex digits followed by an optional plain extension (see NormalizeExt).
func ParsePath(urlPath string) (sha1 []byte, ext string, ok bool) {
	if strings.ContainsAny(urlPath, "\\\x00") || strings.HasSuffix(urlPath, "/") {
		return nil, "", false
	}
	var segs [3]string
	n := 0
	for s := range strings.SplitSeq(urlPath, "/") {
		if s == "" {
			continue
		}
		if n == len(segs) {
			return nil, "", false
		}
		segs[n] = s
		n++
	}
	if n != 3 || !strings.EqualFold(segs[0], "Content") || len(segs[1]) != 2 {
		return nil, "", false
	}
	file := segs[2]
	if len(file) < 2*SHA1Size {
		return nil, "", false
	}
	sum, err := hex.DecodeString(file[:2*SHA1Size])
	if err != nil {
		return nil, "", false
	}
	rest := file[2*SHA1Size:]
	if rest != "" && rest[0] != '.' {
		// The dot is mandatory before an extension: "HEXexe" is not "HEX.exe".
		return nil, "", false
	}
	ext, ok = NormalizeExt(rest)
	if !ok {
		return nil, "", false
	}
	if !strings.EqualFold(segs[1], file[2*SHA1Size-2:2*SHA1Size]) {
		return nil, "", false
	}
	return sum, ext, true
}
