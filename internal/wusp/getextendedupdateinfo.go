package wusp

import "encoding/xml"

// GetExtendedUpdateInfo is the request of MS-WUSP §2.2.2.2.6. The WSDL
// types GeoId and callerAttributes "s1:String" (a defect; xs:string).
// Windows 11 inserts deviceAttributes between locales and GeoId
// (protocol-wusp.md §7.2); it is decoded and encoded only when set.
type GetExtendedUpdateInfo struct {
	XMLName          xml.Name      `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetExtendedUpdateInfo"`
	Cookie           *Cookie       `xml:"cookie,omitempty"`
	RevisionIDs      Ints          `xml:"revisionIDs,omitempty"`
	InfoTypes        FragmentTypes `xml:"infoTypes,omitempty"`
	Locales          Strings       `xml:"locales,omitempty"`
	DeviceAttributes string        `xml:"deviceAttributes,omitempty"`
	GeoId            string        `xml:"GeoId,omitempty"`
	CallerAttributes string        `xml:"callerAttributes,omitempty"`
}

// XmlUpdateFragmentType values (MS-WUSP §2.2.2.2.6; FileUrl and
// FileDecryption are GetExtendedUpdateInfo2's, §2.2.2.2.10).
const (
	FragmentPublished           = "Published"
	FragmentCore                = "Core"
	FragmentExtended            = "Extended"
	FragmentVerificationRule    = "VerificationRule"
	FragmentLocalizedProperties = "LocalizedProperties"
	FragmentEula                = "Eula"
	FragmentFileUrl             = "FileUrl"
	FragmentFileDecryption      = "FileDecryption"
)

// GetExtendedUpdateInfoResponse is MS-WUSP §2.2.2.2.6.
type GetExtendedUpdateInfoResponse struct {
	XMLName                     xml.Name            `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetExtendedUpdateInfoResponse"`
	GetExtendedUpdateInfoResult *ExtendedUpdateInfo `xml:"GetExtendedUpdateInfoResult,omitempty"`
}

// ExtendedUpdateInfo is MS-WUSP §2.2.2.2.6, in WSDL order.
type ExtendedUpdateInfo struct {
	Updates               List[UpdateData]   `xml:"Updates,omitempty"`
	FileLocations         List[FileLocation] `xml:"FileLocations,omitempty"`
	OutOfScopeRevisionIDs Ints               `xml:"OutOfScopeRevisionIDs,omitempty"`
}

// UpdateData is the Update item of MS-WUSP §2.2.2.2.6: a revision id and
// one metadata fragment, written as escaped text.
type UpdateData struct {
	ID  int32  `xml:"ID"`
	Xml []byte `xml:"Xml,omitempty"`
}

// FileLocation is MS-WUSP §2.2.2.2.6; the last six elements are
// GetExtendedUpdateInfo2's (§2.2.2.2.10) and are omitted when empty.
type FileLocation struct {
	FileDigest                   Binary `xml:"FileDigest,omitempty"`
	Url                          string `xml:"Url,omitempty"`
	PiecesHashUrl                string `xml:"PiecesHashUrl,omitempty"`
	BlockMapUrl                  string `xml:"BlockMapUrl,omitempty"`
	DecryptionInformation        string `xml:"DecryptionInformation,omitempty"`
	FileDigestAlgorithm          string `xml:"FileDigestAlgorithm,omitempty"`
	EncryptedFileDigest          Binary `xml:"EncryptedFileDigest,omitempty"`
	EncryptedFileDigestAlgorithm string `xml:"EncryptedFileDigestAlgorithm,omitempty"`
}

// validate applies MS-WUSP §3.1.5.9: at most MaxExtendedUpdatesPerRequest
// revision ids (the spec says "smaller than"; WSUS accepts the advertised
// value, protocol-wusp.md §7.2), infoTypes present, and locales present
// when Eula or LocalizedProperties is asked for.
func (r *GetExtendedUpdateInfo) validate(l *Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(r.RevisionIDs) > l.MaxExtendedUpdatesPerRequest {
		return invalidParameter("revisionIDs")
	}
	return validateInfoTypes(r.InfoTypes, r.Locales)
}

func validateInfoTypes(infoTypes, locales []string) error {
	if len(infoTypes) == 0 {
		return invalidParameter("infoTypes")
	}
	for _, t := range infoTypes {
		switch t {
		case FragmentEula, FragmentLocalizedProperties:
			if len(locales) == 0 {
				return invalidParameter("locales")
			}
		case FragmentPublished, FragmentCore, FragmentExtended, FragmentVerificationRule,
			FragmentFileUrl, FragmentFileDecryption:
		default:
			return invalidParameter("infoTypes")
		}
	}
	return nil
}
