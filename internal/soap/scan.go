package soap

import (
	"bytes"
	"iter"
)

// The functions here find element boundaries in UTF-8 XML at byte level,
// without encoding/xml's tokenizer, which costs a dozen allocations per
// element: a SyncUpdates request carries thousands of <int> items. They are
// lenient about what does not move a boundary (names, text, entities are
// not checked) and give up (ok == false) on anything they do not
// understand, such as a DOCTYPE, a mismatched end tag or an unterminated
// construct; callers then use the tokenizer, which is the authority. On
// well-formed input they agree with encoding/xml (FuzzScanElement).

// Tag is a start tag found by ScanTag.
type Tag struct {
	// Name is the qualified name as written, prefix included.
	Name []byte
	// Attr is the text between the name and the closing "/>" or ">":
	// attributes whose syntax (name, '=', quoted value without '<') has
	// been checked. Attrs iterates them.
	Attr []byte
	// End is the offset just past the tag.
	End int
	// Empty reports a self-closing tag ("<a/>").
	Empty bool
}

// ScanTag reads the start tag that begins at b[i] ('<'). It returns false
// when b[i:] does not begin with a syntactically plausible start tag.
func ScanTag(b []byte, i int) (Tag, bool) {
	var t Tag
	if i < 0 || i+1 >= len(b) || b[i] != '<' {
		return t, false
	}
	j := i + 1
	for j < len(b) && !isSpace(b[j]) && b[j] != '/' && b[j] != '>' {
		switch b[j] {
		case '<', '!', '?', '"', '\'', '=':
			return t, false
		}
		j++
	}
	if j == i+1 {
		return t, false
	}
	t.Name = b[i+1 : j]
	attr := j
	for {
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) {
			return t, false
		}
		switch b[j] {
		case '>':
			t.Attr, t.End = b[attr:j], j+1
			return t, true
		case '/':
			if j+1 < len(b) && b[j+1] == '>' {
				t.Attr, t.End, t.Empty = b[attr:j], j+2, true
				return t, true
			}
			return t, false
		}
		n := j
		for j < len(b) && !isSpace(b[j]) && b[j] != '=' {
			switch b[j] {
			case '<', '>', '/', '"', '\'':
				return t, false
			}
			j++
		}
		if j == n {
			return t, false
		}
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '=' {
			return t, false
		}
		j++
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != '"' && b[j] != '\'' {
			return t, false
		}
		q := b[j]
		j++
		e := bytes.IndexByte(b[j:], q)
		if e < 0 || bytes.IndexByte(b[j:j+e], '<') >= 0 {
			return t, false
		}
		j += e + 1
		if j < len(b) && !isSpace(b[j]) && b[j] != '>' && b[j] != '/' {
			return t, false // attributes must be separated by white space
		}
	}
}

// Attrs yields the name and raw value (entities not expanded) of each of
// the tag's attributes, in order.
func (t Tag) Attrs() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		a := t.Attr
		for {
			a = bytes.TrimLeft(a, " \t\r\n")
			eq := bytes.IndexByte(a, '=')
			if eq < 0 {
				return
			}
			name := bytes.TrimRight(a[:eq], " \t\r\n")
			a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
			if len(a) == 0 {
				return
			}
			e := bytes.IndexByte(a[1:], a[0])
			if e < 0 {
				return
			}
			if !yield(name, a[1:1+e]) {
				return
			}
			a = a[e+2:]
		}
	}
}

// NextTag skips character data, comments, CDATA sections and processing
// instructions from b[i] and returns the offset of the next '<' that
// begins a start tag or, when b[j+1] == '/', an end tag. It returns false
// at the end of b and on anything else (a DOCTYPE, an unterminated
// comment).
func NextTag(b []byte, i int) (int, bool) {
	for {
		if i < 0 || i >= len(b) {
			return 0, false
		}
		k := bytes.IndexByte(b[i:], '<')
		if k < 0 || i+k+1 >= len(b) {
			return 0, false
		}
		i += k
		switch b[i+1] {
		case '!':
			rest := b[i:]
			switch {
			case bytes.HasPrefix(rest, commentStart):
				// encoding/xml refuses "--" inside a comment; stopping at
				// the first one keeps the boundaries the same.
				e := bytes.Index(rest[len(commentStart):], commentDashes)
				if e < 0 || len(commentStart)+e+2 >= len(rest) || rest[len(commentStart)+e+2] != '>' {
					return 0, false
				}
				i += len(commentStart) + e + 3
			case bytes.HasPrefix(rest, cdataStart):
				e := bytes.Index(rest[len(cdataStart):], cdataEnd)
				if e < 0 {
					return 0, false
				}
				i += len(cdataStart) + e + len(cdataEnd)
			default:
				return 0, false
			}
		case '?':
			e := bytes.Index(b[i+2:], piEnd)
			if e < 0 {
				return 0, false
			}
			i += 2 + e + len(piEnd)
		default:
			return i, true
		}
	}
}

var (
	commentStart  = []byte("<!--")
	commentDashes = []byte("--")
	cdataStart    = []byte("<![CDATA[")
	cdataEnd      = []byte("]]>")
	piEnd         = []byte("?>")
)

