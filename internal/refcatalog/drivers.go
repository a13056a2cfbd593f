package refcatalog

import (
	"fmt"
	"time"
)

// driver is the detail of a Driver update (MS-WUSP §3.1.1.1 Driver Table).
type driver struct {
	product    *rev
	vendor     *driverVendor
	class      string
	model      string
	version    string
	verDate    time.Time
	whql       int
	hwids      []string
	targets    []string // TargetComputerHardwareId GUIDs
	dists      []string // DistributionComputerHardwareId GUIDs
	scores     []int    // FeatureScore per operating system, or nil
	superseded []string
	prereqAnd  []string
	file       *file
}

type driverVendor struct {
	manufacturer, provider, company string
	bus, vid                        string
	classes                         []string
}

// driverVendors are vendors, buses and driver classes of real drivers.
var driverVendors = []*driverVendor{
	{"Intel Corporation", "Intel", "Intel Corporation", "PCI", "8086", []string{"Display", "Net", "System", "Bluetooth", "Camera"}},
	{"NVIDIA", "NVIDIA", "NVIDIA Corporation", "PCI", "10DE", []string{"Display"}},
	{"Advanced Micro Devices, Inc.", "Advanced Micro Devices, Inc.", "Advanced Micro Devices, Inc.", "PCI", "1002", []string{"Display", "System"}},
	{"Realtek Semiconductor Corp.", "Realtek", "Realtek Semiconductor Corp.", "PCI", "10EC", []string{"Net", "MEDIA"}},
	{"Qualcomm", "Qualcomm", "Qualcomm Technologies, Inc.", "PCI", "17CB", []string{"Net", "Bluetooth"}},
	{"Logitech", "Logitech", "Logitech Inc.", "USB", "046D", []string{"HIDClass", "Camera"}},
	{"HP", "HP", "HP Inc.", "USBPRINT", "03F0", []string{"Printers"}},
	{"Dell Inc.", "Dell", "Dell Inc.", "UEFI", "", []string{"Firmware"}},
	{"Synaptics", "Synaptics", "Synaptics Incorporated", "ACPI", "SYNA", []string{"Mouse", "Biometric"}},
}

// buildDrivers adds n driver updates in chains of newer versions of the same
// model, each superseding its predecessors.
func (g *gen) buildDrivers(n int) {
	var products []*rev
	for _, p := range g.products {
		if p.cat.prof == profDrivers {
			products = append(products, p)
		}
	}
	for n > 0 {
		v := pick(g.rng, driverVendors)
		cls := pick(g.rng, v.classes)
		product := pick(g.rng, products)
		model := fmt.Sprintf("%s %s %d", v.provider, cls, 100+g.rng.IntN(9900))
		hwids := []string{g.hardwareID(v)}
		for i := g.rng.IntN(3); i > 0; i-- {
			hwids = append(hwids, g.hardwareID(v))
		}
		var targets []string
		for i := g.rng.IntN(3); i > 0; i-- {
			targets = append(targets, g.guid())
		}
		chain := between(g.rng, 1, 4)
		var ids []string
		major := 1 + g.rng.IntN(31)
		date := epoch.AddDate(0, 0, g.rng.IntN(5*365))
		for c := 0; c < chain && n > 0; c++ {
			date = date.AddDate(0, 0, 20+g.rng.IntN(120))
			d := &driver{
				product: product, vendor: v, class: cls, model: model,
				version: fmt.Sprintf("%d.%d.%d.%d", major, g.rng.IntN(10), 100+g.rng.IntN(900), g.rng.IntN(10000)),
				verDate: date, whql: 20000000 + g.rng.IntN(9000000), hwids: hwids, targets: targets,
			}
			if g.rng.IntN(3) == 0 {
				d.dists = []string{g.guid()}
			}
			if g.rng.IntN(2) == 0 {
				d.scores = []int{g.rng.IntN(256), g.rng.IntN(256)}
			}
			for j := len(ids) - 1; j >= 0; j-- {
				d.superseded = append(d.superseded, ids[j])
			}
			if det := g.archDetectoids["x64"]; det != nil {
				d.prereqAnd = []string{det.id}
			}
			d.file = g.newFile(fileCab, fmt.Sprintf("%d_%s.cab", d.whql, lowerHex(g.rng.Uint64())), date, 0)
			r := g.add(&rev{id: g.guid(), num: 200 + g.rng.IntN(2), kind: kindDriver,
				created: date.Add(time.Duration(g.rng.IntN(30*24)) * time.Hour), drv: d})
			ids = append(ids, r.id)
			n--
		}
	}
}

func lowerHex(v uint64) string { return fmt.Sprintf("%016x", v) }

