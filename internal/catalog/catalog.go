package catalog

import (
	"slices"
	"sync/atomic"
	"time"

	"patchbay"
)

// Catalog is one immutable generation of the revision graph and of every
// target group's deployments. All methods are safe for concurrent use; none
// of them modifies the Catalog. Build creates one.
type Catalog struct {
	version int64
	n       int

	ids    []int32 // index → RevisionID, ascending
	byID   idIndex // RevisionID → index
	revs   []*patchbay.Revision
	core   [][]byte
	kind   []kind
	latest map[string]int32 // lower-case UpdateID → index of its highest revision

	current   bitset // highest revision of its UpdateID
	declined  bitset // every revision of a declined UpdateID
	nonLeaf   bitset // some revision names this UpdateID as a prerequisite
	unsat     bitset // a prerequisite clause has no member in the catalog
	noPrereq  bitset // no prerequisite clause at all
	driverSet bitset // UpdateType Driver

	prereq  csr    // clauses of current member indices
	isCat   []bool // per prerequisite clause: from an IsCategory AtLeastOne
	bundle  csr    // clauses of exact member indices (current when the exact one is absent)
	bundled [][]int32
	supers  [][]int32 // index → indices of the current revisions it supersedes
	superBy [][]int32 // index → indices of current revisions superseding its UpdateID
	cats    [][]int32 // index → category indices from IsCategory clauses
	members [][]int32 // category index → member indices

	defaultScope bitset // current, not declined, closed over prerequisites and bundles
	leafStamp    []time.Time
	evalStamps   []time.Time // default Evaluate LastChangeTime per index
	groups       map[string]*group
	drivers      map[string][]driverRef // lower-case HardwareID → driver entries
	watermark    time.Time
	approvedOnly bool
	problems     []Problem

	satMemo satMemo // per installed set: revisions whose prerequisites it satisfies
}

// kind is a compact UpdateType.
type kind uint8

const (
	kindSoftware kind = iota
	kindDriver
	kindCategory
	kindDetectoid
)

func kindOf(t patchbay.UpdateType) kind {
	switch t {
	case patchbay.TypeDriver:
		return kindDriver
	case patchbay.TypeCategory:
		return kindCategory
	case patchbay.TypeDetectoid:
		return kindDetectoid
	}
	// Unknown types are treated as software: the client evaluates the Core
	// fragment itself, so offering them is harmless (MS-WUSP §3.1.5.7).
	return kindSoftware
}

// Version returns Input.Version, the generation this Catalog was built from.
func (c *Catalog) Version() int64 { return c.version }

// Len returns the number of revisions in the catalog.
func (c *Catalog) Len() int { return c.n }

// Watermark returns the newest LastChangeTime of any deployment or IsLeaf
// value in the catalog. SyncUpdates seals it in NewCookie and passes it back
// as Query.Since (MS-WUSP §3.1.5.7, SyncUpdatesResponse.NewCookie).
func (c *Catalog) Watermark() time.Time { return c.watermark }

// RevisionID returns the RevisionID of the latest revision of updateID
// (case-insensitive) and whether the update is in the catalog.
func (c *Catalog) RevisionID(updateID string) (int32, bool) {
	i, ok := c.latest[lowerGUID(updateID)]
	if !ok {
		return 0, false
	}
	return c.ids[i], true
}

// idIndex maps RevisionIDs to indices. RevisionIDs come from SQLite
// AUTOINCREMENT or a PostgreSQL sequence, so they are nearly dense and a
// slice over [min, max] answers in one load; Select looks up every id a
// client has cached (thousands per call). Sparse ids fall back to a binary
// search of the sorted ids, which costs no memory.
type idIndex struct {
	min   int32
	dense []int32 // id-min → index, -1 where no revision has the id; nil when sparse
	ids   []int32 // ascending, shared with Catalog.ids
}

// newIDIndex indexes ids, which must be ascending without duplicates.
func newIDIndex(ids []int32) idIndex {
	x := idIndex{ids: ids}
	if len(ids) == 0 {
		return x
	}
	span := int64(ids[len(ids)-1]) - int64(ids[0]) + 1
	if span > 4*int64(len(ids))+1024 {
		return x // sparse: at most 16 bytes per revision for the slice
	}
	x.min, x.dense = ids[0], make([]int32, span)
	for k := range x.dense {
		x.dense[k] = -1
	}
	for i, id := range ids {
		x.dense[id-x.min] = int32(i)
	}
	return x
}

// lookup returns the index of RevisionID id and whether the catalog has it.
func (x *idIndex) lookup(id int32) (int32, bool) {
	if x.dense != nil {
		k := int64(id) - int64(x.min)
		if k < 0 || k >= int64(len(x.dense)) {
			return -1, false
		}
		i := x.dense[k]
		return i, i >= 0
	}
	i, ok := slices.BinarySearch(x.ids, id)
	if !ok {
		return -1, false
	}
	return int32(i), true
}

// Holder publishes the current Catalog. Load never blocks; Swap replaces the
// catalog for later Loads while earlier readers keep their snapshot. The zero
// Holder holds nil.
type Holder struct {
	p atomic.Pointer[Catalog]
}

// Load returns the current Catalog, or nil before the first Swap.
func (h *Holder) Load() *Catalog { return h.p.Load() }

// Swap publishes c and returns the Catalog it replaces (nil at first).
func (h *Holder) Swap(c *Catalog) *Catalog { return h.p.Swap(c) }
