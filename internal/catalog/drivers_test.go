package catalog

import (
	"slices"
	"testing"
	"time"

	"patchbay"
)

func drv(hw, date, ver string, opts ...func(*patchbay.Driver)) *patchbay.Driver {
	d := &patchbay.Driver{HardwareID: hw, DriverVerDate: date, DriverVerVersion: ver, Provider: "Contoso", Manufacturer: "Contoso"}
	for _, o := range opts {
		o(d)
	}
	return d
}

func score(os string, s int) func(*patchbay.Driver) {
	return func(d *patchbay.Driver) {
		d.FeatureScores = append(d.FeatureScores, patchbay.FeatureScore{OperatingSystem: os, Score: s})
	}
}

func target(chids ...string) func(*patchbay.Driver) {
	return func(d *patchbay.Driver) { d.TargetComputerHardwareIDs = chids }
}

func distrib(chids ...string) func(*patchbay.Driver) {
	return func(d *patchbay.Driver) { d.DistributionComputerHardwareIDs = chids }
}

func provider(p, m string) func(*patchbay.Driver) {
	return func(d *patchbay.Driver) { d.Provider, d.Manufacturer = p, m }
}

const (
	chid1 = "11111111-0000-0000-0000-000000000001" // most specific
	chid2 = "11111111-0000-0000-0000-000000000002"
	chid9 = "11111111-0000-0000-0000-000000000009" // another machine
)

