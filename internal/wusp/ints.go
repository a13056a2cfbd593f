package wusp

import (
	"bytes"
	"sync"

	"patchbay/internal/soap"
)

// Ints arrays are most of a SyncUpdates request: a client sends every
// revision id it has cached, thousands of <int>123</int> items, and
// encoding/xml costs about sixteen allocations per item. scanInts reads
// such an array straight from the request bytes. It accepts only the
// shapes whose meaning and well-formedness it can judge alone (items named
// int in any letter case and with any prefix, decimal values, white space
// between items, xmlns declarations and nil attributes) and reports false
// on anything else, for the caller to fall back to encoding/xml; on what
// it accepts it gives exactly what unmarshalItems gives (FuzzIntsFastPath).

// scanInts reads the array element whose start tag t begins in b,
// appending its items to dst. It returns the offset just past the
// element. Items are collected in a pooled buffer and dst grows once, to
// its exact length.
func scanInts(b []byte, t soap.Tag, dst []int32) ([]int32, int, bool) {
	if !plainQName(t.Name) || !plainAttrs(t) {
		return dst, 0, false
	}
	if t.Empty {
		return dst, t.End, true
	}
	scratch := intsPool.Get().(*[]int32)
	defer func() {
		if cap(*scratch) <= maxPooledInts {
			intsPool.Put(scratch)
		}
	}()
	items, end, ok := scanItems(b, t, (*scratch)[:0])
	*scratch = items[:0]
	if !ok {
		return dst, 0, false
	}
	if len(items) > 0 {
		dst = append(dst, items...)
	}
	return dst, end, true
}

// intsPool holds scanInts' buffers; ones grown past maxPooledInts items are
// dropped.
var intsPool = sync.Pool{New: func() any { return new([]int32) }}

const maxPooledInts = 1 << 17

// scanItems reads the content and end tag of the array element t,
// appending the items to dst.
func scanItems(b []byte, t soap.Tag, dst []int32) ([]int32, int, bool) {
	i := t.End
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i+1 >= len(b) || b[i] != '<' {
			return dst, 0, false
		}
		if b[i+1] == '/' {
			name, end, ok := soap.ScanEndTag(b, i)
			if !ok || !bytes.Equal(name, t.Name) {
				return dst, 0, false
			}
			return dst, end, true
		}
		var item []byte
		var j int
		if i+5 <= len(b) && b[i+1] == 'i' && b[i+2] == 'n' && b[i+3] == 't' && b[i+4] == '>' {
			// The usual "<int>digits</int>", in one step.
			j = i + 5
			k, v := j, int64(0)
			for k < len(b) && k-j < 10 && b[k]-'0' <= 9 {
				v = v*10 + int64(b[k]-'0')
				k++
			}
			if k > j && k+5 < len(b) && v <= 1<<31-1 && b[k] == '<' && b[k+1] == '/' &&
				b[k+2] == 'i' && b[k+3] == 'n' && b[k+4] == 't' && b[k+5] == '>' {
				dst = append(dst, int32(v))
				i = k + 6
				continue
			}
			item = b[i+1 : i+4]
		} else {
			it, ok := soap.ScanTag(b, i)
			if !ok || !plainQName(it.Name) || !bytes.EqualFold(localName(it.Name), []byte("int")) || !plainAttrs(it) {
				return dst, 0, false
			}
			if it.Empty {
				dst = append(dst, 0) // empty content is 0 to encoding/xml
				i = it.End
				continue
			}
			item, j = it.Name, it.End
		}
		k := j
		for k < len(b) && b[k] != '<' {
			k++
		}
		v, ok := parseInt32(b[j:k])
		if !ok {
			return dst, 0, false
		}
		// The item's end tag: "</" name, optional white space, ">".
		if k+2+len(item) >= len(b) || b[k+1] != '/' || !bytes.Equal(b[k+2:k+2+len(item)], item) {
			return dst, 0, false
		}
		i = k + 2 + len(item)
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '>' {
			return dst, 0, false
		}
		i++
		dst = append(dst, v)
	}
}

// parseInt32 parses an item's text as encoding/xml does for an int32:
// empty is 0, otherwise strconv.ParseInt of the text without surrounding
// white space. It accepts only ASCII white space, a sign and digits.
func parseInt32(s []byte) (int32, bool) {
	if len(s) == 0 {
		return 0, true
	}
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	if n > 1<<31-1 {
		return 0, false
	}
	return int32(n), true
}

// localName returns the local part of a qualified name the way
// encoding/xml splits it, or nil for a name it refuses (two colons).
func localName(q []byte) []byte {
	i := bytes.IndexByte(q, ':')
	switch {
	case i < 0:
		return q
	case bytes.IndexByte(q[i+1:], ':') >= 0:
		return nil
	case i == 0 || i == len(q)-1:
		return q
	}
	return q[i+1:]
}

// plainQName reports whether q is an ASCII name, optionally with one
// prefix: the names the fast paths judge without the tokenizer.
func plainQName(q []byte) bool {
	if i := bytes.IndexByte(q, ':'); i >= 0 {
		return plainName(q[:i]) && plainName(q[i+1:])
	}
	return plainName(q)
}

func plainName(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// plainAttrs reports whether t's attributes are only namespace
// declarations and nil attributes (xsi:nil), with printable ASCII values
// and no references: attributes Ints ignores and the tokenizer accepts.
func plainAttrs(t soap.Tag) bool {
	if len(bytes.TrimLeft(t.Attr, " \t\r\n")) == 0 {
		return true
	}
	for name, val := range t.Attrs() {
		ok := bytes.Equal(name, []byte("xmlns")) ||
			bytes.HasPrefix(name, []byte("xmlns:")) && plainName(name[len("xmlns:"):]) ||
			plainQName(name) && bytes.Equal(localName(name), []byte("nil"))
		if !ok {
			return false
		}
		for _, c := range val {
			if c < 0x20 || c > 0x7e || c == '&' || c == '<' {
				return false
			}
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
