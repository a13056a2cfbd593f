package wusp

import "encoding/xml"

// SyncUpdates is the request of MS-WUSP §2.2.2.2.4.
type SyncUpdates struct {
	XMLName    xml.Name              `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService SyncUpdates"`
	Cookie     *Cookie               `xml:"cookie,omitempty"`
	Parameters *SyncUpdateParameters `xml:"parameters,omitempty"`
}

// SyncUpdateParameters is MS-WUSP §2.2.2.2.4, in WSDL order. Windows 11
// (client protocol 2.90) also sends AlsoPerformRegularSync between
// NeedTwoGroupOutOfScopeUpdates and ComputerSpec, and ProductsParameters
// last; no WSDL defines them (protocol-wusp.md §5.1). They are decoded, and
// encoded only when set, in the position WUA uses. Absent, empty and nil
// lists all decode to nil slices (protocol-wusp.md trap 5).
type SyncUpdateParameters struct {
	// ExpressQuery "MUST be absent or FALSE"; the server ignores it.
	ExpressQuery                  bool                           `xml:"ExpressQuery"`
	InstalledNonLeafUpdateIDs     Ints                           `xml:"InstalledNonLeafUpdateIDs,omitempty"`
	OtherCachedUpdateIDs          Ints                           `xml:"OtherCachedUpdateIDs,omitempty"`
	SystemSpec                    List[Device]                   `xml:"SystemSpec,omitempty"`
	CachedDriverIDs               Ints                           `xml:"CachedDriverIDs,omitempty"`
	SkipSoftwareSync              bool                           `xml:"SkipSoftwareSync"`
	FilterCategoryIds             List[CategoryIdentifier]       `xml:"FilterCategoryIds,omitempty"`
	NeedTwoGroupOutOfScopeUpdates bool                           `xml:"NeedTwoGroupOutOfScopeUpdates,omitempty"`
	AlsoPerformRegularSync        *bool                          `xml:"AlsoPerformRegularSync,omitempty"`
	ComputerSpec                  *ComputerHardwareSpecification `xml:"ComputerSpec,omitempty"`
	FeatureScoreMatchingKey       string                         `xml:"FeatureScoreMatchingKey,omitempty"`
	ProductsParameters            *ProductsParameters            `xml:"ProductsParameters,omitempty"`
}

// CategoryIdentifier is MS-WUSP §2.2.2.2.4 (FilterCategoryIds item).
type CategoryIdentifier struct {
	Id string `xml:"Id"`
}

// ComputerHardwareSpecification is MS-WUSP §2.2.2.2.4: the computer
// hardware ids, most specific first.
type ComputerHardwareSpecification struct {
	HardwareIDs GUIDs `xml:"HardwareIDs,omitempty"`
}

// ProductsParameters is sent by Windows 11 at the end of
// SyncUpdateParameters; it is in no WSDL (protocol-wusp.md §5.1).
// DeviceAttributes and CallerAttributes are "Key=Value;" strings.
type ProductsParameters struct {
	SyncCurrentVersionOnly bool   `xml:"SyncCurrentVersionOnly"`
	DeviceAttributes       string `xml:"DeviceAttributes,omitempty"`
	CallerAttributes       string `xml:"CallerAttributes,omitempty"`
	Products               string `xml:"Products,omitempty"`
}

// Device is MS-WUSP §2.2.2.2.4: one device of SystemSpec in the driver pass.
type Device struct {
	HardwareIDs       Strings               `xml:"HardwareIDs,omitempty"`
	CompatibleIDs     Strings               `xml:"CompatibleIDs,omitempty"`
	InstalledDriver   *InstalledDriver      `xml:"installedDriver,omitempty"`
	ExtensionDrivers  List[ExtensionDriver] `xml:"extensionDriver,omitempty"`
	DriverRecoveryIDs DriverRecoveryIDs     `xml:"DriverRecoveryIDs,omitempty"`
	// DeviceFlags bit 0 marks a device not enumerated by PnP (printers).
	DeviceFlags *uint8 `xml:"DeviceFlags,omitempty"`
}

