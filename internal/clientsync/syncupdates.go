package clientsync

import (
	"context"
	"strings"
	"sync"
	"time"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/wusp"
)

// SyncUpdates implements MS-WUSP §3.1.5.7 (protocol-wusp.md §5.3). After
// validation — cookie, SystemSpec only in the driver pass, ConfigChanged,
// RegistrationRequired — selection is a pure function of the catalog
// snapshot and the request's id lists; the answer's Core fragments are the
// snapshot's bytes, written without copying. No SQL runs here once the
// client's registration is cached.
func (s *Service) SyncUpdates(ctx context.Context, req *wusp.SyncUpdates) (*wusp.SyncUpdatesResponse, error) {
	p := req.Parameters
	if p == nil {
		return nil, patchbay.Errorf(patchbay.EInvalid, "parameters")
	}
	if len(p.SystemSpec) > 0 && !p.SkipSoftwareSync {
		return nil, patchbay.Errorf(patchbay.EInvalid, "parameters.SystemSpec")
	}
	sess, cat, err := s.syncPreamble(ctx, req.Cookie)
	if err != nil {
		return nil, err
	}

	q := catalog.Query{
		InstalledNonLeaf: p.InstalledNonLeafUpdateIDs,
		Max:              s.cfg.PageSize,
		SkipSoftware:     p.SkipSoftwareSync,
	}
	v17 := atLeast(sess.Protocol, 1, 7)
	if p.SkipSoftwareSync {
		q.CachedDrivers = p.CachedDriverIDs
		q.Devices = devices(p.SystemSpec)
		if p.ComputerSpec != nil {
			q.Computer.HardwareIDs = guids(p.ComputerSpec.HardwareIDs)
		}
		q.Computer.FeatureScoreKey = p.FeatureScoreMatchingKey
		q.Since = fromNanos(sess.Drivers)
	} else {
		q.OtherCached = p.OtherCachedUpdateIDs
		q.Since = fromNanos(sess.Software)
		// FilterCategoryIds and the two-group lists exist for clients ≥ 1.7
		// talking to servers ≥ 3.2 (§2.2.2.2.4).
		if v17 {
			for _, c := range p.FilterCategoryIds {
				q.FilterCategories = append(q.FilterCategories, strings.ToLower(c.Id))
			}
			q.TwoGroupOutOfScope = p.NeedTwoGroupOutOfScopeUpdates
		}
	}
	res := cat.Select(sess.Groups, q)

	// The watermark advances to what this answer reflects, so the next call
	// reports only deployments changed after it (§3.1.5.7 NewCookie SHOULD).
	if wm := res.Watermark.UnixNano(); p.SkipSoftwareSync {
		sess.Drivers = max(sess.Drivers, wm)
	} else {
		sess.Software = max(sess.Software, wm)
	}
	newCookie, err := s.sealSession(sess)
	if err != nil {
		return nil, err
	}
	info := &wusp.SyncInfo{
		NewUpdates:            s.updateInfos(cat, res.NewUpdates, sess.Protocol),
		OutOfScopeRevisionIDs: res.OutOfScope,
		ChangedUpdates:        s.updateInfos(cat, res.ChangedUpdates, sess.Protocol),
		Truncated:             res.Truncated,
		NewCookie:             newCookie,
	}
	if v17 {
		info.DeployedOutOfScopeRevisionIds = res.DeployedOutOfScope
		info.DriverSyncNotNeeded = "false"
		if res.DriverSyncNotNeeded {
			info.DriverSyncNotNeeded = "true"
		}
	}
	s.contacts.note(sess.Client, patchbay.ContactSync, s.now())
	return &wusp.SyncUpdatesResponse{SyncUpdatesResult: info}, nil
}

// syncPreamble applies the checks SyncUpdates and SyncPrinterCatalog share
// (§3.1.5.7, §3.1.5.12): a valid cookie, ConfigChanged when the
// configuration moved since the client's GetConfig, RegistrationRequired
// for an unregistered client; it returns the session and the catalog.
func (s *Service) syncPreamble(ctx context.Context, c *wusp.Cookie) (sessionPayload, *catalog.Catalog, error) {
	sess, err := s.openSession(c)
	if err != nil {
		return sess, nil, err
	}
	if sess.Anchor != s.anchor() {
		return sess, nil, patchbay.Errorf(patchbay.EConfigChanged, "")
	}
	if err := s.requireRegistration(ctx, sess.Client); err != nil {
		return sess, nil, err
	}
	cat, err := s.catalog()
	return sess, cat, err
}

