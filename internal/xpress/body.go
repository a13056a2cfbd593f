package xpress

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	// MaxBlockSize is the largest uncompressed (and compressed) block size
	// MS-WUSP §2.1.1 allows.
	MaxBlockSize = 65535

	// BlockSize is the uncompressed block size EncodeBody and Writer use.
	// MS-WUSP §7 note 8 says Windows uses 65,535, but WSUS on Windows Server
	// 2025 was observed cutting bodies into 16,352-byte blocks, and that is
	// the only block size a Windows Update Agent is known to have decoded
	// (protocol-wsusss.md §13). Any size up to MaxBlockSize is valid.
	BlockSize = 16352

	// ContentEncoding is the HTTP Content-Encoding and Accept-Encoding token.
	ContentEncoding = "xpress"

	headerSize = 8
)

// EncodeBody appends to dst the xpress content encoding of src (MS-WUSP
// §2.1.1): src is cut into BlockSize blocks; each is written as a header of
// two little-endian int32 values, original size then compressed size,
// followed by its DIRECT2 stream. A block that does not shrink is written
// stored, with compressed == original and the raw bytes, as WSUS does. An
// empty src encodes to nothing.
func EncodeBody(dst, src []byte) []byte {
	var c compressor
	for len(src) > 0 {
		n := min(len(src), BlockSize)
		dst = c.appendBlock(dst, src[:n])
		src = src[n:]
	}
	return dst
}

// appendBlock appends one framed block holding blk (len(blk) <= MaxBlockSize).
func (c *compressor) appendBlock(dst, blk []byte) []byte {
	hdr := len(dst)
	dst = append(dst, make([]byte, headerSize)...)
	dst = c.compress(dst, blk)
	clen := len(dst) - hdr - headerSize
	if clen >= len(blk) {
		// Stored block: compression did not help.
		dst = append(dst[:hdr+headerSize], blk...)
		clen = len(blk)
	}
	binary.LittleEndian.PutUint32(dst[hdr:], uint32(len(blk)))
	binary.LittleEndian.PutUint32(dst[hdr+4:], uint32(clen))
	return dst
}

// DecodeBody decodes an xpress-encoded HTTP body (MS-WUSP §2.1.1). It
// accepts any sequence of blocks up to MaxBlockSize, each either a DIRECT2
// stream or stored (compressed == original), and an empty body. It returns
// an error wrapping ErrCorrupt for a truncated or invalid body (including
// trailing bytes that are not a whole block, and a block that decodes to a
// size other than its header says), and ErrTooLarge when the decoded body
// would exceed maxOut bytes; the check happens before each block is decoded.
func DecodeBody(src []byte, maxOut int) ([]byte, error) {
	var out []byte
	for off := 0; off < len(src); {
		if len(src)-off < headerSize {
			return out, corrupt("truncated block header", off)
		}
		orig := int32(binary.LittleEndian.Uint32(src[off:]))
		clen := int32(binary.LittleEndian.Uint32(src[off+4:]))
		if orig < 0 || orig > MaxBlockSize || clen < 0 || clen > MaxBlockSize {
			return out, corrupt(fmt.Sprintf("block sizes %d/%d out of range", orig, clen), off)
		}
		body := off + headerSize
		if int(clen) > len(src)-body {
			return out, corrupt("block runs past the body", off)
		}
		if int(orig) > maxOut-len(out) {
			return out, tooLarge(maxOut)
		}
		blk := src[body : body+int(clen)]
		var err error
		switch {
		case orig == clen:
			out = append(out, blk...) // stored block
		case orig == 0:
			return out, corrupt("empty block with a payload", off)
		default:
			out, err = decompress(out, blk, int(orig), true)
			if err != nil {
				return out, fmt.Errorf("block at body offset %d: %w", off, err)
			}
		}
		off = body + int(clen)
	}
	return out, nil
}

// Writer is an io.WriteCloser that xpress-encodes everything written to it
// into an underlying writer, block by block, so that large responses need
// not be held in memory twice. Close flushes the last block; it does not
// close the underlying writer.
type Writer struct {
	w   io.Writer
	buf []byte // pending uncompressed bytes, < BlockSize after each Write
	out []byte // scratch for one encoded block
	c   *compressor
	err error
}

// NewWriter returns a Writer that encodes into w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, buf: make([]byte, 0, BlockSize), c: new(compressor)}
}

// Write buffers p and writes every complete block. It returns the first
// error of the underlying writer.
func (z *Writer) Write(p []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), BlockSize-len(z.buf))
		z.buf = append(z.buf, p[:k]...)
		p = p[k:]
		if len(z.buf) == BlockSize {
			if err := z.flushBlock(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (z *Writer) flushBlock() error {
	if len(z.buf) == 0 {
		return nil
	}
	z.out = z.c.appendBlock(z.out[:0], z.buf)
	z.buf = z.buf[:0]
	if _, err := z.w.Write(z.out); err != nil {
		z.err = err
		return err
	}
	return nil
}

// Close writes the last partial block. Later Writes fail.
func (z *Writer) Close() error {
	if z.err != nil {
		return z.err
	}
	err := z.flushBlock()
	if err == nil {
		z.err = errClosed
	}
	return err
}

var errClosed = errors.New("xpress: write to closed Writer")
