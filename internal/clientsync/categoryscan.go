package clientsync

import (
	"context"
	"slices"
	"strings"

	"patchbay"
	"patchbay/internal/wusp"
)

// StartCategoryScan implements MS-WUSP §3.1.5.6. It takes no cookie
// (trap 12). Unknown categories go to the error list and drop their AND
// group; a group of one product, or of a product and a classification,
// contributes the product; any other shape clears the preferred list and
// stops, as the spec prescribes.
func (s *Service) StartCategoryScan(ctx context.Context, req *wusp.StartCategoryScan) (*wusp.StartCategoryScanResponse, error) {
	if len(req.RequestedCategories) == 0 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "requestedCategories")
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, err
	}
	typeOf := func(id string) (string, bool) {
		rid, ok := cat.RevisionID(strings.ToLower(strings.TrimSpace(id)))
		if !ok {
			return "", false
		}
		rev, _, _ := cat.Revision(rid)
		if rev.Type != patchbay.TypeCategory {
			return "", false
		}
		return rev.CategoryType, true
	}
	// Groups in the order they first appear.
	var order []int32
	groups := map[int32][]string{}
	for _, r := range req.RequestedCategories {
		if _, ok := groups[r.IndexOfAndGroup]; !ok {
			order = append(order, r.IndexOfAndGroup)
		}
		groups[r.IndexOfAndGroup] = append(groups[r.IndexOfAndGroup], strings.ToLower(strings.TrimSpace(r.CategoryId)))
	}
	resp := &wusp.StartCategoryScanResponse{}
	var valid []int32
	for _, g := range order {
		ok := true
		for _, id := range groups[g] {
			if _, known := typeOf(id); !known {
				resp.RequestedCategoryIdsInError = append(resp.RequestedCategoryIdsInError, id)
				ok = false
			}
		}
		if ok {
			valid = append(valid, g)
		}
	}
	for _, g := range valid {
		ids := groups[g]
		var product string
		switch len(ids) {
		case 1:
			if t, _ := typeOf(ids[0]); strings.EqualFold(t, "Product") {
				product = ids[0]
			}
		case 2:
			t0, _ := typeOf(ids[0])
			t1, _ := typeOf(ids[1])
			switch {
			case strings.EqualFold(t0, "Product") && strings.EqualFold(t1, "UpdateClassification"):
				product = ids[0]
			case strings.EqualFold(t1, "Product") && strings.EqualFold(t0, "UpdateClassification"):
				product = ids[1]
			}
		}
		if product == "" {
			resp.PreferredCategoryIds = nil
			break
		}
		if !slices.Contains(resp.PreferredCategoryIds, product) {
			resp.PreferredCategoryIds = append(resp.PreferredCategoryIds, product)
		}
	}
	return resp, nil
}
