package soap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// RawXML is a pre-rendered body element, written verbatim inside soap:Body.
// It must be one well-formed element that declares its own namespaces.
type RawXML []byte

// WriteTo writes the bytes to w.
func (r RawXML) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(r)
	return int64(n), err
}

// envelopeStart is the opening of every envelope written here: an XML
// declaration, then Envelope with explicit prefix and xsi/xsd declarations,
// then Body, the shape ASMX (SimpleAuth, Reporting, ServerSync on WSUS)
// writes (protocol-wusp.md §1.4, protocol-wsusss.md §2.3).
func envelopeStart(v Version) string {
	p := v.prefix()
	return `<?xml version="1.0" encoding="utf-8"?><` + p + `:Envelope xmlns:` + p + `="` + v.Namespace() +
		`" xmlns:xsi="` + NSXSI + `" xmlns:xsd="` + NSXSD + `"><` + p + `:Body>`
}

func envelopeEnd(v Version) string {
	p := v.prefix()
	return `</` + p + `:Body></` + p + `:Envelope>`
}

// MarshalEnvelope returns a complete envelope of version v whose Body holds
// body, which is one of:
//   - nil: an empty Body;
//   - *Fault: a fault (see appendFault);
//   - io.WriterTo (for example RawXML): its output, verbatim;
//   - anything else: marshalled with encoding/xml, so its XMLName (or type
//     name) and namespace tags decide the element; the operation element
//     then declares its namespace as the default, as ASMX and WCF do.
func MarshalEnvelope(v Version, body any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(envelopeStart(v))
	if err := appendBody(&b, v, body); err != nil {
		return nil, err
	}
	b.WriteString(envelopeEnd(v))
	return b.Bytes(), nil
}

func appendBody(b *bytes.Buffer, v Version, body any) error {
	switch x := body.(type) {
	case nil:
		return nil
	case *Fault:
		appendFault(b, v, x)
		return nil
	case io.WriterTo:
		_, err := x.WriteTo(b)
		return err
	default:
		if err := xml.NewEncoder(b).Encode(body); err != nil {
			return fmt.Errorf("marshal %T: %w", body, err)
		}
		return nil
	}
}

// writeEnvelopeTo streams an envelope whose body comes from wt to w.
func writeEnvelopeTo(w io.Writer, v Version, wt io.WriterTo) error {
	if _, err := io.WriteString(w, envelopeStart(v)); err != nil {
		return err
	}
	if _, err := wt.WriteTo(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, envelopeEnd(v))
	return err
}
