package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"patchbay"
)

// Entry is one row of the Revision Table (MS-WUSP §3.1.1) as the store holds it.
type Entry struct {
	// ID is the store's RevisionID. Clients cache it across scans, so it must
	// stay the same across rebuilds (protocol-wusp.md trap 29).
	ID       int32
	Revision *patchbay.Revision
	// Core is the pre-rendered Core fragment (MS-WUSP §3.1.1.1), sent as
	// UpdateInfo.Xml without copying.
	Core []byte
}

// Input is everything a Catalog is built from. Build neither keeps nor
// modifies the slices' backing arrays except Revision pointers and Core
// slices, which the Catalog shares and the caller must not modify afterwards.
type Input struct {
	Revisions []Entry
	// Groups are the target groups (MS-WUSP §3.1.1 TargetGroup Table). All
	// Computers is added when missing; a group without a parent hangs below it.
	Groups []patchbay.TargetGroup
	// Approvals are the administrator's rows of the Deployment Table.
	Approvals []patchbay.Approval
	// Declined lists declined UpdateIDs: never offered unless a deployed
	// revision depends on them. An update whose latest revision has
	// PublicationState "Expired" counts as declined, as WSUS declines
	// expired updates.
	Declined []string
	// Version is the store's change counter for this generation.
	Version int64
	// ApprovedOnly limits every group to approved revisions and their
	// dependencies. The zero value is WSUS-compatible: every non-declined
	// update is offered with Action Evaluate (protocol-wusp.md trap 27).
	ApprovedOnly bool

	// Previous is the catalog this one replaces, or nil. Deployments and
	// IsLeaf values that did not change keep Previous's LastChangeTime;
	// those that did get Now, so ChangedUpdates reports exactly them.
	Previous *Catalog
	// Now stamps deployments that changed since Previous. Zero: time.Now().
	Now time.Time
	// Epoch is the LastChangeTime of implicit deployments (Evaluate, Bundle)
	// when there is no Previous: the time of the store's latest approval,
	// decline or metadata change, so that a client whose cookie predates it
	// receives ChangedUpdates after a restart. Zero: the newest Approval.LastChange.
	Epoch time.Time
}

// Build validates in and returns the Catalog for it. It fails with a
// patchbay.EInvalid error only for contradictions that would make
// RevisionIDs ambiguous: a nil Revision, a RevisionID used twice, or an
// (UpdateID, RevisionNumber) pair used twice. Dangling references never
// fail a build; they are listed by Problems.
func Build(in Input) (*Catalog, error) {
	ents := slices.Clone(in.Revisions)
	slices.SortFunc(ents, func(a, b Entry) int { return cmp.Compare(a.ID, b.ID) })
	n := len(ents)
	c := &Catalog{
		version:      in.Version,
		n:            n,
		ids:          make([]int32, n),
		revs:         make([]*patchbay.Revision, n),
		core:         make([][]byte, n),
		kind:         make([]kind, n),
		latest:       make(map[string]int32),
		approvedOnly: in.ApprovedOnly,
	}
	uids := make([]string, n) // lower-case UpdateID per index
	type key struct {
		uid string
		rev int
	}
	byKey := make(map[key]int32, n)
	for j, e := range ents {
		i := int32(j)
		if e.Revision == nil {
			return nil, patchbay.Errorf(patchbay.EInvalid, "catalog: revision id %d has no revision", e.ID)
		}
		if j > 0 && ents[j-1].ID == e.ID {
			return nil, patchbay.Errorf(patchbay.EInvalid, "catalog: revision id %d used twice", e.ID)
		}
		uid := lowerGUID(e.Revision.UpdateID)
		k := key{uid, e.Revision.RevisionNumber}
		if prev, dup := byKey[k]; dup {
			return nil, patchbay.Errorf(patchbay.EInvalid, "catalog: revision %s/%d has ids %d and %d",
				uid, k.rev, c.ids[prev], e.ID)
		}
		byKey[k] = i
		uids[i] = uid
		c.ids[i], c.revs[i], c.core[i] = e.ID, e.Revision, e.Core
		c.kind[i] = kindOf(e.Revision.Type)
		if l, ok := c.latest[uid]; !ok || c.revs[l].RevisionNumber < e.Revision.RevisionNumber {
			c.latest[uid] = i
		}
	}
	c.byID = newIDIndex(c.ids)
	c.driverSet = newBitset(n)
	for i, k := range c.kind {
		if k == kindDriver {
			c.driverSet.set(int32(i))
		}
	}
	c.current = newBitset(n)
	for _, i := range c.latest {
		c.current.set(i)
	}
	// Declined updates, and updates whose latest revision is expired (WSUS
	// declines expired updates during synchronization).
	c.declined = newBitset(n)
	dec := make(map[string]bool, len(in.Declined))
	for _, u := range in.Declined {
		dec[lowerGUID(u)] = true
	}
	for u, i := range c.latest {
		if strings.EqualFold(c.revs[i].PublicationState, "Expired") {
			dec[u] = true
		}
	}
	for i, u := range uids {
		if dec[u] {
			c.declined.set(int32(i))
		}
	}

	c.buildPrerequisites(uids)
	c.buildBundles(uids, func(u string, rev int) (int32, bool) {
		i, ok := byKey[key{u, rev}]
		return i, ok
	})
	c.buildSupersedence()
	c.buildDefaultScope()
	c.buildLeafStamps(in)
	c.buildGroups(in)
	c.buildDrivers()
	slices.SortFunc(c.problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.RevisionID, b.RevisionID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Ref, b.Ref))
	})
	c.problems = slices.Compact(c.problems)
	return c, nil
}

