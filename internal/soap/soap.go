// Package soap implements the SOAP 1.1 and 1.2 framing shared by the
// MS-WUSP and MS-WSUSSS web services: envelope parsing, dispatch on the body
// element's QName cross-checked against the SOAPAction, size-limited bodies,
// faults in the WSUS detail shape, optional xpress response encoding, and a
// client Call.
//
// Both specs use document/literal SOAP without headers (MS-WUSP §2.2,
// MS-WSUSSS §2.2) and dispatch on "the first XML element inside soap:Body"
// (MS-WSUSSS §3.1.4). Envelopes are written with explicit prefixes, the way
// ASMX writes them, because encoding/xml cannot.
package soap

import (
	"mime"
	"strings"
)

// Version is a SOAP version. The zero value means SOAP 1.1 where a version
// is chosen by the caller (Client.Version).
type Version int

// SOAP versions. Windows clients and servers use V11; MS-WSUSSS §1.7 allows
// V12 as long as both ends agree.
const (
	V11 Version = 1
	V12 Version = 2
)

// Namespaces of the two envelope versions and the XML Schema namespaces
// declared on every envelope written here.
const (
	NS11  = "http://schemas.xmlsoap.org/soap/envelope/"
	NS12  = "http://www.w3.org/2003/05/soap-envelope"
	NSXSI = "http://www.w3.org/2001/XMLSchema-instance"
	NSXSD = "http://www.w3.org/2001/XMLSchema"
)

// DefaultMaxBodyBytes is the request (and response) body limit when none is
// configured. Real request bodies reach 173 KB (SyncUpdates with 1,000+
// cached ids) and ReportEventBatch can carry many events; protocol-wusp.md
// §1.3 suggests allowing several MiB.
const DefaultMaxBodyBytes = 16 << 20

func (v Version) norm() Version {
	if v == V12 {
		return V12
	}
	return V11
}

// Namespace returns the envelope namespace of v.
func (v Version) Namespace() string {
	if v.norm() == V12 {
		return NS12
	}
	return NS11
}

// ContentType returns the Content-Type of a message of version v:
// "text/xml; charset=utf-8" for SOAP 1.1 (as WSUS sends), and
// "application/soap+xml; charset=utf-8" for SOAP 1.2.
func (v Version) ContentType() string {
	if v.norm() == V12 {
		return "application/soap+xml; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// prefix is the envelope prefix ASMX uses for each version.
func (v Version) prefix() string {
	if v.norm() == V12 {
		return "soap12"
	}
	return "soap"
}

// String returns "SOAP 1.1" or "SOAP 1.2".
func (v Version) String() string {
	if v.norm() == V12 {
		return "SOAP 1.2"
	}
	return "SOAP 1.1"
}

// versionOfNamespace maps an envelope namespace to its version, or 0.
func versionOfNamespace(ns string) Version {
	switch ns {
	case NS11:
		return V11
	case NS12:
		return V12
	}
	return 0
}

// QuoteAction returns a SOAPAction header value: the action in double
// quotes, as ASMX clients send it and as WSUS echoes it in a fault's Method
// (protocol-wusp.md §2.1).
func QuoteAction(action string) string {
	return `"` + action + `"`
}

// UnquoteAction strips surrounding white space and one pair of double
// quotes (or single quotes) from a SOAPAction value. An absent header and
// `""` both give "".
func UnquoteAction(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// contentTypeInfo extracts the media type and the SOAP 1.2 action parameter
// (RFC 3902) from a Content-Type value. It tolerates malformed values.
func contentTypeInfo(ct string) (mediaType, action string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil {
		return strings.ToLower(mt), UnquoteAction(params["action"])
	}
	// Liberal fallback: split on ';' by hand.
	parts := strings.Split(ct, ";")
	mediaType = strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if ok && action == "" && strings.EqualFold(strings.TrimSpace(k), "action") {
			action = UnquoteAction(v)
		}
	}
	return mediaType, action
}
