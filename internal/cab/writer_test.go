package cab

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var modTime = time.Date(2026, 10, 4, 13, 37, 42, 0, time.UTC)

func testFileSets() map[string][]FileEntry {
	return map[string][]FileEntry{
		"one small": {{Name: "blob", Data: []byte("<upd:Update/>")}},
		"several": {
			{Name: "a.txt", Data: repetitiveText(1000), Modified: modTime, Attributes: 0x20},
			{Name: `dir\b.bin`, Data: randomBytes(5000, 9), Attributes: 0x01},
			{Name: "c.xml", Data: repetitiveText(70000)},
		},
		"empty file":       {{Name: "first", Data: []byte("x")}, {Name: "empty"}, {Name: "last", Data: []byte("yz")}},
		"only empty":       {{Name: "empty"}},
		"many blocks":      {{Name: "big.bin", Data: append(randomBytes(100000, 3), repetitiveText(300000)...)}},
		"exact block":      {{Name: "block", Data: randomBytes(2*mszipWindow, 4)}},
		"utf-8 name":       {{Name: "résumé–ä.txt", Data: []byte("ok")}},
		"zeros and random": {{Name: "zeros", Data: make([]byte, 100000)}, {Name: "random", Data: randomBytes(40000, 7)}, {Name: "abab", Data: bytes.Repeat([]byte("ab"), 20000)}},
		"spanning blocks":  {{Name: "a", Data: randomBytes(40000, 5)}, {Name: "b", Data: repetitiveText(40000)}, {Name: "c", Data: randomBytes(1, 6)}},
	}
}

func writeCab(t testing.TB, folders []FolderEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteFolders(&buf, folders); err != nil {
		t.Fatalf("WriteFolders: %v", err)
	}
	return buf.Bytes()
}

