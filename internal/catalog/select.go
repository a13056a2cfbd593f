package catalog

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"
)

// Query is the part of a SyncUpdates request (MS-WUSP §2.2.2.2.4
// SyncUpdateParameters) that selection depends on. Lists may be empty, hold
// duplicates, or name revisions the catalog does not know.
type Query struct {
	// InstalledNonLeaf is InstalledNonLeafUpdateIDs: the only list that
	// satisfies prerequisites (§3.1.5.7; protocol-wusp.md trap 22).
	InstalledNonLeaf []int32
	// OtherCached is OtherCachedUpdateIDs (software pass).
	OtherCached []int32
	// CachedDrivers is CachedDriverIDs (driver pass).
	CachedDrivers []int32
	// Max bounds NewUpdates; 0 or less means no bound. WSUS pages at 30
	// (protocol-wusp.md trap 24).
	Max int
	// SkipSoftware selects the driver pass (SkipSoftwareSync = true).
	SkipSoftware bool
	// Devices and Computer drive the driver pass (SystemSpec, ComputerSpec,
	// FeatureScoreMatchingKey).
	Devices  []Device
	Computer Computer
	// FilterCategories is FilterCategoryIds (category UpdateIDs): when not
	// empty, only revisions related to them are needed (§2.2.2.2.4).
	FilterCategories []string
	// TwoGroupOutOfScope is NeedTwoGroupOutOfScopeUpdates: with a category
	// filter, cached revisions still deployed go to DeployedOutOfScope.
	TwoGroupOutOfScope bool
	// Since is the watermark sealed in the client's cookie; zero (a fresh
	// cookie) reports every cached needed revision in ChangedUpdates, as
	// WSUS does (protocol-wusp.md §5.3 step 15).
	Since time.Time
}

// Offer is one UpdateInfo (MS-WUSP §2.2.2.2.4).
type Offer struct {
	ID         int32
	Deployment Deployment
	IsLeaf     bool
	// Core is the revision's Core fragment, shared with the Catalog: the
	// caller writes it out and must not modify it.
	Core []byte
}

// Result is the selection part of a SyncUpdatesResponse (MS-WUSP §3.1.5.7
// Results). Every list is sorted; NewUpdates puts non-leaf revisions first.
type Result struct {
	NewUpdates     []Offer
	ChangedUpdates []Offer
	// OutOfScope is OutOfScopeRevisionIDs: cached revisions that are not
	// needed, including unknown ids and older revisions (trap 29).
	OutOfScope []int32
	// DeployedOutOfScope is DeployedOutOfScopeRevisionIds, filled only for
	// a category scan with TwoGroupOutOfScope.
	DeployedOutOfScope []int32
	// Truncated is true when more NewUpdates remain; never with an empty page.
	Truncated bool
	// Watermark is the catalog's newest deployment change, for NewCookie.
	Watermark time.Time
	// DriverSyncNotNeeded is true when no driver revision is deployed to
	// the client's groups, so the driver pass can be skipped (§2.2.2.2.4).
	DriverSyncNotNeeded bool
}

