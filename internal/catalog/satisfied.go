package catalog

import (
	"math/bits"
	"slices"
	"sync"
)

// Which revisions have every prerequisite clause satisfied depends only on
// the catalog and the client's InstalledNonLeafUpdateIDs, and clients of
// one fleet send the same few installed sets call after call: a
// differential scan of a client holding 17,000 revisions would otherwise
// walk the prerequisites of each of them on every call. satMemo keeps the
// answer as a bitset per installed set, computed for the whole catalog at
// the second sighting of a set (a first scan changes its set from call to
// call, and the per-revision walk is cheaper then).

// satMemoSize bounds the installed sets remembered per Catalog; each costs
// two bitsets of the catalog's size.
const satMemoSize = 32

// satMemo is the per-Catalog memo of satisfied sets. The zero value is
// empty and ready.
type satMemo struct {
	mu      sync.Mutex
	entries []satEntry // least recently used first
}

type satEntry struct {
	hash      uint64
	installed bitset // the key
	sat       bitset // nil until the set is seen a second time
}

// satisfiedSet returns the revisions whose prerequisites installed
// satisfies, or nil when the set is not (yet) remembered; the result is
// shared and must not be modified.
func (c *Catalog) satisfiedSet(installed bitset) bitset {
	m := &c.satMemo
	h := hashBitset(installed)
	m.mu.Lock()
	k := slices.IndexFunc(m.entries, func(e satEntry) bool { return e.hash == h && slices.Equal(e.installed, installed) })
	var sat bitset
	if k >= 0 {
		e := m.entries[k]
		sat = e.sat
		m.entries = append(slices.Delete(m.entries, k, k+1), e)
	} else {
		if len(m.entries) == satMemoSize {
			m.entries = slices.Delete(m.entries, 0, 1)
		}
		m.entries = append(m.entries, satEntry{hash: h, installed: installed.clone()})
	}
	m.mu.Unlock()
	if sat != nil || k < 0 {
		return sat
	}
	// Second sighting: compute outside the lock; racing callers may both
	// compute the same set, and either result is right.
	sat = c.computeSatisfied(installed)
	m.mu.Lock()
	for j := range m.entries {
		if e := &m.entries[j]; e.hash == h && e.sat == nil && slices.Equal(e.installed, installed) {
			e.sat = sat
		}
	}
	m.mu.Unlock()
	return sat
}

// computeSatisfied returns the revisions each of whose prerequisite
// clauses has a member in installed.
func (c *Catalog) computeSatisfied(installed bitset) bitset {
	s := selector{c: c, installed: installed}
	sat := newBitset(c.n)
	for w := range sat {
		sat[w] = c.noPrereq[w]
		for x := ^c.noPrereq[w]; x != 0; x &= x - 1 {
			i := int32(w<<6 | bits.TrailingZeros64(x))
			if int(i) >= c.n {
				break
			}
			if s.satisfied(i) {
				sat.set(i)
			}
		}
	}
	return sat
}

// hashBitset is a quick hash of b's words; equal keys are compared in
// full, so collisions cost time, never correctness.
func hashBitset(b bitset) uint64 {
	h := uint64(len(b))
	for _, w := range b {
		h = (h ^ w) * 0x9E3779B97F4A7C15
		h ^= h >> 29
	}
	return h
}
