package cab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestGcab reads cabinets made by GNOME's gcab (zlib-based MSZIP and stored),
// an implementation independent of this package.
func TestGcab(t *testing.T) {
	gcab, err := exec.LookPath("gcab")
	if err != nil {
		t.Skip("gcab not installed")
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"random.bin": randomBytes(100000, 21),
		"text.xml":   repetitiveText(200000),
		"empty":      nil,
		"zeros":      make([]byte, 70000),
	}
	var names []string
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	for _, tc := range []struct {
		name  string
		flags []string
		want  Compression
	}{
		{"mszip", []string{"-c", "-z"}, CompressMSZIP},
		{"stored", []string{"-c"}, CompressNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append(tc.flags, tc.name+".cab"), names...)
			cmd := exec.Command(gcab, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("gcab %v: %v\n%s", args, err, out)
			}
			cab, err := os.ReadFile(filepath.Join(dir, tc.name+".cab"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Open(bytes.NewReader(cab), int64(len(cab)))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if len(c.Folders) != 1 || c.Folders[0].Compression != tc.want {
				t.Errorf("Folders = %+v, want one %v", c.Folders, tc.want)
			}
			for name, want := range files {
				got, err := c.ReadFile(name)
				if err != nil {
					t.Fatalf("ReadFile(%q): %v", name, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("ReadFile(%q) = %d bytes, want %d", name, len(got), len(want))
				}
			}
		})
	}
}

// reserveCab builds, by hand, a cabinet with every optional CFHEADER field:
// reserve areas in the header, folders and data blocks, and the names of a
// previous and a next cabinet. Its second file continues into the next
// cabinet. The CFDATA checksums include abReserve, as MS-CAB 2.4 specifies.
func reserveCab(payload []byte) []byte {
	le := binary.LittleEndian
	var b []byte
	b = append(b, "MSCF"...)
	b = le.AppendUint32(b, 0)
	sizeAt := len(b)
	b = le.AppendUint32(b, 0) // cbCabinet, patched below
	b = le.AppendUint32(b, 0)
	coffAt := len(b)
	b = le.AppendUint32(b, 0) // coffFiles, patched below
	b = le.AppendUint32(b, 0)
	b = append(b, 3, 1)
	b = le.AppendUint16(b, 1) // cFolders
	b = le.AppendUint16(b, 2) // cFiles
	b = le.AppendUint16(b, flagPrevCabinet|flagNextCabinet|flagReservePresent)
	b = le.AppendUint16(b, 0x1234) // setID
	b = le.AppendUint16(b, 1)      // iCabinet
	b = le.AppendUint16(b, 5)      // cbCFHeader
	b = append(b, 3, 2)            // cbCFFolder, cbCFData
	b = append(b, "HRESV"...)
	b = append(b, "prev.cab\x00disk 1\x00next.cab\x00disk 3\x00"...)
	dataAt := len(b)
	b = le.AppendUint32(b, 0) // coffCabStart, patched below
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, uint16(CompressNone))
	b = append(b, "FRV"...)
	le.PutUint32(b[coffAt:], uint32(len(b)))
	b = le.AppendUint32(b, uint32(len(payload)))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint16(b, 0x5a21)
	b = le.AppendUint16(b, 0x6000)
	b = le.AppendUint16(b, 0x20)
	b = append(b, "inside.txt\x00"...)
	b = le.AppendUint32(b, 100)
	b = le.AppendUint32(b, uint32(len(payload)))
	b = le.AppendUint16(b, ifoldContinuedToNext)
	b = append(b, 0, 0, 0, 0, 0, 0)
	b = append(b, "split.bin\x00"...)
	le.PutUint32(b[dataAt:], uint32(len(b)))
	blk := make([]byte, 8)
	le.PutUint16(blk[4:], uint16(len(payload)+7))
	le.PutUint16(blk[6:], uint16(len(payload)+7))
	blk = append(blk, "DR"...)
	blk = append(blk, payload...)
	blk = append(blk, "partial"...)
	le.PutUint32(blk[0:], checksum(blk[4:8], checksum(blk[8:], 0)))
	b = append(b, blk...)
	le.PutUint32(b[sizeAt:], uint32(len(b)))
	return b
}

