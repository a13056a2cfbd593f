package storetest

import (
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/store"
)

// Record returns the i-th of a family of realistic, distinct revision
// records: mostly software updates with a category prerequisite clause, two
// files, two languages and supersedence; every tenth a driver with feature
// scores and hardware ids; every fiftieth a category. Its XML is a few
// kilobytes. Record is deterministic, so Record(i) == Record(i).
func Record(i int) store.RevisionRecord {
	id := GUID(i)
	r := patchbay.Revision{
		RevisionKey:          patchbay.RevisionKey{UpdateID: id, RevisionNumber: 200 + i%3},
		Type:                 patchbay.TypeSoftware,
		Handler:              "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CBS",
		DefaultLanguage:      "en",
		CreationDate:         time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
		PublicationState:     "Published",
		ExplicitlyDeployable: true,
		IsPublic:             true,
		KBArticleID:          fmt.Sprint(5000000 + i),
		MsrcSeverity:         []string{"Critical", "Important", "Moderate", ""}[i%4],
		SupportURL:           "https://support.microsoft.com/help/" + fmt.Sprint(5000000+i),
		Prerequisites: []patchbay.Clause{
			{UpdateIDs: []string{GUID(1_000_000 + i%7)}},
			{UpdateIDs: []string{GUID(2_000_000 + i%5), GUID(2_000_100 + i%3)}, IsCategory: true},
		},
		Superseded: []string{GUID(3_000_000 + i), GUID(3_100_000 + i), GUID(3_200_000 + i)},
		Localized: []patchbay.Localized{
			{Language: "en", Title: fmt.Sprintf("2024-%02d Cumulative Update for Windows (KB%d)", i%12+1, 5000000+i),
				Description: "Install this update to resolve issues in Windows.", MoreInfoURL: "https://support.microsoft.com/"},
			{Language: "de", Title: fmt.Sprintf("2024-%02d Kumulatives Update für Windows (KB%d)", i%12+1, 5000000+i)},
		},
	}
	for f := 0; f < 2; f++ {
		name := fmt.Sprintf("windows10.0-kb%d-x64-%d.cab", 5000000+i, f)
		s1 := sha1.Sum([]byte(name))
		s256 := sha256.Sum256([]byte(name))
		r.Files = append(r.Files, patchbay.File{FileName: name, Size: int64(1000 + i*10 + f), SHA1: s1[:],
			SHA256: s256[:], Modified: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
	}
	switch {
	case i%50 == 0:
		r.Type = patchbay.TypeCategory
		r.CategoryType = "Product"
		r.Handler, r.Files, r.Superseded, r.Prerequisites = "", nil, nil, nil
	case i%10 == 0:
		r.Type = patchbay.TypeDriver
		r.Handler = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver"
		r.Driver = []patchbay.Driver{{
			HardwareID: fmt.Sprintf("PCI\\VEN_8086&DEV_%04X", i%0xffff), DriverVerDate: "2023-05-06",
			DriverVerVersion: "10.0.1.2", Class: "Net", Manufacturer: "Intel", Provider: "Intel", Model: "Ethernet",
			WhqlDriverID:                    int64(i),
			FeatureScores:                   []patchbay.FeatureScore{{OperatingSystem: "amd64.10.0", Score: 255}},
			TargetComputerHardwareIDs:       []string{GUID(4_000_000 + i%9)},
			DistributionComputerHardwareIDs: []string{GUID(4_100_000 + i%9), GUID(4_200_000 + i%9)},
		}}
	case i%3 == 0:
		r.Bundled = []patchbay.Clause{{Revisions: []patchbay.RevisionKey{{UpdateID: GUID(5_000_000 + i), RevisionNumber: 201}}}}
	}
	xml := recordXML(&r, i)
	return store.RevisionRecord{
		Revision: r,
		XML:      xml,
		Fragments: []patchbay.Fragment{
			{Kind: patchbay.FragmentCore, XML: []byte(fmt.Sprintf(`<UpdateIdentity UpdateID="%s" RevisionNumber="%d" /><Properties UpdateType="%s" />%s`, id, r.RevisionNumber, r.Type, strings.Repeat("<ApplicabilityRules><IsInstalled><b.True /></IsInstalled></ApplicabilityRules>", 8)))},
			{Kind: patchbay.FragmentExtended, XML: []byte(fmt.Sprintf(`<ExtendedProperties DefaultPropertiesLanguage="en" Handler="%s" />`, r.Handler))},
			{Kind: patchbay.FragmentLocalizedProperties, Locale: "en", XML: []byte("<Language>en</Language><Title>" + r.Localized[0].Title + "</Title>")},
			{Kind: patchbay.FragmentLocalizedProperties, Locale: "de", XML: []byte("<Language>de</Language><Title>" + r.Localized[1].Title + "</Title>")},
		},
	}
}

// GUID returns a deterministic lower-case GUID for n.
func GUID(n int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(n)*2654435761, n&0xffff, n&0xfff, (n>>12)&0xfff, n)
}

// recordXML renders a plausible full update XML; only its bytes matter.
func recordXML(r *patchbay.Revision, i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"><upd:UpdateIdentity UpdateID="%s" RevisionNumber="%d" />`, r.UpdateID, r.RevisionNumber)
	fmt.Fprintf(&b, `<upd:Properties UpdateType="%s" DefaultPropertiesLanguage="en" CreationDate="%s" />`, r.Type, r.CreationDate.Format(time.RFC3339))
	for _, l := range r.Localized {
		fmt.Fprintf(&b, `<upd:LocalizedProperties><upd:Language>%s</upd:Language><upd:Title>%s</upd:Title><upd:Description>%s</upd:Description></upd:LocalizedProperties>`, l.Language, l.Title, l.Description)
	}
	for k := 0; k < 20; k++ {
		fmt.Fprintf(&b, `<upd:ApplicabilityRules><upd:IsInstalled><bar:WmiQuery Namespace="root\cimv2" WqlQuery="SELECT * FROM Win32_QuickFixEngineering WHERE HotFixID='KB%d' AND Rule=%d" /></upd:IsInstalled></upd:ApplicabilityRules>`, 5000000+i, k)
	}
	b.WriteString(`</upd:Update>`)
	return []byte(b.String())
}