// lowerGUID canonicalises a GUID for lookups: WUA and WSUS mix cases
// (protocol-wusp.md §1.7). Braces are tolerated.
func lowerGUID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	for k := 0; k < len(s); k++ {
		if 'A' <= s[k] && s[k] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func (c *Catalog) problem(i int32, k ProblemKind, ref string) {
	var id int32
	if i >= 0 {
		id = c.ids[i]
	}
	c.problems = append(c.problems, Problem{RevisionID: id, Kind: k, Ref: ref})
}

// buildPrerequisites resolves every prerequisite UpdateID to its highest
// revision (MS-WUSP §3.1.1 Prerequisite Table, PrerequisiteUpdateID), marks
// non-leaf updates (§3.1.5.7 IsLeaf), and indexes category membership.
func (c *Catalog) buildPrerequisites(uids []string) {
	n := int32(c.n)
	c.unsat = newBitset(c.n)
	c.noPrereq = newBitset(c.n)
	c.nonLeaf = newBitset(c.n)
	c.cats = make([][]int32, n)
	c.members = make([][]int32, n)
	s := &c.prereq
	s.start = make([]int32, 1, n+1)
	s.cstart = []int32{0}
	named := make(map[string]bool)
	for i := range n {
		for _, cl := range c.revs[i].Prerequisites {
			if len(cl.UpdateIDs) == 0 {
				continue // an empty AtLeastOne states nothing
			}
			first := int32(len(s.mem))
			for _, u := range cl.UpdateIDs {
				u = lowerGUID(u)
				named[u] = true
				m, ok := c.latest[u]
				if !ok {
					k := MissingPrerequisite
					if cl.IsCategory {
						k = MissingCategory
					}
					c.problem(i, k, u)
					continue
				}
				if !slices.Contains(s.mem[first:], m) {
					s.mem = append(s.mem, m)
				}
			}
			if int32(len(s.mem)) == first {
				// No member can ever be reported installed: WSUS could not
				// satisfy this clause either (§3.1.5.7 NeededRevisions).
				c.unsat.set(i)
			}
			if cl.IsCategory && c.current.has(i) {
				for _, m := range s.mem[first:] {
					if !slices.Contains(c.cats[i], m) {
						c.cats[i] = append(c.cats[i], m)
						c.members[m] = append(c.members[m], i)
					}
				}
			}
			c.isCat = append(c.isCat, cl.IsCategory)
			s.cstart = append(s.cstart, int32(len(s.mem)))
		}
		s.start = append(s.start, int32(len(s.cstart)-1))
		if s.start[i+1] == s.start[i] {
			c.noPrereq.set(i)
		}
	}
	for i, u := range uids {
		if named[u] {
			c.nonLeaf.set(int32(i))
		}
	}
}

// buildBundles resolves bundled revisions (MS-WUSP §3.1.1 Bundle Table) and
// the "bundled by" reverse index. Only the latest revision of an update is
// ever sent (§3.1.5.7 Note), so a bundled revision that is absent or
// superseded by a newer revision number is replaced by the latest one.
func (c *Catalog) buildBundles(uids []string, exact func(string, int) (int32, bool)) {
	n := int32(c.n)
	c.bundled = make([][]int32, n)
	s := &c.bundle
	s.start = make([]int32, 1, n+1)
	s.cstart = []int32{0}
	for i := range n {
		for _, cl := range c.revs[i].Bundled {
			if len(cl.Revisions) == 0 {
				continue
			}
			first := int32(len(s.mem))
			for _, k := range cl.Revisions {
				u := lowerGUID(k.UpdateID)
				m, ok := exact(u, k.RevisionNumber)
				if !ok || !c.current.has(m) {
					l, found := c.latest[u]
					if !found {
						c.problem(i, MissingBundled, u+"/"+strconv.Itoa(k.RevisionNumber))
						continue
					}
					c.problem(i, BundledRevisionReplaced, u+"/"+strconv.Itoa(k.RevisionNumber))
					m = l
				}
				if m == i || slices.Contains(s.mem[first:], m) {
					continue
				}
				s.mem = append(s.mem, m)
				if c.current.has(i) {
					c.bundled[m] = append(c.bundled[m], i)
				}
			}
			if int32(len(s.mem)) == first {
				c.unsat.set(i) // the client could never install the bundle
			}
			s.cstart = append(s.cstart, int32(len(s.mem)))
		}
		s.start = append(s.start, int32(len(s.cstart)-1))
	}
}

// buildSupersedence indexes Revision.Superseded both ways, for the latest
// revisions only; unknown superseded updates are common (expired) and ignored.
func (c *Catalog) buildSupersedence() {
	c.supers = make([][]int32, c.n)
	c.superBy = make([][]int32, c.n)
	c.current.each(func(i int32) bool {
		for _, u := range c.revs[i].Superseded {
			if m, ok := c.latest[lowerGUID(u)]; ok && m != i && !slices.Contains(c.supers[i], m) {
				c.supers[i] = append(c.supers[i], m)
				c.superBy[m] = append(c.superBy[m], i)
			}
		}
		return true
	})
}

// closeOver adds to set every revision reachable from it through
// prerequisite and bundle clauses: the "dependencies (prerequisite or
// bundle)" that MS-WUSP §3.1.5.7 puts in scope with a deployed revision.
// It may reorder from.
func (c *Catalog) closeOver(set bitset, from []int32) {
	stack := from
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range []*csr{&c.prereq, &c.bundle} {
			lo, hi := s.clauses(i)
			for k := lo; k < hi; k++ {
				for _, m := range s.clause(k) {
					if !set.has(m) {
						set.set(m)
						stack = append(stack, m)
					}
				}
			}
		}
	}
}

