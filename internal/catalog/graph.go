package catalog

import (
	"iter"
	"slices"
	"strings"

	"patchbay"
)

// csr stores, per revision index, a CNF relationship (a list of clauses, each
// a list of member indices) in compressed sparse rows: three flat slices
// instead of a slice per clause, so a 20,000-revision build allocates little.
type csr struct {
	start  []int32 // revision i owns clauses start[i]..start[i+1]
	cstart []int32 // clause k owns members cstart[k]..cstart[k+1]
	mem    []int32
}

func (s *csr) clauses(i int32) (lo, hi int32) { return s.start[i], s.start[i+1] }
func (s *csr) clause(k int32) []int32         { return s.mem[s.cstart[k]:s.cstart[k+1]] }

// ids maps the member indices of every clause of revision i to RevisionIDs.
func (c *Catalog) cnfIDs(s *csr, i int32) [][]int32 {
	lo, hi := s.clauses(i)
	if lo == hi {
		return nil
	}
	out := make([][]int32, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, c.idsOf(s.clause(k)))
	}
	return out
}

func (c *Catalog) idsOf(idx []int32) []int32 {
	if len(idx) == 0 {
		return nil
	}
	out := make([]int32, len(idx))
	for j, i := range idx {
		out[j] = c.ids[i]
	}
	slices.Sort(out)
	return out
}

// Info describes one revision as the graph sees it. Relationship lists hold
// RevisionIDs, sorted ascending.
type Info struct {
	ID           int32
	Key          patchbay.RevisionKey
	Type         patchbay.UpdateType
	CategoryType string // Company, ProductFamily, Product, UpdateClassification for categories

	// Latest is true for the highest RevisionNumber of the UpdateID: the only
	// revision SyncUpdates sends (MS-WUSP §3.1.5.7 Results, Note).
	Latest bool
	// IsLeaf is the UpdateInfo.IsLeaf value: no revision in the catalog names
	// this UpdateID as a prerequisite, in any kind of clause (MS-WUSP
	// §3.1.5.7 Results, IsLeaf; protocol-wusp.md trap 21).
	IsLeaf   bool
	Declined bool
	// Satisfiable is false when a prerequisite clause (or a bundle clause)
	// names only updates absent from the catalog: no client can ever report
	// them installed, so the revision is never offered (see Problems).
	Satisfiable bool

	// Prerequisites in CNF, each UpdateID resolved to its latest revision
	// (MS-WUSP §3.1.1 Prerequisite Table); CategoryClause[k] marks clauses
	// from an AtLeastOne with IsCategory="true".
	Prerequisites  [][]int32
	CategoryClause []bool
	// Bundled in CNF over exact revisions (MS-WUSP §3.1.1 Bundle Table);
	// BundledBy is the reverse index.
	Bundled   [][]int32
	BundledBy []int32
	// Supersedes holds the latest revisions of the updates this one
	// supersedes; SupersededBy the latest revisions that supersede this update.
	Supersedes   []int32
	SupersededBy []int32
	// Categories are the products and classifications from IsCategory clauses.
	Categories []int32
}

// Lookup returns the graph view of the revision with RevisionID id.
func (c *Catalog) Lookup(id int32) (Info, bool) {
	i, ok := c.byID.lookup(id)
	if !ok {
		return Info{}, false
	}
	r := c.revs[i]
	in := Info{
		ID:            id,
		Key:           r.RevisionKey,
		Type:          r.Type,
		CategoryType:  r.CategoryType,
		Latest:        c.current.has(i),
		IsLeaf:        !c.nonLeaf.has(i),
		Declined:      c.declined.has(i),
		Satisfiable:   !c.unsat.has(i),
		Prerequisites: c.cnfIDs(&c.prereq, i),
		Bundled:       c.cnfIDs(&c.bundle, i),
		BundledBy:     c.idsOf(c.bundled[i]),
		Supersedes:    c.idsOf(c.supers[i]),
		SupersededBy:  c.idsOf(c.superBy[i]),
		Categories:    c.idsOf(c.cats[i]),
	}
	lo, hi := c.prereq.clauses(i)
	if hi > lo {
		in.CategoryClause = slices.Clone(c.isCat[lo:hi])
	}
	return in, true
}

