package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Message is a parsed SOAP envelope: its version and the first element of
// its Body. Headers are skipped (MS-WUSP §2.2 forbids them; MS-WSUSSS §2.2
// does not use them).
type Message struct {
	// Version is the envelope version, from its namespace.
	Version Version
	// Name is the QName of the first element inside Body, or the zero Name
	// when Body is empty.
	Name xml.Name
	// Body is the raw text of that element, from its '<' to the end of its
	// end tag, as UTF-8. Namespace prefixes it uses may be declared on the
	// Envelope or Body, so parse it with Decode rather than on its own.
	Body []byte

	data  []byte // the whole envelope, UTF-8
	start int64  // offset of the body element in data
}

// ErrNotEnvelope is returned (wrapped) by ParseMessage when the document is
// not a SOAP envelope, or its Envelope has no Body.
var ErrNotEnvelope = errors.New("soap: not a SOAP envelope")

// VersionMismatchError is returned by ParseMessage when the root element is
// named Envelope but is in neither envelope namespace (SOAP 1.1 §4.4.1,
// SOAP 1.2 §5.4.7 VersionMismatch).
type VersionMismatchError struct{ Namespace string }

func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("soap: unknown envelope namespace %q", e.Namespace)
}

// ParseMessage parses a SOAP 1.1 or 1.2 envelope. It is liberal: any
// prefixes, white space, comments, an XML declaration, a UTF-8 byte order
// mark and UTF-16 (with a byte order mark) are accepted. Entities other than
// the XML built-ins are refused, never expanded. The document must be
// well-formed to its end, but the content of the body element is only
// delimited here (by a byte-level scan, scan.go, with the tokenizer as the
// fallback): Decode checks it, so a handler that does not call Decode must
// not trust it. Errors are syntax errors from encoding/xml, ErrNotEnvelope
// or *VersionMismatchError.
func ParseMessage(data []byte) (*Message, error) {
	data = toUTF8(data)
	return parseMessage(data, true)
}

// parseMessage is ParseMessage on UTF-8 data. With fast set, the body
// element is delimited by ScanContent and the rest of the document, with
// the body element's content cut out, goes through the tokenizer; the
// whole document goes through the tokenizer when the scan gives up or
// disagrees, and always without fast.
func parseMessage(data []byte, fast bool) (*Message, error) {
	d := newDecoder(data)
	converted := false
	if fast {
		d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
			// Offsets then count converted bytes, not data's.
			converted = true
			return charsetReader(label, r)
		}
	}
	m := &Message{data: data}
	root, err := nextStart(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotEnvelope, err)
	}
	if root.Name.Local != "Envelope" {
		return nil, fmt.Errorf("%w: root element is %s", ErrNotEnvelope, fmtName(root.Name))
	}
	m.Version = versionOfNamespace(root.Name.Space)
	if m.Version == 0 {
		return nil, &VersionMismatchError{Namespace: root.Name.Space}
	}
	ns := root.Name.Space
	foundBody := false
	for !foundBody {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotEnvelope, eofIsUnexpected(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space == ns && t.Name.Local == "Body" {
				foundBody = true
				break
			}
			// Header, or anything else before Body: skip it.
			if err := skip(d, 2); err != nil {
				return nil, err
			}
		case xml.EndElement:
			return nil, fmt.Errorf("%w: Envelope has no Body", ErrNotEnvelope)
		}
	}
	// The first element child of Body.
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, eofIsUnexpected(err)
		}
		if t, ok := tok.(xml.StartElement); ok {
			m.Name = t.Name
			m.start = off
			if fast && !converted {
				if fm, ok := m.parseHollow(int(off)); ok {
					return fm, nil
				}
				return parseMessage(data, false)
			}
			if err := skip(d, 3); err != nil {
				return nil, err
			}
			m.Body = data[off:d.InputOffset()]
			break
		}
		if _, ok := tok.(xml.EndElement); ok {
			break // empty Body
		}
	}
	// The rest must be well-formed too; a truncated envelope is an error.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		if _, ok := tok.(xml.StartElement); ok {
			if err := skip(d, 3); err != nil {
				return nil, err
			}
		}
	}
}

