package agent

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"patchbay/internal/wusp"
)

// Bounds of a scan.
const (
	maxSyncRounds       = 500 // SyncUpdates calls per pass
	maxInstalledNonLeaf = 400 // WSUS rejects 401 (protocol-wusp.md §5.7)
	defaultEUIBatch     = 50  // MaxExtendedUpdatesPerRequest when GetConfig omits it
)

// Scan runs one detection (MS-WUSP §3.2.5): the handshake as far as needed,
// the software SyncUpdates rounds, one driver pass, GetExtendedUpdateInfo
// for the applicable updates, and the evaluation. It queues event 147 (the
// number of updates found) with the 156 status (U/V lists), or 148 when
// the scan failed, and saves the state either way.
func (a *Agent) Scan(ctx context.Context) (*ScanResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	res, err := a.scan(ctx)
	if err != nil {
		a.st.LastScanError = err.Error()
		a.queue(a.event(EventDetectionFailed, nil, hresultOf(err), []string{hresultText(hresultOf(err))}))
		if serr := a.save(); serr != nil {
			return nil, errors.Join(err, serr)
		}
		return nil, err
	}
	a.st.LastScan, a.st.LastScanError = res, ""
	found := len(res.Needed())
	a.queue(a.event(EventDetectionFinished, nil, 0, []string{strconv.Itoa(found)}))
	u, v := res.statusLists()
	var misc []string
	if len(u) > 0 {
		misc = append(misc, "U="+strings.Join(u, ";"))
	}
	if len(v) > 0 {
		misc = append(misc, "V="+strings.Join(v, ";"))
	}
	st := a.event(EventStatus, nil, 0, nil)
	st.Time = a.st.Pending[len(a.st.Pending)-1].Time // same TimeAtTarget as the 147 (protocol-wusp.md §8.3)
	st.Misc = append(st.Misc, misc...)
	a.queue(st)
	return res, a.save()
}

func (a *Agent) scan(ctx context.Context) (*ScanResult, error) {
	// Software pass, then the driver pass (MS-WUSP §3.1.5.7,
	// protocol-wusp.md §5.2, §5.8).
	if _, _, err := a.syncPass(ctx, false); err != nil {
		return nil, err
	}
	s, ev, err := a.syncPass(ctx, true)
	if err != nil {
		return nil, err
	}
	res := ev.result(a.now())
	if err := a.fetchExtended(ctx, ev, res); err != nil {
		return nil, err
	}
	// Titles arrived with the LocalizedProperties.
	for i := range res.Updates {
		if r := s.Revisions[res.Updates[i].RevisionID]; r != nil {
			res.Updates[i].Title = r.Title
		}
	}
	return res, nil
}

