package agent

import (
	"encoding/base64"
	"slices"
	"testing"
)

// extendedSample has the shape of the real Extended fragment of
// protocol-wusp.md §7.1 (WSUS flow/000015).
const extendedSample = `<ExtendedProperties DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation" MaxDownloadSize="11606440" MinDownloadSize="0"><InstallationBehavior Impact="Minor" /></ExtendedProperties>` +
	`<Files><File Digest="h/W9BGlYUAaqXTp30cZi/SiV3c0=" DigestAlgorithm="SHA1" FileName="AM_Delta.exe" Size="11606440" Modified="2026-10-04T09:39:26Z">` +
	`<AdditionalDigest Algorithm="SHA256">Amt0qymy5KsROiwIXm4QIIV75Ju4r+Cl28Pg8gaLXUA=</AdditionalDigest></File></Files>` +
	`<HandlerSpecificData type="cmd:CommandLineInstallation"><InstallCommand Program="AM_Delta.exe" Arguments="WD /q" RebootByDefault="false" DefaultResult="Failed">` +
	`<ReturnCode Code="0" Result="Succeeded" /><ReturnCode Code="3010" Result="Succeeded" Reboot="true" /></InstallCommand></HandlerSpecificData>`

func TestParseExtended(t *testing.T) {
	ei, err := parseExtended([]byte(extendedSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(ei.Files) != 1 || ei.MaxDownload != 11606440 || ei.Handler != "cmd:CommandLineInstallation" {
		t.Fatalf("parseExtended = %+v", ei)
	}
	f := ei.Files[0]
	if f.Name != "AM_Delta.exe" || f.Size != 11606440 || base64.StdEncoding.EncodeToString(f.SHA1) != "h/W9BGlYUAaqXTp30cZi/SiV3c0=" ||
		base64.StdEncoding.EncodeToString(f.SHA256) != "Amt0qymy5KsROiwIXm4QIIV75Ju4r+Cl28Pg8gaLXUA=" {
		t.Errorf("file = %+v", f)
	}
	c := ei.Install
	if c == nil || c.Program != "AM_Delta.exe" || c.Arguments != "WD /q" || c.DefaultResult != "Failed" ||
		!slices.Equal(c.ReturnCodes, []ReturnCode{{0, "Succeeded", false}, {3010, "Succeeded", true}}) {
		t.Errorf("install command = %+v", c)
	}
}

func TestParseCore(t *testing.T) {
	tests := []struct {
		name, core string
		want       coreInfo
	}{
		{"category", `<UpdateIdentity UpdateID="DD78B8A1-0B20-45C1-ADD6-4DA72E9364CF" RevisionNumber="202" /><Properties UpdateType="Category" />`,
			coreInfo{UpdateID: "dd78b8a1-0b20-45c1-add6-4da72e9364cf", RevisionNumber: 202, UpdateType: TypeCategory}},
		{"bundle with prerequisites and an embedded namespace",
			`<UpdateIdentity UpdateID="a2fef9b0-0000-0000-0000-000000000001" RevisionNumber="200" /><Properties UpdateType="Software" ExplicitlyDeployable="true" />` +
				`<Relationships><SupersededUpdates><UpdateIdentity UpdateID="55555555-0000-0000-0000-000000000000" /></SupersededUpdates><Prerequisites><UpdateIdentity UpdateID="11111111-0000-0000-0000-000000000000" /><AtLeastOne IsCategory="true"><UpdateIdentity UpdateID="22222222-0000-0000-0000-000000000000" /></AtLeastOne></Prerequisites>` +
				`<BundledUpdates><UpdateIdentity UpdateID="33333333-0000-0000-0000-000000000000" RevisionNumber="1" /><AtLeastOne><UpdateIdentity UpdateID="44444444-0000-0000-0000-000000000000" RevisionNumber="1" /></AtLeastOne></BundledUpdates></Relationships>` +
				`<ApplicabilityRules><IsInstalled><b.WindowsVersion Comparison="GreaterThanOrEqualTo" MajorVersion="10" /></IsInstalled><Metadata><assembly xmlns="urn:schemas-microsoft-com:asm.v3" /></Metadata></ApplicabilityRules>`,
			coreInfo{UpdateID: "a2fef9b0-0000-0000-0000-000000000001", RevisionNumber: 200, UpdateType: TypeSoftware,
				Bundled:    []string{"33333333-0000-0000-0000-000000000000", "44444444-0000-0000-0000-000000000000"},
				Supersedes: []string{"55555555-0000-0000-0000-000000000000"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCore([]byte(tc.core))
			if err != nil {
				t.Fatal(err)
			}
			if got.UpdateID != tc.want.UpdateID || got.RevisionNumber != tc.want.RevisionNumber || got.UpdateType != tc.want.UpdateType || !slices.Equal(got.Bundled, tc.want.Bundled) || !slices.Equal(got.Supersedes, tc.want.Supersedes) {
				t.Errorf("parseCore = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := parseCore([]byte(`<Properties UpdateType="Software" />`)); err == nil {
		t.Error("parseCore accepted a fragment without UpdateIdentity")
	}
}

func TestLocalizedTitle(t *testing.T) {
	title, lang := localizedTitle([]byte(`<LocalizedProperties><Language>en</Language><Title>Update for Windows &amp; more</Title><Description>d</Description></LocalizedProperties>`))
	if title != "Update for Windows & more" || lang != "en" {
		t.Errorf("localizedTitle = %q, %q", title, lang)
	}
}

func FuzzParseFragments(f *testing.F) {
	f.Add([]byte(extendedSample))
	f.Add([]byte(`<UpdateIdentity UpdateID="x" RevisionNumber="1"/><Relationships><BundledUpdates><AtLeastOne><UpdateIdentity UpdateID="y"/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseCore(b)
		parseExtended(b)
		localizedTitle(b)
		fragmentKind(b)
	})
}
