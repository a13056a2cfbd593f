package catalog

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"patchbay"
)

// Deployment is how one revision is deployed to a client: the Deployment
// element of UpdateInfo (MS-WUSP §2.2.2.2.4) built from the Deployment Table
// (§3.1.1). Every offered revision has one, implicit ones included
// (protocol-wusp.md trap 19).
type Deployment struct {
	// ID is stable across rebuilds: explicit approvals hash their group,
	// UpdateID and RevisionNumber into [2^30, 2^31); implicit Evaluate
	// deployments use the RevisionID; Bundle ones hash group and RevisionID.
	ID int32
	// Action is the wire action. A Block approval is sent as
	// PreDeploymentCheck, as MS-WUSP §2.2.2.2.4 (Action) recommends.
	Action patchbay.Action
	// Deadline is zero when there is none.
	Deadline time.Time
	// IsAssigned is false only for OptionalInstall: WSUS sends true on every
	// other item, Evaluate and Bundle included (protocol-wusp.md §5.6).
	IsAssigned       bool
	LastChangeTime   time.Time
	DownloadPriority patchbay.DownloadPriority
	// HardwareIDs are, in the driver pass, the driver HardwareIDs this
	// revision is the best match for (MS-WUSP §3.1.5.7 Deployment; §2.2.2.2.4).
	HardwareIDs []string
	// GroupID is the target group whose approval this is; "" for implicit
	// Evaluate and Bundle deployments.
	GroupID string
	// Approved is the administrator's action before wire translation (Block
	// stays Block); "" for implicit deployments.
	Approved patchbay.Action
}

// dep is a deployment as stored in a group snapshot.
type dep struct {
	id       int32
	action   patchbay.Action // internal: Block stays Block
	deadline time.Time
	priority patchbay.DownloadPriority
	stamp    time.Time
	group    string
	explicit bool
}

func (d dep) sameContent(o dep) bool {
	return d.id == o.id && d.action == o.action && d.deadline.Equal(o.deadline) &&
		d.priority == o.priority && d.explicit == o.explicit
}

// rank orders actions when a client belongs to several target groups whose
// deployments differ: Block beats everything (it exists to override another
// deployment, MS-WUSP §3.1.1 Deployment Table), then Install beats
// OptionalInstall beats Uninstall (WSUS: install wins over removal), then
// PreDeploymentCheck, Bundle, Evaluate.
func rank(a patchbay.Action) int {
	switch a {
	case patchbay.ActionBlock:
		return 6
	case patchbay.ActionInstall:
		return 5
	case patchbay.ActionOptionalInstall:
		return 4
	case patchbay.ActionUninstall:
		return 3
	case patchbay.ActionPreDeploymentCheck:
		return 2
	case patchbay.ActionBundle:
		return 1
	}
	return 0
}

// better reports whether d should win over o for a client in both groups:
// higher rank, then the earlier deadline (an absent one loses), then higher
// priority, then the lower id for determinism.
func (d dep) better(o dep) bool {
	if r, s := rank(d.action), rank(o.action); r != s {
		return r > s
	}
	if !d.deadline.Equal(o.deadline) {
		if d.deadline.IsZero() || o.deadline.IsZero() {
			return o.deadline.IsZero()
		}
		return d.deadline.Before(o.deadline)
	}
	if d.priority != o.priority {
		return d.priority > o.priority
	}
	return d.id < o.id
}

// group is one target group's deployment snapshot.
type group struct {
	id    string
	chain []string // the group, its parent, …, All Computers
	// scope holds every deployed revision and its dependencies: "the
	// revisions deployed to the client computer's target group, combined
	// with any dependencies (prerequisite or bundle)" (MS-WUSP §3.1.5.7).
	scope bitset
	// deps holds every deployment that is not the catalog-wide default
	// (Evaluate stamped with evalStamp): approvals, Bundle members, and
	// Evaluate deployments whose stamp is group-specific.
	deps map[int32]dep
}

func validAction(a patchbay.Action) bool {
	switch a {
	case patchbay.ActionInstall, patchbay.ActionOptionalInstall, patchbay.ActionUninstall,
		patchbay.ActionPreDeploymentCheck, patchbay.ActionBlock:
		return true
	}
	return false
}

// pulls reports whether an approved action deploys the bundle's members with
// Action Bundle; for Block and PreDeploymentCheck they are only evaluated.
func pulls(a patchbay.Action) bool {
	return a == patchbay.ActionInstall || a == patchbay.ActionOptionalInstall || a == patchbay.ActionUninstall
}

func hashID(parts ...string) int32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int32(1<<30 | h.Sum32()&(1<<30-1))
}

// evalDep is the implicit Evaluate deployment of revision i.
func (c *Catalog) evalDep(i int32) dep {
	id := c.ids[i]
	if id <= 0 {
		id = hashID("evaluate", strconv.Itoa(int(id)))
	}
	return dep{id: id, action: patchbay.ActionEvaluate, priority: patchbay.PriorityNormal}
}

