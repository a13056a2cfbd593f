// Package schemacheck validates SOAP message bodies against the XML Schema
// embedded in the protocol WSDLs (../shared/spec/wsdl), using libxml2's
// xmllint as the validator. It exists for conformance tests: the server's
// responses must be valid against the schemas real peers were built from.
//
// The WSDLs carry known defects (protocol-notes.md): s1:String for
// xs:string, an undeclared xs: prefix, imports without schemaLocation. They
// are repaired here, mechanically, before validation.
package schemacheck

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

const xsdNS = "http://www.w3.org/2001/XMLSchema"

// ErrNoValidator is returned by New when xmllint is not installed.
var ErrNoValidator = errors.New("xmllint not found (install libxml2-utils)")

// Validator validates elements against the schemas of a set of WSDLs.
type Validator struct {
	dir     string
	mu      sync.Mutex
	mains   map[string]string // target namespace -> main schema file
	schemas map[string][]string
}

// New extracts the schemas of the given WSDL files into dir (a scratch
// directory the caller owns) and returns a Validator over them. Schemas for
// the same target namespace in several WSDLs are all kept: an element is
// valid when it validates against one of them.
func New(dir string, wsdls ...string) (*Validator, error) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		return nil, ErrNoValidator
	}
	v := &Validator{dir: dir, mains: map[string]string{}, schemas: map[string][]string{}}
	for i, path := range wsdls {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		schemas, err := extract(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		// Write this WSDL's schemas, resolving its imports among themselves.
		files := map[string]string{}
		for j, s := range schemas {
			files[s.targetNS] = filepath.Join(dir, fmt.Sprintf("w%d-s%d.xsd", i, j))
		}
		for _, s := range schemas {
			text := s.text
			text = importRE.ReplaceAllStringFunc(text, func(imp string) string {
				ns := importRE.FindStringSubmatch(imp)[2]
				if f, ok := files[ns]; ok && !strings.Contains(imp, "schemaLocation") {
					return strings.Replace(imp, "namespace=", `schemaLocation="`+f+`" namespace=`, 1)
				}
				return imp
			})
			if err := os.WriteFile(files[s.targetNS], []byte(text), 0o644); err != nil {
				return nil, err
			}
			v.schemas[s.targetNS] = append(v.schemas[s.targetNS], files[s.targetNS])
		}
	}
	return v, nil
}

var importRE = regexp.MustCompile(`<(\w+:)?import\s+namespace="([^"]*)"\s*/>`)

type schema struct {
	targetNS string
	text     string
}

// extract returns each xs:schema element of a WSDL as a standalone document:
// the namespace declarations in scope on the definitions element are copied
// onto it, and the WSDL defects are repaired.
func extract(data []byte) ([]schema, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var rootDecls []xml.Attr
	var out []schema
	depth := 0
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				for _, a := range t.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						rootDecls = append(rootDecls, a)
					}
				}
			}
			if t.Name.Local == "schema" {
				if err := skipRaw(d); err != nil {
					return nil, err
				}
				depth--
				end := d.InputOffset()
				text := string(data[start:end])
				var tns string
				for _, a := range t.Attr {
					if a.Name.Local == "targetNamespace" {
						tns = a.Value
					}
				}
				out = append(out, schema{tns, repair(text, t, rootDecls)})
			}
		case xml.EndElement:
			depth--
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no schema in wsdl")
	}
	return out, nil
}

