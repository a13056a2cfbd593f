package cab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// decodeLZX runs the decoder over stream and returns size bytes of output.
func decodeLZX(windowBits int, stream []byte, size int) ([]byte, error) {
	fed := false
	d, err := newLZXDecoder(windowBits, int64(size), func() ([]byte, error) {
		if fed {
			return nil, io.EOF
		}
		fed = true
		return stream, nil
	})
	if err != nil {
		return nil, err
	}
	var out []byte
	for size > 0 {
		n := min(size, lzxFrameSize)
		frame, err := d.decodeFrame(n)
		if err != nil {
			return out, err
		}
		out = append(out, frame...)
		size -= n
	}
	return out, nil
}

// TestLZXSpecExample decodes the uncompressed-block example of MS-PATCH §3
// ("abc"), without the LZX DELTA chunk-size prefix that cabinets lack.
func TestLZXSpecExample(t *testing.T) {
	stream := []byte{0x00, 0x30, 0x30, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x61, 0x62, 0x63, 0x00}
	got, err := decodeLZX(15, stream, 3)
	if err != nil || string(got) != "abc" {
		t.Fatalf("decodeLZX(spec example) = %q, %v, want \"abc\"", got, err)
	}
	// The encoder must produce the same bytes for the same input.
	e := newLZXEncoder(15, 0)
	if enc := e.compress([]byte("abc"), []lzxBlockPlan{{typ: blockUncompressed}}); !bytes.Equal(enc, stream) {
		t.Errorf("encoder(abc) = % x, want % x", enc, stream)
	}
}

// x86ish returns data with many E8 (CALL rel32) instructions among text and
// repeats, so that E8 translation changes it.
func x86ish(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	var b []byte
	for len(b) < n {
		switch r.IntN(4) {
		case 0:
			b = append(b, 0xE8)
			b = binary.LittleEndian.AppendUint32(b, uint32(r.Int32N(1<<20)-1<<19))
		case 1:
			b = append(b, "mov eax, [ebp+8]; push ecx; "...)
		case 2:
			b = append(b, byte(r.IntN(256)), byte(r.IntN(256)))
		default:
			if len(b) > 300 {
				k := r.IntN(300) + 1
				start := len(b) - k - r.IntN(len(b)-k)
				b = append(b, b[start:start+min(k, 40)]...)
			}
		}
	}
	return b[:n]
}

// fibText has byte i appear fib(i) times, giving Huffman codes over 10 bits.
func fibText() []byte {
	var b []byte
	f0, f1 := 1, 1
	for i := 0; i < 17; i++ {
		for range f0 {
			b = append(b, byte('A'+i))
		}
		f0, f1 = f1, f0+f1
	}
	r := rand.New(rand.NewPCG(7, 7))
	r.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	return b
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func repetitiveText(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<upd:Update id=\"%d\"><Title>Update %d for Windows</Title></upd:Update>\n", i%97, i%13)
		if i%50 == 0 {
			b.Write(bytes.Repeat([]byte{'z'}, 700)) // long match with the length tree
		}
	}
	return b.Bytes()[:n]
}

type lzxCase struct {
	name       string
	data       []byte
	windowBits int
	e8size     uint32
	plan       []lzxBlockPlan
	noRepeats  bool
}

func lzxCases() []lzxCase {
	verbatim := []lzxBlockPlan{{typ: blockVerbatim}}
	aligned := []lzxBlockPlan{{typ: blockAligned}}
	stored := []lzxBlockPlan{{typ: blockUncompressed}}
	mixed := []lzxBlockPlan{{blockVerbatim, 10000}, {blockUncompressed, 30001}, {blockAligned, 40000}, {blockUncompressed, 3}, {blockVerbatim, 1}, {blockAligned, 0}}
	text := repetitiveText(150000)
	return []lzxCase{
		{name: "verbatim text", data: text, windowBits: 21, plan: verbatim},
		{name: "aligned text", data: text, windowBits: 21, plan: aligned},
		{name: "stored text", data: text, windowBits: 21, plan: stored},
		{name: "mixed blocks", data: text, windowBits: 17, plan: mixed},
		{name: "no repeated offsets", data: text, windowBits: 16, plan: aligned, noRepeats: true},
		{name: "window 15 wraps", data: text, windowBits: 15, plan: []lzxBlockPlan{{blockVerbatim, 70000}, {blockAligned, 0}}},
		{name: "random verbatim", data: randomBytes(70000, 1), windowBits: 21, plan: verbatim},
		{name: "long codes", data: fibText(), windowBits: 21, plan: verbatim},
		{name: "e8 verbatim", data: x86ish(200000, 3), windowBits: 21, e8size: 12000000, plan: verbatim},
		{name: "e8 mixed", data: x86ish(100000, 4), windowBits: 18, e8size: 65536, plan: mixed},
		{name: "e8 small translation size", data: x86ish(40000, 5), windowBits: 21, e8size: 1000, plan: aligned},
		{name: "e8 short last frame", data: x86ish(32768+9, 6), windowBits: 21, e8size: 1 << 20, plan: verbatim},
		{name: "one byte", data: []byte{0xE8}, windowBits: 21, e8size: 1 << 20, plan: verbatim},
		{name: "exact frames", data: text[:3*lzxFrameSize], windowBits: 21, plan: []lzxBlockPlan{{blockVerbatim, lzxFrameSize}, {blockUncompressed, lzxFrameSize}, {blockAligned, 0}}},
	}
}

