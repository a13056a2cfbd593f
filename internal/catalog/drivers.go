package catalog

import (
	"strconv"
	"strings"
	"time"

	"patchbay"
)

// Device is one device of the client's SystemSpec (MS-WUSP §2.2.2.2.4 Device).
type Device struct {
	// HardwareIDs and CompatibleIDs are in the client's order, most specific
	// first; a driver matching an earlier id is a better match.
	HardwareIDs   []string
	CompatibleIDs []string
	// Installed is the driver already on the device, or nil.
	Installed *InstalledDriver
}

// InstalledDriver is Device/installedDriver (MS-WUSP §2.2.2.2.4).
type InstalledDriver struct {
	MatchingID           string
	DriverVerDate        time.Time
	DriverVerVersion     uint64 // four 16-bit parts, as on the wire (s:long)
	Class                string
	Manufacturer         string
	Provider             string
	Model                string
	MatchingComputerHWID string // "" when nil
}

// Computer is what the driver rules need about the client machine.
type Computer struct {
	// HardwareIDs is ComputerSpec/HardwareIDs, most specific first.
	HardwareIDs []string
	// FeatureScoreKey is FeatureScoreMatchingKey, "Arch.OSMajor.OSMinor",
	// matched case-insensitively (MS-WUSP §3.1.1 note 41 writes amd64.10.0,
	// WUA sends AMD64.10.0).
	FeatureScoreKey string
}

// Candidate is one WindowsDriverMetaData entry of a driver revision
// (MS-WUSP §3.1.1 Driver Table).
type Candidate struct {
	ID     int32 // RevisionID
	Driver *patchbay.Driver
}

// BestDriver applies the driver rules of MS-WUSP §3.1.5.7 to dev: among the
// candidates whose HardwareID matches one of the device's ids (and, when
// targeted to computer hardware ids, one of the computer's), the best is the
// one with, in order: the more specific computer hardware id (earlier in
// comp.HardwareIDs; untargeted drivers rank last), the lower feature score
// for comp.FeatureScoreKey (no score ranks as 255, the worst), the device id
// listed earlier, the newer DriverVerDate, the higher DriverVerVersion; ties
// go to the higher WhqlDriverID (the more recent submission, §3.1.1), then
// the higher RevisionID.
//
// When dev has an installed driver, the best candidate is returned only if
// it is a better match than that driver by the same rules (feature scores
// are unknown for installed drivers and count as equal). For an installed
// printer driver (Class "Printer" or the printer class GUID) only candidates
// with the same Provider and Manufacturer compete. ok is false when nothing
// should be offered.
func BestDriver(dev Device, comp Computer, cands []Candidate) (best Candidate, ok bool) {
	rs := make([]driverRef, 0, len(cands))
	for k, cd := range cands {
		if cd.Driver != nil {
			rs = append(rs, newDriverRef(int32(k), cd.ID, cd.Driver))
		}
	}
	r, ok := bestDriver(dev, comp, func(yield func(driverRef) bool) {
		for _, x := range rs {
			if !yield(x) {
				return
			}
		}
	})
	if !ok {
		return Candidate{}, false
	}
	return cands[r.idx], true
}

// driverRef is one WindowsDriverMetaData entry, with its sort keys parsed once.
type driverRef struct {
	idx     int32 // revision index in a Catalog, or candidate index
	id      int32 // RevisionID
	d       *patchbay.Driver
	date    time.Time
	version uint64
}

func newDriverRef(idx, id int32, d *patchbay.Driver) driverRef {
	return driverRef{idx: idx, id: id, d: d, date: parseDriverDate(d.DriverVerDate), version: parseDriverVersion(d.DriverVerVersion)}
}

// driverRank is the comparison key of a driver against one device.
type driverRank struct {
	computer int // index of the matched computer hardware id; len(list) when untargeted
	feature  int // -1: unknown (installed drivers), compares equal to anything
	hw       int // index of the matched device id
	date     time.Time
	version  uint64
	whql     int64
	id       int32
}

// betterThan reports whether a beats b by the ordered rules of §3.1.5.7.
func (a driverRank) betterThan(b driverRank) bool {
	if a.computer != b.computer {
		return a.computer < b.computer
	}
	if a.feature >= 0 && b.feature >= 0 && a.feature != b.feature {
		return a.feature < b.feature
	}
	if a.hw != b.hw {
		return a.hw < b.hw
	}
	if !a.date.Equal(b.date) {
		return a.date.After(b.date)
	}
	if a.version != b.version {
		return a.version > b.version
	}
	if a.whql != b.whql {
		return a.whql > b.whql
	}
	return a.id > b.id
}

// strictlyBetter is betterThan without the tie-breakers that §3.1.5.7 does
// not list: used against the installed driver, which must be beaten on the
// spec's own rules.
func (a driverRank) strictlyBetter(b driverRank) bool {
	a.whql, a.id, b.whql, b.id = 0, 0, 0, 0
	return a.betterThan(b)
}

