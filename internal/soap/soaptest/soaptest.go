// Package soaptest helps test SOAP services: EqualXML compares two XML
// documents by meaning (namespace URIs, not prefixes) for golden tests.
package soaptest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// EqualXML fails t unless got and want are the same XML after
// canonicalization: element and attribute names compared by namespace URI
// and local name (prefixes and where namespaces are declared do not
// matter), attributes in any order, namespace declarations, comments,
// processing instructions (including the XML declaration) and white-space-
// only text between elements ignored. Other text is compared exactly,
// except that a text or attribute value of the form prefix:local whose
// prefix is bound in scope (a QName value such as faultcode "s:Client" or
// xsi:type="s:string") is compared by namespace URI too. On a difference it reports the first differing line of the
// canonical forms.
func EqualXML(t testing.TB, got, want []byte) {
	t.Helper()
	g, err := Canonical(got)
	if err != nil {
		t.Fatalf("EqualXML: got is not well-formed XML: %v\n%s", err, got)
	}
	w, err := Canonical(want)
	if err != nil {
		t.Fatalf("EqualXML: want is not well-formed XML: %v\n%s", err, want)
	}
	if g == w {
		return
	}
	gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	line := func(ls []string) string {
		if i < len(ls) {
			return ls[i]
		}
		return "(end of document)"
	}
	t.Errorf("XML differs at canonical line %d:\n got: %s\nwant: %s\n\ngot (canonical):\n%s\nwant (canonical):\n%s",
		i+1, line(gl), line(wl), g, w)
}

// Canonical returns the canonical text form EqualXML compares: one line per
// element start (with sorted attributes), element end and text node, names
// written as {namespace}local.
func Canonical(doc []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii":
			return r, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	var b strings.Builder
	var text bytes.Buffer
	depth := 0
	var scopes []map[string]string // prefix bindings per open element
	flush := func() {
		if s := text.String(); strings.TrimSpace(s) != "" {
			fmt.Fprintf(&b, "%s%q\n", strings.Repeat("  ", depth), qvalue(scopes, s))
		}
		text.Reset()
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			scope := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					scope[a.Name.Local] = a.Value
				}
			}
			scopes = append(scopes, scope)
			var attrs []string
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				attrs = append(attrs, fmt.Sprintf("%s=%q", name(a.Name), qvalue(scopes, a.Value)))
			}
			slices.Sort(attrs)
			fmt.Fprintf(&b, "%s<%s", strings.Repeat("  ", depth), name(t.Name))
			for _, a := range attrs {
				b.WriteString(" " + a)
			}
			b.WriteString(">\n")
			depth++
		case xml.EndElement:
			flush()
			depth--
			scopes = scopes[:len(scopes)-1]
			fmt.Fprintf(&b, "%s</%s>\n", strings.Repeat("  ", depth), name(t.Name))
		case xml.CharData:
			text.Write(t)
		}
	}
	if depth != 0 || b.Len() == 0 {
		return "", io.ErrUnexpectedEOF
	}
	return b.String(), nil
}

// qvalue rewrites a prefix:local value whose prefix is bound in scopes as
// {namespace}local; other values are returned unchanged.
func qvalue(scopes []map[string]string, s string) string {
	v := strings.TrimSpace(s)
	prefix, local, ok := strings.Cut(v, ":")
	if !ok || !isNCName(prefix) || !isNCName(local) {
		return s
	}
	for i := len(scopes) - 1; i >= 0; i-- {
		if ns, ok := scopes[i][prefix]; ok {
			return "{" + ns + "}" + local
		}
	}
	return s
}

func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || unicode.IsLetter(r):
		case i > 0 && (r == '-' || r == '.' || unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}

func name(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}