// buildDefaultScope computes the group-independent part of every snapshot:
// each latest, non-declined revision (offered with Action Evaluate unless
// approved, protocol-wusp.md trap 27) and its dependencies.
func (c *Catalog) buildDefaultScope() {
	c.defaultScope = newBitset(c.n)
	if c.approvedOnly {
		return
	}
	var from []int32
	c.current.each(func(i int32) bool {
		if !c.declined.has(i) {
			c.defaultScope.set(i)
			from = append(from, i)
		}
		return true
	})
	c.closeOver(c.defaultScope, from)
}

// buildLeafStamps dates each IsLeaf value so that ChangedUpdates can report
// a flip (MS-WUSP §3.1.5.7: "Deployment or IsLeaf data has changed").
func (c *Catalog) buildLeafStamps(in Input) {
	c.leafStamp = make([]time.Time, c.n)
	now, epoch := buildTimes(in)
	for i := range int32(c.n) {
		c.leafStamp[i] = epoch
		if p := in.Previous; p != nil {
			c.leafStamp[i] = now
			if pi, ok := p.byID.lookup(c.ids[i]); ok && p.nonLeaf.has(pi) == c.nonLeaf.has(i) {
				c.leafStamp[i] = p.leafStamp[pi]
			}
		}
		c.bump(c.leafStamp[i])
	}
}

func (c *Catalog) bump(t time.Time) {
	if t.After(c.watermark) {
		c.watermark = t
	}
}

func buildTimes(in Input) (now, epoch time.Time) {
	now, epoch = in.Now, in.Epoch
	if now.IsZero() {
		now = time.Now()
	}
	if epoch.IsZero() {
		for _, a := range in.Approvals {
			if a.LastChange.After(epoch) {
				epoch = a.LastChange
			}
		}
	}
	return now.UTC(), epoch.UTC()
}

// String is for debugging and test failures.
func (p Problem) String() string { return fmt.Sprintf("%d %s %s", p.RevisionID, p.Kind, p.Ref) }
