package wusp

import "encoding/xml"

// RefreshCache is the request of MS-WUSP §2.2.2.2.5.
type RefreshCache struct {
	XMLName   xml.Name             `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService RefreshCache"`
	Cookie    *Cookie              `xml:"cookie,omitempty"`
	GlobalIDs List[UpdateIdentity] `xml:"globalIDs,omitempty"`
}

// RefreshCacheResponse is MS-WUSP §2.2.2.2.5: the array and its items are
// both named RefreshCacheResult (protocol-wusp.md trap 7).
type RefreshCacheResponse struct {
	XMLName            xml.Name                 `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService RefreshCacheResponse"`
	RefreshCacheResult List[RefreshCacheResult] `xml:"RefreshCacheResult,omitempty"`
}

// RefreshCacheResult is MS-WUSP §2.2.2.2.5: GlobalID and Deployment MUST be
// present.
type RefreshCacheResult struct {
	RevisionID int32           `xml:"RevisionID"`
	GlobalID   *UpdateIdentity `xml:"GlobalID,omitempty"`
	IsLeaf     bool            `xml:"IsLeaf"`
	Deployment *Deployment     `xml:"Deployment,omitempty"`
}

// validate applies MS-WUSP §3.1.5.8: globalIDs must be present.
func (r *RefreshCache) validate(l *Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(r.GlobalIDs) == 0 || len(r.GlobalIDs) > l.MaxCachedUpdateIDs {
		return invalidParameter("globalIDs")
	}
	return nil
}
