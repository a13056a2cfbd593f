package cab

import (
	"encoding/binary"
	"sort"
)

// This file is a small LZX compressor written for the tests from the format
// description ("Microsoft LZX Data Compression Format"; MS-PATCH §2), so the
// decoder is checked against bitstreams whose meaning is known. It favours
// coverage over ratio: it can emit every block type, uses repeated offsets,
// the length tree, the aligned tree, pretree runs and E8 translation.

// lzxBitWriter writes 16-bit little-endian words filled from the most
// significant bit down.
type lzxBitWriter struct {
	out []byte
	acc uint32
	n   uint
}

func (w *lzxBitWriter) bits(v uint32, n uint) {
	for n > 0 {
		take := min(n, 16-w.n)
		w.acc = w.acc<<take | (v>>(n-take))&(1<<take-1)
		w.n += take
		n -= take
		if w.n == 16 {
			w.out = append(w.out, byte(w.acc), byte(w.acc>>8))
			w.acc, w.n = 0, 0
		}
	}
}

func (w *lzxBitWriter) align() {
	if w.n > 0 {
		w.bits(0, 16-w.n)
	}
}

// lzxBlockPlan is one block to emit; size 0 means "the rest of the input".
type lzxBlockPlan struct {
	typ  int
	size int
}

// lzxEncoder compresses one folder.
type lzxEncoder struct {
	windowBits int
	e8size     uint32 // 0: translation off
	noRepeats  bool   // never use R0-R2 slots (to exercise verbatim offsets)

	w          lzxBitWriter
	slots      int
	r          [3]uint32
	mainLens   []uint8
	lengthLens []uint8
	frameEnds  []int // byte offsets in w.out where each frame's data ends

	// statistics, so tests can prove what they exercised
	repeats, aligned, longLengths, longCodes, pretreeRuns, matches int
}

type lzxToken struct {
	lit    byte
	length int // 0 for a literal
	off    uint32
}

func newLZXEncoder(windowBits int, e8size uint32) *lzxEncoder {
	slots := lzxPositionSlots[windowBits]
	return &lzxEncoder{
		windowBits: windowBits,
		e8size:     e8size,
		slots:      slots,
		r:          [3]uint32{1, 1, 1},
		mainLens:   make([]uint8, 256+8*slots),
		lengthLens: make([]uint8, lzxSecondaryLength),
	}
}

// e8Translate applies the compressor's forward E8 translation in place.
func e8Translate(data []byte, size uint32) {
	for start, frame := 0, 0; start < len(data) && frame < lzxE8MaxFrames; start, frame = start+lzxFrameSize, frame+1 {
		b := data[start:min(start+lzxFrameSize, len(data))]
		if len(b) <= lzxE8Residue {
			return
		}
		for i := 0; i < len(b)-lzxE8Residue; {
			if b[i] != 0xE8 {
				i++
				continue
			}
			cur := int32(start + i)
			rel := int32(binary.LittleEndian.Uint32(b[i+1:]))
			if rel >= -cur && rel < int32(size) {
				abs := rel + cur
				if rel >= int32(size)-cur {
					abs = rel - int32(size)
				}
				binary.LittleEndian.PutUint32(b[i+1:], uint32(abs))
			}
			i += 5
		}
	}
}

// compress encodes src following plan and returns the stream.
func (e *lzxEncoder) compress(src []byte, plan []lzxBlockPlan) []byte {
	data := append([]byte(nil), src...)
	if e.e8size != 0 {
		e8Translate(data, e.e8size)
		e.w.bits(1, 1)
		e.w.bits(e.e8size>>16, 16)
		e.w.bits(e.e8size&0xffff, 16)
	} else {
		e.w.bits(0, 1)
	}
	pos := 0
	for i := 0; pos < len(data); i++ {
		p := plan[min(i, len(plan)-1)]
		size := p.size
		if size == 0 || size > len(data)-pos {
			size = len(data) - pos
		}
		switch p.typ {
		case blockUncompressed:
			e.writeStored(data, pos, size)
		default:
			e.writeCoded(data, pos, size, p.typ == blockAligned)
		}
		pos += size
	}
	e.w.align()
	if len(e.frameEnds) == 0 || e.frameEnds[len(e.frameEnds)-1] != len(e.w.out) {
		e.frameEnds = append(e.frameEnds, len(e.w.out))
	}
	return e.w.out
}

func (e *lzxEncoder) frameDone(pos int) {
	if pos%lzxFrameSize == 0 {
		e.w.align()
		e.frameEnds = append(e.frameEnds, len(e.w.out))
	}
}

