package cab

import (
	"bytes"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated cabinets in testdata/")

// generatedCabs are the seed cabinets this package can make itself.
func generatedCabs(tb testing.TB) map[string][]byte {
	tb.Helper()
	cabs := map[string][]byte{}
	for _, comp := range []Compression{CompressNone, CompressMSZIP} {
		var buf bytes.Buffer
		files := []FileEntry{
			{Name: "a.xml", Data: repetitiveText(40000), Modified: modTime},
			{Name: "empty"},
			{Name: `dir\b.bin`, Data: randomBytes(300, 1)},
		}
		if err := Write(&buf, files, comp); err != nil {
			tb.Fatal(err)
		}
		cabs["writer-"+comp.String()+".cab"] = buf.Bytes()
	}
	for _, tc := range []struct {
		name       string
		windowBits int
		e8         uint32
		plan       []lzxBlockPlan
		data       []byte
	}{
		{"lzx-verbatim.cab", 21, 0, []lzxBlockPlan{{typ: blockVerbatim}}, repetitiveText(40000)},
		{"lzx-aligned-e8.cab", 16, 1 << 20, []lzxBlockPlan{{typ: blockAligned}}, x86ish(40000, 1)},
		{"lzx-mixed.cab", 15, 0, []lzxBlockPlan{{blockUncompressed, 301}, {blockVerbatim, 5000}, {blockAligned, 0}}, repetitiveText(40000)},
	} {
		e := newLZXEncoder(tc.windowBits, tc.e8)
		stream := e.compress(tc.data, tc.plan)
		cabs[tc.name] = lzxCabinet("blob", tc.windowBits, len(tc.data), stream, e.frameEnds, 0)
	}
	cabs["reserve.cab"] = reserveCab([]byte("payload"))
	return cabs
}

// TestTestdata keeps testdata/ in step with the generators (-update rewrites
// it) and checks that every seed cabinet extracts.
func TestTestdata(t *testing.T) {
	gen := generatedCabs(t)
	if *update {
		for name, cab := range gen {
			if err := os.WriteFile(filepath.Join("testdata", name), cab, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if gcab, err := exec.LookPath("gcab"); err == nil {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "text.xml"), repetitiveText(50000), 0o644); err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(filepath.Join("testdata", "gcab-mszip.cab"))
			cmd := exec.Command(gcab, "-c", "-z", abs, "text.xml")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("gcab: %v\n%s", err, out)
			}
		}
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.cab"))
	if len(paths) < len(gen) {
		t.Fatalf("testdata holds %d cabinets, want at least %d (run go test -run TestTestdata -update)", len(paths), len(gen))
	}
	for _, path := range paths {
		cab, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Open(bytes.NewReader(cab), int64(len(cab)))
		if err != nil {
			t.Fatalf("%s: Open: %v", path, err)
		}
		for i := range c.Files {
			f := &c.Files[i]
			if f.split {
				continue
			}
			rc, err := c.OpenFile(f)
			if err != nil {
				t.Fatalf("%s: OpenFile(%q): %v", path, f.Name, err)
			}
			n, err := io.Copy(io.Discard, rc)
			if err != nil || n != f.Size {
				t.Errorf("%s: %q read %d bytes, %v; want %d", path, f.Name, n, err, f.Size)
			}
		}
	}
}

// FuzzReader feeds arbitrary bytes to Open, Walk and OpenFile: they must
// return errors, never panic, and never allocate beyond their bounds.
func FuzzReader(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.cab"))
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, cab := range generatedCabs(f) {
		f.Add(cab)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		c.Limit = 4 << 20
		_ = c.Walk(func(f *File, r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			if err == nil && n != f.Size {
				t.Fatalf("Walk read %d bytes of %q without error, want %d", n, f.Name, f.Size)
			}
			return err
		})
		for i := range min(len(c.Files), 4) {
			rc, err := c.OpenFile(&c.Files[i])
			if err != nil {
				continue
			}
			n, err := io.Copy(io.Discard, rc)
			if err == nil && n != c.Files[i].Size {
				t.Fatalf("OpenFile read %d bytes of %q without error, want %d", n, c.Files[i].Name, c.Files[i].Size)
			}
		}
		if len(c.Files) == 1 {
			_, _ = ExtractBlob(data, 1<<20)
		}
	})
}

// FuzzLZX feeds arbitrary bitstreams to the LZX decoder directly.
func FuzzLZX(f *testing.F) {
	for _, tc := range lzxCases()[:6] {
		e := newLZXEncoder(tc.windowBits, tc.e8size)
		stream := e.compress(tc.data[:min(len(tc.data), 5000)], tc.plan)
		f.Add(uint8(tc.windowBits), uint32(min(len(tc.data), 5000)), stream)
	}
	f.Fuzz(func(t *testing.T, windowBits uint8, size uint32, stream []byte) {
		size %= 1 << 20
		out, err := decodeLZX(int(windowBits%8)+15, stream, int(size))
		if err == nil && len(out) != int(size) {
			t.Fatalf("decodeLZX returned %d bytes without error, want %d", len(out), size)
		}
	})
}
