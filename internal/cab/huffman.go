package cab

import "fmt"

// errHuffmanCode reports a bit pattern that no symbol of the tree uses.
var errHuffmanCode = fmt.Errorf("invalid huffman code: %w", ErrFormat)

// huffman decodes canonical Huffman codes of up to 16 bits, assigned as in
// the LZX format: shorter codes first, equal lengths in symbol order. Codes up
// to tableBits long resolve with one table look-up; longer ones are found by
// walking the per-length first codes.
type huffman struct {
	tableBits uint
	table     []uint32 // sym<<8 | len; len 0 = unused, len 0xff = longer code
	count     [17]uint16
	first     [17]uint32 // first canonical code of each length
	index     [17]uint16 // index into syms of the first symbol of each length
	syms      []uint16   // symbols sorted by (length, symbol)
	empty     bool
}

const huffLong = 0xff

// build prepares the tree from code lengths. An over-subscribed set of
// lengths is an error; an incomplete one is accepted, and its unused codes
// fail when decoded. All-zero lengths give an empty tree.
func (h *huffman) build(lens []uint8, tableBits uint) error {
	h.tableBits = tableBits
	h.count = [17]uint16{}
	for _, l := range lens {
		if l > 16 {
			return fmt.Errorf("code length %d: %w", l, ErrFormat)
		}
		h.count[l]++
	}
	h.count[0] = 0
	left := 1
	for l := 1; l <= 16; l++ {
		left = left<<1 - int(h.count[l])
		if left < 0 {
			return fmt.Errorf("over-subscribed code lengths: %w", ErrFormat)
		}
	}
	h.empty = left == 1<<16
	code, idx := uint32(0), uint16(0)
	for l := 1; l <= 16; l++ {
		code = (code + uint32(h.count[l-1])) << 1
		h.first[l] = code
		h.index[l] = idx
		idx += h.count[l]
	}
	if cap(h.syms) < int(idx) {
		h.syms = make([]uint16, idx)
	}
	h.syms = h.syms[:idx]
	next := h.index
	for s, l := range lens {
		if l != 0 {
			h.syms[next[l]] = uint16(s)
			next[l]++
		}
	}
	size := 1 << tableBits
	if cap(h.table) < size {
		h.table = make([]uint32, size)
	}
	h.table = h.table[:size]
	clear(h.table)
	for l := uint(1); l <= 16; l++ {
		for k := uint32(0); k < uint32(h.count[l]); k++ {
			c := h.first[l] + k
			sym := uint32(h.syms[uint32(h.index[l])+k])
			if l <= tableBits {
				shift := tableBits - l
				lo := c << shift
				for e := lo; e < lo+1<<shift; e++ {
					h.table[e] = sym<<8 | uint32(l)
				}
			} else {
				h.table[c>>(l-tableBits)] = huffLong
			}
		}
	}
	return nil
}

// decode reads one symbol.
func (h *huffman) decode(b *lzxBits) (int, error) {
	if b.n < 16 {
		b.refill()
	}
	e := h.table[b.bits>>(64-h.tableBits)]
	l := uint(e & 0xff)
	if l != 0 && l != huffLong {
		b.bits <<= l
		b.n -= l
		return int(e >> 8), nil
	}
	if l == 0 {
		return 0, errHuffmanCode
	}
	peek := uint32(b.bits >> 48)
	for l := h.tableBits + 1; l <= 16; l++ {
		c := peek >> (16 - l)
		if d := c - h.first[l]; c >= h.first[l] && d < uint32(h.count[l]) {
			b.bits <<= l
			b.n -= l
			return int(h.syms[uint32(h.index[l])+d]), nil
		}
	}
	return 0, errHuffmanCode
}