func TestLZXRoundTrip(t *testing.T) {
	total := lzxEncoder{}
	for _, tc := range lzxCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := newLZXEncoder(tc.windowBits, tc.e8size)
			e.noRepeats = tc.noRepeats
			stream := e.compress(tc.data, tc.plan)
			got, err := decodeLZX(tc.windowBits, stream, len(tc.data))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Fatalf("decode = %d bytes differing at %d, want %d bytes", len(got), firstDiff(got, tc.data), len(tc.data))
			}
			if tc.e8size != 0 && len(tc.data) > 10 {
				translated := append([]byte(nil), tc.data...)
				e8Translate(translated, tc.e8size)
				if bytes.Equal(translated, tc.data) {
					t.Errorf("E8 translation left the input unchanged: the case tests nothing")
				}
			}
			// The same stream cut into arbitrary CFDATA blocks decodes the same.
			cab := lzxCabinet("blob", tc.windowBits, len(tc.data), stream, e.frameEnds, 1001)
			got, err = ExtractBlob(cab, 0)
			if err != nil || !bytes.Equal(got, tc.data) {
				t.Fatalf("ExtractBlob(cab split every 1001 bytes) = %d bytes, %v; want %d bytes", len(got), err, len(tc.data))
			}
			total.repeats += e.repeats
			total.aligned += e.aligned
			total.longLengths += e.longLengths
			total.longCodes += e.longCodes
			total.pretreeRuns += e.pretreeRuns
		})
	}
	// The vectors must exercise every feature of the format.
	for name, n := range map[string]int{"repeated offsets": total.repeats, "aligned offsets": total.aligned,
		"length tree": total.longLengths, "codes over 10 bits": total.longCodes, "pretree runs": total.pretreeRuns} {
		if n == 0 {
			t.Errorf("no case used %s", name)
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestLZXCabextract checks the test encoder's cabinets with libmspack
// (cabextract), so that encoder and decoder cannot share a misreading.
func TestLZXCabextract(t *testing.T) {
	cabextract, err := exec.LookPath("cabextract")
	if err != nil {
		t.Skip("cabextract not installed")
	}
	dir := t.TempDir()
	for i, tc := range lzxCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := newLZXEncoder(tc.windowBits, tc.e8size)
			e.noRepeats = tc.noRepeats
			stream := e.compress(tc.data, tc.plan)
			path := filepath.Join(dir, fmt.Sprintf("lzx%d.cab", i))
			if err := os.WriteFile(path, lzxCabinet("blob", tc.windowBits, len(tc.data), stream, e.frameEnds, 0), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := exec.Command(cabextract, "-q", "-p", path).Output()
			if err != nil {
				t.Fatalf("cabextract -p: %v", err)
			}
			if !bytes.Equal(got, tc.data) {
				t.Fatalf("cabextract = %d bytes differing at %d, want %d bytes", len(got), firstDiff(got, tc.data), len(tc.data))
			}
		})
	}
}

func TestLZXErrors(t *testing.T) {
	good := newLZXEncoder(21, 0).compress(repetitiveText(5000), []lzxBlockPlan{{typ: blockVerbatim}})
	tests := []struct {
		name   string
		stream []byte
		size   int
	}{
		{"empty", nil, 10},
		{"truncated", good[:len(good)/2], 5000},
		{"block type 0", []byte{0x00, 0x00, 0x00, 0x00}, 10},
		{"block type 7", []byte{0x00, 0x70, 0x00, 0x00}, 10},
		// verbatim block of 10 bytes whose first symbol is a match at distance 1
		{"match before start", matchFirst(), 10},
		{"output longer than stream", good, 6000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeLZX(21, tc.stream, tc.size)
			if !errors.Is(err, ErrFormat) {
				t.Errorf("decodeLZX(%s) error = %v, want ErrFormat", tc.name, err)
			}
			t.Logf("error: %v", err)
		})
	}
	if _, err := newLZXDecoder(22, 0, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("newLZXDecoder(22) error = %v, want ErrUnsupported", err)
	}
}

// matchFirst is a verbatim block whose only main symbol is a match (slot 3,
// offset 1) with nothing decoded before it.
func matchFirst() []byte {
	var w lzxBitWriter
	w.bits(0, 1)
	w.bits(blockVerbatim, 3)
	w.bits(10, 24)
	// main tree: only symbol 256+3*8 (slot 3, length 2) plus a partner, 1 bit each
	e := newLZXEncoder(21, 0)
	lens := make([]uint8, len(e.mainLens))
	lens[0], lens[256+24] = 1, 1
	e.w = w
	e.writeLengths(e.mainLens[:256], lens[:256])
	e.writeLengths(e.mainLens[256:], lens[256:])
	e.writeLengths(e.lengthLens, make([]uint8, lzxSecondaryLength))
	e.w.bits(1, 1) // symbol 256+24
	e.w.align()
	return e.w.out
}

func BenchmarkLZX(b *testing.B) {
	data := repetitiveText(2 << 20)
	e := newLZXEncoder(21, 0)
	stream := e.compress(data, []lzxBlockPlan{{typ: blockVerbatim}})
	cab := lzxCabinet("blob", 21, len(data), stream, e.frameEnds, 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractBlob(cab, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLZXRealBlob(b *testing.B) {
	blobs := realBlobs(b)
	blob := blobs[0].cab
	for _, bl := range blobs {
		if len(bl.cab) > len(blob) {
			blob = bl.cab
		}
	}
	out, err := ExtractBlob(blob, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExtractBlob(blob, 0); err != nil {
			b.Fatal(err)
		}
	}
}
