package applicability

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"patchbay"
)

// Limits of ParseCore. Real Core fragments are a few kilobytes and their rule
// trees less than ten levels deep (wsus-rs docs/ff36f0b5…, the deepest seen).
const (
	MaxCoreSize = 8 << 20 // bytes
	MaxDepth    = 100     // element nesting below the synthetic root
	maxNodes    = 200000
)

// Node is one element of an applicability expression, named as in a Core
// fragment: logical rules unprefixed ("And", "Not", "True"), base rules "b.X",
// MSI rules "m.X", driver rules "d.X", and rules of other namespaces
// unprefixed ("CbsPackageInstalled", "ProductReleaseInstalled") (MS-WUSP
// §3.1.1.1; protocol-wusp.md §7.1).
type Node struct {
	Name     string
	Attr     map[string]string // attributes by local name; namespace declarations left out
	Text     string            // character data directly inside the element, trimmed
	Children []*Node
}

// attr returns the attribute named name, matched case-insensitively as the
// WUA's XML reader is lenient about hand-authored rules.
func (n *Node) attr(name string) (string, bool) {
	if v, ok := n.Attr[name]; ok {
		return v, true
	}
	for k, v := range n.Attr {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// child returns the first child named name.
func (n *Node) child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// DriverMeta is one WindowsDriverMetaData element of a driver update's
// ApplicabilityRules/Metadata (MS-WUSP §3.1.1.1 Driver Table; WindowsDriver
// schema in MS-WUSP Appendix B note 42).
type DriverMeta struct {
	HardwareID       string
	DriverVerDate    time.Time // zero when absent or malformed
	DriverVerVersion FourPart
	WhqlDriverID     int64
	Class            string
	Company          string
	Provider         string
	Manufacturer     string
	Model            string
	// CompatibleProviders matter only for printers (schema
	// documentation of CompatibleProvider).
	CompatibleProviders             []string
	FeatureScores                   []patchbay.FeatureScore
	TargetComputerHardwareIDs       []string
	DistributionComputerHardwareIDs []string
}

// CbsIdentity is the assemblyIdentity of a CBS package, from
// ApplicabilityRules/Metadata/CbsPackageApplicabilityMetadata/assembly
// (wsus-m0-cbs/cbs-rollupfix-core-reduced.xml).
type CbsIdentity struct {
	Name           string   // "Package_for_RollupFix"
	Version        FourPart // "22000.1936.1.9": the OS build comes first
	Arch           string   // "amd64", "arm64", "x86", "neutral"
	PublicKeyToken string
	Language       string
	Identifier     string // package/@identifier, "KB5026368"
}

// Rules are the parts of one revision's Core fragment that applicability
// needs.
type Rules struct {
	UpdateID       string // lower case
	RevisionNumber int
	Type           string // Properties/@UpdateType: Software, Driver, Category, Detectoid

	// The three applicability expressions, nil when absent. An element
	// holding several rules (not allowed by the schema) reads as their And.
	IsInstalled, IsInstallable, IsSuperseded *Node

	Drivers []DriverMeta // Metadata/d.WindowsDriverMetaData, in document order
	Cbs     *CbsIdentity // Metadata/CbsPackageApplicabilityMetadata, nil when absent
}

// ErrMalformed is wrapped by every error of ParseCore.
var ErrMalformed = errors.New("malformed core fragment")

// ParseCore parses a Core fragment: several top-level elements, not a
// well-formed document (MS-WUSP §3.1.1.1; protocol-wusp.md trap 32), so it is
// read inside a synthetic root. Namespaces are optional: prefixed elements of
// a full update document (bar:, lar:, msiar:, drv:, cbsar:, upd:) are named as
// the server would name them in Core, so ApplicabilityRules cut from full
// metadata parse too. A fragment without UpdateIdentity is accepted (the
// caller may know the identity); a malformed one, one over MaxCoreSize bytes
// or nested deeper than MaxDepth is refused with an error wrapping
// ErrMalformed (code patchbay.EInvalid). ParseCore never panics.
func ParseCore(core []byte) (*Rules, error) {
	if len(core) > MaxCoreSize {
		return nil, invalid("%d bytes, over %d", len(core), MaxCoreSize)
	}
	core = bytes.TrimPrefix(core, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(core, " \t\r\n"); bytes.HasPrefix(t, []byte("<?xml")) {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			core = t[i+2:]
		}
	}
	root, err := parseTree(core)
	if err != nil {
		return nil, err
	}
	r := &Rules{}
	for _, top := range root.Children {
		switch top.Name {
		case "UpdateIdentity":
			if id, ok := top.attr("UpdateID"); ok {
				if g, ok := patchbay.ParseGUID(id); ok {
					r.UpdateID = g
				} else {
					r.UpdateID = strings.ToLower(strings.TrimSpace(id))
				}
			}
			if v, ok := top.attr("RevisionNumber"); ok {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return nil, invalid("RevisionNumber %q", v)
				}
				r.RevisionNumber = n
			}
		case "Properties":
			r.Type, _ = top.attr("UpdateType")
		case "ApplicabilityRules":
			r.readRules(top)
		}
	}
	return r, nil
}

func (r *Rules) readRules(ar *Node) {
	for _, c := range ar.Children {
		switch c.Name {
		case "IsInstalled":
			r.IsInstalled = expression(c)
		case "IsInstallable":
			r.IsInstallable = expression(c)
		case "IsSuperseded":
			r.IsSuperseded = expression(c)
		case "Metadata":
			for _, m := range c.Children {
				switch m.Name {
				case "d.WindowsDriverMetaData":
					r.Drivers = append(r.Drivers, driverMeta(m))
				case "CbsPackageApplicabilityMetadata":
					r.Cbs = cbsIdentity(m)
				}
			}
		}
	}
}

// expression is the single rule inside IsInstalled, IsInstallable or
// IsSuperseded; several read as their And, none as absent.
func expression(n *Node) *Node {
	switch len(n.Children) {
	case 0:
		return nil
	case 1:
		return n.Children[0]
	}
	return &Node{Name: "And", Children: n.Children}
}

func driverMeta(n *Node) DriverMeta {
	d := DriverMeta{}
	d.HardwareID, _ = n.attr("HardwareID")
	if v, ok := n.attr("DriverVerDate"); ok {
		d.DriverVerDate = parseDate(v)
	}
	if v, ok := n.attr("DriverVerVersion"); ok {
		d.DriverVerVersion, _ = ParseFourPart(v)
	}
	if v, ok := n.attr("WhqlDriverID"); ok {
		d.WhqlDriverID, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	}
	d.Class, _ = n.attr("Class")
	d.Company, _ = n.attr("Company")
	d.Provider, _ = n.attr("Provider")
	d.Manufacturer, _ = n.attr("Manufacturer")
	d.Model, _ = n.attr("Model")
	for _, c := range n.Children {
		switch c.Name {
		case "d.CompatibleProvider":
			d.CompatibleProviders = append(d.CompatibleProviders, c.Text)
		case "d.TargetComputerHardwareId":
			d.TargetComputerHardwareIDs = append(d.TargetComputerHardwareIDs, strings.ToLower(c.Text))
		case "d.DistributionComputerHardwareId":
			d.DistributionComputerHardwareIDs = append(d.DistributionComputerHardwareIDs, strings.ToLower(c.Text))
		case "d.FeatureScore":
			osName, _ := c.attr("OperatingSystem")
			s, _ := c.attr("FeatureScore")
			// One hexadecimal byte, as the INF FeatureScore directive
			// (refcatalog drivers.go).
			v, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(s), "0x"), 16, 8)
			if err == nil {
				d.FeatureScores = append(d.FeatureScores, patchbay.FeatureScore{OperatingSystem: osName, Score: int(v)})
			}
		}
	}
	return d
}