// resolveGroups returns each group's ancestor chain (itself first, All
// Computers last). Unknown parents and cycles hang the group below All
// Computers and are recorded as problems.
func (c *Catalog) resolveGroups(groups []patchbay.TargetGroup) map[string][]string {
	parent := map[string]string{lowerGUID(patchbay.AllComputersGroupID): ""}
	for _, g := range groups {
		id := lowerGUID(g.ID)
		if id == lowerGUID(patchbay.AllComputersGroupID) || id == "" {
			continue
		}
		parent[id] = lowerGUID(g.ParentID)
	}
	root := lowerGUID(patchbay.AllComputersGroupID)
	chains := make(map[string][]string, len(parent))
	for id := range parent {
		chain := []string{id}
		for cur := id; cur != root; {
			p := parent[cur]
			if p == "" {
				p = root // a top-level group: All Computers applies to everyone
			} else if _, ok := parent[p]; !ok || slices.Contains(chain, p) {
				c.problem(-1, BadGroupParent, cur)
				p = root
			}
			chain = append(chain, p)
			cur = p
		}
		chains[id] = chain
	}
	return chains
}

// buildGroups computes every group's snapshot: approvals of the group and
// its ancestors (the nearest one wins, so a child's own approval overrides
// the inherited one, Block included), Bundle deployments for the members of
// approved bundles, Evaluate for their prerequisite closure and, unless
// ApprovedOnly, for every other non-declined update.
func (c *Catalog) buildGroups(in Input) {
	chains := c.resolveGroups(in.Groups)
	byGroup := make(map[string]map[int32]patchbay.Approval)
	for _, a := range in.Approvals {
		g, u := lowerGUID(a.GroupID), lowerGUID(a.UpdateID)
		if _, ok := chains[g]; !ok {
			c.problem(-1, UnknownApprovalGroup, g)
			continue
		}
		// An approval of an older revision applies to the latest one, as
		// WSUS carries approvals to new revisions (§3.1.5.7 sends only the latest).
		i, ok := c.latest[u]
		switch {
		case !ok:
			c.problem(-1, UnknownApprovalUpdate, u)
			continue
		case c.declined.has(i):
			c.problem(i, DeclinedApproval, g)
			continue
		case !validAction(a.Action):
			c.problem(i, UnknownAction, string(a.Action))
			continue
		}
		m := byGroup[g]
		if m == nil {
			m = make(map[int32]patchbay.Approval)
			byGroup[g] = m
		}
		if o, dup := m[i]; dup && cmp.Or(cmp.Compare(o.RevisionNumber, a.RevisionNumber),
			o.LastChange.Compare(a.LastChange), cmp.Compare(rank(o.Action), rank(a.Action)),
			a.Deadline.Compare(o.Deadline), cmp.Compare(o.DownloadPriority, a.DownloadPriority)) >= 0 {
			// Keep the approval of the newer revision, then the newer
			// approval; exact ties resolve independently of input order.
			continue
		}
		m[i] = a
	}

	now, epoch := buildTimes(in)
	c.buildEvalStamps(in.Previous, now, epoch)
	c.groups = make(map[string]*group, len(chains))
	ids := make([]string, 0, len(chains))
	for id := range chains {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		g := &group{id: id, chain: chains[id], deps: make(map[int32]dep)}
		var prev *group
		if in.Previous != nil {
			prev = in.Previous.groups[id]
		}
		c.buildGroup(g, byGroup, prev, in.Previous, now, epoch)
		c.groups[id] = g
	}
}

func (c *Catalog) buildGroup(g *group, byGroup map[string]map[int32]patchbay.Approval, prev *group, pc *Catalog, now, epoch time.Time) {
	// Nearest approval wins: walk from All Computers down to the group.
	for k := len(g.chain) - 1; k >= 0; k-- {
		gid := g.chain[k]
		for i, a := range byGroup[gid] {
			g.deps[i] = dep{
				id:       hashID(gid, lowerGUID(a.UpdateID), strconv.Itoa(a.RevisionNumber)),
				action:   a.Action,
				deadline: a.Deadline.UTC(),
				priority: a.DownloadPriority,
				stamp:    a.LastChange.UTC(),
				group:    gid,
				explicit: true,
			}
		}
	}
	g.scope = c.defaultScope.clone()
	// Bundle closure: members of approved bundles carry Action Bundle
	// (MS-WUSP §3.1.1 Deployment Table), recursively for nested bundles.
	stack := make([]int32, 0, len(g.deps))
	for i := range g.deps {
		stack = append(stack, i)
	}
	slices.Sort(stack)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !pulls(g.deps[i].action) && g.deps[i].action != patchbay.ActionBundle {
			continue
		}
		lo, hi := c.bundle.clauses(i)
		for k := lo; k < hi; k++ {
			for _, m := range c.bundle.clause(k) {
				if _, ok := g.deps[m]; ok {
					continue
				}
				g.deps[m] = dep{id: hashID("bundle", g.id, strconv.Itoa(int(c.ids[m]))),
					action: patchbay.ActionBundle, priority: g.deps[i].priority, stamp: g.deps[i].stamp}
				stack = append(stack, m)
			}
		}
	}
	for i := range g.deps {
		g.scope.set(i)
	}
	// Prerequisite (and remaining bundle) closure: Evaluate, not offered for
	// install but needed for the client's evaluation (§3.1.5.7 Deployment).
	all := make([]int32, 0, len(g.deps))
	for i := range g.deps {
		all = append(all, i)
	}
	slices.Sort(all)
	c.closeOver(g.scope, all)

	// Stamps: unchanged deployments keep their LastChangeTime, changed ones
	// get now, so ChangedUpdates lists exactly what changed (§3.1.5.7).
	g.scope.each(func(i int32) bool {
		d, ok := g.deps[i]
		if !ok {
			d = c.evalDep(i)
			d.stamp = c.evalStamps[i]
		}
		if pc == nil {
			// Without a previous generation nothing is known about what
			// changed before Epoch: date everything no earlier than it.
			d.stamp = maxTime(d.stamp, epoch)
		} else {
			d.stamp = now
			if pi, ok := pc.byID.lookup(c.ids[i]); ok && prev != nil && prev.scope.has(pi) {
				if pd := pc.depOf(prev, pi); pd.sameContent(d) {
					d.stamp = pd.stamp
				}
			}
		}
		if ok || !d.stamp.Equal(c.evalStamps[i]) {
			g.deps[i] = d
		}
		c.bump(d.stamp)
		return true
	})
}

