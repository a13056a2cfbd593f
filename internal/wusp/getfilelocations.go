package wusp

import "encoding/xml"

// GetFileLocations is the request of MS-WUSP §2.2.2.2.7: SHA-1 digests.
type GetFileLocations struct {
	XMLName     xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetFileLocations"`
	Cookie      *Cookie  `xml:"cookie,omitempty"`
	FileDigests Base64s  `xml:"fileDigests,omitempty"`
}

// GetFileLocationsResponse is MS-WUSP §2.2.2.2.7.
type GetFileLocationsResponse struct {
	XMLName                xml.Name                 `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetFileLocationsResponse"`
	GetFileLocationsResult *GetFileLocationsResults `xml:"GetFileLocationsResult,omitempty"`
}

// GetFileLocationsResults is MS-WUSP §2.2.2.2.7, in WSDL order.
type GetFileLocationsResults struct {
	FileLocations List[FileLocation] `xml:"FileLocations,omitempty"`
	NewCookie     *Cookie            `xml:"NewCookie,omitempty"`
}

// validate applies MS-WUSP §3.1.5.10: fileDigests present, every digest 20
// bytes (SHA-1), at most Limits.MaxFileDigests.
func (r *GetFileLocations) validate(l *Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(r.FileDigests) == 0 || len(r.FileDigests) > l.MaxFileDigests {
		return invalidParameter("fileDigests")
	}
	for _, d := range r.FileDigests {
		if len(d) != 20 {
			return invalidParameter("fileDigests")
		}
	}
	return nil
}