func (e *lzxEncoder) writeStored(data []byte, pos, size int) {
	e.w.bits(blockUncompressed, 3)
	e.w.bits(uint32(size), 24)
	if e.w.n == 0 {
		e.w.bits(0, 16)
	}
	e.w.align()
	for _, r := range e.r {
		e.w.out = binary.LittleEndian.AppendUint32(e.w.out, r)
	}
	for i := pos; i < pos+size; i++ {
		e.w.out = append(e.w.out, data[i])
		if (i+1)%lzxFrameSize == 0 {
			e.frameEnds = append(e.frameEnds, len(e.w.out))
		}
	}
	if size%2 == 1 {
		e.w.out = append(e.w.out, 0)
		if (pos+size)%lzxFrameSize == 0 {
			e.frameEnds[len(e.frameEnds)-1]++
		}
	}
}

// tokenize finds literals and matches for data[pos:pos+size]; matches never
// cross the block end or a frame end.
func (e *lzxEncoder) tokenize(data []byte, pos, size int) []lzxToken {
	var toks []lzxToken
	end := pos + size
	maxOff := 1<<e.windowBits - 3
	r := e.r
	head := make(map[uint32]int)
	matchLen := func(i int, off int, limit int) int {
		if off <= 0 || off > i || off > maxOff {
			return 0
		}
		n := 0
		for n < limit && data[i+n] == data[i-off+n] {
			n++
		}
		return n
	}
	// seed the hash with data before the block, within the window
	for j := max(0, pos-maxOff); j+3 <= pos; j++ {
		head[uint32(data[j])|uint32(data[j+1])<<8|uint32(data[j+2])<<16] = j
	}
	for i := pos; i < end; {
		limit := min(257, end-i, (i/lzxFrameSize+1)*lzxFrameSize-i)
		bestLen, bestOff := 0, 0
		if !e.noRepeats {
			for _, ro := range r {
				if n := matchLen(i, int(ro), limit); n > bestLen {
					bestLen, bestOff = n, int(ro)
				}
			}
		}
		if i+3 <= len(data) {
			key := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16
			if j, ok := head[key]; ok {
				if n := matchLen(i, i-j, limit); n > bestLen+1 {
					bestLen, bestOff = n, i-j
				}
			}
		}
		if bestLen < 2 || (bestLen == 2 && bestOff != int(r[0])) {
			toks = append(toks, lzxToken{lit: data[i]})
			e.indexPos(head, data, i)
			i++
			continue
		}
		toks = append(toks, lzxToken{length: bestLen, off: uint32(bestOff)})
		r = nextR(r, uint32(bestOff), e.noRepeats)
		for k := 0; k < bestLen; k++ {
			e.indexPos(head, data, i+k)
		}
		i += bestLen
	}
	return toks
}

func (e *lzxEncoder) indexPos(head map[uint32]int, data []byte, i int) {
	if i+3 <= len(data) {
		head[uint32(data[i])|uint32(data[i+1])<<8|uint32(data[i+2])<<16] = i
	}
}

// nextR updates the repeated offsets the way the decoder does.
func nextR(r [3]uint32, off uint32, noRepeats bool) [3]uint32 {
	switch {
	case !noRepeats && off == r[0]:
	case !noRepeats && off == r[1]:
		r[0], r[1] = r[1], r[0]
	case !noRepeats && off == r[2]:
		r[0], r[2] = r[2], r[0]
	default:
		r[0], r[1], r[2] = off, r[0], r[1]
	}
	return r
}

// slotFor returns the position slot and the verbatim value of a formatted
// offset (offset + 2).
func slotFor(f uint32) (slot int, v uint32) {
	for s := len(lzxPositionBase) - 1; s >= 0; s-- {
		if lzxPositionBase[s] <= f {
			return s, f - lzxPositionBase[s]
		}
	}
	panic("unreachable")
}

type lzxSym struct {
	main     int
	length   int // -1: none
	slot     int
	v        uint32
	isRepeat bool
}

func (e *lzxEncoder) symbols(toks []lzxToken) []lzxSym {
	syms := make([]lzxSym, len(toks))
	for i, t := range toks {
		if t.length == 0 {
			syms[i] = lzxSym{main: int(t.lit), length: -1}
			continue
		}
		s := lzxSym{length: -1}
		switch {
		case !e.noRepeats && t.off == e.r[0]:
			s.slot, s.isRepeat = 0, true
		case !e.noRepeats && t.off == e.r[1]:
			s.slot, s.isRepeat = 1, true
		case !e.noRepeats && t.off == e.r[2]:
			s.slot, s.isRepeat = 2, true
		default:
			s.slot, s.v = slotFor(t.off + 2)
		}
		e.r = nextR(e.r, t.off, e.noRepeats)
		header := min(t.length-lzxMinMatch, lzxPrimaryLengths)
		if header == lzxPrimaryLengths {
			s.length = t.length - lzxMinMatch - lzxPrimaryLengths
		}
		s.main = 256 + s.slot*8 + header
		syms[i] = s
	}
	return syms
}

