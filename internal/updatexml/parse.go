// Package updatexml parses the full update XML of a revision (root Update in
// namespace http://schemas.microsoft.com/msus/2002/12/Update, as served by
// MS-WSUSSS GetUpdateData) into a patchbay.Revision, and derives from it the
// four metadata fragment kinds of MS-WUSP §3.1.1.1 exactly as WSUS does.
package updatexml

import (
	"fmt"
	"strconv"
	"strings"

	"patchbay"
)

// MaxSize is the largest document Parse accepts, in input bytes. The largest
// real update XML (OS installers with thousands of files) stays far below it.
const MaxSize = 64 << 20

// The Update namespace of the root, and the namespaces whose elements
// MS-WUSP §3.1.1.1 renames in Core fragments ("b.", "m.", "d.").
const (
	nsUpdate        = "http://schemas.microsoft.com/msus/2002/12/Update"
	nsBaseRules     = "http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules"
	nsMsiRules      = "http://schemas.microsoft.com/msus/2002/12/MsiApplicabilityRules"
	nsWindowsDriver = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver"
)

// Document is one parsed revision: its indexed fields and its derived
// metadata fragments (MS-WUSP §3.1.1 Metadata Table). The caller keeps the
// verbatim input bytes; nothing here re-serializes them.
type Document struct {
	Revision patchbay.Revision
	// Fragments holds, in this order: one Core, one Extended, one
	// LocalizedProperties per /Update/LocalizedPropertiesCollection/LocalizedProperties
	// (document order), and one Eula per .../EulaFile (document order).
	// Their XML is UTF-8 and not well-formed (several top-level elements).
	Fragments []patchbay.Fragment
}

// Parse parses full update XML and derives its fragments (MS-WUSP §3.1.1.1,
// MS-WSUSSS §3.1.1.1). data may be UTF-8 (with or without BOM or XML
// declaration) or UTF-16LE/BE (with a BOM, or without one as in MS-WSUSSS
// XmlUpdateBlobCompressed). Required are /Update/UpdateIdentity/@UpdateID (a
// GUID, returned in lower case), @RevisionNumber (an integer) and
// /Update/Properties/@UpdateType (Software, Driver, Category or Detectoid);
// other nodes are optional, unknown ones are ignored, but a typed value that is
// present and malformed (a file size, a digest, a date) is refused. Documents
// over MaxSize bytes or nested deeper than 256 elements are refused; entities
// are never expanded. Every error is a *ParseError (code patchbay.EInvalid).
//
// The fragments match byte for byte what a real WSUS serves for the same
// metadata, including where WSUS departs from the letter of §3.1.1.1
// (ExtendedProperties, defaults left out of Core; see fragments.go). An
// absent Properties/@IsPublic reads as true.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxSize {
		return nil, &ParseError{Err: ErrTooLarge}
	}
	text, err := toUTF8(data)
	if err != nil {
		return nil, &ParseError{Err: err}
	}
	root, err := parseTree(text)
	if err != nil {
		return nil, &ParseError{Err: fmt.Errorf("malformed XML: %w", err)}
	}
	if root.local != "Update" || (root.ns != nsUpdate && root.ns != "") {
		return nil, &ParseError{Path: "/Update", Err: fmt.Errorf("root element is {%s}%s", root.ns, root.local)}
	}
	p := &parser{root: root}
	if err := p.revision(); err != nil {
		return nil, err
	}
	doc := &Document{Revision: p.rev}
	doc.Fragments = fragments(root)
	return doc, nil
}

// parser extracts the Revision fields; rev.RevisionKey is filled first so
// later errors can name the revision.
type parser struct {
	root *node
	rev  patchbay.Revision
}

func (p *parser) fail(path string, err error) error {
	return &ParseError{Revision: p.rev.RevisionKey, Path: path, Err: err}
}