// InstalledDriver is MS-WUSP §2.2.2.2.4. DriverVerVersion packs four 16-bit
// parts (2814751477604196 = 10.0.26100.8036). MatchingComputerHWID is
// often xsi:nil and then empty.
type InstalledDriver struct {
	MatchingID           string   `xml:"MatchingID,omitempty"`
	DriverVerDate        DateTime `xml:"DriverVerDate"`
	DriverVerVersion     int64    `xml:"DriverVerVersion"`
	Class                string   `xml:"Class,omitempty"`
	Manufacturer         string   `xml:"Manufacturer,omitempty"`
	Provider             string   `xml:"Provider,omitempty"`
	Model                string   `xml:"Model,omitempty"`
	MatchingComputerHWID string   `xml:"MatchingComputerHWID,omitempty"`
	DriverRank           int32    `xml:"DriverRank"`
	// SkipProviderFiltering and IsGeneric are sent by Windows 11 after
	// DriverRank; no WSDL defines them (scan/000009). Written only when set.
	SkipProviderFiltering *bool `xml:"SkipProviderFiltering,omitempty"`
	IsGeneric             *bool `xml:"IsGeneric,omitempty"`
}

// UnmarshalXML decodes a Device liberally. Besides the WSDL's
// extensionDriver/extensionDriver, Windows 11 sends
// extensionDrivers/ExtensionDriver (scan/000009); both fill
// ExtensionDrivers, which is written in the WSDL form.
func (d *Device) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	type plain Device
	var aux struct {
		plain
		Observed List[ExtensionDriver] `xml:"extensionDrivers"`
	}
	if err := dec.DecodeElement(&aux, &start); err != nil {
		return err
	}
	*d = Device(aux.plain)
	if len(d.ExtensionDrivers) == 0 {
		d.ExtensionDrivers = aux.Observed
	}
	return nil
}

// ExtensionDriver is the extensionDriver type of MS-WUSP §2.2.2.2.4
// (Windows 10 1709 and later, §7 note 17).
type ExtensionDriver struct {
	ExtensionId          string   `xml:"ExtensionId"`
	DriverVerDate        DateTime `xml:"DriverVerDate"`
	DriverVerVersion     int64    `xml:"DriverVerVersion"`
	Class                string   `xml:"Class"`
	DriverRank           int32    `xml:"DriverRank"`
	MatchingComputerHWID string   `xml:"MatchingComputerHWID,omitempty"`
}

// SyncUpdatesResponse is MS-WUSP §2.2.2.2.4. It is written by a streaming
// encoder (WriteTo) so that Core fragments go straight to the wire.
type SyncUpdatesResponse struct {
	XMLName           xml.Name  `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService SyncUpdatesResponse"`
	SyncUpdatesResult *SyncInfo `xml:"SyncUpdatesResult,omitempty"`
}

// SyncInfo is MS-WUSP §2.2.2.2.4, in WSDL order. Empty lists are omitted
// on the wire, as WSUS does (protocol-wusp.md §1.4). DriverSyncNotNeeded
// is an xs:string holding "true" or "false"; empty omits it.
type SyncInfo struct {
	NewUpdates                    List[UpdateInfo] `xml:"NewUpdates,omitempty"`
	OutOfScopeRevisionIDs         Ints             `xml:"OutOfScopeRevisionIDs,omitempty"`
	ChangedUpdates                List[UpdateInfo] `xml:"ChangedUpdates,omitempty"`
	Truncated                     bool             `xml:"Truncated"`
	NewCookie                     *Cookie          `xml:"NewCookie,omitempty"`
	DeployedOutOfScopeRevisionIds Ints             `xml:"DeployedOutOfScopeRevisionIds,omitempty"`
	DriverSyncNotNeeded           string           `xml:"DriverSyncNotNeeded,omitempty"`
}

// UpdateInfo is MS-WUSP §2.2.2.2.4. Xml is a pre-rendered Core fragment
// (§3.1.1.1): several top-level elements, written as escaped text, never
// re-encoded through structs. Deployment is optional in the WSDL but WUA
// fails without it (protocol-wusp.md trap 19); servers must always set it.
type UpdateInfo struct {
	ID         int32       `xml:"ID"`
	Deployment *Deployment `xml:"Deployment,omitempty"`
	IsLeaf     bool        `xml:"IsLeaf"`
	Xml        []byte      `xml:"Xml,omitempty"`
	// XmlEscaped, when set, is Xml already escaped with EscapeText: the
	// streaming SyncUpdates encoder writes it verbatim instead of escaping
	// Xml again, so a server can escape each Core fragment once, not on
	// every scan. encoding/xml ignores it.
	XmlEscaped []byte `xml:"-"`
}

