package updatexml

import (
	"fmt"
	"strings"
	"testing"
)

// benchDoc builds a document shaped like a real cumulative-update bundle
// (docs/a2fef9b0… in the shared corpus, 37 KB): 30 languages, supersedence,
// category prerequisites, four bundle clauses of 25 revisions, applicability
// rules and files.
func benchDoc() []byte {
	var b strings.Builder
	b.WriteString(`<upd:Update xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" xmlns:lar="http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules" xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update">`)
	b.WriteString(`<upd:UpdateIdentity UpdateID="a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe" RevisionNumber="200" />`)
	b.WriteString(`<upd:Properties UpdateType="Software" DefaultPropertiesLanguage="en" AutoSelectOnWebSites="true" ExplicitlyDeployable="true" MaxDownloadSize="0" MinDownloadSize="0" PublicationState="Published" CreationDate="2026-10-04T12:00:58.381Z" PublisherID="bccf8ca0-2819-4598-8d15-c1506e363e92"><upd:SupportUrl>https://go.microsoft.com/fwlink/?LinkId=52661</upd:SupportUrl><upd:KBArticleID>2267602</upd:KBArticleID></upd:Properties>`)
	b.WriteString(`<upd:LocalizedPropertiesCollection>`)
	for i := range 30 {
		fmt.Fprintf(&b, `<upd:LocalizedProperties><upd:Language>l%02d</upd:Language><upd:Title>Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.459.547.0) - Current Channel (Broad) %d</upd:Title><upd:Description>Install this update to revise the files that are used to detect viruses, spyware, and other potentially unwanted software. Once you have installed this item, it cannot be removed.</upd:Description><upd:MoreInfoUrl>https://go.microsoft.com/fwlink/?linkid=2007160</upd:MoreInfoUrl><upd:SupportUrl>https://go.microsoft.com/fwlink/?LinkId=52661</upd:SupportUrl></upd:LocalizedProperties>`, i, i)
	}
	b.WriteString(`</upd:LocalizedPropertiesCollection><upd:Relationships><upd:SupersededUpdates>`)
	for i := range 10 {
		fmt.Fprintf(&b, `<upd:UpdateIdentity UpdateID="ce84983e-b20e-44d7-a412-1fd91fc7b%03d" />`, i)
	}
	b.WriteString(`</upd:SupersededUpdates><upd:Prerequisites><upd:UpdateIdentity UpdateID="be4048db-157c-4532-9582-7f05099590c9" /><upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="e0789628-ce08-4437-be74-2495b842f43b" /></upd:AtLeastOne></upd:Prerequisites><upd:BundledUpdates>`)
	for c := range 4 {
		b.WriteString(`<upd:AtLeastOne>`)
		for i := range 25 {
			fmt.Fprintf(&b, `<upd:UpdateIdentity UpdateID="90f961a9-1756-4493-aade-644c375%02d%03d" RevisionNumber="200" />`, c, i)
		}
		b.WriteString(`</upd:AtLeastOne>`)
	}
	b.WriteString(`</upd:BundledUpdates></upd:Relationships><upd:ApplicabilityRules><upd:IsInstalled><lar:And>`)
	for i := range 20 {
		fmt.Fprintf(&b, `<bar:FileVersionPrependRegSz Path="mpasdlta.vdm" Comparison="EqualTo" Version="1.459.%d.0" Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\Microsoft\Windows Defender\Signature Updates" Value="SignatureLocation" />`, i)
	}
	b.WriteString(`</lar:And></upd:IsInstalled></upd:ApplicabilityRules><upd:Files><upd:File Digest="h/W9BGlYUAaqXTp30cZi/SiV3c0=" DigestAlgorithm="SHA1" FileName="AM_Delta.exe" Size="11606440" Modified="2026-10-04T09:39:26Z"><upd:AdditionalDigest Algorithm="SHA256">Amt0qymy5KsROiwIXm4QIIV75Ju4r+Cl28Pg8gaLXUA=</upd:AdditionalDigest></upd:File></upd:Files></upd:Update>`)
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{
		{"utf8", benchDoc()},
		{"utf16le", utf16LE(string(benchDoc()))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := Parse(bc.data); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
