package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/agent"
	"patchbay/internal/applicability"
)

// scenarioCatalog writes a hand-made catalog: a detectoid whose IsInstalled
// rule reads a registry key, a software update that requires it, and two
// drivers for one device, an older and a newer.
func scenarioCatalog(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := func(name string) string {
		data := []byte("content of " + name + strings.Repeat(".", 300))
		s1, s2 := sha1.Sum(data), sha256.Sum256(data)
		os.WriteFile(filepath.Join(dir, strings.ToUpper(hex.EncodeToString(s1[:]))+filepath.Ext(name)), data, 0o644)
		return fmt.Sprintf(`<upd:Files><upd:File Digest="%s" DigestAlgorithm="SHA1" FileName="%s" Size="%d" Modified="2026-01-01T00:00:00Z"><upd:AdditionalDigest Algorithm="SHA256">%s</upd:AdditionalDigest></upd:File></upd:Files>`,
			base64.StdEncoding.EncodeToString(s1[:]), name, len(data), base64.StdEncoding.EncodeToString(s2[:]))
	}
	const ns = `xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update" xmlns:bar="http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules" xmlns:lar="http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules" xmlns:drv="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver"`
	title := func(s string) string {
		return `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>` + s + `</upd:Title></upd:LocalizedProperties></upd:LocalizedPropertiesCollection>`
	}
	docs := map[string]string{
		"detectoid.xml": `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="d0000000-0000-4000-8000-000000000001" RevisionNumber="100" /><upd:Properties UpdateType="Detectoid" />` + title("Feature present") +
			`<upd:ApplicabilityRules><upd:IsInstalled><bar:RegKeyExists Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\PatchbayTest\Feature" /></upd:IsInstalled></upd:ApplicabilityRules></upd:Update>`,
		"update.xml": `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="e0000000-0000-4000-8000-000000000002" RevisionNumber="200" /><upd:Properties UpdateType="Software" ExplicitlyDeployable="true" DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation" />` + title("Feature fix") +
			`<upd:Relationships><upd:Prerequisites><upd:UpdateIdentity UpdateID="d0000000-0000-4000-8000-000000000001" /></upd:Prerequisites></upd:Relationships>` +
			`<upd:ApplicabilityRules><upd:IsInstalled><bar:RegKeyExists Key="HKEY_LOCAL_MACHINE" Subkey="SOFTWARE\PatchbayTest\FeatureFix" /></upd:IsInstalled><upd:IsInstallable><lar:True /></upd:IsInstallable></upd:ApplicabilityRules>` +
			file("featurefix.exe") + `</upd:Update>`,
	}
	for i, d := range []struct{ id, date, version, target string }{
		{"f0000000-0000-4000-8000-00000000000a", "2024-01-15", "1.0.0.0", ""},
		{"f0000000-0000-4000-8000-00000000000b", "2025-06-01", "2.0.0.0", ""},
		// Older, but targeted at one computer model: it wins there (§3.1.5.7 rule 1).
		{"f0000000-0000-4000-8000-00000000000c", "2023-03-01", "0.9.0.0", "<drv:TargetComputerHardwareId>" + targetedModel + "</drv:TargetComputerHardwareId>"},
	} {
		docs[fmt.Sprintf("driver%d.xml", i)] = `<upd:Update ` + ns + `><upd:UpdateIdentity UpdateID="` + d.id + `" RevisionNumber="1" /><upd:Properties UpdateType="Driver" ExplicitlyDeployable="true" DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver" />` + title("Example NIC "+d.version) +
			`<upd:ApplicabilityRules><upd:IsInstalled><drv:WindowsDriverInstalled /></upd:IsInstalled><upd:IsInstallable><drv:WindowsDriverInstallable /></upd:IsInstallable><upd:Metadata><drv:WindowsDriverMetaData HardwareID="PCI\VEN_7777&amp;DEV_0001" WhqlDriverID="1" Manufacturer="Example" Provider="Example" DriverVerDate="` + d.date + `" DriverVerVersion="` + d.version + `" Class="Net" Model="Example NIC">` + d.target + `</drv:WindowsDriverMetaData></upd:Metadata></upd:ApplicabilityRules>` +
			file(fmt.Sprintf("nic%d.cab", i)) + `</upd:Update>`
	}
	for name, doc := range docs {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// targetedModel is the computer hardware id one scenario driver targets.
const targetedModel = "{6b3c5e3a-1111-4222-8333-444455556666}"

// TestAgentScenarios covers the Main-level scenarios: an update
// whose prerequisite is not installed is not offered until it is, and of
// two drivers for a device the better (newer) one is offered.
func TestAgentScenarios(t *testing.T) {
	data := t.TempDir()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"import", "--quiet", "--data", data, scenarioCatalog(t)}, noEnv, &out, &out); code != 0 {
		t.Fatalf("import: %s", out.String())
	}
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.ApprovedOnly = "127.0.0.1:0", data, true
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	const update, oldDriver, newDriver, targeted = "e0000000-0000-4000-8000-000000000002", "f0000000-0000-4000-8000-00000000000a",
		"f0000000-0000-4000-8000-00000000000b", "f0000000-0000-4000-8000-00000000000c"
	approve(t, m, patchbay.ActionInstall, time.Time{}, update, oldDriver, newDriver, targeted)

	dir := t.TempDir()
	p, _ := applicability.BuiltinProfile("windows11-x64-en-us")
	p.PnP = append(p.PnP, applicability.Device{HardwareIDs: []string{`PCI\VEN_7777&DEV_0001`, `PCI\VEN_7777`}})
	path := filepath.Join(dir, "profile.json")
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	open := func() *agent.Agent {
		inv, err := agent.OpenProfile(path, "pc-scenario.example.test")
		if err != nil {
			t.Fatal(err)
		}
		a, err := agent.Open(agent.Config{ServerURL: m.URL(), DataDir: filepath.Join(dir, "agent"), InstallMode: agent.ModeSimulate}, inv)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	installed := func(res *agent.CycleResult) map[string]bool {
		got := map[string]bool{}
		for _, r := range res.Installs {
			if r.Succeeded {
				got[r.UpdateID] = true
			}
		}
		return got
	}

	res, err := open().Cycle(t.Context(), agent.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := installed(res)
	if got[update] {
		t.Error("the update was installed although its prerequisite detectoid is not installed")
	}
	if !got[newDriver] || got[oldDriver] || got[targeted] {
		t.Errorf("drivers installed = %v, want only the newer %s", got, newDriver)
	}

	// The prerequisite appears on the machine: the next scan offers the update.
	p, err = applicability.LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	p.Registry = append(p.Registry, applicability.ProfileKey{Key: "HKEY_LOCAL_MACHINE", Subkey: `SOFTWARE\PatchbayTest\Feature`})
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	res, err = open().Cycle(t.Context(), agent.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !installed(res)[update] {
		t.Errorf("with its prerequisite installed, the update was not installed: %+v", res.Installs)
	}

	// A machine of the targeted model gets the targeted driver, although
	// it is older (computer hardware id specificity ranks first).
	p, _ = applicability.BuiltinProfile("windows11-x64-en-us")
	p.PnP = append(p.PnP, applicability.Device{HardwareIDs: []string{`PCI\VEN_7777&DEV_0001`}})
	p.ComputerHardwareIDs = []string{targetedModel}
	other := filepath.Join(t.TempDir(), "profile.json")
	if err := p.Save(other); err != nil {
		t.Fatal(err)
	}
	inv, err := agent.OpenProfile(other, "pc-model.example.test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := agent.Open(agent.Config{ServerURL: m.URL(), DataDir: filepath.Join(filepath.Dir(other), "agent"), InstallMode: agent.ModeSimulate}, inv)
	if err != nil {
		t.Fatal(err)
	}
	res, err = a.Cycle(t.Context(), agent.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := installed(res); !got[targeted] || got[newDriver] {
		t.Errorf("targeted model: drivers installed = %v, want only %s", got, targeted)
	}
}
