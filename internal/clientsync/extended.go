package clientsync

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/content"
	"patchbay/internal/wusp"
)

// GetExtendedUpdateInfo implements MS-WUSP §3.1.5.9 (protocol-wusp.md
// §7.2): revisions not deployed to the client go to OutOfScopeRevisionIDs;
// for the others, the stored fragments of each requested type, with
// LocalizedProperties and Eula matched to the requested locales with
// fallback (exact tag, then primary language, then English: trap 35); and a
// FileLocation for every file of every returned revision (trap 34).
func (s *Service) GetExtendedUpdateInfo(ctx context.Context, req *wusp.GetExtendedUpdateInfo) (*wusp.GetExtendedUpdateInfoResponse, error) {
	sess, cat, err := s.extendedPreamble(req.Cookie, len(req.RevisionIDs), "revisionIDs", req.InfoTypes, req.Locales)
	if err != nil {
		return nil, err
	}
	var ids []int32
	info := &wusp.ExtendedUpdateInfo{}
	for _, id := range dedupe(req.RevisionIDs) {
		if _, ok := cat.Deployment(sess.Groups, id); !ok {
			info.OutOfScopeRevisionIDs = append(info.OutOfScopeRevisionIDs, id)
			continue
		}
		ids = append(ids, id)
	}
	info.Updates, err = s.fragmentsFor(ctx, cat, ids, req.InfoTypes, req.Locales, req.GeoId)
	if err != nil {
		return nil, err
	}
	if slices.Contains(req.InfoTypes, wusp.FragmentExtended) || slices.Contains(req.InfoTypes, wusp.FragmentFileUrl) {
		info.FileLocations = s.fileLocations(ctx, cat, ids, false)
	}
	s.contacts.note(sess.Client, patchbay.ContactCall, s.now())
	return &wusp.GetExtendedUpdateInfoResponse{GetExtendedUpdateInfoResult: info}, nil
}

// GetExtendedUpdateInfo2 implements MS-WUSP §2.2.2.2.10 with the rules of
// GetExtendedUpdateInfo (the spec gives it no table of its own): updates
// are named by identity; FileUrl returns the locations with their digest
// algorithm; Patchbay holds no encrypted content, so the decryption lists
// are empty and every update reports HasEncryptedFiles false.
func (s *Service) GetExtendedUpdateInfo2(ctx context.Context, req *wusp.GetExtendedUpdateInfo2) (*wusp.GetExtendedUpdateInfo2Response, error) {
	sess, cat, err := s.extendedPreamble(req.Cookie, len(req.UpdateIDs), "updateIDs", req.InfoTypes, req.Locales)
	if err != nil {
		return nil, err
	}
	var ids []int32
	info := &wusp.ExtendedUpdateInfo2{}
	for _, u := range req.UpdateIDs {
		id, ok := exactRevision(cat, u.UpdateID, int(u.RevisionNumber))
		if !ok {
			continue
		}
		if _, ok := cat.Deployment(sess.Groups, id); !ok {
			continue
		}
		ids = append(ids, id)
		info.UpdateEncryptionDetails = append(info.UpdateEncryptionDetails, wusp.UpdateEncryptionDetail{
			UpdateIdentity: wusp.UpdateIdentity{UpdateID: strings.ToLower(u.UpdateID), RevisionNumber: u.RevisionNumber},
		})
	}
	ids = dedupe(ids)
	info.Updates, err = s.fragmentsFor(ctx, cat, ids, req.InfoTypes, req.Locales, "")
	if err != nil {
		return nil, err
	}
	if slices.Contains(req.InfoTypes, wusp.FragmentExtended) || slices.Contains(req.InfoTypes, wusp.FragmentFileUrl) {
		info.FileLocations = s.fileLocations(ctx, cat, ids, true)
	}
	return &wusp.GetExtendedUpdateInfo2Response{GetExtendedUpdateInfo2Result: info}, nil
}

// extendedPreamble applies the validation shared by GetExtendedUpdateInfo
// and GetExtendedUpdateInfo2 (§3.1.5.9): the cookie, at most
// MaxExtendedUpdatesPerRequest revisions (InvalidParameters naming the
// list), and the infoTypes/locales rules; it returns the session and the
// current catalog.
func (s *Service) extendedPreamble(c *wusp.Cookie, n int, list string, types, locales []string) (sessionPayload, *catalog.Catalog, error) {
	sess, err := s.openSession(c)
	if err != nil {
		return sess, nil, err
	}
	if n > s.cfg.MaxExtendedUpdatesPerRequest {
		return sess, nil, patchbay.Errorf(patchbay.EInvalid, "%s", list)
	}
	if err := checkInfoTypes(types, locales); err != nil {
		return sess, nil, err
	}
	cat, err := s.catalog()
	return sess, cat, err
}

// checkInfoTypes applies §3.1.5.9: infoTypes present; locales present when
// LocalizedProperties or Eula is asked for.
func checkInfoTypes(types, locales []string) error {
	if len(types) == 0 {
		return patchbay.Errorf(patchbay.EInvalid, "infoTypes")
	}
	if len(locales) == 0 && (slices.Contains(types, wusp.FragmentLocalizedProperties) || slices.Contains(types, wusp.FragmentEula)) {
		return patchbay.Errorf(patchbay.EInvalid, "locales")
	}
	return nil
}

