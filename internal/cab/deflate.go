package cab

import (
	"bytes"
	"compress/flate"
	"errors"
	"math/bits"
)

// This file makes MSZIP blocks that strict decoders accept. compress/flate
// writes a distance tree with a single one-bit code when a block uses one
// distance code or none; RFC 1951 §3.2.7 allows that, but libmspack (and so
// cabextract, which other WSUS implementations use) rejects every incomplete
// Huffman tree. Each block from compress/flate is therefore parsed, and one
// with an incomplete tree is re-encoded with the fixed Huffman codes of RFC
// 1951 §3.2.6, or stored when that is smaller.

// deflateBlock compresses raw with dict as the preceding window and returns
// one complete deflate stream.
func deflateBlock(raw, dict []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := flate.NewWriterDict(&buf, flate.BestCompression, dict)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	toks, strict, err := parseDeflate(buf.Bytes())
	if err != nil {
		return nil, err
	}
	if strict {
		return buf.Bytes(), nil
	}
	fixed := encodeFixed(toks)
	if len(fixed) > len(raw)+5 {
		return storedBlock(raw), nil
	}
	return fixed, nil
}

// deflateToken is a literal (length 0) or a back-reference.
type deflateToken struct {
	lit    byte
	length uint16
	dist   uint16
}

var (
	lengthBase = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthBits = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase   = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distBits   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder    = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

var errDeflate = errors.New("cab: unreadable deflate output")

// lsbReader reads deflate's least-significant-bit-first bit order.
type lsbReader struct {
	b   []byte
	pos int // in bits
}

func (r *lsbReader) bits(n int) (uint32, error) {
	var v uint32
	for i := 0; i < n; i++ {
		if r.pos>>3 >= len(r.b) {
			return 0, errDeflate
		}
		v |= uint32(r.b[r.pos>>3]>>(r.pos&7)&1) << i
		r.pos++
	}
	return v, nil
}

// canonTree decodes deflate's canonical codes bit by bit (RFC 1951 §3.2.2).
type canonTree struct {
	count [16]int
	syms  []int
}

// newCanonTree returns the tree and whether it is complete (or empty).
func newCanonTree(lens []uint8) (*canonTree, bool) {
	t := &canonTree{}
	for _, l := range lens {
		t.count[l]++
	}
	t.count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - t.count[l]
	}
	for l := 1; l < 16; l++ {
		for s, sl := range lens {
			if int(sl) == l {
				t.syms = append(t.syms, s)
			}
		}
	}
	return t, left == 0 || len(t.syms) == 0
}

func (t *canonTree) decode(r *lsbReader) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		b, err := r.bits(1)
		if err != nil {
			return 0, err
		}
		code |= int(b)
		if code-first < t.count[l] {
			return t.syms[index+code-first], nil
		}
		index += t.count[l]
		first = (first + t.count[l]) << 1
		code <<= 1
	}
	return 0, errDeflate
}

var fixedLit, fixedDist = func() (*canonTree, *canonTree) {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	d := bytes.Repeat([]byte{5}, 30)
	lt, _ := newCanonTree(l[:])
	dt, _ := newCanonTree(d)
	return lt, dt
}()

// parseDeflate returns the tokens of a deflate stream written by
// compress/flate and whether all its Huffman trees are complete.
func parseDeflate(b []byte) (toks []deflateToken, strict bool, err error) {
	r := &lsbReader{b: b}
	strict = true
	for final := uint32(0); final == 0; {
		if final, err = r.bits(1); err != nil {
			return nil, false, err
		}
		typ, err := r.bits(2)
		if err != nil {
			return nil, false, err
		}
		lit, dist := fixedLit, fixedDist
		switch typ {
		case 0:
			r.pos = (r.pos + 7) &^ 7
			n, err := r.bits(16)
			if err != nil {
				return nil, false, err
			}
			r.pos += 16
			start := r.pos >> 3
			if start+int(n) > len(b) {
				return nil, false, errDeflate
			}
			for _, c := range b[start : start+int(n)] {
				toks = append(toks, deflateToken{lit: c})
			}
			r.pos += int(n) * 8
			continue
		case 1:
		case 2:
			var ok bool
			if lit, dist, ok, err = readDynamicHeader(r); err != nil {
				return nil, false, err
			}
			strict = strict && ok
		default:
			return nil, false, errDeflate
		}
		for {
			sym, err := lit.decode(r)
			if err != nil {
				return nil, false, err
			}
			if sym < 256 {
				toks = append(toks, deflateToken{lit: byte(sym)})
				continue
			}
			if sym == 256 {
				break
			}
			if sym > 285 {
				return nil, false, errDeflate
			}
			extra, err := r.bits(int(lengthBits[sym-257]))
			if err != nil {
				return nil, false, err
			}
			length := lengthBase[sym-257] + uint16(extra)
			ds, err := dist.decode(r)
			if err != nil || ds > 29 {
				return nil, false, errDeflate
			}
			if extra, err = r.bits(int(distBits[ds])); err != nil {
				return nil, false, err
			}
			toks = append(toks, deflateToken{length: length, dist: distBase[ds] + uint16(extra)})
		}
	}
	return toks, strict, nil
}