// Select answers one SyncUpdates call for a client in the target groups
// groupIDs (unknown ids are ignored; none known means All Computers),
// following MS-WUSP §3.1.5.7:
//
//   - NeededRevisions are the latest revisions in the groups' scope (deployed
//     revisions and their prerequisite and bundle dependencies) whose every
//     prerequisite clause has a member listed in InstalledNonLeaf (IsCategory
//     clauses count like any other: categories are delivered and reported
//     installed like detectoids), further restricted by the pass. The
//     software pass keeps every non-driver type: WSUS delivers categories and
//     detectoids with the software that needs them (protocol-wusp.md trap 26).
//     The driver pass keeps the drivers that BestDriver picks for a device.
//   - CachedRevisions are InstalledNonLeaf ∪ OtherCached (software) or
//     CachedDrivers (drivers).
//   - NewUpdates = Needed − Cached, non-leaf revisions first so the client
//     can report them installed in its next call, then by RevisionID; at
//     most q.Max, with Truncated set when more remain.
//   - OutOfScope = Cached − Needed; ChangedUpdates = Needed ∩ Cached whose
//     Deployment or IsLeaf changed after q.Since.
func (c *Catalog) Select(groupIDs []string, q Query) Result {
	v := c.viewOf(groupIDs)
	sc := getScratch(c.n)
	defer scratchPool.Put(sc)
	s := selector{c: c, v: v, installed: sc.installed, cached: sc.cached}
	for _, id := range q.InstalledNonLeaf {
		if i, ok := c.byID.lookup(id); ok {
			s.installed.set(i)
		}
	}
	if !q.SkipSoftware {
		s.sat = c.satisfiedSet(s.installed)
	}
	cachedIDs := [][]int32{q.InstalledNonLeaf, q.OtherCached}
	if q.SkipSoftware {
		cachedIDs = [][]int32{q.CachedDrivers}
	}
	res := Result{Watermark: c.watermark, DriverSyncNotNeeded: !c.anyDriver(v.scope)}
	// Unknown ids are out of scope (trap 29); known ones are sorted out
	// below, in index order.
	for _, l := range cachedIDs {
		for _, id := range l {
			if i, ok := c.byID.lookup(id); ok {
				s.cached.set(i)
			} else {
				res.OutOfScope = append(res.OutOfScope, id)
			}
		}
	}
	if len(q.FilterCategories) > 0 {
		s.related = c.relatedTo(q.FilterCategories)
	}
	if q.SkipSoftware {
		hw := s.driverWinners(q.Devices, q.Computer)
		s.hardware = hw
		idx := make([]int32, 0, len(hw))
		for i := range hw {
			if !s.cached.has(i) {
				idx = append(idx, i)
			}
		}
		slices.SortFunc(idx, s.order)
		if q.Max > 0 && len(idx) > q.Max {
			idx, res.Truncated = idx[:q.Max], true
		}
		for _, i := range idx {
			res.NewUpdates = append(res.NewUpdates, s.offer(i))
		}
	} else {
		res.NewUpdates, res.Truncated = s.newSoftware(q.Max)
	}

	// Nothing in this generation is newer than the client's watermark: the
	// steady state, where ChangedUpdates needs no deployment lookups.
	anyChange := q.Since.IsZero() || c.watermark.After(q.Since)
	// Each cached revision once, in index (RevisionID) order, so that the
	// prerequisite lookups walk the catalog's arrays forward. In the
	// software pass a revision is needed when it passes base and is no
	// driver: the set tests of base are done a word at a time.
	twoGroup := len(q.FilterCategories) > 0 && q.TwoGroupOutOfScope
	for w, x := range s.cached {
		var cand uint64
		if !q.SkipSoftware && w < len(v.scope) {
			cand = x & v.scope[w] & c.current[w] &^ c.unsat[w] &^ c.driverSet[w]
			if s.related != nil {
				cand &= s.related[w]
			}
			if s.sat != nil {
				cand &= s.sat[w]
			}
		}
		for x != 0 {
			bit := x & -x
			x &^= bit
			i := int32(w<<6 | bits.TrailingZeros64(bit))
			var needed bool
			if q.SkipSoftware {
				_, needed = s.hardware[i]
			} else {
				needed = cand&bit != 0 && (s.sat != nil || s.satisfied(i))
			}
			switch {
			case needed:
				if anyChange {
					if d := s.offer(i); q.Since.IsZero() || d.Deployment.LastChangeTime.After(q.Since) {
						res.ChangedUpdates = append(res.ChangedUpdates, d)
					}
				}
			case twoGroup && v.scope.has(i) && c.current.has(i):
				res.DeployedOutOfScope = append(res.DeployedOutOfScope, c.ids[i])
			default:
				res.OutOfScope = append(res.OutOfScope, c.ids[i])
			}
		}
	}
	slices.Sort(res.OutOfScope)
	res.OutOfScope = slices.Compact(res.OutOfScope)
	slices.Sort(res.DeployedOutOfScope)
	slices.SortFunc(res.ChangedUpdates, func(a, b Offer) int { return cmp.Compare(a.ID, b.ID) })
	return res
}

