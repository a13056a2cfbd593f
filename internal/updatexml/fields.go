package updatexml

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"patchbay"
)

// files reads /Update/Files/File (MS-WSUSSS §3.1.1.1 FileDigest, FileName,
// PatchingType) with the SHA-256 AdditionalDigest that Windows 8 and later
// require (MS-WUSP §7 note 26).
func (p *parser) files() error {
	fs := p.root.elem("Files")
	if fs == nil {
		return nil
	}
	for i, f := range fs.elems("File") {
		path := "/Update/Files/File[" + strconv.Itoa(i+1) + "]"
		var file patchbay.File
		file.FileName, _ = f.attr("FileName")
		file.PatchingType, _ = f.attr("PatchingType")
		if v, ok := f.attr("Size"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 {
				return p.fail(path+"/@Size", invalidf("integer", v))
			}
			file.Size = n
		}
		if v, ok := f.attr("Modified"); ok {
			t, err := parseTime(v)
			if err != nil {
				return p.fail(path+"/@Modified", err)
			}
			file.Modified = t
		}
		if v, ok := f.attr("Digest"); ok {
			alg, _ := f.attr("DigestAlgorithm")
			size := 20
			if strings.EqualFold(alg, "SHA256") {
				size = 32
			}
			sum, err := digest(v, size)
			if err != nil {
				return p.fail(path+"/@Digest", err)
			}
			if size == 20 {
				file.SHA1 = sum
			} else {
				file.SHA256 = sum
			}
		}
		for j, ad := range f.elems("AdditionalDigest") {
			if alg, _ := ad.attr("Algorithm"); !strings.EqualFold(alg, "SHA256") {
				continue
			}
			sum, err := digest(ad.text(), 32)
			if err != nil {
				return p.fail(path+"/AdditionalDigest["+strconv.Itoa(j+1)+"]", err)
			}
			file.SHA256 = sum
		}
		p.rev.Files = append(p.rev.Files, file)
	}
	return nil
}

// drivers reads the Driver Table and its FeatureScore and ComputerHardwareID
// tables (MS-WUSP §3.1.1.1) from each
// /Update/ApplicabilityRules/Metadata/WindowsDriverMetaData.
func (p *parser) drivers() error {
	md := p.root.elem("ApplicabilityRules").elem("Metadata")
	if md == nil {
		return nil
	}
	for i, w := range md.elems("WindowsDriverMetaData") {
		path := "/Update/ApplicabilityRules/Metadata/WindowsDriverMetaData[" + strconv.Itoa(i+1) + "]"
		var d patchbay.Driver
		d.HardwareID, _ = w.attr("HardwareID")
		d.DriverVerDate, _ = w.attr("DriverVerDate")
		d.DriverVerVersion, _ = w.attr("DriverVerVersion")
		d.Class, _ = w.attr("Class")
		d.Manufacturer, _ = w.attr("Manufacturer")
		d.Provider, _ = w.attr("Provider")
		d.Model, _ = w.attr("Model")
		if v, ok := w.attr("WhqlDriverID"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return p.fail(path+"/@WhqlDriverID", invalidf("integer", v))
			}
			d.WhqlDriverID = n
		}
		for j, fs := range w.elems("FeatureScore") {
			fpath := path + "/FeatureScore[" + strconv.Itoa(j+1) + "]"
			os, _ := fs.attr("OperatingSystem")
			v, ok := fs.attr("FeatureScore")
			if !ok {
				return p.fail(fpath+"/@FeatureScore", ErrMissing)
			}
			n, err := parseFeatureScore(v)
			if err != nil {
				return p.fail(fpath+"/@FeatureScore", invalidf("feature score", v))
			}
			d.FeatureScores = append(d.FeatureScores, patchbay.FeatureScore{OperatingSystem: os, Score: n})
		}
		for _, e := range w.elems("DistributionComputerHardwareId") {
			if v := normalizeGUIDOrKeep(e.text()); v != "" {
				d.DistributionComputerHardwareIDs = append(d.DistributionComputerHardwareIDs, v)
			}
		}
		for _, e := range w.elems("TargetComputerHardwareId") {
			if v := normalizeGUIDOrKeep(e.text()); v != "" {
				d.TargetComputerHardwareIDs = append(d.TargetComputerHardwareIDs, v)
			}
		}
		p.rev.Driver = append(p.rev.Driver, d)
	}
	return nil
}