func (p *parser) revision() error {
	id := p.root.elem("UpdateIdentity")
	if id == nil {
		return p.fail("/Update/UpdateIdentity", ErrMissing)
	}
	guid, err := requiredGUID(id, "UpdateID")
	if err != nil {
		return p.fail("/Update/UpdateIdentity/@UpdateID", err)
	}
	rn, err := requiredInt(id, "RevisionNumber")
	if err != nil {
		return p.fail("/Update/UpdateIdentity/@RevisionNumber", err)
	}
	p.rev.RevisionKey = patchbay.RevisionKey{UpdateID: guid, RevisionNumber: rn}

	if err := p.properties(); err != nil {
		return err
	}
	if hsd := p.root.elem("HandlerSpecificData"); hsd != nil {
		if v, ok := hsd.elem("CategoryInformation").attr("CategoryType"); ok {
			p.rev.CategoryType = strings.TrimSpace(v)
		}
	}
	for _, step := range []func() error{p.relationships, p.files, p.drivers, p.localized} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// properties reads /Update/Properties: its attributes and the child elements
// that carry the KB article, security bulletin and support URL.
func (p *parser) properties() error {
	const base = "/Update/Properties"
	props := p.root.elem("Properties")
	if props == nil {
		return p.fail(base, ErrMissing)
	}
	ut, ok := props.attr("UpdateType")
	if !ok {
		return p.fail(base+"/@UpdateType", ErrMissing)
	}
	typ, ok := updateType(ut)
	if !ok {
		return p.fail(base+"/@UpdateType", invalidf("update type", ut))
	}
	r := &p.rev
	r.Type = typ
	r.Handler, _ = props.attr("Handler")
	r.DefaultLanguage, _ = props.attr("DefaultPropertiesLanguage")
	r.PublicationState, _ = props.attr("PublicationState")
	r.MsrcSeverity, _ = props.attr("MsrcSeverity")
	if v, ok := props.attr("CreationDate"); ok {
		t, err := parseTime(v)
		if err != nil {
			return p.fail(base+"/@CreationDate", err)
		}
		r.CreationDate = t
	}
	var err error
	if r.ExplicitlyDeployable, err = optionalBool(props, "ExplicitlyDeployable"); err != nil {
		return p.fail(base+"/@ExplicitlyDeployable", err)
	}
	// IsPublic is absent from most real software metadata (docs/266f6222…),
	// which Microsoft Update distributes publicly: absent means true.
	r.IsPublic = true
	if _, ok := props.attr("IsPublic"); ok {
		if r.IsPublic, err = optionalBool(props, "IsPublic"); err != nil {
			return p.fail(base+"/@IsPublic", err)
		}
	}
	if v, ok := props.attr("EulaID"); ok {
		r.EulaID = normalizeGUIDOrKeep(v)
	}
	// KBArticleID, SecurityBulletinID and SupportUrl are child elements of
	// Properties in real metadata (docs/a2fef9b0…, wsuspect templates);
	// MsrcSeverity is an attribute there. Accept either form for each.
	pick := func(name string, dst *string) {
		if e := props.elem(name); e != nil {
			*dst = strings.TrimSpace(e.text())
		} else if v, ok := props.attr(name); ok && *dst == "" {
			*dst = strings.TrimSpace(v)
		}
	}
	pick("KBArticleID", &r.KBArticleID)
	pick("SecurityBulletinID", &r.SecurityBulletinID)
	pick("MsrcSeverity", &r.MsrcSeverity)
	pick("SupportUrl", &r.SupportURL)
	return nil
}

func updateType(s string) (patchbay.UpdateType, bool) {
	for _, t := range []patchbay.UpdateType{patchbay.TypeSoftware, patchbay.TypeDriver, patchbay.TypeCategory, patchbay.TypeDetectoid} {
		if strings.EqualFold(strings.TrimSpace(s), string(t)) {
			return t, true
		}
	}
	return "", false
}

// relationships reads the Prerequisite and Bundle Tables of MS-WUSP §3.1.1.1
// and the superseded updates (MS-WSUSSS §3.1.1.1 closure).
func (p *parser) relationships() error {
	rel := p.root.elem("Relationships")
	if rel == nil {
		return nil
	}
	r := &p.rev
	if pre := rel.elem("Prerequisites"); pre != nil {
		base := "/Update/Relationships/Prerequisites"
		var nID, nALO int
		for _, c := range pre.content {
			switch {
			case c.el == nil:
			case c.el.local == "UpdateIdentity":
				// A bare UpdateIdentity is a clause of its own.
				nID++
				path := base + "/UpdateIdentity[" + strconv.Itoa(nID) + "]/@UpdateID"
				g, err := requiredGUID(c.el, "UpdateID")
				if err != nil {
					return p.fail(path, err)
				}
				r.Prerequisites = append(r.Prerequisites, patchbay.Clause{UpdateIDs: []string{g}})
			case c.el.local == "AtLeastOne":
				nALO++
				path := base + "/AtLeastOne[" + strconv.Itoa(nALO) + "]"
				isCat, err := optionalBool(c.el, "IsCategory")
				if err != nil {
					return p.fail(path+"/@IsCategory", err)
				}
				cl := patchbay.Clause{IsCategory: isCat}
				for i, u := range c.el.elems("UpdateIdentity") {
					g, err := requiredGUID(u, "UpdateID")
					if err != nil {
						return p.fail(path+"/UpdateIdentity["+strconv.Itoa(i+1)+"]/@UpdateID", err)
					}
					cl.UpdateIDs = append(cl.UpdateIDs, g)
				}
				if len(cl.UpdateIDs) > 0 {
					r.Prerequisites = append(r.Prerequisites, cl)
				}
			}
		}
	}
	if b := rel.elem("BundledUpdates"); b != nil {
		base := "/Update/Relationships/BundledUpdates"
		var nID, nALO int
		for _, c := range b.content {
			switch {
			case c.el == nil:
			case c.el.local == "UpdateIdentity":
				// The spec's XPath is BundledUpdates/AtLeastOne/UpdateIdentity;
				// WSUS-era metadata also lists bare identities, one clause each.
				nID++
				k, err := p.exactRevision(c.el, base+"/UpdateIdentity["+strconv.Itoa(nID)+"]")
				if err != nil {
					return err
				}
				r.Bundled = append(r.Bundled, patchbay.Clause{Revisions: []patchbay.RevisionKey{k}})
			case c.el.local == "AtLeastOne":
				nALO++
				path := base + "/AtLeastOne[" + strconv.Itoa(nALO) + "]"
				var cl patchbay.Clause
				for i, u := range c.el.elems("UpdateIdentity") {
					k, err := p.exactRevision(u, path+"/UpdateIdentity["+strconv.Itoa(i+1)+"]")
					if err != nil {
						return err
					}
					cl.Revisions = append(cl.Revisions, k)
				}
				if len(cl.Revisions) > 0 {
					r.Bundled = append(r.Bundled, cl)
				}
			}
		}
	}
	if s := rel.elem("SupersededUpdates"); s != nil {
		for i, u := range s.elems("UpdateIdentity") {
			g, err := requiredGUID(u, "UpdateID")
			if err != nil {
				return p.fail("/Update/Relationships/SupersededUpdates/UpdateIdentity["+strconv.Itoa(i+1)+"]/@UpdateID", err)
			}
			r.Superseded = append(r.Superseded, g)
		}
	}
	return nil
}

func (p *parser) exactRevision(n *node, path string) (patchbay.RevisionKey, error) {
	g, err := requiredGUID(n, "UpdateID")
	if err != nil {
		return patchbay.RevisionKey{}, p.fail(path+"/@UpdateID", err)
	}
	rn, err := requiredInt(n, "RevisionNumber")
	if err != nil {
		return patchbay.RevisionKey{}, p.fail(path+"/@RevisionNumber", err)
	}
	return patchbay.RevisionKey{UpdateID: g, RevisionNumber: rn}, nil
}
