package wusp

import "encoding/xml"

// ReportEventBatch is the request of the Reporting web service, MS-WUSP
// §2.2.2.3.1, in namespace NSReporting. It carries the client's session
// cookie (protocol-wusp.md trap 18).
type ReportEventBatch struct {
	XMLName    xml.Name             `xml:"http://www.microsoft.com/SoftwareDistribution ReportEventBatch"`
	Cookie     *Cookie              `xml:"cookie,omitempty"`
	ClientTime DateTime             `xml:"clientTime"`
	EventBatch List[ReportingEvent] `xml:"eventBatch,omitempty"`
}

// ReportEventBatchResponse is MS-WUSP §2.2.2.3.1: true when the events were
// received.
type ReportEventBatchResponse struct {
	XMLName                xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution ReportEventBatchResponse"`
	ReportEventBatchResult bool     `xml:"ReportEventBatchResult"`
}

// ReportingEvent is MS-WUSP §2.2.2.3.1. WUA sends an empty PrivateData
// (protocol-wusp.md trap 37); it is always written.
type ReportingEvent struct {
	BasicData    BasicData    `xml:"BasicData"`
	ExtendedData ExtendedData `xml:"ExtendedData"`
	PrivateData  PrivateData  `xml:"PrivateData"`
}

// BasicData is MS-WUSP §2.2.2.3.1, in WSDL order. The spec text spells
// Win32Hresult; the WSDL and the wire say Win32HResult (trap 8). AppName
// may be absent (it then appears in MiscData as "AppName=…").
type BasicData struct {
	TargetID        ComputerTargetIdentifier `xml:"TargetID"`
	SequenceNumber  int32                    `xml:"SequenceNumber"`
	TimeAtTarget    DateTime                 `xml:"TimeAtTarget"`
	EventInstanceID string                   `xml:"EventInstanceID"`
	NamespaceID     int32                    `xml:"NamespaceID"`
	EventID         int16                    `xml:"EventID"`
	SourceID        int16                    `xml:"SourceID"`
	UpdateID        *UpdateIdentity          `xml:"UpdateID,omitempty"`
	Win32HResult    int32                    `xml:"Win32HResult"`
	AppName         string                   `xml:"AppName,omitempty"`
}

// ComputerTargetIdentifier is MS-WUSP §2.2.2.3.1: Sid is the clientId.
type ComputerTargetIdentifier struct {
	Sid string `xml:"Sid,omitempty"`
}

// ExtendedData is MS-WUSP §2.2.2.3.1, in WSDL order. MiscData holds
// "tag=value" strings (protocol-wusp.md §8.3); store them raw.
// ProcessorArchitecture is one of Unknown, X86Compatible, IA64Compatible,
// Amd64Compatible.
type ExtendedData struct {
	ReplacementStrings    Strings         `xml:"ReplacementStrings,omitempty"`
	MiscData              Strings         `xml:"MiscData,omitempty"`
	ComputerBrand         string          `xml:"ComputerBrand,omitempty"`
	ComputerModel         string          `xml:"ComputerModel,omitempty"`
	BiosRevision          string          `xml:"BiosRevision,omitempty"`
	ProcessorArchitecture string          `xml:"ProcessorArchitecture"`
	OSVersion             DetailedVersion `xml:"OSVersion"`
	OSLocaleID            int32           `xml:"OSLocaleID"`
	DeviceID              string          `xml:"DeviceID,omitempty"`
}

// DetailedVersion is MS-WUSP §2.2.2.3.1.
type DetailedVersion struct {
	Major            int32 `xml:"Major"`
	Minor            int32 `xml:"Minor"`
	Build            int32 `xml:"Build"`
	Revision         int32 `xml:"Revision"`
	ServicePackMajor int32 `xml:"ServicePackMajor"`
	ServicePackMinor int32 `xml:"ServicePackMinor"`
}

// PrivateData is MS-WUSP §2.2.2.3.1; both fields "MUST be zero-length".
type PrivateData struct {
	ComputerDnsName string `xml:"ComputerDnsName,omitempty"`
	UserAccountName string `xml:"UserAccountName,omitempty"`
}

// validate applies MS-WUSP §3.1.5.11: a cookie is required; the batch is
// capped at Limits.MaxEventsPerBatch (an implementation limit; the spec
// sets none).
func (r *ReportEventBatch) validate(l *Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if len(r.EventBatch) > l.MaxEventsPerBatch {
		return invalidParameter("eventBatch")
	}
	return nil
}