// checkCab reads cab back and compares every file with want.
func checkCab(t *testing.T, cab []byte, folders []FolderEntry) {
	t.Helper()
	c, err := Open(bytes.NewReader(cab), int64(len(cab)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var want []File
	for i, fo := range folders {
		var off int64
		for _, f := range fo.Files {
			attrs := f.Attributes
			if !isASCII(f.Name) {
				attrs |= AttrNameIsUTF
			}
			want = append(want, File{Name: f.Name, Size: int64(len(f.Data)), Folder: i, Offset: off, Attributes: attrs})
			off += int64(len(f.Data))
		}
	}
	if diff := cmp.Diff(want, c.Files, cmpopts.IgnoreFields(File{}, "Date", "Time"), cmpopts.IgnoreUnexported(File{})); diff != "" {
		t.Errorf("Files mismatch (-want +got):\n%s", diff)
	}
	i := 0
	for _, fo := range folders {
		for _, f := range fo.Files {
			if got := c.Files[i].Modified(); !got.Equal(f.Modified.Truncate(2 * time.Second)) {
				t.Errorf("%s Modified() = %v, want %v", f.Name, got, f.Modified)
			}
			i++
			got, err := c.ReadFile(f.Name)
			if err != nil {
				t.Fatalf("ReadFile(%q): %v", f.Name, err)
			}
			if !bytes.Equal(got, f.Data) {
				t.Errorf("ReadFile(%q) = %d bytes differing at %d, want %d bytes", f.Name, len(got), firstDiff(got, f.Data), len(f.Data))
			}
		}
	}
	// Walk must see the same contents.
	seen := 0
	err = c.Walk(func(f *File, r io.Reader) error {
		got, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		seen++
		if int64(len(got)) != f.Size {
			t.Errorf("Walk %q: %d bytes, want %d", f.Name, len(got), f.Size)
		}
		return nil
	})
	if err != nil || seen != len(c.Files) {
		t.Errorf("Walk = %v after %d files, want nil after %d", err, seen, len(c.Files))
	}
}

func TestWriteRoundTrip(t *testing.T) {
	for name, files := range testFileSets() {
		for _, comp := range []Compression{CompressNone, CompressMSZIP} {
			t.Run(name+"/"+comp.String(), func(t *testing.T) {
				folders := []FolderEntry{{Compression: comp, Files: files}}
				var buf bytes.Buffer
				if err := Write(&buf, files, comp); err != nil {
					t.Fatalf("Write: %v", err)
				}
				checkCab(t, buf.Bytes(), folders)
			})
		}
	}
}

func TestWriteFoldersRoundTrip(t *testing.T) {
	sets := testFileSets()
	folders := []FolderEntry{
		{Compression: CompressMSZIP, Files: sets["several"]},
		{Compression: CompressNone, Files: sets["spanning blocks"]},
		{Compression: CompressMSZIP, Files: sets["empty file"]},
	}
	cab := writeCab(t, folders)
	checkCab(t, cab, folders)
}

// TestWriteCabextract checks the writer's output with libmspack, including
// the CFDATA checksums (cabextract -t).
func TestWriteCabextract(t *testing.T) {
	cabextract, err := exec.LookPath("cabextract")
	if err != nil {
		t.Skip("cabextract not installed")
	}
	sets := testFileSets()
	folders := []FolderEntry{
		{Compression: CompressMSZIP, Files: sets["several"]},
		{Compression: CompressNone, Files: sets["spanning blocks"]},
		{Compression: CompressMSZIP, Files: sets["many blocks"]},
		{Compression: CompressMSZIP, Files: sets["zeros and random"]},
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "w.cab")
	if err := os.WriteFile(path, writeCab(t, folders), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cabextract, "-t", path).CombinedOutput(); err != nil {
		t.Fatalf("cabextract -t: %v\n%s", err, out)
	}
	for _, fo := range folders {
		for _, f := range fo.Files {
			got, err := exec.Command(cabextract, "-q", "-p", "-F", strings.ReplaceAll(f.Name, `\`, "/"), path).Output()
			if err != nil {
				t.Fatalf("cabextract -p -F %s: %v", f.Name, err)
			}
			if !bytes.Equal(got, f.Data) {
				t.Errorf("cabextract %s = %d bytes, want %d", f.Name, len(got), len(f.Data))
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name  string
		files []FileEntry
		comp  Compression
		want  error
	}{
		{"empty name", []FileEntry{{Name: ""}}, CompressNone, ErrFormat},
		{"NUL in name", []FileEntry{{Name: "a\x00b"}}, CompressNone, ErrFormat},
		{"long name", []FileEntry{{Name: string(bytes.Repeat([]byte{'n'}, 256))}}, CompressNone, ErrFormat},
		{"invalid UTF-8", []FileEntry{{Name: "\xff"}}, CompressNone, ErrFormat},
		{"LZX", []FileEntry{{Name: "a"}}, LZX(21), ErrUnsupported},
		{"quantum", []FileEntry{{Name: "a"}}, CompressQuantum, ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Write(io.Discard, tc.files, tc.comp); !errors.Is(err, tc.want) {
				t.Errorf("Write(%s) = %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}

func TestDOSTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want time.Time
	}{
		{modTime, modTime.Truncate(2 * time.Second)},
		{time.Time{}, time.Time{}},
		{time.Date(1979, 12, 31, 0, 0, 0, 0, time.UTC), time.Time{}},
		{time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC), time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)},
	}
	for _, tc := range tests {
		d, tm := dosTime(tc.in)
		f := File{Date: d, Time: tm}
		if got := f.Modified(); !got.Equal(tc.want) {
			t.Errorf("Modified(dosTime(%v)) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func BenchmarkMSZIP(b *testing.B) {
	data := append(repetitiveText(1<<20), randomBytes(1<<20, 8)...)
	var buf bytes.Buffer
	if err := Write(&buf, []FileEntry{{Name: "content.bin", Data: data}}, CompressMSZIP); err != nil {
		b.Fatal(err)
	}
	cab := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Extract(cab, "content.bin", 0); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMSZIPCompleteTrees checks that every block the writer emits uses only
// complete Huffman trees, which libmspack requires (compress/flate alone
// does not guarantee it), and that the fallback keeps zeros compressed.
func TestMSZIPCompleteTrees(t *testing.T) {
	for name, data := range map[string][]byte{
		"zeros":  make([]byte, 3*mszipWindow),
		"random": randomBytes(3*mszipWindow, 11),
		"abab":   bytes.Repeat([]byte("ab"), mszipWindow),
		"text":   repetitiveText(3 * mszipWindow),
	} {
		t.Run(name, func(t *testing.T) {
			var dict []byte
			total := 0
			for off := 0; off < len(data); off += mszipWindow {
				raw := data[off:min(off+mszipWindow, len(data))]
				z, err := deflateBlock(raw, dict)
				if err != nil {
					t.Fatalf("deflateBlock: %v", err)
				}
				toks, strict, err := parseDeflate(z)
				if err != nil || !strict {
					t.Fatalf("parseDeflate(block at %d) = %d tokens, strict %v, %v; want strict", off, len(toks), strict, err)
				}
				got, err := io.ReadAll(flate.NewReaderDict(bytes.NewReader(z), dict))
				if err != nil || !bytes.Equal(got, raw) {
					t.Fatalf("inflate(block at %d) = %d bytes, %v; want %d bytes", off, len(got), err, len(raw))
				}
				total += len(z)
				dict = raw
			}
			if name == "zeros" && total > len(data)/100 {
				t.Errorf("zeros compressed to %d bytes, want under 1%%", total)
			}
		})
	}
}
