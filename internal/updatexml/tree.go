package updatexml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds element nesting. Real applicability rules nest a few dozen
// levels at most; the bound keeps a hostile document from exhausting the stack
// of the recursive fragment writers.
const maxDepth = 256

// maxNodes bounds the elements plus attributes of one document, and with it
// the memory of the tree (about 100 bytes a node): 64 MiB of "<a/>" would
// otherwise cost gigabytes. The largest real metadata (OS installers) has a
// few tens of thousands.
const maxNodes = 2 << 20

// node is one element of the parsed document. The tree keeps what the fragment
// writers need to reproduce WSUS's output: resolved namespaces, attribute
// order, mixed content in order, and whether the source wrote the element
// self-closing (WSUS keeps <a></a> and <a /> apart, see fragments.go).
type node struct {
	ns, prefix, local string
	attrs             []attr
	content           []child
	selfClosing       bool
}

// attr is one attribute with its decoded value. Namespace declarations are
// kept (isDecl) so the writers can decide which ones to drop.
type attr struct {
	prefix, local string
	value         string
	isDecl        bool // xmlns or xmlns:p
}

// child is either an element or a run of character data.
type child struct {
	el   *node
	text string
}

// elems returns the element children with local name local, in order.
func (n *node) elems(local string) []*node {
	var out []*node
	for _, c := range n.content {
		if c.el != nil && c.el.local == local {
			out = append(out, c.el)
		}
	}
	return out
}

// elem returns the first element child with local name local, or nil.
func (n *node) elem(local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.content {
		if c.el != nil && c.el.local == local {
			return c.el
		}
	}
	return nil
}

// attr returns the value of the unprefixed attribute local and whether it is present.
func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if !a.isDecl && a.prefix == "" && a.local == local {
			return a.value, true
		}
	}
	return "", false
}

// text returns the concatenated character data directly inside n.
func (n *node) text() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range n.content {
		if c.el == nil {
			b.WriteString(c.text)
		}
	}
	return b.String()
}

