package cab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file decodes LZX as used in cabinets (typeCompress 0x0003 with the
// window exponent in bits 8-12). It follows "Microsoft LZX Data Compression
// Format" (1997), whose bitstream MS-PATCH §2 (LZX DELTA) restates:
//
//   - The bitstream is a sequence of 16-bit little-endian words, each read
//     from its most significant bit down.
//   - Before the first block, one bit says whether E8 call translation is on;
//     if it is, 32 bits (high word first) give the translation size.
//   - A block is a 3-bit type (1 verbatim, 2 aligned offset, 3 uncompressed)
//     and a 24-bit uncompressed length, followed by its trees or its bytes.
//   - Output is cut into frames of 32,768 bytes (the last may be shorter). The
//     compressor pads the bitstream to a 16-bit boundary after every frame, and
//     E8 translation is undone frame by frame.
//   - Code lengths of the main tree (first the 256 literals, then the match
//     symbols) and of the length tree are sent as deltas from the previous
//     block's lengths, coded with a 20-symbol pretree.

const (
	lzxFrameSize       = 32768
	lzxNumChars        = 256
	lzxMinMatch        = 2
	lzxPrimaryLengths  = 7
	lzxSecondaryLength = 249
	lzxPretreeSize     = 20
	lzxAlignedSize     = 8
	lzxMaxMainSize     = lzxNumChars + 50*8
	lzxE8MaxFrames     = 32768 // translation is applied to the first 1 GiB only
	lzxE8Residue       = 10    // the last 10 bytes of a frame are not translated

	blockVerbatim     = 1
	blockAligned      = 2
	blockUncompressed = 3
)

// lzxPositionSlots is the number of position slots per window exponent 15..21.
var lzxPositionSlots = [...]int{15: 30, 16: 32, 17: 34, 18: 36, 19: 38, 20: 42, 21: 50}

// lzxExtraBits and lzxPositionBase give, per position slot, the number of
// verbatim bits and the base of the formatted offset.
var lzxExtraBits, lzxPositionBase = func() (extra [50]uint8, base [50]uint32) {
	for i := range extra {
		if i >= 4 {
			extra[i] = uint8(min((i-2)/2, 17))
		}
		if i > 0 {
			base[i] = base[i-1] + 1<<extra[i-1]
		}
	}
	return
}()

// errLZXEOF reports a bitstream that ends before its frames do.
var errLZXEOF = fmt.Errorf("lzx data ends early: %w", ErrFormat)

// lzxDecoder decodes one folder's LZX stream. It is not safe for concurrent use.
type lzxDecoder struct {
	br      lzxBits
	window  []byte
	mask    int
	pos     int   // next write position in window
	total   int64 // bytes decoded so far in the folder
	slots   int
	r       [3]uint32
	started bool   // the E8 header has been read
	e8size  uint32 // translation size; 0 means off
	frame   int    // index of the next frame

	blockType      int
	blockRemaining int
	blockOdd       bool // an uncompressed block of odd length ended: skip one pad byte

	mainLens    [lzxMaxMainSize]uint8
	lengthLens  [lzxSecondaryLength]uint8
	alignedLens [lzxAlignedSize]uint8
	pretreeLens [lzxPretreeSize]uint8
	main        huffman
	length      huffman
	aligned     huffman
	pretree     huffman
	e8buf       []byte
}

// newLZXDecoder returns a decoder for a window of 2^windowBits bytes that
// pulls compressed input from next (which returns io.EOF at the end). total,
// the folder's uncompressed size, caps the buffer: a stream shorter than its
// window never wraps, so it needs no more than its own length.
func newLZXDecoder(windowBits int, total int64, next func() ([]byte, error)) (*lzxDecoder, error) {
	if windowBits < 15 || windowBits > 21 {
		return nil, fmt.Errorf("lzx window 2^%d outside 2^15..2^21: %w", windowBits, ErrUnsupported)
	}
	size := int64(1) << windowBits
	if frames := (total + lzxFrameSize - 1) / lzxFrameSize; frames*lzxFrameSize < size {
		size = max(frames, 1) * lzxFrameSize
	}
	d := &lzxDecoder{
		window: make([]byte, size),
		mask:   1<<windowBits - 1,
		slots:  lzxPositionSlots[windowBits],
		r:      [3]uint32{1, 1, 1},
	}
	d.br.next = next
	return d, nil
}

// decodeFrame decodes the next frame of n bytes (n ≤ 32768) and returns it;
// the slice is valid until the next call.
func (d *lzxDecoder) decodeFrame(n int) ([]byte, error) {
	if n <= 0 || n > lzxFrameSize {
		return nil, fmt.Errorf("lzx frame of %d bytes: %w", n, ErrFormat)
	}
	if !d.started {
		d.started = true
		if d.br.read(1) == 1 {
			hi := d.br.read(16)
			d.e8size = hi<<16 | d.br.read(16)
		}
	}
	start := d.pos
	end := start + n
	if end > len(d.window) {
		return nil, fmt.Errorf("lzx output beyond the folder's %d bytes: %w", len(d.window), ErrFormat)
	}
	for d.pos < end {
		if d.blockRemaining == 0 {
			if err := d.readBlockHeader(); err != nil {
				return nil, err
			}
			continue
		}
		run := min(d.blockRemaining, end-d.pos)
		var err error
		if d.blockType == blockUncompressed {
			err = d.copyStored(run)
		} else {
			err = d.decodeRun(run)
		}
		if err != nil {
			return nil, err
		}
		d.blockRemaining -= run
	}
	if d.br.overrun() {
		return nil, errLZXEOF
	}
	d.br.alignFrame()
	out := d.window[start:end]
	if d.e8size != 0 && d.frame < lzxE8MaxFrames && n > lzxE8Residue {
		if d.e8buf == nil {
			d.e8buf = make([]byte, lzxFrameSize)
		}
		buf := d.e8buf[:n]
		copy(buf, out)
		undoE8(buf, d.total-int64(n), d.e8size)
		out = buf
	}
	d.frame++
	if d.pos == len(d.window) {
		d.pos = 0
	}
	return out, nil
}

// undoE8 reverses the compressor's E8 call translation on one frame whose
// first byte is at stream position base.
func undoE8(b []byte, base int64, size uint32) {
	limit := len(b) - lzxE8Residue
	for i := 0; i < limit; {
		j := bytes.IndexByte(b[i:limit], 0xE8)
		if j < 0 {
			return
		}
		i += j
		cur := int32(base + int64(i))
		abs := int32(binary.LittleEndian.Uint32(b[i+1:]))
		if abs >= -cur && abs < int32(size) {
			rel := abs - cur
			if abs < 0 {
				rel = abs + int32(size)
			}
			binary.LittleEndian.PutUint32(b[i+1:], uint32(rel))
		}
		i += 5
	}
}

func (d *lzxDecoder) readBlockHeader() error {
	if d.blockOdd {
		d.blockOdd = false
		if _, err := d.br.readByte(); err != nil {
			return err
		}
	}
	d.blockType = int(d.br.read(3))
	d.blockRemaining = int(d.br.read(24))
	if d.br.overrun() {
		return errLZXEOF
	}
	switch d.blockType {
	case blockAligned:
		for i := range d.alignedLens {
			d.alignedLens[i] = uint8(d.br.read(3))
		}
		if err := d.aligned.build(d.alignedLens[:], 7); err != nil {
			return fmt.Errorf("lzx aligned tree: %w", err)
		}
		fallthrough
	case blockVerbatim:
		if err := d.readLengths(d.mainLens[:lzxNumChars]); err != nil {
			return err
		}
		if err := d.readLengths(d.mainLens[lzxNumChars : lzxNumChars+8*d.slots]); err != nil {
			return err
		}
		if err := d.main.build(d.mainLens[:lzxNumChars+8*d.slots], 10); err != nil {
			return fmt.Errorf("lzx main tree: %w", err)
		}
		if err := d.readLengths(d.lengthLens[:]); err != nil {
			return err
		}
		if err := d.length.build(d.lengthLens[:], 8); err != nil {
			return fmt.Errorf("lzx length tree: %w", err)
		}
	case blockUncompressed:
		if err := d.br.alignStored(); err != nil {
			return err
		}
		var rs [12]byte
		if err := d.br.readBytes(rs[:]); err != nil {
			return err
		}
		for i := range d.r {
			d.r[i] = binary.LittleEndian.Uint32(rs[4*i:])
		}
		d.blockOdd = d.blockRemaining&1 == 1
	default:
		return fmt.Errorf("lzx block type %d: %w", d.blockType, ErrFormat)
	}
	if d.br.overrun() {
		return errLZXEOF
	}
	return nil
}

// readLengths updates lens with pretree-coded deltas (LZX format, "Pretree").
func (d *lzxDecoder) readLengths(lens []uint8) error {
	for i := range d.pretreeLens {
		d.pretreeLens[i] = uint8(d.br.read(4))
	}
	if err := d.pretree.build(d.pretreeLens[:], 6); err != nil {
		return fmt.Errorf("lzx pretree: %w", err)
	}
	for i := 0; i < len(lens); {
		if d.br.overrun() {
			return errLZXEOF
		}
		code, err := d.pretree.decode(&d.br)
		if err != nil {
			return fmt.Errorf("lzx pretree: %w", err)
		}
		switch {
		case code < 17:
			lens[i] = uint8((int(lens[i]) + 17 - code) % 17)
			i++
		case code == 17, code == 18:
			var run int
			if code == 17 {
				run = 4 + int(d.br.read(4))
			} else {
				run = 20 + int(d.br.read(5))
			}
			for ; run > 0 && i < len(lens); run-- {
				lens[i] = 0
				i++
			}
		default: // 19: a short run of one delta-coded length
			run := 4 + int(d.br.read(1))
			z, err := d.pretree.decode(&d.br)
			if err != nil {
				return fmt.Errorf("lzx pretree: %w", err)
			}
			if z > 16 {
				return fmt.Errorf("lzx pretree run symbol %d: %w", z, ErrFormat)
			}
			v := uint8((int(lens[i]) + 17 - z) % 17)
			for ; run > 0 && i < len(lens); run-- {
				lens[i] = v
				i++
			}
		}
	}
	return nil
}

// decodeRun decodes exactly n bytes of a verbatim or aligned block into the
// window. Matches may not cross the end of the block or the frame.
func (d *lzxDecoder) decodeRun(n int) error {
	win, mask := d.window, d.mask
	pos, end := d.pos, d.pos+n
	aligned := d.blockType == blockAligned
	for pos < end {
		if d.br.overrun() {
			return errLZXEOF
		}
		sym, err := d.main.decode(&d.br)
		if err != nil {
			return fmt.Errorf("lzx main tree: %w", err)
		}
		if sym < lzxNumChars {
			win[pos] = byte(sym)
			pos++
			continue
		}
		sym -= lzxNumChars
		length := sym & 7
		if length == lzxPrimaryLengths {
			l, err := d.length.decode(&d.br)
			if err != nil {
				return fmt.Errorf("lzx length tree: %w", err)
			}
			length += l
		}
		length += lzxMinMatch
		slot := sym >> 3
		var off uint32
		switch slot {
		case 0:
			off = d.r[0]
		case 1:
			off = d.r[1]
			d.r[1] = d.r[0]
			d.r[0] = off
		case 2:
			off = d.r[2]
			d.r[2] = d.r[0]
			d.r[0] = off
		default:
			extra := uint(lzxExtraBits[slot])
			off = lzxPositionBase[slot] - 2
			switch {
			case aligned && extra > 3:
				off += d.br.read(extra-3) << 3
				a, err := d.aligned.decode(&d.br)
				if err != nil {
					return fmt.Errorf("lzx aligned tree: %w", err)
				}
				off += uint32(a)
			case aligned && extra == 3:
				a, err := d.aligned.decode(&d.br)
				if err != nil {
					return fmt.Errorf("lzx aligned tree: %w", err)
				}
				off += uint32(a)
			case extra > 0:
				off += d.br.read(extra)
			}
			d.r[2], d.r[1], d.r[0] = d.r[1], d.r[0], off
		}
		if length > end-pos {
			return fmt.Errorf("lzx match of %d bytes crosses a block or frame end: %w", length, ErrFormat)
		}
		done := d.total + int64(pos-d.pos)
		if off == 0 || int64(off) > done || int(off) > mask {
			return fmt.Errorf("lzx match offset %d outside the %d bytes decoded: %w", off, min(done, int64(len(win))), ErrFormat)
		}
		src := (pos - int(off)) & mask
		if src+length <= pos {
			copy(win[pos:pos+length], win[src:src+length])
			pos += length
			continue
		}
		for ; length > 0; length-- {
			win[pos] = win[src]
			pos++
			src = (src + 1) & mask
		}
	}
	d.total += int64(n)
	d.pos = pos
	return nil
}

// copyStored copies n bytes of an uncompressed block into the window.
func (d *lzxDecoder) copyStored(n int) error {
	if err := d.br.readBytes(d.window[d.pos : d.pos+n]); err != nil {
		return err
	}
	d.pos += n
	d.total += int64(n)
	return nil
}

// lzxBits reads the LZX bitstream: 16-bit little-endian words, most
// significant bit first. Past the end of input it supplies zero words so
// Huffman look-ahead works; overrun reports whether any were consumed.
type lzxBits struct {
	next func() ([]byte, error)
	in   []byte // buffered input; in[:pos] is consumed
	pos  int
	bits uint64 // left-aligned bit buffer
	n    uint   // valid bits in bits
	pad  uint   // zero words appended after the end of input
	err  error
}

// fill makes at least 2 more input bytes available, or returns false at the
// end of input. It keeps the last 8 consumed bytes so that words held in the
// bit buffer can be pushed back before an uncompressed block.
func (b *lzxBits) fill() bool {
	for len(b.in)-b.pos < 2 {
		if b.err != nil {
			return false
		}
		chunk, err := b.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				b.err = err
			} else {
				b.err = errLZXEOF
			}
			return false
		}
		keep := min(b.pos, 8)
		n := copy(b.in, b.in[b.pos-keep:])
		b.in = append(b.in[:n], chunk...)
		b.pos = keep
	}
	return true
}