// syncPass runs the SyncUpdates rounds of one pass. The software pass
// calls again while the answer is Truncated or holds a non-leaf revision
// (whose installation may unlock the next dependency level); the driver
// pass sends the SystemSpec and calls again only while Truncated. Each
// round is built afresh from the cache, since a recovery (RefreshCache)
// may have renumbered it.
func (a *Agent) syncPass(ctx context.Context, drivers bool) (*ServerState, *evaluator, error) {
	what := "SyncUpdates"
	if drivers {
		what = "SyncUpdates (drivers)"
	}
	facts := a.inv.Facts()
	var s *ServerState
	var ev *evaluator
	for round := 0; ; round++ {
		if round == maxSyncRounds {
			return nil, nil, fmt.Errorf("%s: still more after %d rounds", what, maxSyncRounds)
		}
		var info *wusp.SyncInfo
		err := a.do(ctx, what, func(ss *ServerState) error {
			s, ev = ss, newEvaluator(a.inv, ss)
			installed, other, cachedDrivers := a.cachedLists(ev)
			p := &wusp.SyncUpdateParameters{InstalledNonLeafUpdateIDs: installed, OtherCachedUpdateIDs: other,
				ComputerSpec: &wusp.ComputerHardwareSpecification{}}
			if drivers {
				// WUA drops OtherCachedUpdateIDs and adds the devices
				// (protocol-wusp.md §5.2).
				p = &wusp.SyncUpdateParameters{InstalledNonLeafUpdateIDs: installed, SystemSpec: facts.Devices,
					CachedDriverIDs: cachedDrivers, SkipSoftwareSync: true,
					ComputerSpec:            &wusp.ComputerHardwareSpecification{HardwareIDs: facts.ComputerHardwareIDs},
					FeatureScoreMatchingKey: featureKey(facts)}
			}
			resp, err := a.client.SyncUpdates(ctx, &wusp.SyncUpdates{Cookie: ss.Cookie, Parameters: p})
			if err != nil {
				return err
			}
			info = resp.SyncUpdatesResult
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if info == nil {
			return nil, nil, fmt.Errorf("%s: empty answer", what)
		}
		a.apply(s, info)
		ev.forget()
		nonLeaf := !drivers && slices.ContainsFunc(info.NewUpdates, func(u wusp.UpdateInfo) bool { return !u.IsLeaf })
		// Never loop on an empty page, whatever Truncated says
		// (protocol-wusp.md §5.9).
		if len(info.NewUpdates) == 0 || (!info.Truncated && !nonLeaf) {
			return s, ev, nil
		}
	}
}

// cachedLists splits the cache as MS-WUSP §3.1.5.7 asks: non-leaf software
// revisions evaluated installed (at most 400), every other software
// revision, and the driver revisions.
func (a *Agent) cachedLists(ev *evaluator) (installed, other, drivers wusp.Ints) {
	ids := make([]int32, 0, len(ev.s.Revisions))
	for id := range ev.s.Revisions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := ev.s.Revisions[id]
		switch {
		case r.Type == TypeDriver:
			drivers = append(drivers, id)
		case !r.IsLeaf && len(installed) < maxInstalledNonLeaf && ev.verdict(r).Installed == True:
			installed = append(installed, id)
		default:
			other = append(other, id)
		}
	}
	return installed, other, drivers
}

// apply merges a SyncInfo into the cache: NewUpdates added,
// ChangedUpdates' deployments and IsLeaf replaced, OutOfScopeRevisionIDs
// purged, and the NewCookie taken (MS-WUSP §3.2.5).
func (a *Agent) apply(s *ServerState, info *wusp.SyncInfo) {
	for _, u := range info.NewUpdates {
		ci, err := parseCore(u.Xml)
		if err != nil {
			// Cached all the same, so that the server does not send it
			// again each round; it evaluates to unknown.
			a.log.Warn("unreadable core fragment", "revisionId", u.ID, "err", err)
			ci = coreInfo{UpdateType: "Unknown"}
		}
		s.Revisions[u.ID] = &Revision{ID: u.ID, UpdateID: ci.UpdateID, RevisionNumber: ci.RevisionNumber, Type: ci.UpdateType,
			IsLeaf: u.IsLeaf, Deployment: u.Deployment, Core: string(u.Xml), Bundled: ci.Bundled, Supersedes: ci.Supersedes}
	}
	for _, u := range info.ChangedUpdates {
		r, ok := s.Revisions[u.ID]
		if !ok {
			continue
		}
		r.IsLeaf = u.IsLeaf
		if u.Deployment != nil {
			r.Deployment = u.Deployment
		}
	}
	for _, id := range info.OutOfScopeRevisionIDs {
		delete(s.Revisions, id)
	}
	if info.NewCookie != nil && len(info.NewCookie.EncryptedData) > 0 {
		s.Cookie = info.NewCookie
	}
}

// fetchExtended gets the Extended and LocalizedProperties fragments and the
// file locations of the updates to install or remove and of their leaves
// (MS-WUSP §3.1.5.9), in batches of MaxExtendedUpdatesPerRequest.
func (a *Agent) fetchExtended(ctx context.Context, ev *evaluator, res *ScanResult) error {
	want := map[int32]bool{}
	for _, u := range res.Updates {
		if !u.Needed && !u.Remove {
			continue
		}
		want[u.RevisionID] = true
		for _, l := range u.Leaves {
			want[l] = true
		}
	}
	var ids []int32
	for id := range want {
		if r := ev.s.Revisions[id]; r != nil && r.Extended == "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		return nil
	}
	locales := a.inv.Facts().Languages
	if len(locales) == 0 {
		locales = []string{"en-US", "en"}
	}
	for start := 0; start < len(ids); {
		var n int
		err := a.do(ctx, "GetExtendedUpdateInfo", func(s *ServerState) error {
			n = euiBatch(s.Config)
			batch := ids[start:min(start+n, len(ids))]
			resp, err := a.client.GetExtendedUpdateInfo(ctx, &wusp.GetExtendedUpdateInfo{Cookie: s.Cookie, RevisionIDs: batch,
				InfoTypes: wusp.FragmentTypes{wusp.FragmentExtended, wusp.FragmentLocalizedProperties}, Locales: locales})
			if err != nil {
				return err
			}
			if r := resp.GetExtendedUpdateInfoResult; r != nil {
				a.applyExtended(s, r, locales)
			}
			return nil
		})
		if err != nil {
			return err
		}
		start += n
	}
	return nil
}

// euiBatch returns MaxExtendedUpdatesPerRequest (MS-WUSP §2.2.2.2.1).
func euiBatch(c *wusp.Config) int {
	if c != nil {
		if v, ok := c.Property("MaxExtendedUpdatesPerRequest"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
				return n
			}
		}
	}
	return defaultEUIBatch
}