// ScanEndTag reads the end tag that begins at b[i] ("</") and returns its
// name and the offset just past it.
func ScanEndTag(b []byte, i int) (name []byte, end int, ok bool) {
	if i < 0 || i+2 >= len(b) || b[i] != '<' || b[i+1] != '/' {
		return nil, 0, false
	}
	j := i + 2
	for j < len(b) && !isSpace(b[j]) && b[j] != '>' {
		if b[j] == '<' {
			return nil, 0, false
		}
		j++
	}
	name = b[i+2 : j]
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if len(name) == 0 || j >= len(b) || b[j] != '>' {
		return nil, 0, false
	}
	return name, j + 1, true
}

// ScanContent finds the end of the element whose start tag t was read
// from b: the offset of its end tag and the offset just past it. For a
// self-closing tag both are t.End. Nested end tags must match their start
// tags by name and nesting may not exceed the depth Decode accepts.
func ScanContent(b []byte, t Tag) (closeAt, end int, ok bool) {
	if t.Empty {
		return t.End, t.End, true
	}
	var buf [32][]byte
	open := append(buf[:0], t.Name)
	i := t.End
	for {
		j, ok := NextTag(b, i)
		if !ok {
			return 0, 0, false
		}
		if b[j+1] == '/' {
			top := open[len(open)-1]
			e := j + 2 + len(top)
			if e < len(b) && b[e] == '>' && bytes.Equal(b[j+2:e], top) {
				e++ // the common "</name>"
			} else {
				name, ee, ok := ScanEndTag(b, j)
				if !ok || !bytes.Equal(name, top) {
					return 0, 0, false
				}
				e = ee
			}
			open = open[:len(open)-1]
			if len(open) == 0 {
				return j, e, true
			}
			i = e
			continue
		}
		if len(open) >= maxDepth-2 {
			return 0, 0, false // the tokenizer's limit: Envelope and Body are the other two
		}
		// The common "<name>" without attributes is read here, and a leaf
		// "<name>text</name>" in one step; what ScanTag accepts is a
		// superset of this.
		k := j + 1
		for k < len(b) && nameByte[b[k]] {
			k++
		}
		var name []byte
		if k > j+1 && k < len(b) && b[k] == '>' {
			name, i = b[j+1:k], k+1
			if e := leafEnd(b, i, name); e > 0 {
				i = e
				// Siblings of the same name, such as an array's items.
				for i+len(name)+1 < len(b) && b[i] == '<' && b[i+1+len(name)] == '>' && hasName(b, i+1, name) {
					e := leafEnd(b, i+len(name)+2, name)
					if e < 0 {
						break
					}
					i = e
				}
				continue
			}
		} else {
			c, ok := ScanTag(b, j)
			if !ok {
				return 0, 0, false
			}
			i = c.End
			if c.Empty {
				continue
			}
			name = c.Name
		}
		open = append(open, name)
	}
}

// leafEnd returns the offset just past "text</name>" at b[i:], where text
// has no '<', or -1.
func leafEnd(b []byte, i int, name []byte) int {
	m := i
	for m < len(b) && m-i < 32 && b[m] != '<' {
		m++ // short texts are the rule: cheaper than IndexByte's call
	}
	if m < len(b) && b[m] != '<' {
		k := bytes.IndexByte(b[m:], '<')
		if k < 0 {
			return -1
		}
		m += k
	}
	e := m + 2 + len(name)
	if e < len(b) && b[m+1] == '/' && b[e] == '>' && hasName(b, m+2, name) {
		return e + 1
	}
	return -1
}

// hasName reports whether b[at:] begins with name: short names compare
// faster byte by byte than through bytes.Equal's call.
func hasName(b []byte, at int, name []byte) bool {
	if at < 0 || at+len(name) > len(b) {
		return false
	}
	if len(name) > 16 {
		return bytes.Equal(b[at:at+len(name)], name)
	}
	for k, c := range name {
		if b[at+k] != c {
			return false
		}
	}
	return true
}

// nameByte marks the bytes ScanTag accepts in a name.
var nameByte = func() (t [256]bool) {
	for c := range t {
		t[c] = true
	}
	for _, c := range []byte(" \t\r\n/><!?\"'=") {
		t[c] = false
	}
	return t
}()

// ValidRefs reports whether every '&' in b begins one of the XML
// built-in entity references or a character reference: encoding/xml
// refuses the others and never expands them. It is checked wherever
// '&' occurs, comments and CDATA sections included, so it may refuse text
// the tokenizer would accept, never the reverse.
func ValidRefs(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return true
		}
		b = b[i+1:]
		e := bytes.IndexByte(b[:min(len(b), 12)], ';')
		if e < 0 {
			return false
		}
		if !validRef(b[:e]) {
			return false
		}
		b = b[e+1:]
	}
}

// validRef reports whether &ref; is a built-in entity or a character
// reference to a character XML allows.
func validRef(ref []byte) bool {
	switch string(ref) {
	case "lt", "gt", "amp", "apos", "quot":
		return true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 {
		return false
	}
	r := 0
	for _, c := range digits {
		var v int
		switch {
		case '0' <= c && c <= '9':
			v = int(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = int(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = int(c-'A') + 10
		default:
			return false
		}
		r = r*base + v
	}
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
