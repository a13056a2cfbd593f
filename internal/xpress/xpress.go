// Package xpress implements the "xpress" HTTP content encoding of MS-WUSP
// §2.1.1: a body cut into blocks of at most 65,535 bytes, each block
// compressed with CompressOrDecompressWin2k3 (LZ77 + DIRECT2, §2.1.1.1),
// which is the bitstream MS-XCA §2.3/§2.4 calls "Plain LZ77".
//
// Compress and Decompress work on one DIRECT2 stream; EncodeBody and
// DecodeBody add the block framing that goes on the wire.
package xpress

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
)

// Errors returned by Decompress and DecodeBody. They are wrapped with
// position information; test them with errors.Is.
var (
	// ErrCorrupt means the input is not a valid stream: it ends early, a
	// match points before the start of the output, or a length is invalid.
	ErrCorrupt = errors.New("xpress: corrupt input")
	// ErrTooLarge means the output would exceed the caller's limit.
	ErrTooLarge = errors.New("xpress: output exceeds limit")
)

const (
	// windowSize is the largest match offset: 13 bits of offset−1
	// (MS-WUSP §2.1.1.1.2 "Metadata Offset"; MS-XCA §2.3.4 "MatchOffset <= 2^13").
	windowSize = 1 << 13
	// minMatch is the shortest match DIRECT2 can express (MS-WUSP §2.1.1.1.1).
	minMatch = 3
	// maxMatch is the longest match expressible with the 16-bit length field
	// (MS-WUSP §2.1.1.1.2: "up to 65,535 bytes + 3 bytes"). The MS-XCA 32-bit
	// extension is decoded but never produced.
	maxMatch = 0xFFFF + minMatch

	hashBits  = 14
	hashSize  = 1 << hashBits
	maxChain  = 48  // candidates examined per position
	goodMatch = 258 // stop searching once a match this long is found
)

// Compress appends to dst the DIRECT2 encoding of src (MS-WUSP §2.1.1.1,
// MS-XCA §2.3.4) and returns the extended slice. The stream always ends with
// the terminating flag bit MS-WUSP §2.1.1.1.2 requires. Compress never
// fails; an empty src yields a single flag word.
//
// Matches are found greedily with a hash chain over the 8,192-byte window.
// Compress is deterministic and safe for concurrent use.
func Compress(dst, src []byte) []byte {
	var c compressor
	return c.compress(dst, src)
}

// compressor holds the match-finder tables so that EncodeBody can reuse them
// across blocks without reallocating.
type compressor struct {
	head [hashSize]int32   // last position+1 with this hash, 0 = none
	prev [windowSize]int32 // previous position+1 with the same hash, by pos & (windowSize-1)
}

func hash3(b []byte) uint32 {
	v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	return (v * 2654435761) >> (32 - hashBits)
}

func (c *compressor) compress(dst, src []byte) []byte {
	clear(c.head[:])
	out := dst
	flagPos := len(out)
	out = append(out, 0, 0, 0, 0)
	var flags uint32
	flagCount := 0
	halfByte := -1 // index in out of the byte whose high nibble is free

	emitFlag := func(bit uint32) {
		flags = flags<<1 | bit
		flagCount++
		if flagCount == 32 {
			binary.LittleEndian.PutUint32(out[flagPos:], flags)
			flagCount = 0
			flags = 0
			flagPos = len(out)
			out = append(out, 0, 0, 0, 0)
		}
	}

	n := len(src)
	insert := func(p int) {
		if p+minMatch > n {
			return
		}
		h := hash3(src[p:])
		c.prev[p&(windowSize-1)] = c.head[h]
		c.head[h] = int32(p + 1)
	}

	for i := 0; i < n; {
		bestLen, bestOff := 0, 0
		if i+minMatch <= n {
			h := hash3(src[i:])
			limit := n - i
			if limit > maxMatch {
				limit = maxMatch
			}
			cand := int(c.head[h]) - 1
			for chain := 0; cand >= 0 && chain < maxChain; chain++ {
				off := i - cand
				if off > windowSize || off <= 0 {
					break
				}
				if src[cand+bestLen] == src[i+bestLen] || bestLen == 0 {
					l := 0
					for l < limit && src[cand+l] == src[i+l] {
						l++
					}
					if l > bestLen {
						bestLen, bestOff = l, off
						if l >= goodMatch || l == limit {
							break
						}
					}
				}
				next := int(c.prev[cand&(windowSize-1)]) - 1
				if next >= cand {
					break // the slot was overwritten by a newer position
				}
				cand = next
			}
		}
		if bestLen < minMatch {
			out = append(out, src[i])
			emitFlag(0)
			insert(i)
			i++
			continue
		}
		// Match token: (offset−1)<<3 | min(length−3, 7), MS-XCA §2.3.4.
		length := bestLen - minMatch
		token := uint16(bestOff-1) << 3
		if length < 7 {
			out = binary.LittleEndian.AppendUint16(out, token|uint16(length))
		} else {
			out = binary.LittleEndian.AppendUint16(out, token|7)
			length -= 7
			nibble := min(length, 15)
			if halfByte < 0 {
				halfByte = len(out)
				out = append(out, byte(nibble))
			} else {
				out[halfByte] |= byte(nibble) << 4
				halfByte = -1
			}
			if length >= 15 {
				length -= 15
				if length < 255 {
					out = append(out, byte(length))
				} else {
					out = append(out, 255)
					out = binary.LittleEndian.AppendUint16(out, uint16(bestLen-minMatch))
				}
			}
		}
		emitFlag(1)
		for j := i; j < i+bestLen; j++ {
			insert(j)
		}
		i += bestLen
	}
	// Pad the last flag word with 1 bits: the first of them is the end
	// marker (MS-WUSP §2.1.1.1.2 "The final end bit is always necessary").
	// If the word was just flushed, the fresh word becomes all ones.
	flags = flags<<(32-flagCount) | (1<<(32-flagCount) - 1)
	binary.LittleEndian.PutUint32(out[flagPos:], flags)
	return out
}