func cbsIdentity(m *Node) *CbsIdentity {
	asm := m.child("assembly")
	if asm == nil {
		return nil
	}
	id := asm.child("assemblyIdentity")
	if id == nil {
		return nil
	}
	c := &CbsIdentity{}
	c.Name, _ = id.attr("name")
	if v, ok := id.attr("version"); ok {
		c.Version, _ = ParseFourPart(v)
	}
	c.Arch, _ = id.attr("processorArchitecture")
	c.PublicKeyToken, _ = id.attr("publicKeyToken")
	c.Language, _ = id.attr("language")
	if p := asm.child("package"); p != nil {
		c.Identifier, _ = p.attr("identifier")
	}
	return c
}

// Namespaces of the full update XML and the names Core gives their elements
// (MS-WUSP §3.1.1.1). Undeclared prefixes reach us as the prefix itself.
var nsPrefix = map[string]string{
	"http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules":       "b.",
	"http://schemas.microsoft.com/msus/2002/12/MsiApplicabilityRules":        "m.",
	"http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver": "d.",
	"bar": "b.", "msiar": "m.", "mar": "m.", "drv": "d.",
}

func elementName(n xml.Name) string {
	return nsPrefix[n.Space] + n.Local
}

// parseTree reads core inside a synthetic root.
func parseTree(core []byte) (*Node, error) {
	src := io.MultiReader(strings.NewReader("<r>"), bytes.NewReader(core), strings.NewReader("</r>"))
	dec := xml.NewDecoder(src)
	dec.Strict = true
	var stack []*Node
	var root *Node
	nodes := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, invalid("%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			nodes++
			if len(stack) > MaxDepth {
				return nil, invalid("nested deeper than %d", MaxDepth)
			}
			if nodes > maxNodes {
				return nil, invalid("more than %d elements", maxNodes)
			}
			n := &Node{Name: elementName(t.Name)}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				if n.Attr == nil {
					n.Attr = make(map[string]string, len(t.Attr))
				}
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, invalid("unbalanced end element")
			}
			n := stack[len(stack)-1]
			n.Text = strings.TrimSpace(n.Text)
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 1 {
				n := stack[len(stack)-1]
				if len(n.Text) < 4096 {
					n.Text += string(t)
				}
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, invalid("text outside elements")
			}
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, invalid("truncated")
	}
	return root, nil
}

func invalid(format string, args ...any) error {
	return &patchbay.Error{Code: patchbay.EInvalid, Message: "applicability: " + fmt.Sprintf(format, args...),
		Err: ErrMalformed}
}

// parseDate reads xs:date or xs:dateTime as metadata writes them.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