// buildEvalStamps computes the catalog-wide stamp of implicit Evaluate deployments.
func (c *Catalog) buildEvalStamps(p *Catalog, now, epoch time.Time) {
	c.evalStamps = make([]time.Time, c.n)
	for i := range int32(c.n) {
		c.evalStamps[i] = epoch
		if p != nil {
			c.evalStamps[i] = now
			if pi, ok := p.byID.lookup(c.ids[i]); ok && p.defaultScope.has(pi) {
				c.evalStamps[i] = p.evalStamps[pi]
			}
		}
	}
}

// depOf returns the deployment of index i in group g (which must hold i in scope).
func (c *Catalog) depOf(g *group, i int32) dep {
	if d, ok := g.deps[i]; ok {
		return d
	}
	d := c.evalDep(i)
	d.stamp = c.evalStamps[i]
	return d
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// wire converts a stored deployment of index i to its UpdateInfo form.
func (c *Catalog) wire(d dep, i int32) Deployment {
	w := Deployment{
		ID:               d.id,
		Action:           d.action,
		Deadline:         d.deadline,
		IsAssigned:       d.action != patchbay.ActionOptionalInstall,
		LastChangeTime:   maxTime(d.stamp, c.leafStamp[i]),
		DownloadPriority: d.priority,
		GroupID:          d.group,
	}
	if d.explicit {
		w.Approved = d.action
	}
	if d.action == patchbay.ActionBlock {
		w.Action = patchbay.ActionPreDeploymentCheck
	}
	return w
}

// view is the merged deployment view of a client's target groups.
type view struct {
	c      *Catalog
	groups []*group
	scope  bitset
}

// viewOf resolves a client's target groups. Unknown ids are skipped; a
// client with no known group gets All Computers, which applies to everyone.
func (c *Catalog) viewOf(groupIDs []string) view {
	v := view{c: c}
	for _, id := range groupIDs {
		if g, ok := c.groups[lowerGUID(id)]; ok && !slices.Contains(v.groups, g) {
			v.groups = append(v.groups, g)
		}
	}
	if len(v.groups) == 0 {
		v.groups = append(v.groups, c.groups[lowerGUID(patchbay.AllComputersGroupID)])
	}
	v.scope = v.groups[0].scope
	if len(v.groups) > 1 {
		v.scope = v.scope.clone()
		for _, g := range v.groups[1:] {
			v.scope.or(g.scope)
		}
	}
	return v
}

// dep returns the winning deployment of in-scope index i across the view's
// groups. Its stamp is the newest of all the groups' stamps: when the winner
// changes because another group's deployment changed, the client must still
// see a ChangedUpdates entry (a spurious one only costs a redundant entry).
func (v view) dep(i int32) dep {
	var best dep
	var newest time.Time
	found := false
	for _, g := range v.groups {
		if !g.scope.has(i) {
			continue
		}
		d := v.c.depOf(g, i)
		newest = maxTime(newest, d.stamp)
		if !found || d.better(best) {
			best, found = d, true
		}
	}
	best.stamp = newest
	return best
}

// Deployment returns how RevisionID id is deployed to a client in groupIDs,
// and false when it is not in their scope (MS-WUSP §3.1.5.8 RefreshCache,
// §3.1.5.9 OutOfScopeRevisionIDs).
func (c *Catalog) Deployment(groupIDs []string, id int32) (Deployment, bool) {
	i, ok := c.byID.lookup(id)
	if !ok {
		return Deployment{}, false
	}
	v := c.viewOf(groupIDs)
	if !v.scope.has(i) {
		return Deployment{}, false
	}
	return c.wire(v.dep(i), i), true
}