// localized reads /Update/LocalizedPropertiesCollection: one Localized per
// LocalizedProperties (keyed by its Language child) and one Eula per EulaFile
// (keyed by its Language attribute), MS-WUSP §3.1.1.1.
func (p *parser) localized() error {
	lpc := p.root.elem("LocalizedPropertiesCollection")
	if lpc == nil {
		return nil
	}
	const base = "/Update/LocalizedPropertiesCollection"
	for i, lp := range lpc.elems("LocalizedProperties") {
		lang := lp.elem("Language")
		if lang == nil || strings.TrimSpace(lang.text()) == "" {
			return p.fail(base+"/LocalizedProperties["+strconv.Itoa(i+1)+"]/Language", ErrMissing)
		}
		txt := func(name string) string { return lp.elem(name).text() }
		p.rev.Localized = append(p.rev.Localized, patchbay.Localized{
			Language:     strings.TrimSpace(lang.text()),
			Title:        txt("Title"),
			Description:  txt("Description"),
			ReleaseNotes: txt("ReleaseNotes"),
			MoreInfoURL:  strings.TrimSpace(txt("MoreInfoUrl")),
			SupportURL:   strings.TrimSpace(txt("SupportUrl")),
		})
	}
	for i, ef := range lpc.elems("EulaFile") {
		path := base + "/EulaFile[" + strconv.Itoa(i+1) + "]"
		lang, ok := ef.attr("Language")
		if !ok || strings.TrimSpace(lang) == "" {
			return p.fail(path+"/@Language", ErrMissing)
		}
		e := patchbay.Eula{Language: strings.TrimSpace(lang)}
		e.GeoID, _ = ef.attr("GeoId")
		e.FileName, _ = ef.attr("FileName")
		if v, ok := ef.attr("Digest"); ok {
			sum, err := digest(v, 20)
			if err != nil {
				return p.fail(path+"/@Digest", err)
			}
			e.SHA1 = sum
		}
		e.Size = -1
		if v, ok := ef.attr("Size"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 {
				return p.fail(path+"/@Size", invalidf("integer", v))
			}
			e.Size = n
		}
		for _, ad := range ef.elems("AdditionalDigest") {
			if alg, _ := ad.attr("Algorithm"); strings.EqualFold(alg, "SHA256") {
				sum, err := digest(ad.text(), 32)
				if err != nil {
					return p.fail(path+"/AdditionalDigest", err)
				}
				e.SHA256 = sum
			}
		}
		p.rev.Eulas = append(p.rev.Eulas, e)
	}
	return nil
}

// digest decodes a base64 digest of exactly size bytes.
func digest(s string, size int) ([]byte, error) {
	s = strings.TrimSpace(s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != size {
		return nil, invalidf("digest", s)
	}
	return b, nil
}

// requiredGUID returns attribute name of n as a canonical lower-case GUID.
func requiredGUID(n *node, name string) (string, error) {
	v, ok := n.attr(name)
	if !ok {
		return "", ErrMissing
	}
	g, ok := patchbay.ParseGUID(v)
	if !ok {
		return "", invalidf("GUID", v)
	}
	return g, nil
}

func requiredInt(n *node, name string) (int, error) {
	v, ok := n.attr(name)
	if !ok {
		return 0, ErrMissing
	}
	i, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, invalidf("integer", v)
	}
	return i, nil
}

// optionalBool reads an xs:boolean attribute; absent means false.
func optionalBool(n *node, name string) (bool, error) {
	v, ok := n.attr(name)
	if !ok {
		return false, nil
	}
	switch strings.TrimSpace(strings.ToLower(v)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, invalidf("boolean", v)
}

// normalizeGUIDOrKeep lower-cases a GUID and returns anything else trimmed.
func normalizeGUIDOrKeep(s string) string {
	if g, ok := patchbay.ParseGUID(s); ok {
		return g
	}
	return strings.TrimSpace(s)
}

// parseTime reads an xs:dateTime or xs:date. Values without a zone (seen in
// WSUS-era metadata) are taken as UTC.
func parseTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, invalidf("date", s)
}

// parseFeatureScore reads a FeatureScore: one byte in hexadecimal, as INF
// files define it (FeatureScore=0xFF) and as Microsoft's own server-sync
// tooling parses the metadata attribute; an optional "0x" is accepted.
// MS-WUSP §3.1.1 gives the range 0-255, lower is better.
func parseFeatureScore(v string) (int, error) {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
	if v == "" || len(v) > 2 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.ParseUint(v, 16, 8)
	return int(n), err
}