// updateInfos converts offers to UpdateInfo. Every item carries a
// Deployment (trap 19) and its Core fragment as Xml, escaped once per
// catalog generation rather than on every scan.
func (s *Service) updateInfos(cat *catalog.Catalog, offers []catalog.Offer, protocol string) wusp.List[wusp.UpdateInfo] {
	if len(offers) == 0 {
		return nil
	}
	out := make(wusp.List[wusp.UpdateInfo], len(offers))
	for i, o := range offers {
		out[i] = wusp.UpdateInfo{ID: o.ID, Deployment: deployment(o.Deployment, protocol), IsLeaf: o.IsLeaf,
			Xml: o.Core, XmlEscaped: s.escapedCore(cat, o.ID, o.Core)}
	}
	return out
}

// escapeCache holds the escaped Core fragments of one catalog generation.
type escapeCache struct {
	cat *catalog.Catalog
	m   sync.Map // int32 -> []byte
}

// escapedCore returns the Core fragment of revision id escaped for the Xml
// element, computing it on first use in this catalog generation. Memory is
// bounded by the catalog's Core fragments; a new generation starts afresh.
func (s *Service) escapedCore(cat *catalog.Catalog, id int32, core []byte) []byte {
	c := s.escaped.Load()
	if c == nil || c.cat != cat {
		fresh := &escapeCache{cat: cat}
		if s.escaped.CompareAndSwap(c, fresh) {
			c = fresh
		} else if c = s.escaped.Load(); c.cat != cat {
			return wusp.EscapeText(nil, core) // a newer generation won the race
		}
	}
	if v, ok := c.m.Load(id); ok {
		return v.([]byte)
	}
	e := wusp.EscapeText(make([]byte, 0, len(core)+len(core)/8), core)
	c.m.Store(id, e)
	return e
}

// deployment converts a catalog deployment to the wire (§2.2.2.2.4):
// LastChangeTime date-only as WSUS sends it (trap 20); Deadline in
// dateTime syntax, omitted when none; AutoSelect, AutoDownload and
// SupersedenceBehavior "0" only for clients ≥ 1.8; HardwareIds for driver
// deployments only for clients ≥ 1.6. DownloadPriority is never sent: the
// spec gives it no values and WSUS was never seen sending it (§5.6 of
// protocol-wusp.md).
func deployment(d catalog.Deployment, protocol string) *wusp.Deployment {
	w := &wusp.Deployment{
		ID:             d.ID,
		Action:         string(d.Action),
		IsAssigned:     d.IsAssigned,
		LastChangeTime: d.LastChangeTime.UTC().Format("2006-01-02"),
	}
	if !d.Deadline.IsZero() {
		w.Deadline = d.Deadline.UTC().Format("2006-01-02T15:04:05Z")
	}
	if len(d.HardwareIDs) > 0 && atLeast(protocol, 1, 6) {
		w.HardwareIds = d.HardwareIDs
	}
	if atLeast(protocol, 1, 8) {
		w.AutoSelect, w.AutoDownload, w.SupersedenceBehavior = "0", "0", "0"
	}
	return w
}

// devices converts the driver pass's SystemSpec to the catalog's view.
func devices(spec wusp.List[wusp.Device]) []catalog.Device {
	out := make([]catalog.Device, 0, len(spec))
	for _, d := range spec {
		cd := catalog.Device{HardwareIDs: d.HardwareIDs, CompatibleIDs: d.CompatibleIDs}
		if i := d.InstalledDriver; i != nil {
			cd.Installed = &catalog.InstalledDriver{
				MatchingID: i.MatchingID, DriverVerDate: i.DriverVerDate.Time, DriverVerVersion: uint64(i.DriverVerVersion),
				Class: i.Class, Manufacturer: i.Manufacturer, Provider: i.Provider, Model: i.Model,
				MatchingComputerHWID: strings.ToLower(i.MatchingComputerHWID),
			}
		}
		out = append(out, cd)
	}
	return out
}

// guids canonicalizes computer hardware ids (guid on the wire, but be
// liberal: braces and upper case are accepted); anything that is no GUID
// is kept lower-cased.
func guids(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if g, ok := patchbay.ParseGUID(s); ok {
			out[i] = g
		} else {
			out[i] = strings.ToLower(strings.TrimSpace(s))
		}
	}
	return out
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