// Revision returns the parsed revision and its pre-rendered Core fragment
// (MS-WUSP §3.1.1.1) for RevisionID id; the caller must not modify either.
func (c *Catalog) Revision(id int32) (*patchbay.Revision, []byte, bool) {
	i, ok := c.byID.lookup(id)
	if !ok {
		return nil, nil, false
	}
	return c.revs[i], c.core[i], true
}

// CategoryMembers returns the RevisionIDs of the latest revisions that name
// category id in an IsCategory prerequisite clause, sorted.
func (c *Catalog) CategoryMembers(id int32) []int32 {
	i, ok := c.byID.lookup(id)
	if !ok {
		return nil
	}
	return c.idsOf(c.members[i])
}

// Categories returns the RevisionIDs of the latest category revisions whose
// CategoryType equals categoryType (case-insensitive; "" for all), sorted.
func (c *Catalog) Categories(categoryType string) []int32 {
	var out []int32
	c.current.each(func(i int32) bool {
		if c.kind[i] == kindCategory && (categoryType == "" || strings.EqualFold(c.revs[i].CategoryType, categoryType)) {
			out = append(out, c.ids[i])
		}
		return true
	})
	return out
}

// ProblemKind names a reference Build could not resolve.
type ProblemKind string

// Problem kinds. None stops a build; each is recorded so an administrator can
// see why an update is never offered.
const (
	// MissingPrerequisite: a prerequisite UpdateID is not in the catalog.
	// When a whole clause is missing the revision can never be satisfied.
	MissingPrerequisite ProblemKind = "MissingPrerequisite"
	// MissingCategory: an IsCategory clause names a category not in the
	// catalog (common for partial imports; treated like MissingPrerequisite).
	MissingCategory ProblemKind = "MissingCategory"
	// MissingBundled: a bundled update is not in the catalog at all.
	MissingBundled ProblemKind = "MissingBundled"
	// BundledRevisionReplaced: the exact bundled revision is absent or not
	// the latest, so the latest revision of that update stands in for it.
	BundledRevisionReplaced ProblemKind = "BundledRevisionReplaced"
	// UnknownApprovalUpdate: an approval names an update not in the catalog.
	UnknownApprovalUpdate ProblemKind = "UnknownApprovalUpdate"
	// UnknownApprovalGroup: an approval names a target group not in Input.Groups.
	UnknownApprovalGroup ProblemKind = "UnknownApprovalGroup"
	// DeclinedApproval: an approval names a declined update; it is ignored.
	DeclinedApproval ProblemKind = "DeclinedApproval"
	// UnknownAction: an approval has an Action outside MS-WUSP §2.2.2.2.4; it is ignored.
	UnknownAction ProblemKind = "UnknownAction"
	// BadGroupParent: a target group's parent is unknown or forms a cycle;
	// the group is attached to All Computers.
	BadGroupParent ProblemKind = "BadGroupParent"
)

// Problem is one unresolved reference found by Build.
type Problem struct {
	RevisionID int32 // the revision holding the reference; 0 for approvals and groups
	Kind       ProblemKind
	Ref        string // the UpdateID, "UpdateID/RevisionNumber", or group id referred to
}

// Problems returns every unresolved reference, sorted by RevisionID, Kind, Ref.
func (c *Catalog) Problems() []Problem { return slices.Clone(c.problems) }

// All yields the RevisionID of every revision in the catalog, ascending.
func (c *Catalog) All() iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for _, id := range c.ids {
			if !yield(id) {
				return
			}
		}
	}
}
