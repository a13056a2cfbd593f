// Package cab reads and writes Microsoft Cabinet files (MS-CAB, "MSCF"):
// stored, MSZIP and LZX folders on read, stored and MSZIP on write. It is how
// Patchbay decodes XmlUpdateBlobCompressed (MS-WSUSSS §3.1.4.6.3.3: a cabinet
// holding one file, "blob", LZX with a 2 MB window) and looks inside .cab
// content.
//
// Readers treat every header field as hostile: they never panic, size their
// buffers from the input length and fixed format limits, verify non-zero
// CFDATA checksums, and refuse files larger than a caller-visible limit.
// Malformed input yields errors wrapping [ErrFormat] (or [ErrChecksum],
// [ErrUnsupported], [ErrTooLarge], [ErrNotFound]).
//
// Format references: "Microsoft Cabinet Format" (MS-CAB, CFHEADER, CFFOLDER,
// CFFILE, CFDATA), "MS-MCI: Microsoft ZIP (MSZIP) Compression and
// Decompression Data Structure", and "Microsoft LZX Data Compression Format"
// (1997), whose bitstream MS-PATCH §2 restates.
package cab

import (
	"errors"
	"fmt"
)

// Errors returned, wrapped, by this package; test with errors.Is.
var (
	// ErrFormat reports a malformed cabinet or compressed stream.
	ErrFormat = errors.New("cab: malformed cabinet")
	// ErrChecksum reports a CFDATA block whose non-zero checksum does not match.
	ErrChecksum = errors.New("cab: checksum mismatch")
	// ErrUnsupported reports a valid but unsupported feature: Quantum
	// compression, or a file continued from or into another cabinet.
	ErrUnsupported = errors.New("cab: unsupported cabinet feature")
	// ErrTooLarge reports a file larger than the caller's limit.
	ErrTooLarge = errors.New("cab: file exceeds size limit")
	// ErrNotFound reports a file name the cabinet does not contain.
	ErrNotFound = errors.New("cab: file not found")
)

// DefaultLimit is the largest file, in bytes, that readers return when the
// caller's limit is zero or negative: 1 GiB, enough for update content.
const DefaultLimit = 1 << 30

// DefaultBlobLimit is the limit ExtractBlob applies when given none: 64 MiB,
// far above any update XML document.
const DefaultBlobLimit = 64 << 20

// Compression is a CFFOLDER typeCompress value: the method in bits 0-3 and,
// for LZX and Quantum, parameters in bits 4-12 (MS-CAB 2.2).
type Compression uint16

// Compression methods. For LZX use [LZX] to set the window size.
const (
	CompressNone    Compression = 0x0000 // tcompTYPE_NONE: stored
	CompressMSZIP   Compression = 0x0001 // tcompTYPE_MSZIP: deflate blocks
	CompressQuantum Compression = 0x0002 // tcompTYPE_QUANTUM: not supported
	CompressLZX     Compression = 0x0003 // tcompTYPE_LZX: window in bits 8-12
)

// LZX returns the LZX typeCompress for a window of 2^windowBits bytes
// (15..21); XmlUpdateBlobCompressed uses LZX(21), i.e. 0x1503.
func LZX(windowBits int) Compression {
	return CompressLZX | Compression(windowBits&0x1f)<<8
}

// Method returns the compression method (bits 0-3), e.g. CompressLZX.
func (c Compression) Method() Compression { return c & 0x000f }

// WindowBits returns the LZX window exponent (bits 8-12).
func (c Compression) WindowBits() int { return int(c>>8) & 0x1f }

// String names the method, with the window for LZX.
func (c Compression) String() string {
	switch c.Method() {
	case CompressNone:
		return "none"
	case CompressMSZIP:
		return "mszip"
	case CompressQuantum:
		return "quantum"
	case CompressLZX:
		return fmt.Sprintf("lzx:%d", c.WindowBits())
	}
	return fmt.Sprintf("unknown(%#04x)", uint16(c))
}