// parseTree reads one XML document (already UTF-8) into a tree. It never
// expands entities other than the five predefined ones and character
// references (encoding/xml with a nil Entity map), ignores comments,
// processing instructions and DOCTYPE declarations, and enforces maxDepth.
func parseTree(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	// The bytes are UTF-8 by now (see decodeText); a declaration that still
	// says utf-16 describes the original blob, not these bytes.
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "utf16", "unicode", "us-ascii", "ascii":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	type frame struct {
		n        *node
		decls    map[string]string // prefix → URI declared on this element
		preserve bool              // inside xml:space="preserve"
		text     []byte            // character data not yet added to n.content
	}
	var stack []frame
	var root *node
	var nodes int
	// flush moves the pending character data of the innermost open element
	// into its content. Like .NET's XmlDocument (PreserveWhitespace false),
	// which WSUS cuts fragments from, a whitespace-only run outside
	// xml:space="preserve" is dropped: pretty-printed metadata yields the
	// same fragments as the single-line form. Accumulating in a buffer keeps
	// many adjacent CDATA sections linear.
	flush := func() {
		f := &stack[len(stack)-1]
		if len(f.text) > 0 && (f.preserve || !isXMLSpace(f.text)) {
			f.n.content = append(f.n.content, child{text: string(f.text)})
		}
		f.text = f.text[:0]
	}
	resolve := func(prefix string, own map[string]string) string {
		if prefix == "xml" {
			return "http://www.w3.org/XML/1998/namespace"
		}
		if uri, ok := own[prefix]; ok {
			return uri
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if uri, ok := stack[i].decls[prefix]; ok {
				return uri
			}
		}
		return ""
	}
	for {
		begin := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("more than one root element")
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			if nodes += 1 + len(t.Attr); nodes > maxNodes {
				return nil, fmt.Errorf("more than %d elements and attributes", maxNodes)
			}
			// encoding/xml accepts a prefixed name whose local part is not
			// an XML name (<upd:0/>); the writers drop prefixes, so refuse it
			// here rather than emit a fragment no client can read.
			if !isNCName(t.Name.Local) || (t.Name.Space != "" && !isNCName(t.Name.Space)) {
				return nil, fmt.Errorf("invalid element name %q", qname(t.Name))
			}
			n := &node{prefix: t.Name.Space, local: t.Name.Local}
			var decls map[string]string
			var rawValues []string // source text of the attribute values, when needed
			for i, a := range t.Attr {
				if strings.ContainsAny(a.Value, "\t\n") {
					// encoding/xml skips attribute-value normalization (XML 1.0
					// §3.3.3): a literal TAB or newline must read as a space,
					// a character reference as itself. Redo it from the source.
					if rawValues == nil {
						rawValues = rawAttrValues(data[begin:d.InputOffset()])
					}
					if i < len(rawValues) {
						a.Value = normalizeAttr(rawValues[i])
					}
				}
				if !isNCName(a.Name.Local) || (a.Name.Space != "" && !isNCName(a.Name.Space)) {
					return nil, fmt.Errorf("invalid attribute name %q", qname(a.Name))
				}
				at := attr{prefix: a.Name.Space, local: a.Name.Local, value: a.Value}
				switch {
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					at.isDecl = true
					if decls == nil {
						decls = map[string]string{}
					}
					decls[""] = a.Value
				case a.Name.Space == "xmlns":
					at.isDecl = true
					if decls == nil {
						decls = map[string]string{}
					}
					decls[a.Name.Local] = a.Value
				}
				n.attrs = append(n.attrs, at)
			}
			n.ns = resolve(n.prefix, decls)
			preserve := len(stack) > 0 && stack[len(stack)-1].preserve
			for _, a := range t.Attr {
				if a.Name.Space == "xml" && a.Name.Local == "space" {
					preserve = a.Value == "preserve"
				}
			}
			// InputOffset is just past the start tag: "/>" marks an empty-element tag.
			off := d.InputOffset()
			n.selfClosing = off >= 2 && data[off-2] == '/' && data[off-1] == '>'
			if len(stack) > 0 {
				flush()
				p := stack[len(stack)-1].n
				p.content = append(p.content, child{el: n})
			} else {
				root = n
			}
			stack = append(stack, frame{n: n, decls: decls, preserve: preserve})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unexpected end element </%s>", qname(t.Name))
			}
			top := stack[len(stack)-1].n
			if top.prefix != t.Name.Space || top.local != t.Name.Local {
				return nil, fmt.Errorf("element <%s> closed by </%s>", qname(xml.Name{Space: top.prefix, Local: top.local}), qname(t.Name))
			}
			flush()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, errors.New("character data outside the root element")
				}
				continue
			}
			f := &stack[len(stack)-1]
			f.text = append(f.text, t...)
		}
	}
	if len(stack) != 0 {
		return nil, errors.New("unexpected end of document")
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func isXMLSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// isNCName reports whether s is a name without colon (Namespaces in XML
// NCName) that encoding/xml accepts on its own: a fragment writer emits local
// names without their prefix, and a client must be able to read them back.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && (c == '-' || c == '.' || '0' <= c && c <= '9'):
		default:
			return false
		}
	}
	if ascii {
		return true
	}
	// Rare non-ASCII names: ask encoding/xml itself, so the check matches
	// its name tables exactly.
	tok, err := xml.NewDecoder(strings.NewReader("<" + s + "/>")).RawToken()
	se, ok := tok.(xml.StartElement)
	return err == nil && ok && se.Name.Space == "" && se.Name.Local == s
}

// rawAttrValues returns the unparsed values of the attributes of a start tag
// that encoding/xml has already accepted, in source order.
func rawAttrValues(tag []byte) []string {
	var out []string
	i := 1
	for i < len(tag) && !isSpaceByte(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] == '/' || tag[i] == '>' {
			break
		}
		for i < len(tag) && tag[i] != '=' {
			i++
		}
		i++ // '='
		for i < len(tag) && isSpaceByte(tag[i]) {
			i++
		}
		if i >= len(tag) {
			break
		}
		q := tag[i]
		j := bytes.IndexByte(tag[i+1:], q)
		if j < 0 {
			break
		}
		out = append(out, string(tag[i+1:i+1+j]))
		i += j + 2
	}
	return out
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// normalizeAttr applies XML 1.0 §3.3.3 to a raw CDATA attribute value: each
// literal whitespace character (a CR LF pair counts once) becomes a space,
// and the predefined entities and character references are decoded.
func normalizeAttr(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			b.WriteByte(' ')
		case '\n', '\t':
			b.WriteByte(' ')
		case '&':
			end := strings.IndexByte(raw[i:], ';')
			if end < 0 {
				b.WriteString(raw[i:])
				return b.String()
			}
			b.WriteString(decodeRef(raw[i+1 : i+end]))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeRef decodes the body of an entity or character reference that
// encoding/xml has already validated.
func decodeRef(ref string) string {
	switch ref {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	if strings.HasPrefix(ref, "#") {
		var n uint64
		var err error
		if strings.HasPrefix(ref, "#x") {
			n, err = strconv.ParseUint(ref[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(ref[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n))
		}
	}
	return "&" + ref + ";"
}
