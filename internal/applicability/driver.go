package applicability

import (
	"strings"
	"time"
)

// This file holds the WindowsDriver rules (d.*), whose schema (MS-WUSP
// Appendix B note 42) defines them against the driver currently installed:
//
//   - WindowsDriverInstalled "returns true if this driver is an equal match
//     as the currently installed driver";
//   - WindowsDriverSuperseded "returns true if this driver is a worse match
//     as the currently installed driver";
//   - WindowsDriverInstallable "returns true if this driver is a better match
//     as the currently installed driver".
//
// The driver is the revision's WindowsDriverMetaData (one per HardwareID).
// It applies to a device whose hardware or compatible ids contain one of its
// HardwareIDs. "Better" follows MS-WUSP §3.1.5.7 (protocol-wusp.md §5.8): a
// match on an id earlier in the device's HardwareIDs/CompatibleIDs wins,
// then the newer DriverVerDate, then the higher DriverVerVersion; a device
// without a driver takes any match. An installed printer driver is replaced
// only by a driver of the same Provider (or a CompatibleProvider) and
// Manufacturer. Not modelled: computer hardware id targeting and feature
// scores (criteria 1 and 2 of §3.1.5.7), which need the computer's
// ComputerSpec and the installed driver's score.

type driverRelation int

const (
	driverEqual driverRelation = iota
	driverBetter
	driverWorse
)

// driverRule evaluates one d.* rule: Installed when an equal match is
// installed on some device, Installable when the driver is a better match for
// some device, Superseded when it matches devices but only as a worse match.
// No matching device makes all three False.
func (e *evaluator) driverRule(n *Node, want driverRelation) Result {
	if len(e.r.Drivers) == 0 {
		return Unknown
	}
	var equal, better, worse bool
	for _, dev := range e.m.Devices() {
		rel, ok := relateDriver(e.r.Drivers, dev)
		if !ok {
			continue
		}
		switch rel {
		case driverEqual:
			equal = true
		case driverBetter:
			better = true
		case driverWorse:
			worse = true
		}
	}
	switch want {
	case driverEqual:
		return boolResult(equal)
	case driverBetter:
		return boolResult(better)
	}
	return boolResult(worse && !equal && !better)
}

// idRank is the position of id in the device's ids, hardware ids first; -1
// when absent.
func idRank(dev Device, id string) int {
	for i, h := range dev.HardwareIDs {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(id)) {
			return i
		}
	}
	for i, c := range dev.CompatibleIDs {
		if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(id)) {
			return len(dev.HardwareIDs) + i
		}
	}
	return -1
}

// relateDriver compares the update's driver with dev's installed driver; ok
// is false when the driver does not apply to dev.
func relateDriver(metas []DriverMeta, dev Device) (driverRelation, bool) {
	best, rank := -1, -1
	for i, m := range metas {
		r := idRank(dev, m.HardwareID)
		if r >= 0 && (rank < 0 || r < rank) {
			best, rank = i, r
		}
	}
	if best < 0 {
		return 0, false
	}
	m := metas[best]
	inst := dev.Driver
	if inst == nil || strings.TrimSpace(inst.MatchingID) == "" {
		return driverBetter, true
	}
	if dev.IsPrinter && !samePrinterVendor(m, inst) {
		return 0, false
	}
	instRank := idRank(dev, inst.MatchingID)
	if instRank < 0 {
		instRank = len(dev.HardwareIDs) + len(dev.CompatibleIDs)
	}
	instDate := parseDate(inst.DriverVerDate)
	instVer, _ := ParseFourPart(inst.DriverVerVersion)
	switch {
	case rank < instRank:
		return driverBetter, true
	case rank > instRank:
		return driverWorse, true
	}
	if c := compareDate(m.DriverVerDate, instDate); c != 0 {
		return relationOf(c), true
	}
	if c := m.DriverVerVersion.Compare(instVer); c != 0 {
		return relationOf(c), true
	}
	return driverEqual, true
}

func relationOf(c int) driverRelation {
	if c > 0 {
		return driverBetter
	}
	return driverWorse
}

func compareDate(a, b time.Time) int {
	a, b = a.Truncate(24*time.Hour), b.Truncate(24*time.Hour)
	return a.Compare(b)
}

// samePrinterVendor is the printer condition of MS-WUSP §3.1.5.7.
func samePrinterVendor(m DriverMeta, inst *InstalledDriver) bool {
	if inst.Manufacturer != "" && !strings.EqualFold(m.Manufacturer, inst.Manufacturer) {
		return false
	}
	if inst.Provider == "" || strings.EqualFold(m.Provider, inst.Provider) {
		return true
	}
	for _, p := range m.CompatibleProviders {
		if strings.EqualFold(p, inst.Provider) {
			return true
		}
	}
	return false
}