// repair adds the root's namespace declarations to the schema's start tag
// (unless it redeclares them), declares xs: as XML Schema, and fixes the
// s1:String type references of the client WSDL.
func repair(text string, start xml.StartElement, rootDecls []xml.Attr) string {
	declared := map[string]bool{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" {
			declared[a.Name.Local] = true
		}
	}
	var add strings.Builder
	var xsdPrefix string
	for _, a := range rootDecls {
		if a.Value == xsdNS && xsdPrefix == "" {
			xsdPrefix = a.Name.Local
		}
		if a.Name.Space == "xmlns" && !declared[a.Name.Local] {
			fmt.Fprintf(&add, ` xmlns:%s="%s"`, a.Name.Local, a.Value)
			declared[a.Name.Local] = true
		}
	}
	if !declared["xs"] {
		add.WriteString(` xmlns:xs="` + xsdNS + `"`)
	}
	name := start.Name.Local
	if start.Name.Space != "" {
		name = start.Name.Space + ":" + name
	}
	i := strings.Index(text, "<"+name) + len(name) + 1
	text = text[:i] + add.String() + text[i:]
	if xsdPrefix != "" {
		text = strings.ReplaceAll(text, `type="s1:String"`, `type="`+xsdPrefix+`:string"`)
	}
	return text
}

// Validate checks one element (a SOAP body's child, as a standalone document
// with its namespace declarations) against the schemas of its namespace.
func (v *Validator) Validate(element []byte) error {
	ns, err := rootNamespace(element)
	if err != nil {
		return err
	}
	files := v.schemas[ns]
	if len(files) == 0 {
		return fmt.Errorf("no schema for namespace %q", ns)
	}
	doc, err := os.CreateTemp(v.dir, "doc-*.xml")
	if err != nil {
		return err
	}
	defer os.Remove(doc.Name())
	doc.Write(element)
	doc.Close()
	var errs []string
	for _, f := range files {
		out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", f, doc.Name()).CombinedOutput()
		if err == nil {
			return nil
		}
		errs = append(errs, strings.TrimSpace(strings.ReplaceAll(string(out), doc.Name(), "body")))
	}
	return fmt.Errorf("schema validation failed:\n%s", strings.Join(errs, "\n"))
}

func rootNamespace(element []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(element))
	for {
		tok, err := d.Token()
		if err != nil {
			return "", fmt.Errorf("find root element: %w", err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			return s.Name.Space, nil
		}
	}
}

// BodyElement returns the first child of a SOAP envelope's Body as a
// standalone document: the bytes of the element with the namespace
// declarations of its ancestors added to its start tag. It reports whether
// the child is a Fault (which the WSDL schemas do not describe).
func BodyElement(envelope []byte) (elem []byte, isFault bool, err error) {
	d := xml.NewDecoder(bytes.NewReader(envelope))
	var decls []xml.Attr
	depth := 0
	inBody := false
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			return nil, false, fmt.Errorf("find body element: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if inBody {
				if err := skipRaw(d); err != nil {
					return nil, false, err
				}
				text := string(envelope[start:d.InputOffset()])
				return []byte(addDecls(text, t, decls)), t.Name.Local == "Fault", nil
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					decls = append(decls, a)
				}
			}
			if t.Name.Local == "Body" && depth == 2 {
				inBody = true
			}
		case xml.EndElement:
			depth--
		}
	}
}

func addDecls(text string, start xml.StartElement, decls []xml.Attr) string {
	declared := map[string]bool{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" {
			declared[a.Name.Local] = true
		} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
			declared[""] = true
		}
	}
	var add strings.Builder
	for i := len(decls) - 1; i >= 0; i-- { // innermost first wins
		a := decls[i]
		prefix := a.Name.Local
		if a.Name.Space == "" {
			prefix = ""
		}
		if declared[prefix] {
			continue
		}
		declared[prefix] = true
		if prefix == "" {
			fmt.Fprintf(&add, ` xmlns="%s"`, a.Value)
		} else {
			fmt.Fprintf(&add, ` xmlns:%s="%s"`, prefix, a.Value)
		}
	}
	name := start.Name.Local
	if start.Name.Space != "" {
		name = start.Name.Space + ":" + name
	}
	i := strings.Index(text, "<"+name) + len(name) + 1
	return text[:i] + add.String() + text[i:]
}

// skipRaw consumes tokens up to the end of the element whose start was just
// read with RawToken (Decoder.Skip would check names against a stack that
// RawToken does not keep).
func skipRaw(d *xml.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := d.RawToken()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}
