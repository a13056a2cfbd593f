package applicability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"patchbay"
)

// Profile is a machine described by a JSON file: the facts applicability
// rules read, and the updates the agent has installed on it. It implements
// Machine. testdata/profiles/*.json are realistic examples (Windows 11 x64
// en-US, Windows 10 x64 de-DE, Windows Server 2022, Windows 11 ARM64 fr-FR).
// A Profile is safe for concurrent use once loaded; its exported fields must
// not be changed while other goroutines use it.
type Profile struct {
	Name string `json:"name"`
	// OS is the version information; OS.Revision is the UBR.
	OS      Version `json:"os"`
	Edition string  `json:"edition,omitempty"` // "Professional", "ServerStandard"
	SKU     int     `json:"sku,omitempty"`     // OSSkuId (GetProductInfo): 48 Professional, 7 ServerStandard
	// Arch is the native processor architecture (PROCESSOR_ARCHITECTURE_*:
	// 0 x86, 5 ARM, 6 IA64, 9 x64, 12 ARM64).
	Arch       Arch      `json:"architecture"`
	Processors int       `json:"processors,omitempty"`
	MemoryMB   int       `json:"memoryMB,omitempty"`
	Lang       Languages `json:"languages"`
	Cluster    bool      `json:"clustered,omitempty"`

	// Folders overrides the CSIDL folders (decimal CSIDL → path); the
	// defaults are a standard installation on drive C: (see folderDefaults).
	Folders map[string]string `json:"folders,omitempty"`
	// Environment overrides or adds environment variables for %VAR% in
	// paths; the defaults follow Folders.
	Environment map[string]string `json:"environment,omitempty"`

	Registry []ProfileKey  `json:"registry,omitempty"`
	Files    []ProfileFile `json:"files,omitempty"`
	Msi      []MsiProduct  `json:"msiProducts,omitempty"`
	PnP      []Device      `json:"devices,omitempty"`
	// ComputerHardwareIDs are the computer hardware ids (GUIDs, most
	// specific first) Windows derives from SMBIOS; drivers targeted at a
	// machine match them (MS-WUSP §3.1.5.7 ComputerSpec).
	ComputerHardwareIDs []string          `json:"computerHardwareIds,omitempty"`
	Cbs                 []CbsPackage      `json:"cbsPackages,omitempty"`
	Releases            []ProductRelease  `json:"productReleases,omitempty"` // nil: unknown
	WMI                 []WMIResult       `json:"wmi,omitempty"`
	Metrics             map[string]int    `json:"systemMetrics,omitempty"` // GetSystemMetrics index (decimal) → value
	Licenses            map[string]uint32 `json:"licenses,omitempty"`
	// DeviceAttributes are attributes as Windows Update sends them;
	// OSVersion, OSSkuId and sku are derived from OS and SKU when absent.
	DeviceAttributes map[string]string `json:"deviceAttributes,omitempty"`

	// InstalledUpdates are the updates the agent installed (MarkInstalled).
	InstalledUpdates []InstalledUpdate `json:"installedUpdates,omitempty"`
	// InstallHistory holds every UpdateID ever installed (InstalledOnce).
	InstallHistory []string `json:"installHistory,omitempty"`

	mu sync.RWMutex
}

// ProfileKey is one registry key of a profile. Keys of the 32-bit view live
// where 64-bit Windows keeps them (SOFTWARE\WOW6432Node\…). Parent keys exist
// implicitly.
type ProfileKey struct {
	Key    string              `json:"key"` // HKEY_LOCAL_MACHINE (HKLM accepted)
	Subkey string              `json:"subkey"`
	Values map[string]RegValue `json:"values,omitempty"`
}

// ProfileFile is one file of a profile. Path is a full path and may start
// with an environment variable ("%ProgramFiles%\…").
type ProfileFile struct {
	Path     string    `json:"path"`
	Version  string    `json:"version,omitempty"` // a.b.c.d; empty: no version resource
	Size     int64     `json:"size"`
	Created  time.Time `json:"created,omitzero"`
	Modified time.Time `json:"modified,omitzero"`
	Language uint16    `json:"language,omitempty"`
}

// WMIResult is the answer to one WQL query.
type WMIResult struct {
	Namespace string `json:"namespace,omitempty"` // default root\cimv2
	Query     string `json:"query"`
	Result    bool   `json:"result"`
}

// InstalledUpdate is one update the agent installed.
type InstalledUpdate struct {
	UpdateID       string `json:"updateId"`
	RevisionNumber int    `json:"revisionNumber"`
}

// LoadProfile reads a profile. Unknown JSON fields, a missing OS version or
// language, or a malformed registry value are Invalid errors; I/O errors are
// wrapped.
func LoadProfile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return decodeProfile(data, filepath.Base(path))
}

// decodeProfile decodes and validates a profile; name goes into errors.
func decodeProfile(data []byte, name string) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	p := &Profile{}
	if err := dec.Decode(p); err != nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "profile %s: %v", name, err)
	}
	if err := p.validate(); err != nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "profile %s: %v", name, err)
	}
	return p, nil
}