func (e *lzxEncoder) writeCoded(data []byte, pos, size int, aligned bool) {
	toks := e.tokenize(data, pos, size)
	syms := e.symbols(toks)
	mainFreq := make([]int, len(e.mainLens))
	lenFreq := make([]int, lzxSecondaryLength)
	var alFreq [8]int
	for _, s := range syms {
		mainFreq[s.main]++
		if s.length >= 0 {
			lenFreq[s.length]++
		}
		if s.main >= 256 && !s.isRepeat && aligned && lzxExtraBits[s.slot] >= 3 {
			alFreq[s.v&7]++
		}
	}
	mainLens := huffLengths(mainFreq, 16)
	lengthLens := huffLengths(lenFreq, 16)
	alignedLens := huffLengths(alFreq[:], 7)
	typ := uint32(blockVerbatim)
	if aligned {
		typ = blockAligned
	}
	e.w.bits(typ, 3)
	e.w.bits(uint32(size), 24)
	if aligned {
		for _, l := range alignedLens {
			e.w.bits(uint32(l), 3)
		}
	}
	e.writeLengths(e.mainLens[:256], mainLens[:256])
	e.writeLengths(e.mainLens[256:], mainLens[256:])
	e.writeLengths(e.lengthLens, lengthLens)
	copy(e.mainLens, mainLens)
	copy(e.lengthLens, lengthLens)
	mainCodes, lenCodes, alCodes := canonical(mainLens), canonical(lengthLens), canonical(alignedLens)
	for _, l := range mainLens {
		if l > 10 {
			e.longCodes++
		}
	}
	p := pos
	for _, s := range syms {
		e.w.bits(mainCodes[s.main], uint(mainLens[s.main]))
		if s.main < 256 {
			p++
			e.frameDone(p)
			continue
		}
		e.matches++
		if s.length >= 0 {
			e.longLengths++
			e.w.bits(lenCodes[s.length], uint(lengthLens[s.length]))
		}
		length := (s.main-256)&7 + lzxMinMatch
		if s.length >= 0 {
			length += s.length
		}
		if s.isRepeat {
			e.repeats++
		} else if extra := uint(lzxExtraBits[s.slot]); aligned && extra >= 3 {
			e.aligned++
			e.w.bits(s.v>>3, extra-3)
			e.w.bits(alCodes[s.v&7], uint(alignedLens[s.v&7]))
		} else {
			e.w.bits(s.v, extra)
		}
		p += length
		e.frameDone(p)
	}
}

// writeLengths sends cur as pretree-coded deltas from prev, using runs.
func (e *lzxEncoder) writeLengths(prev, cur []uint8) {
	type ptok struct {
		sym, extra int
		nbits      uint
		sym2       int
	}
	var toks []ptok
	delta := func(i int, v uint8) int { return (int(prev[i]) - int(v) + 17) % 17 }
	for i := 0; i < len(cur); {
		run := 1
		for i+run < len(cur) && cur[i+run] == cur[i] {
			run++
		}
		switch {
		case cur[i] == 0 && run >= 20:
			n := min(run, 51)
			toks = append(toks, ptok{sym: 18, extra: n - 20, nbits: 5})
			i += n
		case cur[i] == 0 && run >= 4:
			n := min(run, 19)
			toks = append(toks, ptok{sym: 17, extra: n - 4, nbits: 4})
			i += n
		case run >= 4:
			n := min(run, 5)
			toks = append(toks, ptok{sym: 19, extra: n - 4, nbits: 1, sym2: delta(i, cur[i])})
			i += n
		default:
			toks = append(toks, ptok{sym: delta(i, cur[i])})
			i++
		}
	}
	freq := make([]int, lzxPretreeSize)
	for _, t := range toks {
		freq[t.sym]++
		if t.sym == 19 {
			freq[t.sym2]++
		}
		if t.sym >= 17 {
			e.pretreeRuns++
		}
	}
	lens := huffLengths(freq, 15)
	codes := canonical(lens)
	for _, l := range lens {
		e.w.bits(uint32(l), 4)
	}
	for _, t := range toks {
		e.w.bits(codes[t.sym], uint(lens[t.sym]))
		e.w.bits(uint32(t.extra), t.nbits)
		if t.sym == 19 {
			e.w.bits(codes[t.sym2], uint(lens[t.sym2]))
		}
	}
}

