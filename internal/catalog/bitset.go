package catalog

import "math/bits"

// bitset is a fixed-size set of dense revision indices. The architecture asks
// for SyncUpdates to be set operations over compact ids (docs/architecture.md
// "Data flow"); a 20,000-revision catalog needs 313 words per set.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int32)   { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i int32) { b[i>>6] &^= 1 << (uint(i) & 63) }
func (b bitset) has(i int32) bool {
	return i >= 0 && int(i>>6) < len(b) && b[i>>6]&(1<<(uint(i)&63)) != 0
}

// or sets b to b ∪ o; o must be no longer than b.
func (b bitset) or(o bitset) {
	for i, w := range o {
		b[i] |= w
	}
}

// clone returns an independent copy.
func (b bitset) clone() bitset { return append(bitset(nil), b...) }

// each calls f for every member in increasing order until f returns false.
func (b bitset) each(f func(i int32) bool) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			if !f(int32(wi<<6 | t)) {
				return
			}
			w &= w - 1
		}
	}
}
