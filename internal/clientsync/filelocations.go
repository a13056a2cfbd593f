package clientsync

import (
	"context"
	"path"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/content"
	"patchbay/internal/wusp"
)

// GetFileLocations implements MS-WUSP §3.1.5.10: every digest must be a
// 20-byte SHA-1 (InvalidParameters otherwise); digests of files the server
// knows get a location, unknown ones are left out; NewCookie is the same
// session re-sealed.
func (s *Service) GetFileLocations(ctx context.Context, req *wusp.GetFileLocations) (*wusp.GetFileLocationsResponse, error) {
	sess, err := s.openSession(req.Cookie)
	if err != nil {
		return nil, err
	}
	if len(req.FileDigests) == 0 {
		return nil, patchbay.Errorf(patchbay.EInvalid, "fileDigests")
	}
	for _, d := range req.FileDigests {
		if len(d) != 20 {
			return nil, patchbay.Errorf(patchbay.EInvalid, "fileDigests")
		}
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, err
	}
	files := s.filesOf(cat)
	base := s.contentBase(ctx)
	res := &wusp.GetFileLocationsResults{}
	seen := map[[20]byte]bool{}
	for _, d := range req.FileDigests {
		k := [20]byte(d)
		f, ok := files[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		res.FileLocations = append(res.FileLocations, wusp.FileLocation{FileDigest: d, Url: joinURL(base, content.Path(d, f.ext))})
	}
	if res.NewCookie, err = s.sealSession(sess); err != nil {
		return nil, err
	}
	return &wusp.GetFileLocationsResponse{GetFileLocationsResult: res}, nil
}

// filesOf returns the digest index of the catalog's files, built once per
// catalog generation.
func (s *Service) filesOf(cat *catalog.Catalog) map[[20]byte]fileRef {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	if s.filesCat == cat {
		return s.filesByID
	}
	m := map[[20]byte]fileRef{}
	for id := range cat.All() {
		rev, _, _ := cat.Revision(id)
		for _, f := range rev.Files {
			if len(f.SHA1) == 20 {
				m[[20]byte(f.SHA1)] = fileRef{ext: path.Ext(f.FileName)}
			}
		}
		for _, e := range rev.Eulas {
			if len(e.SHA1) == 20 {
				m[[20]byte(e.SHA1)] = fileRef{ext: path.Ext(e.FileName)}
			}
		}
	}
	s.filesCat, s.filesByID = cat, m
	return m
}
