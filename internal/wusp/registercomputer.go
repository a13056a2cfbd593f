package wusp

import "encoding/xml"

// RegisterComputer is the request of MS-WUSP §2.2.2.2.3.
type RegisterComputer struct {
	XMLName      xml.Name      `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService RegisterComputer"`
	Cookie       *Cookie       `xml:"cookie,omitempty"`
	ComputerInfo *ComputerInfo `xml:"computerInfo,omitempty"`
}

// ComputerInfo is MS-WUSP §2.2.2.2.3, every field in WSDL order. The
// ClientVersion*Number fields are xs:short in the WSDL but real clients
// send 30012 and more, so they decode into int32 (protocol-wusp.md §1.7).
type ComputerInfo struct {
	DnsName                  string   `xml:"DnsName,omitempty"`
	OSMajorVersion           int32    `xml:"OSMajorVersion"`
	OSMinorVersion           int32    `xml:"OSMinorVersion"`
	OSBuildNumber            int32    `xml:"OSBuildNumber"`
	OSServicePackMajorNumber int32    `xml:"OSServicePackMajorNumber"`
	OSServicePackMinorNumber int32    `xml:"OSServicePackMinorNumber"`
	OSLocale                 string   `xml:"OSLocale,omitempty"`
	ComputerManufacturer     string   `xml:"ComputerManufacturer,omitempty"`
	ComputerModel            string   `xml:"ComputerModel,omitempty"`
	BiosVersion              string   `xml:"BiosVersion,omitempty"`
	BiosName                 string   `xml:"BiosName,omitempty"`
	BiosReleaseDate          DateTime `xml:"BiosReleaseDate"`
	ProcessorArchitecture    string   `xml:"ProcessorArchitecture,omitempty"`
	SuiteMask                int32    `xml:"SuiteMask"`
	OldProductType           int32    `xml:"OldProductType"`
	NewProductType           int32    `xml:"NewProductType"`
	SystemMetrics            int32    `xml:"SystemMetrics"`
	ClientVersionMajorNumber int32    `xml:"ClientVersionMajorNumber"`
	ClientVersionMinorNumber int32    `xml:"ClientVersionMinorNumber"`
	ClientVersionBuildNumber int32    `xml:"ClientVersionBuildNumber"`
	ClientVersionQfeNumber   int32    `xml:"ClientVersionQfeNumber"`
	OSDescription            string   `xml:"OSDescription,omitempty"`
	OEM                      string   `xml:"OEM,omitempty"`
	DeviceType               string   `xml:"DeviceType,omitempty"`
	FirmwareVersion          string   `xml:"FirmwareVersion,omitempty"`
	MobileOperator           string   `xml:"MobileOperator,omitempty"`
}

// RegisterComputerResponse is the empty response of MS-WUSP §2.2.2.2.3.
type RegisterComputerResponse struct {
	XMLName xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService RegisterComputerResponse"`
}

// validate applies MS-WUSP §3.1.5.5: a cookie is required; computerInfo
// must be present to be stored.
func (r *RegisterComputer) validate(*Limits) error {
	if err := requireCookie(r.Cookie); err != nil {
		return err
	}
	if r.ComputerInfo == nil {
		return invalidParameter("computerInfo")
	}
	return nil
}