func TestBestDriver(t *testing.T) {
	dev := Device{HardwareIDs: []string{`PCI\VEN_1&DEV_2&SUBSYS_3`, `PCI\VEN_1&DEV_2`}, CompatibleIDs: []string{`PCI\CC_0300`}}
	comp := Computer{HardwareIDs: []string{chid1, chid2}, FeatureScoreKey: "AMD64.10.0"}
	tests := []struct {
		name  string
		dev   Device
		cands []*patchbay.Driver
		want  int // index into cands, -1 for none
	}{
		{"earlier hardware id beats newer driver", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "2.0.0.0"),
			drv(`pci\ven_1&dev_2&subsys_3`, "2020-01-01", "1.0.0.0"),
		}, 1},
		{"hardware id beats compatible id", dev, []*patchbay.Driver{
			drv(`PCI\CC_0300`, "2026-01-01", "9.0.0.0"),
			drv(`PCI\VEN_1&DEV_2`, "2019-01-01", "1.0.0.0"),
		}, 1},
		{"lower feature score beats hardware id order", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2&SUBSYS_3`, "2026-01-01", "1.0.0.0", score("amd64.10.0", 10)),
			drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "1.0.0.0", score("AMD64.10.0", 5)),
		}, 1},
		{"missing feature score ranks worst", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2&SUBSYS_3`, "2026-01-01", "1.0.0.0", score("x86.6.1", 0)),
			drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "1.0.0.0", score("AMD64.10.0", 254)),
		}, 1},
		{"computer hardware id specificity beats feature score", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2&SUBSYS_3`, "2026-01-01", "1.0.0.0", score("AMD64.10.0", 0)),
			drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "1.0.0.0", score("AMD64.10.0", 200), target(chid2)),
			drv(`PCI\VEN_1&DEV_2`, "2020-01-01", "1.0.0.0", score("AMD64.10.0", 200), distrib("{"+chid1+"}")),
		}, 2},
		{"driver targeted at other machines does not apply", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "1.0.0.0", target(chid9)),
		}, -1},
		{"newer date wins", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2`, "2025-01-01", "9.0.0.0"),
			drv(`PCI\VEN_1&DEV_2`, "2025-06-01", "1.0.0.0"),
		}, 1},
		{"INF date format", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2`, "2025-01-01", "9.0.0.0"),
			drv(`PCI\VEN_1&DEV_2`, "06/01/2025", "1.0.0.0"),
		}, 1},
		{"higher version wins, numerically", dev, []*patchbay.Driver{
			drv(`PCI\VEN_1&DEV_2`, "2025-01-01", "10.0.9.0"),
			drv(`PCI\VEN_1&DEV_2`, "2025-01-01", "10.0.10.0"),
		}, 1},
		{"no matching id", dev, []*patchbay.Driver{drv(`USB\VID_1`, "2025-01-01", "1.0.0.0")}, -1},
		{"installed driver is as good: nothing", Device{HardwareIDs: dev.HardwareIDs, Installed: &InstalledDriver{
			MatchingID: `PCI\VEN_1&DEV_2`, DriverVerDate: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), DriverVerVersion: parseDriverVersion("1.0.0.0")}},
			[]*patchbay.Driver{drv(`PCI\VEN_1&DEV_2`, "2025-06-01", "1.0.0.0")}, -1},
		{"installed driver is older: offered", Device{HardwareIDs: dev.HardwareIDs, Installed: &InstalledDriver{
			MatchingID: `PCI\VEN_1&DEV_2`, DriverVerDate: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), DriverVerVersion: parseDriverVersion("1.0.0.0")}},
			[]*patchbay.Driver{drv(`PCI\VEN_1&DEV_2`, "2025-06-01", "1.0.0.1")}, 0},
		{"installed driver matched a more specific id", Device{HardwareIDs: dev.HardwareIDs, Installed: &InstalledDriver{
			MatchingID: `PCI\VEN_1&DEV_2&SUBSYS_3`, DriverVerDate: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}},
			[]*patchbay.Driver{drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "9.0.0.0")}, -1},
		{"device without a driver (zero installed driver)", Device{HardwareIDs: dev.HardwareIDs, Installed: &InstalledDriver{}},
			[]*patchbay.Driver{drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "9.0.0.0")}, 0},
		{"printer: other provider never competes", Device{HardwareIDs: []string{"{PRN-1}"}, Installed: &InstalledDriver{
			Class: "Printer", Provider: "Fabrikam", Manufacturer: "Fabrikam", MatchingID: "{PRN-1}"}},
			[]*patchbay.Driver{
				drv("{PRN-1}", "2026-01-01", "9.0.0.0", provider("Contoso", "Contoso")),
				drv("{prn-1}", "2025-01-01", "2.0.0.0", provider("FABRIKAM", "fabrikam")),
			}, 1},
		{"printer: no matching provider, nothing", Device{HardwareIDs: []string{"{PRN-1}"}, Installed: &InstalledDriver{
			Class: "{4D36E979-E325-11CE-BFC1-08002BE10318}", Provider: "Fabrikam", Manufacturer: "Fabrikam"}},
			[]*patchbay.Driver{drv("{PRN-1}", "2026-01-01", "9.0.0.0")}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cands []Candidate
			for j, d := range tc.cands {
				cands = append(cands, Candidate{ID: int32(100 + j), Driver: d})
			}
			got, ok := BestDriver(tc.dev, comp, cands)
			switch {
			case tc.want < 0 && ok:
				t.Errorf("BestDriver = %d, want none", got.ID)
			case tc.want >= 0 && (!ok || got.ID != int32(100+tc.want)):
				t.Errorf("BestDriver = %d, %v; want %d", got.ID, ok, 100+tc.want)
			}
		})
	}
}

func TestParseDriverVersion(t *testing.T) {
	for s, want := range map[string]uint64{
		"10.0.26100.8036": 2814751477604196, // protocol-wusp.md §1.7
		"1.2":             1<<48 | 2<<32,
		"":                0,
		"1.x.3.99999":     1<<48 | 3<<16 | 0xffff,
	} {
		if got := parseDriverVersion(s); got != want {
			t.Errorf("parseDriverVersion(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestSelectDriverPass(t *testing.T) {
	c := mustBuild(t, Input{
		Revisions: entries(
			rv("sw", 1, patchbay.TypeSoftware), // 10
			rv("d-old", 1, patchbay.TypeDriver).drv(*drv(`PCI\VEN_1&DEV_2`, "2020-01-01", "1.0.0.0")), // 20
			rv("d-new", 1, patchbay.TypeDriver).drv(*drv(`PCI\VEN_1&DEV_2`, "2025-01-01", "2.0.0.0"),
				*drv(`USB\VID_9`, "2025-01-01", "2.0.0.0")), // 30
			rv("d-unapproved", 1, patchbay.TypeDriver).drv(*drv(`PCI\VEN_1&DEV_2`, "2026-01-01", "3.0.0.0")), // 40
			rv("d-det", 1, patchbay.TypeDriver).pre("det").drv(*drv(`USB\VID_7`, "2026-01-01", "3.0.0.0")),   // 50
			rv("det", 1, patchbay.TypeDetectoid), // 60
		),
		Approvals: []patchbay.Approval{
			approve("d-old", 1, all, patchbay.ActionInstall),
			approve("d-new", 1, all, patchbay.ActionInstall),
			approve("d-det", 1, all, patchbay.ActionInstall),
		},
		ApprovedOnly: true,
	})
	if c.Select(nil, Query{}).DriverSyncNotNeeded {
		t.Error("DriverSyncNotNeeded = true with approved drivers")
	}
	if got := ids(c.Select(nil, Query{}).NewUpdates); !slices.Equal(got, []int32{60}) {
		t.Errorf("software pass = %v, want [60] (no drivers)", got)
	}
	devs := []Device{
		{HardwareIDs: []string{`PCI\VEN_1&DEV_2`}},
		{HardwareIDs: []string{`usb\vid_9`}},
		{HardwareIDs: []string{`USB\VID_7`}},
	}
	res := c.Select(nil, Query{SkipSoftware: true, Devices: devs, CachedDrivers: []int32{20}})
	if len(res.NewUpdates) != 1 || res.NewUpdates[0].ID != 30 {
		t.Fatalf("driver pass = %v, want [30]", ids(res.NewUpdates))
	}
	if hw := res.NewUpdates[0].Deployment.HardwareIDs; !slices.Equal(hw, []string{`PCI\VEN_1&DEV_2`, `USB\VID_9`}) {
		t.Errorf("HardwareIds = %v", hw)
	}
	if !slices.Equal(res.OutOfScope, []int32{20}) {
		t.Errorf("OutOfScope = %v, want [20] (no longer the best)", res.OutOfScope)
	}
	res = c.Select(nil, Query{SkipSoftware: true, Devices: devs, InstalledNonLeaf: []int32{60}, CachedDrivers: []int32{30}, Max: 1})
	if got := ids(res.NewUpdates); !slices.Equal(got, []int32{50}) || res.Truncated {
		t.Errorf("driver pass with det installed = %v (truncated %v), want [50]", got, res.Truncated)
	}
}
