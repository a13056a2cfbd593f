package applicability

import (
	"strings"

	"patchbay"
)

// This file holds the MsiApplicabilityRules (m.*), schema in MS-WUSP
// Appendix B note 42 and the WSUS "MsiApplicabilityRules Schema" page
// (learn.microsoft.com bb972757). The rules that read the MSI or MSP blob of
// the update's Metadata (MsiPatchInstalled, MsiPatchSuperseded,
// MsiPatchInstallable, MsiApplicationInstalled, …) need Windows Installer's
// own patch-sequencing logic and evaluate to Unknown.

// sameGUID compares product, patch and component codes: braces and letter
// case do not matter.
func sameGUID(a, b string) bool {
	ga, ok1 := patchbay.ParseGUID(a)
	gb, ok2 := patchbay.ParseGUID(b)
	if ok1 && ok2 {
		return ga == gb
	}
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// productMatches applies MsiProductInstalled's filters to p: ProductCode
// (required); VersionMin and VersionMax, inclusive unless ExcludeVersionMin or
// ExcludeVersionMax ("If set to true, the value in VersionMax is not
// considered a valid version for this check"); Language ("If not present,
// all languages are considered valid"). ok is false for a malformed rule.
func productMatches(n *Node, p MsiProduct) (match, ok bool) {
	code, has := n.attr("ProductCode")
	if !has {
		return false, false
	}
	if !sameGUID(code, p.ProductCode) {
		return false, true
	}
	have, haveOK := ParseFourPart(p.Version)
	for _, b := range []struct {
		attr, exclude string
		sign          int
	}{{"VersionMin", "ExcludeVersionMin", 1}, {"VersionMax", "ExcludeVersionMax", -1}} {
		s, has := n.attr(b.attr)
		if !has {
			continue
		}
		limit, ok := ParseFourPart(s)
		excl, okEx := boolAttr(n, b.exclude, false)
		if !ok || !okEx {
			return false, false
		}
		if !haveOK {
			return false, true
		}
		c := have.Compare(limit) * b.sign // > 0 inside the range
		if c < 0 || (c == 0 && excl) {
			return false, true
		}
	}
	if lang, present, ok := uintAttr(n, "Language", 32); !ok {
		return false, false
	} else if present && uint64(p.Language) != lang {
		return false, true
	}
	return true, true
}

// msiProductInstalled implements MsiProductInstalled: "Checks that the
// specified product is installed. Only the ProductCode is required, but the
// other attributes will be checked if they are supplied."
func (e *evaluator) msiProductInstalled(n *Node) Result {
	for _, p := range e.m.MsiProducts() {
		match, ok := productMatches(n, p)
		if !ok {
			return Unknown
		}
		if match {
			return True
		}
	}
	if _, has := n.attr("ProductCode"); !has {
		return Unknown
	}
	return False
}

// msiPatchInstalledForProduct implements MsiPatchInstalledForProduct:
// "Checks that the specified patch is installed for the specified product",
// with the product filters of MsiProductInstalled.
func (e *evaluator) msiPatchInstalledForProduct(n *Node) Result {
	patch, has := n.attr("PatchCode")
	if !has {
		return Unknown
	}
	if _, has := n.attr("ProductCode"); !has {
		return Unknown
	}
	for _, p := range e.m.MsiProducts() {
		match, ok := productMatches(n, p)
		if !ok {
			return Unknown
		}
		if !match {
			continue
		}
		for _, applied := range p.Patches {
			if sameGUID(applied, patch) {
				return True
			}
		}
	}
	return False
}

// msiForProduct implements MsiComponentInstalledForProduct ("Checks that the
// specified component(s) are installed for one (optionally all) of the
// specified products", children Component+ and Product+, attributes
// AllComponentsRequired and AllProductsRequired) and
// MsiFeatureInstalledForProduct (the same with Feature and
// AllFeaturesRequired). Component codes compare as GUIDs, feature names
// exactly (MSI feature names are case-sensitive identifiers).
func (e *evaluator) msiForProduct(n *Node, itemName, allItemsAttr string, items func(MsiProduct) []string) Result {
	allItems, ok1 := boolAttr(n, allItemsAttr, false)
	allProducts, ok2 := boolAttr(n, "AllProductsRequired", false)
	if !ok1 || !ok2 {
		return Unknown
	}
	var want, products []string
	for _, c := range n.Children {
		switch c.Name {
		case itemName:
			want = append(want, c.Text)
		case "m.Product":
			products = append(products, c.Text)
		}
	}
	if len(want) == 0 || len(products) == 0 {
		return Unknown
	}
	installed := e.m.MsiProducts()
	same := func(a, b string) bool {
		if itemName == "m.Feature" {
			return a == b
		}
		return sameGUID(a, b)
	}
	satisfied := func(code string) bool {
		for _, p := range installed {
			if !sameGUID(p.ProductCode, code) {
				continue
			}
			have := items(p)
			count := 0
			for _, w := range want {
				for _, h := range have {
					if same(w, h) {
						count++
						break
					}
				}
			}
			if (allItems && count == len(want)) || (!allItems && count > 0) {
				return true
			}
		}
		return false
	}
	count := 0
	for _, code := range products {
		if satisfied(code) {
			count++
		}
	}
	return boolResult((allProducts && count == len(products)) || (!allProducts && count > 0))
}
