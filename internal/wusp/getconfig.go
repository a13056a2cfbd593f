package wusp

import "encoding/xml"

// GetConfig is the request of MS-WUSP §2.2.2.2.1. ProtocolVersion is the
// client protocol version ("1.8" in the spec, "2.90" from Windows 11).
type GetConfig struct {
	XMLName         xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetConfig"`
	ProtocolVersion string   `xml:"protocolVersion,omitempty"`
}

// GetConfigResponse is MS-WUSP §2.2.2.2.1.
type GetConfigResponse struct {
	XMLName         xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService GetConfigResponse"`
	GetConfigResult *Config  `xml:"GetConfigResult,omitempty"`
}

// Config is the Config type of MS-WUSP §2.2.2.2.1, in WSDL order.
type Config struct {
	LastChange             DateTime                    `xml:"LastChange"`
	IsRegistrationRequired bool                        `xml:"IsRegistrationRequired"`
	AuthInfo               List[AuthPlugInInfo]        `xml:"AuthInfo,omitempty"`
	AllowedEventIds        Ints                        `xml:"AllowedEventIds,omitempty"`
	Properties             List[ConfigurationProperty] `xml:"Properties,omitempty"`
}

// AuthPlugInInfo is MS-WUSP §2.2.2.2.1. PlugInID is "SimpleTargeting";
// ServiceUrl is relative to the server's base URL. Parameter "MUST NOT be
// present" and is omitted when empty (WSUS writes an empty element).
type AuthPlugInInfo struct {
	PlugInID   string `xml:"PlugInID,omitempty"`
	ServiceUrl string `xml:"ServiceUrl,omitempty"`
	Parameter  string `xml:"Parameter,omitempty"`
}

// ConfigurationProperty is one name/value pair of Config.Properties
// (MS-WUSP §2.2.2.2.1), for example MaxExtendedUpdatesPerRequest.
type ConfigurationProperty struct {
	Name  string `xml:"Name,omitempty"`
	Value string `xml:"Value,omitempty"`
}

// Property returns the value of the named configuration property and
// whether it is present.
func (c *Config) Property(name string) (string, bool) {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// validate is lenient: MS-WUSP §3.1.5.2 lets the server accept any
// protocolVersion (protocol-wusp.md §11).
func (r *GetConfig) validate(*Limits) error { return nil }
