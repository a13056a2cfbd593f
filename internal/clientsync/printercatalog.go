package clientsync

import (
	"context"
	"strings"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/wusp"
)

// printerClassGUID is the device setup class of printers.
const printerClassGUID = "{4d36e979-e325-11ce-bfc1-08002be10318}"

// SyncPrinterCatalog implements MS-WUSP §3.1.5.12 for the Add Printer
// wizard: the needed revisions are the printer-class drivers deployed to the
// client whose prerequisites its installed non-leaf revisions satisfy; the
// cached ones are printerUpdateIDs. There is no device list in this call,
// so every deployed printer driver is offered, in pages like SyncUpdates.
func (s *Service) SyncPrinterCatalog(ctx context.Context, req *wusp.SyncPrinterCatalog) (*wusp.SyncPrinterCatalogResponse, error) {
	sess, cat, err := s.syncPreamble(ctx, req.Cookie)
	if err != nil {
		return nil, err
	}
	installed := map[int32]bool{}
	for _, id := range req.InstalledNonLeafUpdateIDs {
		installed[id] = true
	}
	cached := map[int32]bool{}
	for _, id := range req.PrinterUpdateIDs {
		cached[id] = true
	}
	since := fromNanos(sess.Drivers)
	needed := map[int32]bool{}
	var offers, changed []catalog.Offer
	for id := range cat.All() {
		info, _ := cat.Lookup(id)
		if info.Type != patchbay.TypeDriver || !info.Latest || !satisfied(info.Prerequisites, installed) {
			continue
		}
		rev, core, _ := cat.Revision(id)
		if !isPrinterDriver(rev) {
			continue
		}
		d, ok := cat.Deployment(sess.Groups, id)
		if !ok {
			continue
		}
		needed[id] = true
		o := catalog.Offer{ID: id, Deployment: d, IsLeaf: info.IsLeaf, Core: core}
		switch {
		case !cached[id]:
			offers = append(offers, o)
		case d.LastChangeTime.After(since):
			changed = append(changed, o)
		}
	}
	info := &wusp.SyncInfo{}
	if len(offers) > s.cfg.PageSize {
		offers, info.Truncated = offers[:s.cfg.PageSize], true
	}
	info.NewUpdates = s.updateInfos(cat, offers, sess.Protocol)
	info.ChangedUpdates = s.updateInfos(cat, changed, sess.Protocol)
	for _, id := range dedupe(req.PrinterUpdateIDs) {
		if !needed[id] {
			info.OutOfScopeRevisionIDs = append(info.OutOfScopeRevisionIDs, id)
		}
	}
	sess.Drivers = max(sess.Drivers, cat.Watermark().UnixNano())
	if info.NewCookie, err = s.sealSession(sess); err != nil {
		return nil, err
	}
	return &wusp.SyncPrinterCatalogResponse{SyncPrinterCatalogResult: info}, nil
}

// satisfied reports whether every CNF clause has a member in installed.
func satisfied(cnf [][]int32, installed map[int32]bool) bool {
	for _, clause := range cnf {
		ok := false
		for _, id := range clause {
			if installed[id] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func isPrinterDriver(rev *patchbay.Revision) bool {
	for _, d := range rev.Driver {
		if strings.EqualFold(d.Class, "Printer") || strings.EqualFold(d.Class, printerClassGUID) {
			return true
		}
	}
	return false
}