// Decompress decodes one DIRECT2 stream (MS-WUSP §2.1.1.1, MS-XCA §2.4.4)
// whose uncompressed size is unknown: decoding stops at the end-of-stream
// flag bit, that is a match flag with no input left. It returns ErrCorrupt
// (wrapped) for invalid input and ErrTooLarge when the output would exceed
// maxOut bytes. It never panics, and the output never grows past maxOut.
func Decompress(src []byte, maxOut int) ([]byte, error) {
	return decompress(nil, src, maxOut, false)
}

// decompress appends the decoding of src to dst. With exact set, decoding
// stops as soon as len(out)−len(dst) reaches limit, and reaching the end of
// the input before that is an error; the end marker is then optional, as
// the block header already gives the size (MS-WUSP §2.1.1).
func decompress(dst, src []byte, limit int, exact bool) ([]byte, error) {
	base := len(dst)
	out := dst
	in := 0
	var flags uint32
	flagCount := 0
	halfByte := -1

	for {
		if exact && len(out)-base == limit {
			// Only the end-marker bits may remain: nothing, or the fresh
			// all-ones flag word an encoder writes when the previous word
			// filled up exactly.
			if rest := len(src) - in; rest == 0 || (flagCount == 0 && rest == 4) {
				return out, nil
			}
			return out, corrupt("data after the end of the block", in)
		}
		if flagCount == 0 {
			if len(src)-in < 4 {
				if !exact && in == len(src) && len(out) > base {
					// Tolerate a stream that ends exactly where a fresh flag
					// word would begin; some encoders omit a trailing all-ones
					// word when output is complete.
					return out, nil
				}
				return out, corrupt("truncated flag word", in)
			}
			flags = binary.LittleEndian.Uint32(src[in:])
			in += 4
			flagCount = 32
		}
		flagCount--
		if flags&(1<<flagCount) == 0 {
			if in >= len(src) {
				return out, corrupt("truncated literal", in)
			}
			if len(out)-base >= limit {
				return out, tooLarge(limit)
			}
			out = append(out, src[in])
			in++
			continue
		}
		if in == len(src) {
			if exact {
				return out, corrupt("stream ended before the block size", in)
			}
			return out, nil // end-of-stream marker
		}
		if len(src)-in < 2 {
			return out, corrupt("truncated match", in)
		}
		tok := int(binary.LittleEndian.Uint16(src[in:]))
		in += 2
		offset := tok>>3 + 1
		length := tok & 7
		if length == 7 {
			if halfByte < 0 {
				if in >= len(src) {
					return out, corrupt("truncated length nibble", in)
				}
				halfByte = in
				length = int(src[in] & 0x0F)
				in++
			} else {
				length = int(src[halfByte] >> 4)
				halfByte = -1
			}
			if length == 15 {
				if in >= len(src) {
					return out, corrupt("truncated length byte", in)
				}
				length = int(src[in])
				in++
				if length == 255 {
					if len(src)-in < 2 {
						return out, corrupt("truncated length word", in)
					}
					length = int(binary.LittleEndian.Uint16(src[in:]))
					in += 2
					if length == 0 {
						// MS-XCA §2.4.4: a zero word announces a 32-bit length.
						if len(src)-in < 4 {
							return out, corrupt("truncated length dword", in)
						}
						length = int(binary.LittleEndian.Uint32(src[in:]))
						in += 4
					}
					if length < 15+7 {
						return out, corrupt("invalid long length", in)
					}
					length -= 15 + 7
				}
				length += 15
			}
			length += 7
		}
		length += minMatch
		produced := len(out) - base
		if offset > produced {
			return out, corrupt("match before start of output", in)
		}
		if length > limit-produced {
			if exact {
				return out, corrupt("match runs past the block size", in)
			}
			return out, tooLarge(limit)
		}
		// The copy may overlap its own output (length > offset), so the
		// pattern of offset bytes repeats: copy it in doubling chunks,
		// each a whole number of periods long.
		start := len(out) - offset
		pos := len(out)
		out = slices.Grow(out, length)[:pos+length]
		k := copy(out[pos:], out[start:pos])
		for k < length {
			k += copy(out[pos+k:], out[start:pos+k])
		}
	}
}

type posError struct {
	err    error
	reason string
	pos    int
}

func (e *posError) Error() string {
	return e.err.Error() + ": " + e.reason + " at input offset " + strconv.Itoa(e.pos)
}

func (e *posError) Unwrap() error { return e.err }

func corrupt(reason string, pos int) error {
	return &posError{err: ErrCorrupt, reason: reason, pos: pos}
}

func tooLarge(limit int) error {
	return &posError{err: ErrTooLarge, reason: "limit " + strconv.Itoa(limit), pos: -1}
}