// parseHollow finishes a fast parse of m, whose body element starts at
// data[off]: it finds the element's end with ScanContent and parses the
// document without the element's content, which must give the same
// element at the same offset. It returns false when the scan gives up or
// the tokenizer finds anything wrong, leaving the verdict to the tokenizer
// on the whole document.
func (m *Message) parseHollow(off int) (*Message, bool) {
	t, ok := ScanTag(m.data, off)
	if !ok {
		return nil, false
	}
	closeAt, end, ok := ScanContent(m.data, t)
	if !ok || !ValidRefs(m.data[t.End:closeAt]) {
		return nil, false
	}
	hollow := make([]byte, 0, t.End+len(m.data)-closeAt)
	hollow = append(append(hollow, m.data[:t.End]...), m.data[closeAt:]...)
	h, err := parseMessage(hollow, false)
	if err != nil || h.Name != m.Name || h.start != int64(off) || len(h.Body) != t.End-off+end-closeAt {
		return nil, false
	}
	m.Version = h.Version
	m.Body = m.data[off:end]
	return m, true
}

// maxDepth bounds element nesting. encoding/xml's Decoder.Token keeps a
// stack entry per open element without a limit, so a body of "<a><a>…"
// would cost far more memory than its size; WSUS messages nest about 15
// deep.
const maxDepth = 256

// ErrTooDeep is returned (wrapped) by ParseMessage for documents nested
// deeper than it accepts.
var ErrTooDeep = errors.New("soap: XML nested too deeply")

// skip consumes the element whose start tag was just read at nesting depth
// depth, like xml.Decoder.Skip but bounded by maxDepth.
func skip(d *xml.Decoder, depth int) error {
	base := depth
	for {
		tok, err := d.Token()
		if err != nil {
			return eofIsUnexpected(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return ErrTooDeep
			}
		case xml.EndElement:
			if depth == base {
				return nil
			}
			depth--
		}
	}
}

// Decode unmarshals the body element into v with encoding/xml, with the
// namespace declarations of the whole envelope in scope. v's XMLName tag, if
// any, must match the element's name. Decode may be called more than once.
func (m *Message) Decode(v any) error {
	if m.Body == nil {
		return errors.New("soap: empty Body")
	}
	d := newDecoder(m.data)
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return eofIsUnexpected(err)
		}
		if se, ok := tok.(xml.StartElement); ok && off == m.start {
			return d.DecodeElement(v, &se)
		}
	}
}

// Span is a byte range [Start, End) of a Message's Body.
type Span struct{ Start, End int }

// Omit returns a copy of m whose Body (and document) lack the given spans
// of Body, which must be in order, must not overlap and should each be a
// whole element the caller has read itself: Decode on the copy then reads
// the rest of the body element with the envelope's namespaces in scope.
// m is unchanged. Omit panics on spans out of order or outside Body.
func (m *Message) Omit(spans []Span) *Message {
	if len(spans) == 0 {
		c := *m
		return &c
	}
	base := int(m.start)
	cut := 0
	for i, s := range spans {
		if s.Start < 0 || s.End < s.Start || s.End > len(m.Body) || i > 0 && s.Start < spans[i-1].End {
			panic("soap: Omit spans out of order or outside Body")
		}
		cut += s.End - s.Start
	}
	data := make([]byte, 0, len(m.data)-cut)
	data = append(data, m.data[:base]...)
	prev := 0
	for _, s := range spans {
		data = append(data, m.Body[prev:s.Start]...)
		prev = s.End
	}
	data = append(data, m.data[base+prev:]...)
	return &Message{Version: m.Version, Name: m.Name, Body: data[base : base+len(m.Body)-cut], data: data, start: m.start}
}

func newDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return d
}

// nextStart returns the first start element of the document.
func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, eofIsUnexpected(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func fmtName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// toUTF8 strips a UTF-8 byte order mark and converts UTF-16 with a byte
// order mark to UTF-8. Other input is returned unchanged.
func toUTF8(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return b[3:]
	case len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		big := b[0] == 0xFE
		b = b[2:]
		u := make([]uint16, len(b)/2)
		for i := range u {
			if big {
				u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			}
		}
		out := make([]byte, 0, len(u)+len(u)/2)
		for _, r := range utf16.Decode(u) {
			out = utf8.AppendRune(out, r)
		}
		return out
	}
	return b
}

// charsetReader lets documents declare encodings other than UTF-8: UTF-16
// labels (the bytes were already converted by toUTF8), and ISO-8859-1 /
// Windows-1252 as Latin-1.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-16", "utf-16le", "utf-16be", "unicode", "ucs-2":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("soap: unsupported charset %q", label)
}
