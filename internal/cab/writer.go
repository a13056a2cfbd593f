package cab

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// FileEntry is a file for Write and WriteFolders.
type FileEntry struct {
	// Name is stored as szName: 1 to 255 bytes, no NUL, directories
	// separated by '\'. A name that is not ASCII gets AttrNameIsUTF.
	Name string
	Data []byte
	// Modified becomes the MS-DOS date and time; the zero Time, or one
	// outside 1980-2107, writes zeros (as WSUS does in update blobs).
	Modified time.Time
	// Attributes are the CFFILE attribs; AttrNameIsUTF is set by the writer.
	Attributes uint16
}

// FolderEntry is one CFFOLDER for WriteFolders: files compressed together.
type FolderEntry struct {
	Compression Compression // CompressNone or CompressMSZIP
	Files       []FileEntry
}

// Write writes a single-cabinet, single-folder cabinet holding files, using
// compression CompressNone or CompressMSZIP. Every CFDATA block carries a
// checksum. It returns errors wrapping ErrUnsupported for other compressions
// and ErrTooLarge when counts or sizes overflow the format's fields.
func Write(w io.Writer, files []FileEntry, compression Compression) error {
	return WriteFolders(w, []FolderEntry{{Compression: compression, Files: files}})
}

// WriteFolders writes a cabinet with one CFFOLDER per entry, in order (MS-CAB
// 2.1-2.4). Blocks hold 32,768 uncompressed bytes except each folder's last.
// The whole compressed cabinet is built in memory before it is written.
func WriteFolders(w io.Writer, folders []FolderEntry) error {
	nFiles := 0
	for _, fo := range folders {
		nFiles += len(fo.Files)
	}
	if len(folders) > 0xffff || nFiles > 0xffff {
		return fmt.Errorf("%d folders and %d files exceed 65535: %w", len(folders), nFiles, ErrTooLarge)
	}
	le := binary.LittleEndian
	var files bytes.Buffer
	blocks := make([][][]byte, len(folders))
	for i, fo := range folders {
		var off uint64
		for _, f := range fo.Files {
			if err := checkName(f.Name); err != nil {
				return err
			}
			if off+uint64(len(f.Data)) > 0xffffffff {
				return fmt.Errorf("folder %d exceeds 4 GiB at %q: %w", i, f.Name, ErrTooLarge)
			}
			attrs := f.Attributes &^ AttrNameIsUTF
			if !isASCII(f.Name) {
				attrs |= AttrNameIsUTF
			}
			date, tm := dosTime(f.Modified)
			var h [fileSize]byte
			le.PutUint32(h[0:], uint32(len(f.Data)))
			le.PutUint32(h[4:], uint32(off))
			le.PutUint16(h[8:], uint16(i))
			le.PutUint16(h[10:], date)
			le.PutUint16(h[12:], tm)
			le.PutUint16(h[14:], attrs)
			files.Write(h[:])
			files.WriteString(f.Name)
			files.WriteByte(0)
			off += uint64(len(f.Data))
		}
		b, err := compressFolder(fo)
		if err != nil {
			return fmt.Errorf("folder %d: %w", i, err)
		}
		if len(b) > 0xffff {
			return fmt.Errorf("folder %d needs %d blocks, more than 65535: %w", i, len(b), ErrTooLarge)
		}
		blocks[i] = b
	}

	coffFiles := headerSize + folderSize*len(folders)
	dataStart := uint64(coffFiles + files.Len())
	total := dataStart
	for _, fb := range blocks {
		for _, b := range fb {
			total += uint64(len(b))
		}
	}
	if total > 0xffffffff {
		return fmt.Errorf("cabinet of %d bytes exceeds 4 GiB: %w", total, ErrTooLarge)
	}

	var head bytes.Buffer
	var h [headerSize]byte
	copy(h[0:], "MSCF")
	le.PutUint32(h[8:], uint32(total))
	le.PutUint32(h[16:], uint32(coffFiles))
	h[24], h[25] = 3, 1 // version 1.3
	le.PutUint16(h[26:], uint16(len(folders)))
	le.PutUint16(h[28:], uint16(nFiles))
	head.Write(h[:])
	off := dataStart
	for i, fo := range folders {
		var f [folderSize]byte
		le.PutUint32(f[0:], uint32(off))
		le.PutUint16(f[4:], uint16(len(blocks[i])))
		le.PutUint16(f[6:], uint16(fo.Compression))
		head.Write(f[:])
		for _, b := range blocks[i] {
			off += uint64(len(b))
		}
	}
	head.Write(files.Bytes())
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	for _, fb := range blocks {
		for _, b := range fb {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// compressFolder returns the folder's CFDATA blocks, headers included.
func compressFolder(fo FolderEntry) ([][]byte, error) {
	if m := fo.Compression; m != CompressNone && m != CompressMSZIP {
		return nil, fmt.Errorf("writing %v: %w", m, ErrUnsupported)
	}
	readers := make([]io.Reader, len(fo.Files))
	for i, f := range fo.Files {
		readers[i] = bytes.NewReader(f.Data)
	}
	src := io.MultiReader(readers...)
	var blocks [][]byte
	var dict []byte
	chunk := make([]byte, mszipWindow)
	for {
		n, err := io.ReadFull(src, chunk)
		if n == 0 {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		raw := chunk[:n]
		block := make([]byte, dataHeaderSize, dataHeaderSize+n+16)
		if fo.Compression == CompressMSZIP {
			z, err := deflateBlock(raw, dict)
			if err != nil {
				return nil, err
			}
			block = append(append(block, 'C', 'K'), z...)
			dict = append(dict[:0], raw...)
		} else {
			block = append(block, raw...)
		}
		cbData := len(block) - dataHeaderSize
		if cbData > 0xffff {
			return nil, fmt.Errorf("compressed block of %d bytes: %w", cbData, ErrTooLarge)
		}
		binary.LittleEndian.PutUint16(block[4:], uint16(cbData))
		binary.LittleEndian.PutUint16(block[6:], uint16(n))
		binary.LittleEndian.PutUint32(block[0:], checksum(block[4:8], checksum(block[dataHeaderSize:], 0)))
		blocks = append(blocks, block)
	}
	return blocks, nil
}

func checkName(name string) error {
	if name == "" || len(name) >= maxName || strings.IndexByte(name, 0) >= 0 || !utf8.ValidString(name) {
		return fmt.Errorf("file name %q: want 1-255 bytes of UTF-8 without NUL: %w", name, ErrFormat)
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dosTime encodes t as an MS-DOS date and time (2-second resolution).
func dosTime(t time.Time) (date, tm uint16) {
	if t.IsZero() || t.Year() < 1980 || t.Year() > 2107 {
		return 0, 0
	}
	date = uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	tm = uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	return date, tm
}
