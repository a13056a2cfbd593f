package clientsync

import (
	"context"
	"strings"

	"patchbay"
	"patchbay/internal/wusp"
)

// RefreshCache implements MS-WUSP §3.1.5.8: after ServerChanged or
// InvalidCookie, the client sends the identities of its cached revisions
// and gets back this server's RevisionID, IsLeaf and Deployment for each
// one that is deployed to it. Identities that are unknown, not the latest
// revision, or out of scope are left out: the client re-syncs them.
func (s *Service) RefreshCache(ctx context.Context, req *wusp.RefreshCache) (*wusp.RefreshCacheResponse, error) {
	sess, err := s.openSession(req.Cookie)
	if err != nil {
		return nil, err
	}
	if req.GlobalIDs == nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "globalIDs")
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, err
	}
	resp := &wusp.RefreshCacheResponse{}
	seen := map[int32]bool{}
	for _, g := range req.GlobalIDs {
		id, ok := exactRevision(cat, g.UpdateID, int(g.RevisionNumber))
		if !ok || seen[id] {
			continue
		}
		d, ok := cat.Deployment(sess.Groups, id)
		if !ok {
			continue
		}
		info, _ := cat.Lookup(id)
		seen[id] = true
		resp.RefreshCacheResult = append(resp.RefreshCacheResult, wusp.RefreshCacheResult{
			RevisionID: id,
			GlobalID:   &wusp.UpdateIdentity{UpdateID: strings.ToLower(g.UpdateID), RevisionNumber: g.RevisionNumber},
			IsLeaf:     info.IsLeaf,
			Deployment: deployment(d, sess.Protocol),
		})
	}
	return resp, nil
}