// scratch is the per-call memory of Select that scales with the catalog
// rather than with the answer: the installed and cached sets. Every call
// would otherwise allocate them; they are pooled and cleared on reuse.
type scratch struct {
	installed, cached bitset
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// getScratch returns a scratch with empty bitsets of n members.
func getScratch(n int) *scratch {
	sc := scratchPool.Get().(*scratch)
	words := (n + 63) / 64
	for _, b := range []*bitset{&sc.installed, &sc.cached} {
		if cap(*b) < words {
			*b = make(bitset, words)
		} else {
			*b = (*b)[:words]
			clear(*b)
		}
	}
	return sc
}

// selector holds the per-call sets of one Select.
type selector struct {
	c         *Catalog
	v         view
	installed bitset
	cached    bitset
	related   bitset // nil: no category filter
	sat       bitset // revisions installed satisfies (satMemo); nil: not known, ask satisfied
	hardware  map[int32][]string
}

// base reports whether i is needed before the type restriction: latest,
// in scope, resolvable, related to the filter, prerequisites satisfied.
func (s *selector) base(i int32) bool {
	c := s.c
	return s.v.scope.has(i) && c.current.has(i) && !c.unsat.has(i) &&
		(s.related == nil || s.related.has(i)) && s.satisfied(i)
}

// satisfied reports whether each prerequisite clause of i has a member
// listed as installed (MS-WUSP §3.1.1 Prerequisite Table, §3.1.5.7).
func (s *selector) satisfied(i int32) bool {
	c := s.c
	if c.noPrereq.has(i) {
		return true
	}
	// The hot loop of a differential scan: flat slices, no helper calls.
	p, inst := &c.prereq, s.installed
	for k := p.start[i]; k < p.start[i+1]; k++ {
		ok := false
		for _, m := range p.mem[p.cstart[k]:p.cstart[k+1]] {
			if inst[m>>6]&(1<<(uint(m)&63)) != 0 {
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

// newSoftware collects up to max uncached needed non-driver revisions,
// non-leaf ones first, scanning whole words of the candidate sets.
func (s *selector) newSoftware(max int) ([]Offer, bool) {
	c := s.c
	var out []Offer
	for pass := range 2 {
		for w := range s.v.scope {
			x := s.v.scope[w] & c.current[w] &^ c.unsat[w] &^ s.cached[w] &^ c.driverSet[w]
			if s.related != nil {
				x &= s.related[w]
			}
			if pass == 0 {
				x &= c.nonLeaf[w]
			} else {
				x &^= c.nonLeaf[w]
			}
			if s.sat != nil {
				x &= s.sat[w]
			}
			for x != 0 {
				i := int32(w<<6 | bits.TrailingZeros64(x))
				x &= x - 1
				if s.sat == nil && !s.satisfied(i) {
					continue
				}
				if max > 0 && len(out) == max {
					return out, true
				}
				if out == nil && max > 0 {
					out = make([]Offer, 0, min(max, 256)) // one page
				}
				out = append(out, s.offer(i))
			}
		}
	}
	return out, false
}

// order sorts non-leaf revisions first, then by RevisionID.
func (s *selector) order(a, b int32) int {
	la, lb := s.c.nonLeaf.has(a), s.c.nonLeaf.has(b)
	if la != lb {
		if la {
			return -1
		}
		return 1
	}
	return int(a - b) // indices follow RevisionIDs
}

func (s *selector) offer(i int32) Offer {
	c := s.c
	d := c.wire(s.v.dep(i), i)
	if hw, ok := s.hardware[i]; ok {
		d.HardwareIDs = hw
	}
	return Offer{ID: c.ids[i], Deployment: d, IsLeaf: !c.nonLeaf.has(i), Core: c.core[i]}
}

// driverWinners applies BestDriver to every device over the drivers that
// pass base, and returns the winning revisions with the driver HardwareIDs
// they won, sorted (MS-WUSP §3.1.5.7, Deployment.HardwareIds).
func (s *selector) driverWinners(devs []Device, comp Computer) map[int32][]string {
	c := s.c
	win := make(map[int32][]string)
	for _, dev := range devs {
		r, ok := bestDriver(dev, comp, func(yield func(driverRef) bool) {
			for _, l := range [][]string{dev.HardwareIDs, dev.CompatibleIDs} {
				for _, h := range l {
					for _, r := range c.drivers[strings.ToLower(strings.TrimSpace(h))] {
						if s.base(r.idx) && !yield(r) {
							return
						}
					}
				}
			}
		})
		if ok && !slices.Contains(win[r.idx], r.d.HardwareID) {
			win[r.idx] = append(win[r.idx], r.d.HardwareID)
		}
	}
	for _, l := range win {
		slices.Sort(l)
	}
	return win
}

// relatedTo returns the revisions related to the category UpdateIDs: the
// categories, their members, and everything those depend on (WSUS answers a
// product filter with the Company → ProductFamily → Product chain,
// protocol-wusp.md §5.3 step 9).
func (c *Catalog) relatedTo(categoryIDs []string) bitset {
	rel := newBitset(c.n)
	var from []int32
	add := func(i int32) {
		if !rel.has(i) {
			rel.set(i)
			from = append(from, i)
		}
	}
	for _, u := range categoryIDs {
		i, ok := c.latest[lowerGUID(u)]
		if !ok {
			continue
		}
		add(i)
		for _, m := range c.members[i] {
			add(m)
		}
	}
	c.closeOver(rel, from)
	return rel
}

func (c *Catalog) anyDriver(scope bitset) bool {
	for w, x := range scope {
		if x&c.driverSet[w]&c.current[w]&^c.unsat[w] != 0 {
			return true
		}
	}
	return false
}
