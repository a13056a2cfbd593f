package refcatalog

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"time"
)

// fileKind says how a content file's bytes start.
type fileKind uint8

const (
	fileCab  fileKind = iota // Microsoft cabinet ("MSCF")
	fileExe                  // PE image ("MZ")
	fileEula                 // plain-text licence terms
)

// file is one content file: its metadata and what generates its bytes.
type file struct {
	kind     fileKind
	name     string
	size     int
	seed     uint64
	modified time.Time
	selfCont bool // PatchingType="SelfContained"
	sha1     [sha1.Size]byte
	sha256   [sha256.Size]byte
}

// newFile creates a file named name and computes its digests. A zero size
// picks one around Options.ContentBytes.
func (g *gen) newFile(k fileKind, name string, modified time.Time, size int) *file {
	if size == 0 {
		cb := g.opt.ContentBytes
		size = cb/2 + g.rng.IntN(cb+1)
	}
	f := &file{kind: k, name: name, size: size, seed: g.rng.Uint64(), modified: modified}
	g.scratch = f.fill(g.scratch)
	data := g.scratch
	f.sha1 = sha1.Sum(data)
	f.sha256 = sha256.Sum256(data)
	g.files[f.sha1Hex()] = f
	return f
}

// content returns the bytes of f: a header of the right kind followed by
// seeded pseudo-random bytes (or licence text), exactly f.size long.
func (f *file) content() []byte { return f.fill(nil) }

// fill is content reusing buf's storage when it is large enough.
func (f *file) fill(buf []byte) []byte {
	var b []byte
	if cap(buf) >= f.size {
		b = buf[:f.size]
		clear(b)
	} else {
		b = make([]byte, f.size)
	}
	switch f.kind {
	case fileEula:
		fillText(b, f.seed)
		return b
	}
	r := rand.New(rand.NewPCG(f.seed, 0xc0))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	for v := r.Uint64(); i < len(b); i++ {
		b[i] = byte(v)
		v >>= 8
	}
	magic := "MZ"
	if f.kind == fileCab {
		magic = "MSCF\x00\x00\x00\x00"
	}
	copy(b, magic)
	return b
}

// fillText fills b with licence-like lines.
func fillText(b []byte, seed uint64) {
	var sb strings.Builder
	sb.WriteString("MICROSOFT SOFTWARE LICENSE TERMS\r\n")
	for n := 1; sb.Len() < len(b); n++ {
		fmt.Fprintf(&sb, "%d. These license terms are an agreement between you and Microsoft Corporation (clause %x).\r\n", n, seed>>uint(n%48)&0xffff)
	}
	copy(b, sb.String())
}

func (f *file) sha1Hex() string { return strings.ToUpper(hex.EncodeToString(f.sha1[:])) }

// contentName is the file's name under content/: the upper-case SHA-1 and
// the original extension, as WSUS stores content (/Content/XX/<SHA1>.ext).
func (f *file) contentName() string {
	ext := path.Ext(f.name)
	return "content/" + f.sha1Hex() + strings.ToLower(ext)
}

// writeFile writes f as Files/File or LocalizedPropertiesCollection/EulaFile
// with its SHA-1 Digest and SHA-256 AdditionalDigest (MS-WUSP §3.1.1.1 and
// Appendix B note 44; Windows 8+ requires the SHA-256).
func writeFile(w *xw, f *file, eulaLang string) {
	sum1 := base64.StdEncoding.EncodeToString(f.sha1[:])
	sum256 := base64.StdEncoding.EncodeToString(f.sha256[:])
	if eulaLang != "" {
		w.start("upd:EulaFile", "Digest", sum1, "DigestAlgorithm", "SHA1", "FileName", f.name,
			"Size", itoa(f.size), "Language", eulaLang)
	} else {
		attrs := []string{"Digest", sum1, "DigestAlgorithm", "SHA1", "FileName", f.name,
			"Size", itoa(f.size), "Modified", stampSeconds(f.modified)}
		if f.selfCont {
			attrs = append(attrs, "PatchingType", "SelfContained")
		}
		w.start("upd:File", attrs...)
	}
	w.start("upd:AdditionalDigest", "Algorithm", "SHA256")
	w.text(sum256)
	w.end("upd:AdditionalDigest")
	if eulaLang != "" {
		w.end("upd:EulaFile")
	} else {
		w.end("upd:File")
	}
}

// addFiles gives a leaf or standalone update its payload files.
func (g *gen) addFiles(sw *software, p *rev, s *series, arch string, kb, l int, created time.Time) {
	mod := created.Add(-time.Duration(1+g.rng.IntN(72*3600)) * time.Second)
	a := archFile(arch)
	var names []string
	k := fileExe
	switch {
	case s.handler == handlerCbs:
		k = fileCab
		pkg := winPackage(p.cat.win.build)
		names = append(names, fmt.Sprintf("%s-KB%d-%s.cab", pkg, kb, a))
		if s.key == "cu" && l == 0 {
			names = append(names, fmt.Sprintf("%s-KB%d-%s.psf", pkg, kb, a))
		}
	case s.key == "msrt":
		names = append(names, fmt.Sprintf("Windows-KB890830-%s-V5.%s.exe", a, sw.version))
	case p.cat.prof == profDefender:
		names = append(names, pick(g.rng, []string{"AM_Delta.exe", "AM_Engine.exe", "AM_Delta_Patch.exe", "mpas-fe.exe", "UpdatePlatform.amd64fre.exe"}))
	case p.cat.prof == profOffice:
		names = append(names, fmt.Sprintf("mso%d-kb%d-fullfile-%s-glb.exe", 2013+g.rng.IntN(12), kb, a))
	case p.cat.prof == profSQL:
		names = append(names, fmt.Sprintf("SQLServer-KB%d-%s.exe", kb, a))
	case p.cat.prof == profDotnet:
		names = append(names, fmt.Sprintf("dotnet-runtime-%s-win-%s.exe", sw.version, strings.ToLower(a)))
	case p.cat.prof == profEdge:
		names = append(names, fmt.Sprintf("MicrosoftEdge_%s_%s.exe", strings.ToUpper(a), sw.version))
	default:
		names = append(names, fmt.Sprintf("KB%d-%s.exe", kb, a))
	}
	for _, n := range names {
		f := g.newFile(k, n, mod, 0)
		f.selfCont = k == fileCab
		sw.files = append(sw.files, f)
	}
}
