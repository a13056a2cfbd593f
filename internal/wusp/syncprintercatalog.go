package wusp

import "encoding/xml"

// SyncPrinterCatalog is the request of MS-WUSP §2.2.2.2.9. Its list
// elements start with a lower-case letter, unlike the prose.
type SyncPrinterCatalog struct {
	XMLName                   xml.Name `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService SyncPrinterCatalog"`
	Cookie                    *Cookie  `xml:"cookie,omitempty"`
	InstalledNonLeafUpdateIDs Ints     `xml:"installedNonLeafUpdateIDs,omitempty"`
	PrinterUpdateIDs          Ints     `xml:"printerUpdateIDs,omitempty"`
}

// SyncPrinterCatalogResponse is MS-WUSP §2.2.2.2.9; its result is a
// SyncInfo like SyncUpdates', written by the same streaming encoder.
type SyncPrinterCatalogResponse struct {
	XMLName                  xml.Name  `xml:"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService SyncPrinterCatalogResponse"`
	SyncPrinterCatalogResult *SyncInfo `xml:"SyncPrinterCatalogResult,omitempty"`
}

// validate applies MS-WUSP §3.1.5.12 with the SyncUpdates list limits.
func (r *SyncPrinterCatalog) validate(l *Limits) error {
	switch {
	case len(r.InstalledNonLeafUpdateIDs) > l.MaxInstalledNonLeafUpdateIDs:
		return invalidParameter("installedNonLeafUpdateIDs")
	case len(r.PrinterUpdateIDs) > l.MaxCachedUpdateIDs:
		return invalidParameter("printerUpdateIDs")
	}
	return requireCookie(r.Cookie)
}
