package wusp

import "encoding/xml"

// GetExtendedUpdateInfo2 is the request of MS-WUSP §2.2.2.2.10. It names
// updates by UpdateIdentity, not by revision id.
type GetExtendedUpdateInfo2 struct {
	XMLName          xml.Name             `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetExtendedUpdateInfo2"`
	Cookie           *Cookie              `xml:"cookie,omitempty"`
	UpdateIDs        List[UpdateIdentity] `xml:"updateIDs,omitempty"`
	InfoTypes        FragmentTypes        `xml:"infoTypes,omitempty"`
	Locales          Strings              `xml:"locales,omitempty"`
	CallerAttributes string               `xml:"callerAttributes,omitempty"`
}

// GetExtendedUpdateInfo2Response is MS-WUSP §2.2.2.2.10.
type GetExtendedUpdateInfo2Response struct {
	XMLName                      xml.Name             `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetExtendedUpdateInfo2Response"`
	GetExtendedUpdateInfo2Result *ExtendedUpdateInfo2 `xml:"GetExtendedUpdateInfo2Result,omitempty"`
}

// ExtendedUpdateInfo2 is MS-WUSP §2.2.2.2.10, in WSDL order.
type ExtendedUpdateInfo2 struct {
	Updates                 List[UpdateData]             `xml:"Updates,omitempty"`
	FileLocations           List[FileLocation]           `xml:"FileLocations,omitempty"`
	FileDecryptionData      List[FileDecryption]         `xml:"FileDecryptionData,omitempty"`
	FileDecryptionData2     List[FileDecryption2]        `xml:"FileDecryptionData2,omitempty"`
	UpdateEncryptionDetails List[UpdateEncryptionDetail] `xml:"UpdateEncryptionDetails,omitempty"`
}

// FileDecryption is MS-WUSP §2.2.2.2.10 (also the FileDecryption2 item):
// SecurityData is an array of exactly one element equal to the key.
type FileDecryption struct {
	FileDigest    Binary  `xml:"FileDigest,omitempty"`
	DecryptionKey Binary  `xml:"DecryptionKey,omitempty"`
	SecurityData  Base64s `xml:"SecurityData,omitempty"`
}

// FileDecryption2 is the item of FileDecryptionData2 (MS-WUSP
// §2.2.2.2.10), shaped like FileDecryption.
type FileDecryption2 struct {
	FileDigest    Binary  `xml:"FileDigest,omitempty"`
	DecryptionKey Binary  `xml:"DecryptionKey,omitempty"`
	SecurityData  Base64s `xml:"SecurityData,omitempty"`
}

// UpdateEncryptionDetail is MS-WUSP §2.2.2.2.10 (Windows 11 24H2+).
type UpdateEncryptionDetail struct {
	UpdateIdentity    UpdateIdentity `xml:"UpdateIdentity"`
	HasEncryptedFiles bool           `xml:"HasEncryptedFiles"`
}

// validate applies the §3.1.5.9 rules to §2.2.2.2.10, which has no
// validation table of its own (protocol-wusp.md §7.3).
func (r *GetExtendedUpdateInfo2) validate(l *Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(r.UpdateIDs) > l.MaxExtendedUpdatesPerRequest {
		return invalidParameter("updateIDs")
	}
	return validateInfoTypes(r.InfoTypes, r.Locales)
}