func indexFold(list []string, s string) int {
	for k, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return k
		}
	}
	return -1
}

// rankDriver ranks r for dev; ok is false when r does not apply.
func rankDriver(r driverRef, devIDs []string, comp Computer) (driverRank, bool) {
	hw := indexFold(devIDs, r.d.HardwareID)
	if hw < 0 {
		return driverRank{}, false
	}
	k := driverRank{computer: len(comp.HardwareIDs), feature: 255, hw: hw, date: r.date, version: r.version, whql: r.d.WhqlDriverID, id: r.id}
	targets := len(r.d.DistributionComputerHardwareIDs) + len(r.d.TargetComputerHardwareIDs)
	if targets > 0 {
		k.computer = -1
		for _, l := range [][]string{r.d.DistributionComputerHardwareIDs, r.d.TargetComputerHardwareIDs} {
			for _, t := range l {
				if j := indexFold(comp.HardwareIDs, lowerGUID(t)); j >= 0 && (k.computer < 0 || j < k.computer) {
					k.computer = j
				}
			}
		}
		if k.computer < 0 {
			return driverRank{}, false // targeted at other machines
		}
	}
	for _, fs := range r.d.FeatureScores {
		if comp.FeatureScoreKey != "" && strings.EqualFold(fs.OperatingSystem, comp.FeatureScoreKey) {
			k.feature = min(max(fs.Score, 0), 255)
		}
	}
	return k, true
}

// printerClassGUID is the setup class of printers ({4d36e979-…}).
const printerClassGUID = "4d36e979-e325-11ce-bfc1-08002be10318"

func isPrinter(class string) bool {
	return strings.EqualFold(class, "Printer") || lowerGUID(class) == printerClassGUID
}

// bestDriver is BestDriver over a sequence of entries.
func bestDriver(dev Device, comp Computer, cands func(func(driverRef) bool)) (driverRef, bool) {
	devIDs := make([]string, 0, len(dev.HardwareIDs)+len(dev.CompatibleIDs))
	devIDs = append(append(devIDs, dev.HardwareIDs...), dev.CompatibleIDs...)
	printer := dev.Installed != nil && isPrinter(dev.Installed.Class)
	var best driverRef
	var bestRank driverRank
	found := false
	for r := range cands {
		if printer && (!strings.EqualFold(r.d.Provider, dev.Installed.Provider) ||
			!strings.EqualFold(r.d.Manufacturer, dev.Installed.Manufacturer)) {
			continue
		}
		k, ok := rankDriver(r, devIDs, comp)
		if !ok {
			continue
		}
		if !found || k.betterThan(bestRank) {
			best, bestRank, found = r, k, true
		}
	}
	if !found {
		return driverRef{}, false
	}
	if in := dev.Installed; in != nil {
		ik := driverRank{computer: len(comp.HardwareIDs), feature: -1, hw: len(devIDs),
			date: in.DriverVerDate, version: in.DriverVerVersion}
		if j := indexFold(comp.HardwareIDs, lowerGUID(in.MatchingComputerHWID)); in.MatchingComputerHWID != "" && j >= 0 {
			ik.computer = j
		}
		if j := indexFold(devIDs, in.MatchingID); in.MatchingID != "" && j >= 0 {
			ik.hw = j
		}
		if !bestRank.strictlyBetter(ik) {
			return driverRef{}, false
		}
	}
	return best, true
}

// parseDriverDate accepts the metadata's yyyy-mm-dd and the INF's mm/dd/yyyy;
// anything else is the zero time (the oldest).
func parseDriverDate(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "01/02/2006", "1/2/2006", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// parseDriverVersion converts a.b.c.d to the 64-bit integer of MS-WUSP
// §3.1.5.7 (16 bits per part, missing parts 0, oversized parts clamped).
func parseDriverVersion(s string) uint64 {
	var v uint64
	parts := strings.SplitN(strings.TrimSpace(s), ".", 4)
	for k := range 4 {
		var p uint64
		if k < len(parts) {
			n, err := strconv.ParseUint(strings.TrimSpace(parts[k]), 10, 64)
			if err == nil {
				p = min(n, 0xffff)
			}
		}
		v = v<<16 | p
	}
	return v
}

// buildDrivers indexes the driver entries of the latest driver revisions by
// lower-case HardwareID for the driver pass.
func (c *Catalog) buildDrivers() {
	c.drivers = make(map[string][]driverRef)
	c.current.each(func(i int32) bool {
		if c.kind[i] != kindDriver {
			return true
		}
		r := c.revs[i]
		for k := range r.Driver {
			d := &r.Driver[k]
			h := strings.ToLower(strings.TrimSpace(d.HardwareID))
			if h != "" {
				c.drivers[h] = append(c.drivers[h], newDriverRef(i, c.ids[i], d))
			}
		}
		return true
	})
}