func TestReaderOptionalFields(t *testing.T) {
	payload := []byte("reserve areas are skipped")
	cab := reserveCab(payload)
	c, err := Open(bytes.NewReader(cab), int64(len(cab)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := []File{
		{Name: "inside.txt", Size: int64(len(payload)), Date: 0x5a21, Time: 0x6000, Attributes: 0x20},
		{Name: "split.bin", Size: 100, Offset: int64(len(payload))},
	}
	if diff := cmp.Diff(want, c.Files, cmpopts.IgnoreUnexported(File{})); diff != "" {
		t.Errorf("Files mismatch (-want +got):\n%s", diff)
	}
	if c.SetID != 0x1234 || c.Index != 1 {
		t.Errorf("SetID, Index = %#x, %d, want 0x1234, 1", c.SetID, c.Index)
	}
	if got, err := c.ReadFile("inside.txt"); err != nil || !bytes.Equal(got, payload) {
		t.Errorf("ReadFile(inside.txt) = %q, %v, want %q", got, err, payload)
	}
	if _, err := c.ReadFile("split.bin"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ReadFile(split.bin) error = %v, want ErrUnsupported", err)
	}
	if got, want := c.Files[0].Modified().Format("2006-01-02 15:04:05"), "2025-01-01 12:00:00"; got != want {
		t.Errorf("Modified() = %s, want %s", got, want)
	}
}

func TestLookup(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []FileEntry{{Name: `Dir\File.TXT`, Data: []byte("1")}, {Name: "file.txt", Data: []byte("2")}}, CompressNone); err != nil {
		t.Fatal(err)
	}
	c, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{`Dir\File.TXT`, "1"}, {"dir/file.txt", "1"}, {"file.txt", "2"}, {"FILE.TXT", "2"},
	} {
		got, err := c.ReadFile(tc.name)
		if err != nil || string(got) != tc.want {
			t.Errorf("ReadFile(%q) = %q, %v, want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := c.ReadFile("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadFile(missing) error = %v, want ErrNotFound", err)
	}
}

func TestReaderErrors(t *testing.T) {
	text := repetitiveText(50000)
	good := func(comp Compression) []byte {
		var buf bytes.Buffer
		if err := Write(&buf, []FileEntry{{Name: "f", Data: text}}, comp); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	le := binary.LittleEndian
	stored, zipped := good(CompressNone), good(CompressMSZIP)
	dataOff := int(le.Uint32(stored[36:])) // first CFDATA
	mutate := func(b []byte, f func([]byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	tests := []struct {
		name  string
		cab   []byte
		limit int64
		want  error
	}{
		{"short", stored[:20], 0, ErrFormat},
		{"signature", mutate(stored, func(b []byte) { b[0] = 'X' }), 0, ErrFormat},
		{"too many folders", mutate(stored, func(b []byte) { le.PutUint16(b[26:], 0xffff) }), 0, ErrFormat},
		{"coffFiles outside", mutate(stored, func(b []byte) { le.PutUint32(b[16:], 0xfffffff0) }), 0, ErrFormat},
		{"folder index", mutate(stored, func(b []byte) { le.PutUint16(b[44+8:], 3) }), 0, ErrFormat},
		{"truncated data", stored[:len(stored)-100], 0, ErrFormat},
		{"checksum", mutate(stored, func(b []byte) { b[dataOff+100] ^= 1 }), 0, ErrChecksum},
		{"mszip signature", mutate(zipped, func(b []byte) { b[dataOff+8] = 'X'; le.PutUint32(b[dataOff:], 0) }), 0, ErrFormat},
		{"mszip corrupt", mutate(zipped, func(b []byte) { b[dataOff+20] ^= 0xff; le.PutUint32(b[dataOff:], 0) }), 0, ErrFormat},
		{"stored length", mutate(stored, func(b []byte) { le.PutUint16(b[dataOff+6:], 100); le.PutUint32(b[dataOff:], 0) }), 0, ErrFormat},
		{"quantum", mutate(stored, func(b []byte) { le.PutUint16(b[42:], uint16(CompressQuantum)) }), 0, ErrUnsupported},
		{"lzx window 22", mutate(stored, func(b []byte) { le.PutUint16(b[42:], uint16(LZX(22))) }), 0, ErrUnsupported},
		{"file past folder", mutate(stored, func(b []byte) { le.PutUint32(b[44:], uint32(len(text)+1)) }), 0, ErrFormat},
		{"limit", stored, 1000, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(tc.cab, "f", tc.limit)
			if !errors.Is(err, tc.want) {
				t.Errorf("Extract(%s) error = %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}

func TestExtractBlob(t *testing.T) {
	var one, two bytes.Buffer
	if err := Write(&one, []FileEntry{{Name: "blob", Data: []byte{'<', 0}}}, CompressMSZIP); err != nil {
		t.Fatal(err)
	}
	if err := Write(&two, []FileEntry{{Name: "blob"}, {Name: "other"}}, CompressNone); err != nil {
		t.Fatal(err)
	}
	if got, err := ExtractBlob(one.Bytes(), 0); err != nil || !bytes.Equal(got, []byte{'<', 0}) {
		t.Errorf("ExtractBlob(one file) = % x, %v", got, err)
	}
	if _, err := ExtractBlob(two.Bytes(), 0); !errors.Is(err, ErrFormat) {
		t.Errorf("ExtractBlob(two files) error = %v, want ErrFormat", err)
	}
	if _, err := ExtractBlob(one.Bytes(), 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ExtractBlob(limit 1) error = %v, want ErrTooLarge", err)
	}
}

// TestOpenStreams checks that files opened together read independently.
func TestOpenStreams(t *testing.T) {
	a, b := repetitiveText(80000), randomBytes(50000, 2)
	var buf bytes.Buffer
	if err := Write(&buf, []FileEntry{{Name: "a", Data: a}, {Name: "b", Data: b}}, CompressMSZIP); err != nil {
		t.Fatal(err)
	}
	c, err := Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	ra, err := c.Open("a")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := c.Open("b")
	if err != nil {
		t.Fatal(err)
	}
	var gotA, gotB bytes.Buffer
	for {
		na, errA := io.CopyN(&gotA, ra, 777)
		nb, errB := io.CopyN(&gotB, rb, 1000)
		if na == 0 && nb == 0 {
			if errA != io.EOF || errB != io.EOF {
				t.Fatalf("interleaved reads end with %v, %v", errA, errB)
			}
			break
		}
	}
	if !bytes.Equal(gotA.Bytes(), a) || !bytes.Equal(gotB.Bytes(), b) {
		t.Errorf("interleaved reads = %d, %d bytes, want %d, %d", gotA.Len(), gotB.Len(), len(a), len(b))
	}
	ra.Close()
	rb.Close()
}

// TestZeroChecksum checks that a zero csum means "not computed" (MS-CAB 2.4):
// the block is accepted without verification.
func TestZeroChecksum(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []FileEntry{{Name: "f", Data: []byte("hello")}}, CompressNone); err != nil {
		t.Fatal(err)
	}
	cab := buf.Bytes()
	dataOff := int(binary.LittleEndian.Uint32(cab[36:]))
	binary.LittleEndian.PutUint32(cab[dataOff:], 0)
	cab[dataOff+8] = 'j'
	if got, err := Extract(cab, "f", 0); err != nil || string(got) != "jello" {
		t.Errorf("Extract(zero checksum) = %q, %v, want \"jello\"", got, err)
	}
}