// refill loads words until at least 48 bits are buffered.
func (b *lzxBits) refill() {
	for b.n <= 48 {
		if len(b.in)-b.pos >= 2 || b.fill() {
			w := uint64(b.in[b.pos]) | uint64(b.in[b.pos+1])<<8
			b.pos += 2
			b.bits |= w << (48 - b.n)
		} else {
			b.pad++
		}
		b.n += 16
	}
}

// read returns the next k bits (k ≤ 32).
func (b *lzxBits) read(k uint) uint32 {
	if k == 0 {
		return 0
	}
	if b.n < k {
		b.refill()
	}
	v := uint32(b.bits >> (64 - k))
	b.bits <<= k
	b.n -= k
	return v
}

// overrun reports whether bits past the end of the input were consumed.
func (b *lzxBits) overrun() bool { return b.pad*16 > b.n }

// alignFrame discards the bits left in the current 16-bit word.
func (b *lzxBits) alignFrame() {
	r := b.n % 16
	b.bits <<= r
	b.n -= r
}

// alignStored skips the 1 to 16 bits of padding before an uncompressed
// block's R0-R2 and gives buffered whole words back to the byte input.
func (b *lzxBits) alignStored() error {
	if b.n%16 == 0 {
		b.read(16)
	}
	b.alignFrame()
	if b.overrun() {
		return errLZXEOF
	}
	words := b.n/16 - b.pad
	b.pos -= int(2 * words)
	b.bits, b.n, b.pad = 0, 0, 0
	return nil
}

// readBytes reads raw bytes of an uncompressed block (bit buffer empty).
func (b *lzxBits) readBytes(dst []byte) error {
	for len(dst) > 0 {
		if b.pos >= len(b.in) {
			if !b.fill() {
				if len(b.in)-b.pos < 1 {
					return b.err
				}
			}
		}
		n := copy(dst, b.in[b.pos:])
		b.pos += n
		dst = dst[n:]
	}
	return nil
}

func (b *lzxBits) readByte() (byte, error) {
	var one [1]byte
	err := b.readBytes(one[:])
	return one[0], err
}