// Deployment is MS-WUSP §2.2.2.2.4, in WSDL order. LastChangeTime is an
// xs:string holding a date ("2026-10-04", as WSUS writes it); Deadline is
// optional. AutoSelect, AutoDownload, SupersedenceBehavior and FlagBitmask
// are strings that must be "0" when sent and must not be sent to clients
// below protocol 1.8. The WSDL spells the last element " ClientBehaviors"
// with a leading space (a defect); it is ClientBehaviors on the wire.
type Deployment struct {
	ID                   int32                `xml:"ID"`
	Action               string               `xml:"Action"`
	Deadline             string               `xml:"Deadline,omitempty"`
	IsAssigned           bool                 `xml:"IsAssigned"`
	LastChangeTime       string               `xml:"LastChangeTime"`
	DownloadPriority     string               `xml:"DownloadPriority,omitempty"`
	HardwareIds          Strings              `xml:"HardwareIds,omitempty"`
	AutoSelect           string               `xml:"AutoSelect,omitempty"`
	AutoDownload         string               `xml:"AutoDownload,omitempty"`
	SupersedenceBehavior string               `xml:"SupersedenceBehavior,omitempty"`
	FlagBitmask          string               `xml:"FlagBitmask,omitempty"`
	ClientBehaviors      List[ClientMetadata] `xml:"ClientBehaviors,omitempty"`
}

// DeploymentAction values (MS-WUSP §2.2.2.2.4).
const (
	ActionInstall            = "Install"
	ActionOptionalInstall    = "OptionalInstall"
	ActionUninstall          = "Uninstall"
	ActionPreDeploymentCheck = "PreDeploymentCheck"
	ActionBlock              = "Block"
	ActionEvaluate           = "Evaluate"
	ActionBundle             = "Bundle"
)

// ClientMetadata is an item of Deployment.ClientBehaviors (MS-WUSP
// §2.2.2.2.4; Windows 11 22H2 and later, §7 note 24).
type ClientMetadata struct {
	MetadataType string        `xml:"MetadataType"`
	Metadata     string        `xml:"Metadata"`
	Verification *Verification `xml:"Verification,omitempty"`
}

// Verification is MS-WUSP §2.2.2.2.4: four required attributes.
type Verification struct {
	Timestamp         DateTime `xml:"Timestamp,attr"`
	LeafCertificateId uint32   `xml:"LeafCertificateId,attr"`
	Signature         Binary   `xml:"Signature,attr"`
	Algorithm         string   `xml:"Algorithm,attr"`
}

// validate applies MS-WUSP §3.1.5.7 and the WSUS limits: a cookie is
// required (InvalidCookie), parameters must be present, the installed list
// is capped at Limits.MaxInstalledNonLeafUpdateIDs (WSUS: 400, rejected
// before any other processing, protocol-wusp.md §5.7), the other lists at
// Limits.MaxCachedUpdateIDs, and a non-empty SystemSpec is only allowed in
// the driver pass (SkipSoftwareSync=true).
func (r *SyncUpdates) validate(l *Limits) error {
	if r.Parameters == nil {
		if err := requireCookie(r.Cookie); err != nil {
			return err
		}
		return invalidParameter("parameters")
	}
	p := r.Parameters
	switch {
	case len(p.InstalledNonLeafUpdateIDs) > l.MaxInstalledNonLeafUpdateIDs:
		return invalidParameter("parameters.InstalledNonLeafUpdateIDs")
	case len(p.OtherCachedUpdateIDs) > l.MaxCachedUpdateIDs:
		return invalidParameter("parameters.OtherCachedUpdateIDs")
	case len(p.CachedDriverIDs) > l.MaxCachedUpdateIDs:
		return invalidParameter("parameters.CachedDriverIDs")
	case len(p.SystemSpec) > l.MaxDevices:
		return invalidParameter("parameters.SystemSpec")
	}
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(p.SystemSpec) > 0 && !p.SkipSoftwareSync {
		return invalidParameter("parameters.SystemSpec")
	}
	return nil
}