func readDynamicHeader(r *lsbReader) (lit, dist *canonTree, ok bool, err error) {
	h, err := r.bits(14)
	if err != nil {
		return nil, nil, false, err
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	var cl [19]uint8
	for i := range nclen {
		v, err := r.bits(3)
		if err != nil {
			return nil, nil, false, err
		}
		cl[clOrder[i]] = uint8(v)
	}
	clTree, clOK := newCanonTree(cl[:])
	lens := make([]uint8, 0, nlit+ndist)
	for len(lens) < nlit+ndist {
		sym, err := clTree.decode(r)
		if err != nil {
			return nil, nil, false, err
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if len(lens) == 0 {
				return nil, nil, false, errDeflate
			}
			e, err := r.bits(2)
			rep, v = 3+int(e), lens[len(lens)-1]
			if err != nil {
				return nil, nil, false, err
			}
		case 17, 18:
			n, base := 3, 3
			if sym == 18 {
				n, base = 7, 11
			}
			e, err := r.bits(n)
			if err != nil {
				return nil, nil, false, err
			}
			rep = base + int(e)
		default:
			rep, v = 1, uint8(sym)
		}
		for range rep {
			lens = append(lens, v)
		}
	}
	if len(lens) > nlit+ndist {
		return nil, nil, false, errDeflate
	}
	lit, litOK := newCanonTree(lens[:nlit])
	dist, distOK := newCanonTree(lens[nlit:])
	return lit, dist, clOK && litOK && distOK, nil
}

// lsbWriter writes deflate's bit order.
type lsbWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *lsbWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	for w.n >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

// code writes a Huffman code, most significant bit first.
func (w *lsbWriter) code(c uint32, n uint) {
	w.bits(bits.Reverse32(c)>>(32-n), n)
}

func (w *lsbWriter) fixedLiteral(sym int) {
	switch {
	case sym < 144:
		w.code(uint32(0x30+sym), 8)
	case sym < 256:
		w.code(uint32(0x190+sym-144), 9)
	case sym < 280:
		w.code(uint32(sym-256), 7)
	default:
		w.code(uint32(0xc0+sym-280), 8)
	}
}

// encodeFixed writes toks as one final block with the fixed codes.
func encodeFixed(toks []deflateToken) []byte {
	var w lsbWriter
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01
	for _, t := range toks {
		if t.length == 0 {
			w.fixedLiteral(int(t.lit))
			continue
		}
		lc := 28
		for lengthBase[lc] > t.length {
			lc--
		}
		w.fixedLiteral(257 + lc)
		w.bits(uint32(t.length-lengthBase[lc]), uint(lengthBits[lc]))
		dc := 29
		for distBase[dc] > t.dist {
			dc--
		}
		w.code(uint32(dc), 5)
		w.bits(uint32(t.dist-distBase[dc]), uint(distBits[dc]))
	}
	w.fixedLiteral(256)
	if w.n > 0 {
		w.out = append(w.out, byte(w.acc))
	}
	return w.out
}

// storedBlock returns raw as one final stored block (RFC 1951 §3.2.4).
func storedBlock(raw []byte) []byte {
	n := len(raw)
	out := []byte{1, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)}
	return append(out, raw...)
}
