package wusp

import "encoding/xml"

// GetAuthorizationCookie is the request of the SimpleAuth web service,
// MS-WUSP §2.2.2.1.1. WUA sends no targetGroupName element
// (protocol-wusp.md §4.2).
type GetAuthorizationCookie struct {
	XMLName         xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService GetAuthorizationCookie"`
	ClientID        string   `xml:"clientId,omitempty"`
	TargetGroupName string   `xml:"targetGroupName,omitempty"`
	DnsName         string   `xml:"dnsName,omitempty"`
}

// GetAuthorizationCookieResponse is MS-WUSP §2.2.2.1.1.
type GetAuthorizationCookieResponse struct {
	XMLName                      xml.Name             `xml:"http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService GetAuthorizationCookieResponse"`
	GetAuthorizationCookieResult *AuthorizationCookie `xml:"GetAuthorizationCookieResult,omitempty"`
}

// validate applies MS-WUSP §3.1.5.3: clientId and dnsName must be present.
// WSUS answers InternalServerError (§7 notes 50, 51); Patchbay names the
// parameter with InvalidParameters, which WUA treats the same way
// (protocol-wusp.md §4.2).
func (r *GetAuthorizationCookie) validate(*Limits) error {
	if !validClientID(r.ClientID) {
		return invalidParameter("clientId")
	}
	if r.DnsName == "" {
		return invalidParameter("dnsName")
	}
	return nil
}

// validClientID reports whether s is a ClientIdString (MS-WUSP §1.1): 1–255
// characters from a-z, 0-9 and '-'. Upper case is accepted and compared
// case-insensitively (protocol-wusp.md §4.2).
func validClientID(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
