package wusp

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// DateTime is an xs:dateTime value (MS-WUSP §2.2.2). It decodes 0–7
// fraction digits with or without a zone (no zone means UTC, as in the §4
// examples), and a bare date; it encodes UTC with a "Z" and only the
// fraction digits needed, so a value WSUS sent ("2026-10-04T13:17:07.59Z")
// is written back unchanged (protocol-wusp.md §1.7, trap 14).
type DateTime struct{ time.Time }

// layouts tried in order by UnmarshalText after RFC 3339.
var dateTimeLayouts = [...]string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
	"2006-01-02Z07:00",
}

// MarshalText implements encoding.TextMarshaler.
func (t DateTime) MarshalText() ([]byte, error) {
	return t.UTC().AppendFormat(nil, time.RFC3339Nano), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. Empty text (a nil or
// empty element) is the zero time.
func (t *DateTime) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v.UTC()
		return nil
	}
	for _, l := range dateTimeLayouts {
		if v, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("wusp: invalid dateTime %q", s)
}

// Binary is an xs:base64Binary value (standard alphabet, padded). Decoding
// tolerates white space inside the text, as in the §4 examples.
type Binary []byte

// MarshalText implements encoding.TextMarshaler.
func (b Binary) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *Binary) UnmarshalText(text []byte) error {
	clean := text
	if strings.ContainsAny(string(text), " \t\r\n") {
		clean = make([]byte, 0, len(text))
		for _, c := range text {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				clean = append(clean, c)
			}
		}
	}
	if len(clean) == 0 {
		*b = nil
		return nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	if err != nil {
		return fmt.Errorf("wusp: invalid base64Binary: %w", err)
	}
	*b = out[:n]
	return nil
}

// Cookie is the MS-WUSP §2.2.3.5 Cookie: a clear-text copy of the expiry
// and opaque server data. Its children are written in the namespace of the
// enclosing operation (protocol-wusp.md §1.2).
type Cookie struct {
	Expiration    DateTime `xml:"Expiration"`
	EncryptedData Binary   `xml:"EncryptedData,omitempty"`
}

// AuthorizationCookie is MS-WUSP §2.2.3.4: the SimpleAuth plug-in id
// ("SimpleTargeting") and opaque cookie data.
type AuthorizationCookie struct {
	PlugInId   string `xml:"PlugInId,omitempty"`
	CookieData Binary `xml:"CookieData,omitempty"`
}

// UpdateIdentity is MS-WUSP §2.2.3.1 (also UpdateRevisionIdentifier of
// §2.2.2.3.1): an update GUID and a revision number.
type UpdateIdentity struct {
	UpdateID       string `xml:"UpdateID"`
	RevisionNumber int32  `xml:"RevisionNumber"`
}