// huffLengths returns Huffman code lengths for freq, at most maxLen long,
// forming a complete code whenever any symbol is used (a lone symbol gets a
// partner). Too-deep trees fall back to near-equal lengths.
func huffLengths(freq []int, maxLen int) []uint8 {
	lens := make([]uint8, len(freq))
	var used []int
	for s, f := range freq {
		if f > 0 {
			used = append(used, s)
		}
	}
	switch len(used) {
	case 0:
		return lens
	case 1:
		other := 0
		if used[0] == 0 {
			other = 1
		}
		used = append(used, other)
		sort.Ints(used)
	}
	type node struct {
		w           int
		left, right int // -1 for leaves
		sym         int
	}
	nodes := make([]node, 0, 2*len(used))
	live := make([]int, 0, len(used))
	for _, s := range used {
		nodes = append(nodes, node{w: max(freq[s], 1), left: -1, right: -1, sym: s})
		live = append(live, len(nodes)-1)
	}
	for len(live) > 1 {
		sort.SliceStable(live, func(a, b int) bool { return nodes[live[a]].w < nodes[live[b]].w })
		a, b := live[0], live[1]
		nodes = append(nodes, node{w: nodes[a].w + nodes[b].w, left: a, right: b})
		live = append([]int{len(nodes) - 1}, live[2:]...)
	}
	var walk func(n, depth int) bool
	walk = func(n, depth int) bool {
		if nodes[n].left < 0 {
			lens[nodes[n].sym] = uint8(depth)
			return depth <= maxLen
		}
		return walk(nodes[n].left, depth+1) && walk(nodes[n].right, depth+1)
	}
	if walk(live[0], 0) {
		return lens
	}
	// Balanced: 2^(L+1)-k symbols of length L, the rest L+1.
	k := len(used)
	L := 0
	for 1<<(L+1) <= k {
		L++
	}
	short := 1<<(L+1) - k
	clear(lens)
	for i, s := range used {
		if i < short {
			lens[s] = uint8(L)
		} else {
			lens[s] = uint8(L + 1)
		}
	}
	return lens
}

// canonical assigns canonical codes: shorter first, then by symbol.
func canonical(lens []uint8) []uint32 {
	var count [17]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	var next [18]uint32
	code := uint32(0)
	for l := 1; l <= 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	codes := make([]uint32, len(lens))
	for s, l := range lens {
		if l > 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

// lzxCabinet wraps an LZX stream into a one-file cabinet, one CFDATA per
// frame (as Microsoft's compressor does) unless split is set, in which case
// the compressed bytes are cut every split bytes instead.
func lzxCabinet(name string, windowBits int, size int, stream []byte, frameEnds []int, split int) []byte {
	var cuts []int
	if split > 0 {
		for c := split; c < len(stream); c += split {
			cuts = append(cuts, c)
		}
		cuts = append(cuts, len(stream))
	} else {
		cuts = frameEnds
	}
	le := binary.LittleEndian
	var blocks []byte
	start, left := 0, size
	for i, c := range cuts {
		uncomp := min(left, lzxFrameSize)
		if split > 0 {
			// spread the output over the blocks; the decoder ignores it
			uncomp = size / len(cuts)
			if i == len(cuts)-1 {
				uncomp = left
			}
		}
		left -= uncomp
		var h [8]byte
		le.PutUint16(h[4:], uint16(c-start))
		le.PutUint16(h[6:], uint16(uncomp))
		le.PutUint32(h[0:], checksum(h[4:8], checksum(stream[start:c], 0)))
		blocks = append(append(blocks, h[:]...), stream[start:c]...)
		start = c
	}
	coffFiles := headerSize + folderSize
	dataOff := coffFiles + fileSize + len(name) + 1
	h := make([]byte, 0, dataOff+len(blocks))
	h = append(h, "MSCF"...)
	h = le.AppendUint32(h, 0)
	h = le.AppendUint32(h, uint32(dataOff+len(blocks)))
	h = le.AppendUint32(h, 0)
	h = le.AppendUint32(h, uint32(coffFiles))
	h = le.AppendUint32(h, 0)
	h = append(h, 3, 1)
	h = le.AppendUint16(h, 1) // folders
	h = le.AppendUint16(h, 1) // files
	h = le.AppendUint16(h, 0) // flags
	h = le.AppendUint16(h, 0) // setID
	h = le.AppendUint16(h, 0) // iCabinet
	h = le.AppendUint32(h, uint32(dataOff))
	h = le.AppendUint16(h, uint16(len(cuts)))
	h = le.AppendUint16(h, uint16(LZX(windowBits)))
	h = le.AppendUint32(h, uint32(size))
	h = le.AppendUint32(h, 0)
	h = le.AppendUint16(h, 0)
	h = le.AppendUint16(h, 0)
	h = le.AppendUint16(h, 0)
	h = le.AppendUint16(h, 0)
	h = append(append(h, name...), 0)
	return append(h, blocks...)
}