// applyExtended stores the fragments, titles (the first requested locale
// that came back wins) and file locations of an ExtendedUpdateInfo.
func (a *Agent) applyExtended(s *ServerState, r *wusp.ExtendedUpdateInfo, locales []string) {
	titleRank := map[int32]int{}
	for _, u := range r.Updates {
		rev := s.Revisions[u.ID]
		if rev == nil {
			continue
		}
		switch fragmentKind(u.Xml) {
		case "LocalizedProperties":
			title, lang := localizedTitle(u.Xml)
			rank := len(locales)
			for i, l := range locales {
				if strings.EqualFold(l, lang) {
					rank = i
				}
			}
			if old, ok := titleRank[u.ID]; !ok || rank < old {
				titleRank[u.ID], rev.Title = rank, title
			}
		case "Core":
		default:
			rev.Extended = string(u.Xml)
		}
	}
	if s.FileLocations == nil {
		s.FileLocations = map[string]string{}
	}
	for _, fl := range r.FileLocations {
		if len(fl.FileDigest) == 20 && fl.Url != "" {
			s.FileLocations[hex.EncodeToString(fl.FileDigest)] = fl.Url
		}
	}
	for _, id := range r.OutOfScopeRevisionIDs {
		delete(s.Revisions, id)
	}
}

// fragmentKind names a fragment by its first element.
func fragmentKind(frag []byte) string {
	t := bytes.TrimSpace(frag)
	switch {
	case bytes.HasPrefix(t, []byte("<LocalizedProperties")):
		return "LocalizedProperties"
	case bytes.HasPrefix(t, []byte("<UpdateIdentity")):
		return "Core"
	}
	return "Extended"
}

// featureKey is SyncUpdates' FeatureScoreMatchingKey, Arch.OSMajor.OSMinor
// (protocol-wusp.md §5.1).
func featureKey(f Facts) string {
	if f.ProcessorArchitecture == "" {
		return ""
	}
	return fmt.Sprintf("%s.%d.%d", f.ProcessorArchitecture, f.OSMajor, f.OSMinor)
}
