package wusp

import "encoding/xml"

// GetCookie is the request of MS-WUSP §2.2.2.2.2. WUA sends an OldCookie
// holding only Expiration on its first call (protocol-wusp.md §4.3); the
// server must treat it as absent, not fault.
type GetCookie struct {
	XMLName         xml.Name                  `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetCookie"`
	AuthCookies     List[AuthorizationCookie] `xml:"authCookies,omitempty"`
	OldCookie       *Cookie                   `xml:"oldCookie,omitempty"`
	LastChange      DateTime                  `xml:"lastChange"`
	CurrentTime     DateTime                  `xml:"currentTime"`
	ProtocolVersion string                    `xml:"protocolVersion,omitempty"`
}

// GetCookieResponse is MS-WUSP §2.2.2.2.2.
type GetCookieResponse struct {
	XMLName         xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetCookieResponse"`
	GetCookieResult *Cookie  `xml:"GetCookieResult,omitempty"`
}

// validate applies MS-WUSP §3.1.5.4: exactly one authorization cookie, else
// InvalidAuthorizationCookie. The cookie's contents, lastChange
// (ConfigChanged) and the old cookie are the Service's to judge.
func (r *GetCookie) validate(*Limits) error {
	if len(r.AuthCookies) != 1 || len(r.AuthCookies[0].CookieData) == 0 {
		return &faultError{code: ErrorInvalidAuthorizationCookie}
	}
	return nil
}
