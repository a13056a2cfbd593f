package cab

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Fixed sizes and flags of MS-CAB 2.1-2.4.
const (
	headerSize     = 36 // CFHEADER without the optional fields
	folderSize     = 8  // CFFOLDER without abReserve
	fileSize       = 16 // CFFILE without szName
	dataHeaderSize = 8  // CFDATA without abReserve

	flagPrevCabinet    = 0x0001
	flagNextCabinet    = 0x0002
	flagReservePresent = 0x0004

	ifoldContinuedFromPrev    = 0xFFFD
	ifoldContinuedToNext      = 0xFFFE
	ifoldContinuedPrevAndNext = 0xFFFF

	maxName = 256 // CB_MAX_FILENAME
)

// AttrNameIsUTF is the CFFILE attribs bit (_A_NAME_IS_UTF) saying that szName
// is UTF-8 rather than the creator's code page.
const AttrNameIsUTF = 0x80

// File is one CFFILE entry (MS-CAB 2.3).
type File struct {
	Name       string // szName; backslash-separated as stored
	Size       int64  // cbFile: uncompressed size in bytes
	Folder     int    // index into Reader.Folders
	Offset     int64  // uoffFolderStart: offset in the folder's uncompressed data
	Date       uint16 // MS-DOS date; see Modified
	Time       uint16 // MS-DOS time; see Modified
	Attributes uint16 // attribs: _A_RDONLY 0x01, _A_HIDDEN 0x02, _A_SYSTEM 0x04, _A_ARCH 0x20, _A_EXEC 0x40, AttrNameIsUTF
	split      bool   // continued from or into another cabinet
}

// Modified returns the file's MS-DOS date and time as a time in UTC (the
// format stores no zone), or the zero Time when the date is zero.
func (f *File) Modified() time.Time {
	if f.Date == 0 {
		return time.Time{}
	}
	d, t := int(f.Date), int(f.Time)
	return time.Date(1980+d>>9, time.Month(d>>5&0x0f), d&0x1f, t>>11, t>>5&0x3f, t&0x1f*2, 0, time.UTC)
}

// Continued reports whether the file continues from or into another cabinet
// of a set (iFolder 0xFFFD-0xFFFF); such files cannot be read from this
// cabinet alone.
func (f *File) Continued() bool { return f.split }

// Folder is one CFFOLDER entry (MS-CAB 2.2): a compressed stream that holds
// the data of one or more files back to back.
type Folder struct {
	Compression Compression // typeCompress
	DataOffset  int64       // coffCabStart: offset of the first CFDATA
	Blocks      int         // cCFData
}

// Reader reads a cabinet from an io.ReaderAt. Its methods may be called
// concurrently if the underlying ReaderAt allows it; each opened file has its
// own decompressor.
type Reader struct {
	Files   []File
	Folders []Folder
	SetID   uint16 // setID, shared by the cabinets of a set
	Index   uint16 // iCabinet, this cabinet's number in its set

	// Limit is the largest file size Open and ReadFile accept; zero or
	// negative means DefaultLimit.
	Limit int64

	r           io.ReaderAt
	size        int64
	dataReserve int
}