// fragmentsFor collects the fragments of each type for each revision, in
// WSUS's order: type by type, revisions ascending. Published and
// VerificationRule have no fragment in the metadata table (§3.1.1) and
// return nothing.
func (s *Service) fragmentsFor(ctx context.Context, cat *catalog.Catalog, ids []int32, types, locales []string, geo string) (wusp.List[wusp.UpdateData], error) {
	var out wusp.List[wusp.UpdateData]
	for _, t := range dedupe(types) {
		for _, id := range ids {
			rev, core, ok := cat.Revision(id)
			if !ok {
				continue
			}
			switch t {
			case wusp.FragmentCore:
				out = append(out, wusp.UpdateData{ID: id, Xml: core})
			case wusp.FragmentExtended:
				f, err := s.fragment(ctx, id, patchbay.FragmentExtended, "")
				if err != nil {
					return nil, err
				}
				if f != nil {
					out = append(out, wusp.UpdateData{ID: id, Xml: f})
				}
			case wusp.FragmentLocalizedProperties:
				var have []string
				for _, l := range rev.Localized {
					have = append(have, l.Language)
				}
				for _, lang := range matchLocales(locales, have, rev.DefaultLanguage) {
					f, err := s.fragment(ctx, id, patchbay.FragmentLocalizedProperties, lang)
					if err != nil {
						return nil, err
					}
					if f != nil {
						out = append(out, wusp.UpdateData{ID: id, Xml: f})
					}
				}
			case wusp.FragmentEula:
				var have []string
				for _, e := range rev.Eulas {
					if geo == "" || e.GeoID == "" || strings.EqualFold(e.GeoID, geo) {
						have = append(have, e.Language)
					}
				}
				for _, lang := range matchLocales(locales, have, rev.DefaultLanguage) {
					f, err := s.fragment(ctx, id, patchbay.FragmentEula, lang)
					if err != nil {
						return nil, err
					}
					if f != nil {
						out = append(out, wusp.UpdateData{ID: id, Xml: f})
					}
				}
			}
		}
	}
	return out, nil
}

// fragment reads one stored fragment; a missing one is nil, not an error.
func (s *Service) fragment(ctx context.Context, id int32, kind patchbay.FragmentKind, locale string) ([]byte, error) {
	f, err := s.fragments.Fragment(ctx, int64(id), kind, locale)
	switch {
	case patchbay.ErrorCode(err) == patchbay.ENotFound:
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s fragment of %d: %w", kind, id, err)
	}
	return f.XML, nil
}

// matchLocales maps requested locales ("en-US", "en") to the languages a
// revision has: the exact tag, else its primary language, else the default
// language or English (§2.2.2.2.6: the service SHOULD always return the
// English fragment). The result is deduplicated, in request order.
func matchLocales(requested, have []string, def string) []string {
	var out []string
	add := func(lang string) {
		for _, h := range have {
			if strings.EqualFold(h, lang) && !slices.Contains(out, h) {
				out = append(out, h)
				return
			}
		}
	}
	for _, r := range requested {
		n := len(out)
		add(r)
		if len(out) == n {
			if primary, _, ok := strings.Cut(r, "-"); ok {
				add(primary)
			}
		}
	}
	if len(out) == 0 {
		add("en")
		if len(out) == 0 && def != "" {
			add(def)
		}
	}
	return out
}

// fileRef is where a file can be downloaded from.
type fileRef struct {
	ext string
}

// fileLocations returns a FileLocation for each distinct file of the
// revisions (and their EULA files), pointing at /Content/XX/SHA1HEX.ext on
// the server the client called, or under Config.ContentURL.
func (s *Service) fileLocations(ctx context.Context, cat *catalog.Catalog, ids []int32, withAlgorithm bool) wusp.List[wusp.FileLocation] {
	var out wusp.List[wusp.FileLocation]
	seen := map[[20]byte]bool{}
	base := s.contentBase(ctx)
	add := func(sha1 []byte, name string) {
		if len(sha1) != 20 {
			return
		}
		k := [20]byte(sha1)
		if seen[k] {
			return
		}
		seen[k] = true
		loc := wusp.FileLocation{FileDigest: sha1, Url: joinURL(base, content.Path(sha1, path.Ext(name)))}
		if withAlgorithm {
			loc.FileDigestAlgorithm = "SHA1"
		}
		out = append(out, loc)
	}
	for _, id := range ids {
		rev, _, ok := cat.Revision(id)
		if !ok {
			continue
		}
		for _, f := range rev.Files {
			add(f.SHA1, f.FileName)
		}
		for _, e := range rev.Eulas {
			add(e.SHA1, e.FileName)
		}
	}
	return out
}

// exactRevision finds the RevisionID of (updateID, revisionNumber) if it is
// the latest revision of its update: the only one a client may hold.
func exactRevision(cat *catalog.Catalog, updateID string, number int) (int32, bool) {
	id, ok := cat.RevisionID(strings.ToLower(strings.TrimSpace(updateID)))
	if !ok {
		return 0, false
	}
	rev, _, ok := cat.Revision(id)
	if !ok || rev.RevisionNumber != number {
		return 0, false
	}
	return id, true
}

func dedupe[T comparable](in []T) []T {
	seen := make(map[T]bool, len(in))
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
