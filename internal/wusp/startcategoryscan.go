package wusp

import "encoding/xml"

// StartCategoryScan is the request of MS-WUSP §2.2.2.2.8. It carries no
// cookie (protocol-wusp.md trap 12).
type StartCategoryScan struct {
	XMLName             xml.Name                   `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService StartCategoryScan"`
	RequestedCategories List[CategoryRelationship] `xml:"requestedCategories,omitempty"`
}

// CategoryRelationship is MS-WUSP §2.2.2.2.8: items with the same
// IndexOfAndGroup are ANDed, groups are ORed.
type CategoryRelationship struct {
	IndexOfAndGroup int32  `xml:"IndexOfAndGroup"`
	CategoryId      string `xml:"CategoryId"`
}

// StartCategoryScanResponse is MS-WUSP §2.2.2.2.8. Its two lists sit
// directly under the response element (no …Result wrapper).
type StartCategoryScanResponse struct {
	XMLName                     xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService StartCategoryScanResponse"`
	PreferredCategoryIds        GUIDs    `xml:"preferredCategoryIds,omitempty"`
	RequestedCategoryIdsInError GUIDs    `xml:"requestedCategoryIdsInError,omitempty"`
}

// validate applies MS-WUSP §3.1.5.6: requestedCategories must be present
// (absent and empty are the same on the wire), and fewer than
// Limits.MaxRequestedCategories (§7 note 52: WSUS rejects 200 or more).
func (r *StartCategoryScan) validate(l *Limits) error {
	if len(r.RequestedCategories) == 0 || len(r.RequestedCategories) >= l.MaxRequestedCategories {
		return invalidParameter("requestedCategories")
	}
	return nil
}