// Open parses the headers of the cabinet of size bytes read from r. It
// returns errors wrapping ErrFormat for malformed headers. File data is read
// and verified only when a file is opened.
func Open(r io.ReaderAt, size int64) (*Reader, error) {
	if size < headerSize {
		return nil, fmt.Errorf("cabinet of %d bytes is shorter than its header: %w", size, ErrFormat)
	}
	var h [headerSize]byte
	if err := readAt(r, h[:], 0); err != nil {
		return nil, fmt.Errorf("read cfheader: %w", eofFormat(err))
	}
	if string(h[0:4]) != "MSCF" {
		return nil, fmt.Errorf("signature %q is not MSCF: %w", h[0:4], ErrFormat)
	}
	le := binary.LittleEndian
	coffFiles := int64(le.Uint32(h[16:]))
	nFolders := int(le.Uint16(h[26:]))
	nFiles := int(le.Uint16(h[28:]))
	flags := le.Uint16(h[30:])
	c := &Reader{SetID: le.Uint16(h[32:]), Index: le.Uint16(h[34:]), r: r, size: size}

	sr := io.NewSectionReader(r, headerSize, size-headerSize)
	br := bufio.NewReaderSize(sr, 512)
	folderReserve := 0
	if flags&flagReservePresent != 0 {
		var res [4]byte
		if _, err := io.ReadFull(br, res[:]); err != nil {
			return nil, fmt.Errorf("read reserve sizes: %w", eofFormat(err))
		}
		if _, err := br.Discard(int(le.Uint16(res[0:]))); err != nil {
			return nil, fmt.Errorf("skip cfheader reserve: %w", eofFormat(err))
		}
		folderReserve = int(res[2])
		c.dataReserve = int(res[3])
	}
	if flags&flagPrevCabinet != 0 {
		if err := skipStrings(br, 2); err != nil {
			return nil, fmt.Errorf("previous cabinet names: %w", err)
		}
	}
	if flags&flagNextCabinet != 0 {
		if err := skipStrings(br, 2); err != nil {
			return nil, fmt.Errorf("next cabinet names: %w", err)
		}
	}

	// Every count is bounded by the bytes that would hold it.
	if int64(nFolders)*int64(folderSize+folderReserve) > size || int64(nFiles)*(fileSize+1) > size {
		return nil, fmt.Errorf("%d folders and %d files do not fit in %d bytes: %w", nFolders, nFiles, size, ErrFormat)
	}
	c.Folders = make([]Folder, nFolders)
	rec := make([]byte, folderSize+folderReserve)
	for i := range c.Folders {
		if _, err := io.ReadFull(br, rec); err != nil {
			return nil, fmt.Errorf("read cffolder %d: %w", i, eofFormat(err))
		}
		c.Folders[i] = Folder{
			DataOffset:  int64(le.Uint32(rec[0:])),
			Blocks:      int(le.Uint16(rec[4:])),
			Compression: Compression(le.Uint16(rec[6:])),
		}
	}

	if coffFiles < headerSize || coffFiles >= size {
		return nil, fmt.Errorf("coffFiles %d outside the cabinet: %w", coffFiles, ErrFormat)
	}
	br.Reset(io.NewSectionReader(r, coffFiles, size-coffFiles))
	c.Files = make([]File, nFiles)
	var fh [fileSize]byte
	for i := range c.Files {
		if _, err := io.ReadFull(br, fh[:]); err != nil {
			return nil, fmt.Errorf("read cffile %d: %w", i, eofFormat(err))
		}
		name, err := readString(br)
		if err != nil {
			return nil, fmt.Errorf("read cffile %d name: %w", i, err)
		}
		f := File{
			Size:       int64(le.Uint32(fh[0:])),
			Offset:     int64(le.Uint32(fh[4:])),
			Date:       le.Uint16(fh[10:]),
			Time:       le.Uint16(fh[12:]),
			Attributes: le.Uint16(fh[14:]),
		}
		f.Name = decodeName(name, f.Attributes&AttrNameIsUTF != 0)
		switch iFolder := int(le.Uint16(fh[8:])); iFolder {
		case ifoldContinuedFromPrev, ifoldContinuedPrevAndNext:
			f.split = true
		case ifoldContinuedToNext:
			f.split = true
			f.Folder = nFolders - 1
		default:
			if iFolder >= nFolders {
				return nil, fmt.Errorf("cffile %q names folder %d of %d: %w", f.Name, iFolder, nFolders, ErrFormat)
			}
			f.Folder = iFolder
		}
		c.Files[i] = f
	}
	return c, nil
}

// readAt fills p from r at off; io.EOF with a full p is success, as the
// io.ReaderAt contract allows.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// eofFormat turns a short read of the headers into an ErrFormat error.
func eofFormat(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("cabinet truncated: %w", ErrFormat)
	}
	return err
}

// readString reads a NUL-terminated string of at most maxName bytes.
func readString(br *bufio.Reader) ([]byte, error) {
	var name []byte
	for {
		b, err := br.ReadByte()
		if err != nil {
			return nil, eofFormat(err)
		}
		if b == 0 {
			return name, nil
		}
		if len(name) == maxName {
			return nil, fmt.Errorf("name longer than %d bytes: %w", maxName, ErrFormat)
		}
		name = append(name, b)
	}
}

func skipStrings(br *bufio.Reader, n int) error {
	for range n {
		if _, err := readString(br); err != nil {
			return err
		}
	}
	return nil
}