// hardwareID returns a Plug and Play hardware ID of v's bus.
func (g *gen) hardwareID(v *driverVendor) string {
	r := g.rng
	switch v.bus {
	case "PCI":
		id := fmt.Sprintf(`PCI\VEN_%s&DEV_%04X`, v.vid, r.IntN(0x10000))
		if r.IntN(2) == 0 {
			id += fmt.Sprintf("&SUBSYS_%08X", r.Uint32())
		}
		return id
	case "USB":
		return fmt.Sprintf(`USB\VID_%s&PID_%04X`, v.vid, r.IntN(0x10000))
	case "USBPRINT":
		return fmt.Sprintf(`USBPRINT\HPLaserJet_%d%04X`, 100+r.IntN(900), r.IntN(0x10000))
	case "UEFI":
		return fmt.Sprintf(`UEFI\RES_{%s}`, g.guid())
	}
	return fmt.Sprintf(`ACPI\%s%04X`, v.vid, r.IntN(0x10000))
}

// renderDriver writes a driver update: WindowsDriver applicability rules and
// one WindowsDriverMetaData per hardware ID, with FeatureScore and computer
// hardware ID children (MS-WUSP §3.1.1.1, Appendix B WindowsDriver schema).
func (g *gen) renderDriver(w *xw, r *rev) {
	d := r.drv
	w.start("upd:Update", "xmlns:pub", nsPub, "xmlns:drv", nsDrv, "xmlns:upd", nsUpd)
	w.empty("upd:UpdateIdentity", "UpdateID", r.idText, "RevisionNumber", itoa(r.num))
	w.start("upd:Properties", "UpdateType", "Driver", "DefaultPropertiesLanguage", "en",
		"ExplicitlyDeployable", "true", "Handler", nsDrv,
		"MaxDownloadSize", itoa(d.file.size), "MinDownloadSize", "0",
		"PublicationState", "Published", "CreationDate", stamp(r.created), "PublisherID", publisherSoftware)
	w.empty("upd:InstallationBehavior", "RebootBehavior", "CanRequestReboot")
	w.end("upd:Properties")
	title := fmt.Sprintf("%s - %s - %s", d.vendor.manufacturer, d.class, d.version)
	w.start("upd:LocalizedPropertiesCollection")
	for _, lang := range g.opt.Languages {
		w.start("upd:LocalizedProperties")
		w.elem("upd:Language", lang)
		w.elem("upd:Title", title)
		w.elem("upd:Description", fmt.Sprintf("%s %s driver update released in %s", d.vendor.manufacturer, d.class, d.verDate.Format("January 2006")))
		w.end("upd:LocalizedProperties")
	}
	w.end("upd:LocalizedPropertiesCollection")
	w.start("upd:Relationships")
	if len(d.superseded) > 0 {
		w.start("upd:SupersededUpdates")
		for _, id := range d.superseded {
			w.empty("upd:UpdateIdentity", "UpdateID", id)
		}
		w.end("upd:SupersededUpdates")
	}
	w.start("upd:Prerequisites")
	for _, id := range d.prereqAnd {
		w.empty("upd:UpdateIdentity", "UpdateID", id)
	}
	for _, id := range []string{g.classifications["Drivers"].id, d.product.id} {
		w.start("upd:AtLeastOne", "IsCategory", "true")
		w.empty("upd:UpdateIdentity", "UpdateID", id)
		w.end("upd:AtLeastOne")
	}
	w.end("upd:Prerequisites")
	w.end("upd:Relationships")
	w.start("upd:ApplicabilityRules")
	w.start("upd:IsInstalled")
	w.empty("drv:WindowsDriverInstalled")
	w.end("upd:IsInstalled")
	w.start("upd:IsSuperseded")
	w.empty("drv:WindowsDriverSuperseded")
	w.end("upd:IsSuperseded")
	w.start("upd:IsInstallable")
	w.empty("drv:WindowsDriverInstallable")
	w.end("upd:IsInstallable")
	w.start("upd:Metadata")
	for _, hw := range d.hwids {
		w.start("drv:WindowsDriverMetaData", "HardwareID", hw, "WhqlDriverID", itoa(d.whql),
			"Manufacturer", d.vendor.manufacturer, "Company", d.vendor.company, "Provider", d.vendor.provider,
			"DriverVerDate", d.verDate.Format("2006-01-02"), "DriverVerVersion", d.version,
			"Class", d.class, "Model", d.model)
		// OperatingSystem has the form of the client's FeatureScoreMatchingKey
		// ("AMD64.10.0", MS-WUSP §2.2.2.2.4; scan/000009). The score is one
		// hexadecimal byte, as in the INF FeatureScore directive; Microsoft's
		// update-server-server-sync reads it with Convert.ToByte(v, 16).
		for i, s := range d.scores {
			os := []string{"AMD64.10.0", "ARM64.10.0"}[i%2]
			w.empty("drv:FeatureScore", "OperatingSystem", os, "FeatureScore", fmt.Sprintf("%02X", s))
		}
		for _, id := range d.dists {
			w.elem("drv:DistributionComputerHardwareId", id)
		}
		for _, id := range d.targets {
			w.elem("drv:TargetComputerHardwareId", id)
		}
		w.end("drv:WindowsDriverMetaData")
	}
	w.end("upd:Metadata")
	w.end("upd:ApplicabilityRules")
	w.start("upd:Files")
	writeFile(w, d.file, "")
	w.end("upd:Files")
	w.end("upd:Update")
}
