package soap

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkFastParse compares ParseMessage, whose body element is delimited by
// ScanContent, with the tokenizer-only parse of the same document: when
// the tokenizer accepts the document both must agree on everything; when
// only the fast parse does, Decode must refuse the body element.
func checkFastParse(t *testing.T, doc []byte) {
	t.Helper()
	fast, ferr := ParseMessage(doc)
	slow, serr := parseMessage(toUTF8(doc), false)
	switch {
	case serr == nil && ferr != nil:
		t.Fatalf("ParseMessage = %v; the tokenizer accepts the document", ferr)
	case serr == nil:
		if fast.Version != slow.Version || fast.Name != slow.Name || fast.start != slow.start || !bytes.Equal(fast.Body, slow.Body) {
			t.Fatalf("ParseMessage = %v %v %d %q, tokenizer %v %v %d %q",
				fast.Version, fast.Name, fast.start, fast.Body, slow.Version, slow.Name, slow.start, slow.Body)
		}
	case ferr == nil && fast.Body != nil:
		var v struct {
			Inner []byte `xml:",innerxml"`
		}
		if err := fast.Decode(&v); err == nil {
			t.Fatalf("ParseMessage and Decode accept a document the tokenizer refuses (%v)", serr)
		}
	}
}

var scanCases = []struct {
	name, body string
}{
	{"empty element", `<a/>`},
	{"empty element with space", `<a x="1" />`},
	{"nested", `<a><b><c/></b><b>t</b></a>`},
	{"prefixes", `<p:a xmlns:p="urn:x"><p:b>1</p:b></p:a>`},
	{"quoted gt and slash", `<a x="/>" y='>'><b z="a/b>"/></a>`},
	{"comment", `<a><!-- <b> </a> --><b/></a>`},
	{"comment with dashes", `<a><!-- a -- b --></a>`},
	{"cdata", `<a><![CDATA[</a><b>]]></a>`},
	{"processing instruction", `<a><?pi </a> ?></a>`},
	{"end tag with space", `<a><b></b ></a >`},
	{"mismatched end tag", `<a><b></c></a>`},
	{"unclosed", `<a><b></b>`},
	{"unquoted attribute", `<a x=1></a>`},
	{"lt in attribute", `<a x="<"></a>`},
	{"doctype in body", `<a><!DOCTYPE a></a>`},
	{"entities", `<a>&lt;&#65;&#x42;&amp;</a>`},
	{"unknown entity", `<a>&nbsp;</a>`},
	{"bad character reference", `<a>&#0;</a>`},
	{"invalid utf-8", "<a>\xff</a>"},
	{"control character", "<a>\x01</a>"},
	{"deep", strings.Repeat("<a>", 260) + strings.Repeat("</a>", 260)},
	{"deepest leaf", strings.Repeat("<a>", 253) + "<b>1</b>" + strings.Repeat("</a>", 253)},
	{"leaf too deep", strings.Repeat("<a>", 254) + "<b>1</b>" + strings.Repeat("</a>", 254)},
	{"empty element too deep", strings.Repeat("<a>", 254) + "<b/>" + strings.Repeat("</a>", 254)},
	{"white space between attributes missing", `<a x="1"y="2"></a>`},
	{"ints", `<SyncUpdates><parameters><InstalledNonLeafUpdateIDs><int>1</int><int> 2 </int></InstalledNonLeafUpdateIDs></parameters></SyncUpdates>`},
}

// TestParseMessageFastScan checks the byte-level delimiting of the body
// element against the tokenizer on hand-written shapes, this package's
// testdata and, when ../shared is present, every captured real request.
func TestParseMessageFastScan(t *testing.T) {
	for _, tc := range scanCases {
		t.Run(tc.name, func(t *testing.T) {
			checkFastParse(t, []byte(envelope11(tc.body)))
			checkFastParse(t, []byte(envelope11(tc.body+"<trailing/>")))
		})
	}
	files, _ := filepath.Glob("testdata/*.xml")
	if dir := filepath.Join("..", "..", "..", "shared", "data", "real", "wsus-rs"); dirExists(dir) {
		m, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "request.body"))
		files = append(files, m...)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(p, func(t *testing.T) { checkFastParse(t, b) })
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// FuzzScanElement compares the fast parse with the tokenizer's on
// arbitrary envelopes (checkFastParse).
func FuzzScanElement(f *testing.F) {
	for _, tc := range scanCases {
		f.Add([]byte(envelope11(tc.body)))
	}
	files, _ := filepath.Glob("testdata/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkFastParse(t, doc)
		// The scanners alone must not panic anywhere in the input.
		for i := range doc {
			if tag, ok := ScanTag(doc, i); ok {
				for range tag.Attrs() {
				}
				_, _, _ = ScanContent(doc, tag)
			}
			_, _ = NextTag(doc, i)
			_, _, _ = ScanEndTag(doc, i)
		}
		_ = ValidRefs(doc)
	})
}

func TestMessageOmit(t *testing.T) {
	doc := envelope11(`<w:Op xmlns:w="urn:w"><w:a>1</w:a><w:b>2</w:b><w:a>3</w:a></w:Op>`)
	m, err := ParseMessage([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var spans []Span
	for i := 0; ; {
		j := bytes.Index(m.Body[i:], []byte("<w:a>"))
		if j < 0 {
			break
		}
		spans = append(spans, Span{Start: i + j, End: i + j + len("<w:a>1</w:a>")})
		i += j + 1
	}
	o := m.Omit(spans)
	if want := `<w:Op xmlns:w="urn:w"><w:b>2</w:b></w:Op>`; string(o.Body) != want || o.Name != m.Name {
		t.Errorf("Omit Body = %q, want %q", o.Body, want)
	}
	var v struct {
		A []string `xml:"a"`
		B string   `xml:"b"`
	}
	if err := o.Decode(&v); err != nil || len(v.A) != 0 || v.B != "2" {
		t.Errorf("Decode after Omit = %+v, %v", v, err)
	}
	if err := m.Decode(&v); err != nil || len(v.A) != 2 {
		t.Errorf("Decode of the original after Omit = %+v, %v", v, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Omit with overlapping spans did not panic")
		}
	}()
	m.Omit([]Span{{0, 5}, {3, 8}})
}