// decodeName returns szName as a Go string: as-is when flagged UTF-8 (or when
// it is valid UTF-8 anyway), otherwise read as Latin-1.
func decodeName(b []byte, isUTF bool) string {
	if isUTF || utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func (c *Reader) limit() int64 {
	if c.Limit <= 0 {
		return DefaultLimit
	}
	return c.Limit
}

// Lookup returns the file called name: an exact match, else the first whose
// name matches ignoring case and treating '/' as '\' (Windows semantics).
func (c *Reader) Lookup(name string) (*File, error) {
	for i := range c.Files {
		if c.Files[i].Name == name {
			return &c.Files[i], nil
		}
	}
	want := strings.ReplaceAll(name, "/", `\`)
	for i := range c.Files {
		if strings.EqualFold(strings.ReplaceAll(c.Files[i].Name, "/", `\`), want) {
			return &c.Files[i], nil
		}
	}
	return nil, fmt.Errorf("%q: %w", name, ErrNotFound)
}

// Open returns a reader of the named file's contents (see Lookup). The caller
// closes it. Reads fail with ErrChecksum or ErrFormat on corrupt data.
func (c *Reader) Open(name string) (io.ReadCloser, error) {
	f, err := c.Lookup(name)
	if err != nil {
		return nil, err
	}
	return c.OpenFile(f)
}

// OpenFile returns a reader of f, which must come from c.Files. It fails with
// ErrTooLarge when f.Size exceeds the limit and with ErrUnsupported for a file
// split across cabinets or stored with Quantum compression.
func (c *Reader) OpenFile(f *File) (io.ReadCloser, error) {
	if f.split {
		return nil, fmt.Errorf("%q continues in another cabinet: %w", f.Name, ErrUnsupported)
	}
	if f.Size > c.limit() {
		return nil, fmt.Errorf("%q is %d bytes, limit %d: %w", f.Name, f.Size, c.limit(), ErrTooLarge)
	}
	if f.Folder < 0 || f.Folder >= len(c.Folders) {
		return nil, fmt.Errorf("%q names folder %d of %d: %w", f.Name, f.Folder, len(c.Folders), ErrFormat)
	}
	fr, err := c.openFolder(f.Folder)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", f.Name, err)
	}
	return &fileReader{name: f.Name, fr: fr, skip: f.Offset, left: f.Size}, nil
}

// ReadFile returns the named file's contents (see Lookup and OpenFile).
func (c *Reader) ReadFile(name string) ([]byte, error) {
	f, err := c.Lookup(name)
	if err != nil {
		return nil, err
	}
	rc, err := c.OpenFile(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// Trust cbFile for the allocation only up to 16 MiB; past that, grow
	// with the data actually decoded.
	if f.Size <= 16<<20 {
		b := make([]byte, f.Size)
		if _, err := io.ReadFull(rc, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Extract returns the contents of the file called name in the cabinet data,
// refusing files larger than limit (DefaultLimit when limit ≤ 0).
func Extract(data []byte, name string, limit int64) ([]byte, error) {
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	c.Limit = limit
	return c.ReadFile(name)
}

// ExtractBlob decodes an XmlUpdateBlobCompressed cabinet (MS-WSUSSS
// §3.1.4.6.3.3) after base64 decoding, and returns the bytes of its file —
// the update XML in UTF-16LE, which the caller converts. The cabinet must hold
// exactly one file (normally named "blob"); it may use any compression this
// package reads. limit bounds the result (DefaultBlobLimit when ≤ 0).
func ExtractBlob(data []byte, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultBlobLimit
	}
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	if len(c.Files) != 1 {
		return nil, fmt.Errorf("update blob cabinet holds %d files, want 1: %w", len(c.Files), ErrFormat)
	}
	c.Limit = limit
	return c.ReadFile(c.Files[0].Name)
}

// Walk calls fn for every file, decoding each folder once: files are visited
// by folder and by offset within it, not in Files order. The reader passed to
// fn is valid only during the call and yields exactly the file's bytes;
// whatever fn leaves unread is decoded and discarded. Walk stops at the first
// error, from fn or from the data, and returns it; a file over the limit or
// split across cabinets stops it with ErrTooLarge or ErrUnsupported before fn
// sees that file.
func (c *Reader) Walk(fn func(f *File, r io.Reader) error) error {
	order := make([]int, len(c.Files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa, fb := &c.Files[a], &c.Files[b]
		if fa.Folder != fb.Folder {
			return cmp.Compare(fa.Folder, fb.Folder)
		}
		return cmp.Compare(fa.Offset, fb.Offset)
	})
	var (
		fr     *folderReader
		folder = -1
		pos    int64 // bytes of fr consumed
	)
	for _, i := range order {
		f := &c.Files[i]
		if f.split {
			return fmt.Errorf("%q continues in another cabinet: %w", f.Name, ErrUnsupported)
		}
		if f.Size > c.limit() {
			return fmt.Errorf("%q is %d bytes, limit %d: %w", f.Name, f.Size, c.limit(), ErrTooLarge)
		}
		if fr == nil || f.Folder != folder || f.Offset < pos {
			var err error
			if fr, err = c.openFolder(f.Folder); err != nil {
				return fmt.Errorf("%q: %w", f.Name, err)
			}
			folder, pos = f.Folder, 0
		}
		r := &fileReader{name: f.Name, fr: fr, skip: f.Offset - pos, left: f.Size}
		if err := fn(f, r); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return err
		}
		pos = f.Offset + f.Size
	}
	return nil
}

// fileReader reads one file out of its folder's stream.
type fileReader struct {
	name string
	fr   *folderReader
	skip int64 // folder bytes before the file, still to discard
	left int64
}

func (r *fileReader) Read(p []byte) (int, error) {
	if r.skip > 0 {
		n, err := io.CopyN(io.Discard, r.fr, r.skip)
		r.skip -= n
		if err != nil {
			return 0, r.short(err)
		}
	}
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.fr.Read(p)
	r.left -= int64(n)
	if err != nil && (r.left > 0 || !errors.Is(err, io.EOF)) {
		return n, r.short(err)
	}
	return n, nil
}

func (r *fileReader) short(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%q extends past its folder's data: %w", r.name, ErrFormat)
	}
	return fmt.Errorf("%q: %w", r.name, err)
}

func (r *fileReader) Close() error { return nil }

// blockSource reads a folder's CFDATA blocks (MS-CAB 2.4) in order,
// verifying non-zero checksums. The returned data is valid until the next call.
type blockSource struct {
	r       io.ReaderAt
	size    int64
	off     int64
	left    int
	index   int
	reserve int
	buf     []byte
}

func (s *blockSource) next() (data []byte, uncomp int, err error) {
	if s.left == 0 {
		return nil, 0, io.EOF
	}
	hlen := dataHeaderSize + s.reserve
	if s.off+int64(hlen) > s.size {
		return nil, 0, fmt.Errorf("cfdata %d header past the end of the cabinet: %w", s.index, ErrFormat)
	}
	if s.buf == nil {
		s.buf = make([]byte, hlen+0xffff) // cbData is 16 bits
	}
	if err := readAt(s.r, s.buf[:hlen], s.off); err != nil {
		return nil, 0, fmt.Errorf("read cfdata %d: %w", s.index, eofFormat(err))
	}
	le := binary.LittleEndian
	sum := le.Uint32(s.buf[0:])
	cbData := int(le.Uint16(s.buf[4:]))
	uncomp = int(le.Uint16(s.buf[6:]))
	if s.off+int64(hlen+cbData) > s.size {
		return nil, 0, fmt.Errorf("cfdata %d of %d bytes past the end of the cabinet: %w", s.index, cbData, ErrFormat)
	}
	data = s.buf[hlen : hlen+cbData]
	if err := readAt(s.r, data, s.off+int64(hlen)); err != nil {
		return nil, 0, fmt.Errorf("read cfdata %d: %w", s.index, eofFormat(err))
	}
	if sum != 0 {
		// MS-CAB sums cbData..ab including abReserve; libmspack-era writers
		// leave the reserve out. Accept either.
		got := checksum(s.buf[4:8], checksum(data, 0))
		if got != sum && s.reserve > 0 {
			got = checksum(s.buf[4:8], checksum(s.buf[8:hlen+cbData], 0))
		}
		if got != sum {
			return nil, 0, fmt.Errorf("cfdata %d: stored %#08x, computed %#08x: %w", s.index, sum, got, ErrChecksum)
		}
	}
	s.off += int64(hlen + cbData)
	s.left--
	s.index++
	return data, uncomp, nil
}

// checksum is the CFDATA checksum (MS-CAB 2.4): the XOR of the little-endian
// 32-bit words of b, with a trailing 1-3 bytes folded in high byte first.
func checksum(b []byte, seed uint32) uint32 {
	for len(b) >= 4 {
		seed ^= binary.LittleEndian.Uint32(b)
		b = b[4:]
	}
	var tail uint32
	for _, c := range b {
		tail = tail<<8 | uint32(c)
	}
	return seed ^ tail
}

// folderReader is the uncompressed byte stream of one folder.
type folderReader struct {
	src    blockSource
	method Compression
	zip    *mszipDecoder
	lzx    *lzxDecoder
	lzxOut int64 // LZX: bytes still to decode, the sum of cbUncomp
	out    []byte
	err    error
}

func (c *Reader) openFolder(i int) (*folderReader, error) {
	fo := c.Folders[i]
	fr := &folderReader{
		src:    blockSource{r: c.r, size: c.size, off: fo.DataOffset, left: fo.Blocks, reserve: c.dataReserve},
		method: fo.Compression.Method(),
	}
	switch fr.method {
	case CompressNone:
	case CompressMSZIP:
		fr.zip = new(mszipDecoder)
	case CompressLZX:
		// LZX frames are 32 KB of output regardless of CFDATA boundaries, so
		// the last frame's size comes from the folder's total.
		total, err := fr.src.totalUncompressed()
		if err != nil {
			return nil, err
		}
		fr.lzxOut = total
		d, err := newLZXDecoder(fo.Compression.WindowBits(), total, func() ([]byte, error) {
			data, _, err := fr.src.next()
			return data, err
		})
		if err != nil {
			return nil, err
		}
		fr.lzx = d
	default:
		return nil, fmt.Errorf("folder %d compression %v: %w", i, fo.Compression, ErrUnsupported)
	}
	return fr, nil
}

// totalUncompressed sums cbUncomp over the folder's CFDATA headers.
func (s *blockSource) totalUncompressed() (int64, error) {
	var total int64
	var h [dataHeaderSize]byte
	off := s.off
	for i := range s.left {
		if off+int64(dataHeaderSize+s.reserve) > s.size {
			return 0, fmt.Errorf("cfdata %d header past the end of the cabinet: %w", i, ErrFormat)
		}
		if err := readAt(s.r, h[:], off); err != nil {
			return 0, fmt.Errorf("read cfdata %d: %w", i, eofFormat(err))
		}
		total += int64(binary.LittleEndian.Uint16(h[6:]))
		off += int64(dataHeaderSize+s.reserve) + int64(binary.LittleEndian.Uint16(h[4:]))
	}
	return total, nil
}

func (fr *folderReader) Read(p []byte) (int, error) {
	for len(fr.out) == 0 {
		if fr.err != nil {
			return 0, fr.err
		}
		fr.out, fr.err = fr.fill()
	}
	n := copy(p, fr.out)
	fr.out = fr.out[n:]
	return n, nil
}

// fill decodes the next CFDATA block (or LZX frame).
func (fr *folderReader) fill() ([]byte, error) {
	if fr.method == CompressLZX {
		if fr.lzxOut == 0 {
			return nil, io.EOF
		}
		n := int(min(fr.lzxOut, lzxFrameSize))
		out, err := fr.lzx.decodeFrame(n)
		if err != nil {
			return nil, fmt.Errorf("folder data at frame %d: %w", fr.lzx.frame, err)
		}
		fr.lzxOut -= int64(n)
		return out, nil
	}
	data, uncomp, err := fr.src.next()
	if err != nil {
		return nil, err
	}
	if fr.method == CompressNone {
		if len(data) != uncomp {
			return nil, fmt.Errorf("stored cfdata %d holds %d bytes, header says %d: %w", fr.src.index-1, len(data), uncomp, ErrFormat)
		}
		return data, nil
	}
	out, err := fr.zip.decode(data, uncomp)
	if err != nil {
		return nil, fmt.Errorf("mszip cfdata %d: %w", fr.src.index-1, err)
	}
	return out, nil
}