func (p *Profile) validate() error {
	if p.OS.Major == 0 {
		return fmt.Errorf("os.major missing")
	}
	if p.Lang.System == "" {
		return fmt.Errorf("languages.system missing")
	}
	for _, k := range p.Registry {
		if canonicalHive(k.Key) == "" {
			return fmt.Errorf("registry key %q: unknown root key", k.Key)
		}
		for name, v := range k.Values {
			switch strings.ToUpper(v.Type) {
			case RegDword:
				if _, ok := parseRegNumber(v.Data, 32); !ok {
					return fmt.Errorf(`registry %s\%s value %q: bad REG_DWORD %q`, k.Key, k.Subkey, name, v.Data)
				}
			case RegQword:
				if _, ok := parseRegNumber(v.Data, 64); !ok {
					return fmt.Errorf(`registry %s\%s value %q: bad REG_QWORD %q`, k.Key, k.Subkey, name, v.Data)
				}
			case RegSz, RegExpandSz, RegMultiSz, RegBinary:
			default:
				return fmt.Errorf(`registry %s\%s value %q: unknown type %q`, k.Key, k.Subkey, name, v.Type)
			}
		}
	}
	for _, f := range p.Files {
		if f.Version != "" {
			if _, ok := ParseFourPart(f.Version); !ok {
				return fmt.Errorf("file %s: bad version %q", f.Path, f.Version)
			}
		}
	}
	return nil
}

// Save writes the profile to path atomically: a temporary file in the same
// directory, synced, then renamed over path.
func (p *Profile) Save(path string) error {
	p.mu.RLock()
	data, err := json.MarshalIndent(p, "", "  ")
	p.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	data = append(data, '\n')
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save profile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save profile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// MarkInstalled records that the update is installed at revision, replacing
// an earlier revision's record, and adds it to the install history.
func (p *Profile) MarkInstalled(updateID string, revision int) {
	id := normalizeID(updateID)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.InstalledUpdates = slices.DeleteFunc(p.InstalledUpdates, func(u InstalledUpdate) bool { return normalizeID(u.UpdateID) == id })
	p.InstalledUpdates = append(p.InstalledUpdates, InstalledUpdate{UpdateID: id, RevisionNumber: revision})
	if !slices.Contains(p.InstallHistory, id) {
		p.InstallHistory = append(p.InstallHistory, id)
	}
}

// MarkUninstalled removes the update's installed record; the install history
// keeps it.
func (p *Profile) MarkUninstalled(updateID string) {
	id := normalizeID(updateID)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.InstalledUpdates = slices.DeleteFunc(p.InstalledUpdates, func(u InstalledUpdate) bool { return normalizeID(u.UpdateID) == id })
}

func normalizeID(id string) string {
	if g, ok := patchbay.ParseGUID(id); ok {
		return g
	}
	return strings.ToLower(strings.TrimSpace(id))
}

// Installed implements Machine.
func (p *Profile) Installed(updateID string) bool {
	id := normalizeID(updateID)
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.ContainsFunc(p.InstalledUpdates, func(u InstalledUpdate) bool { return normalizeID(u.UpdateID) == id })
}

// InstalledOnce implements Machine.
func (p *Profile) InstalledOnce(updateID string) bool {
	id := normalizeID(updateID)
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.ContainsFunc(p.InstallHistory, func(h string) bool { return normalizeID(h) == id })
}

// WindowsVersion implements Machine.
func (p *Profile) WindowsVersion() Version { return p.OS }

// Processor implements Machine.
func (p *Profile) Processor() Arch { return p.Arch }

// Languages implements Machine.
func (p *Profile) Languages() Languages { return p.Lang }

// MsiProducts implements Machine.
func (p *Profile) MsiProducts() []MsiProduct { return p.Msi }

// Devices implements Machine.
func (p *Profile) Devices() []Device { return p.PnP }

// CbsPackages implements Machine.
func (p *Profile) CbsPackages() []CbsPackage { return p.Cbs }

// ProductReleases implements Machine; a profile without a productReleases
// list cannot say.
func (p *Profile) ProductReleases() ([]ProductRelease, bool) { return p.Releases, p.Releases != nil }

// NumberOfProcessors implements Machine.
func (p *Profile) NumberOfProcessors() int { return p.Processors }

// Clustered implements Machine.
func (p *Profile) Clustered() bool { return p.Cluster }

// WMIQuery implements Machine: the query must be listed (compared without
// regard to case and surrounding space), else the answer is unknown.
func (p *Profile) WMIQuery(namespace, query string) (bool, bool) {
	for _, w := range p.WMI {
		ns := w.Namespace
		if ns == "" {
			ns = `root\cimv2`
		}
		if strings.EqualFold(strings.TrimSpace(ns), strings.TrimSpace(namespace)) &&
			strings.EqualFold(strings.Join(strings.Fields(w.Query), " "), strings.Join(strings.Fields(query), " ")) {
			return w.Result, true
		}
	}
	return false, false
}

// SystemMetric implements Machine.
func (p *Profile) SystemMetric(index int) (int, bool) {
	v, ok := p.Metrics[strconv.Itoa(index)]
	return v, ok
}

// License implements Machine; names compare without regard to case and
// braces.
func (p *Profile) License(name string) (uint32, bool) {
	for k, v := range p.Licenses {
		if strings.EqualFold(strings.Trim(k, "{}"), strings.Trim(strings.TrimSpace(name), "{}")) {
			return v, true
		}
	}
	return 0, false
}

// DeviceAttribute implements Machine.
func (p *Profile) DeviceAttribute(name string) (string, bool) {
	for k, v := range p.DeviceAttributes {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	switch strings.ToLower(name) {
	case "osversion":
		return fmt.Sprintf("%d.%d.%d.%d", p.OS.Major, p.OS.Minor, p.OS.Build, p.OS.Revision), true
	case "osskuid", "sku":
		if p.SKU != 0 {
			return strconv.Itoa(p.SKU), true
		}
	}
	return "", false
}
