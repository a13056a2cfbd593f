package catalog

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// TestSatisfiedMemo checks that Select answers the same with and without
// the memo of satisfied sets: the first call with an installed set walks
// the prerequisites per revision, the second computes the memo, later ones
// read it. It runs a whole first scan and its differential, each call
// repeated by concurrent callers.
func TestSatisfiedMemo(t *testing.T) {
	c, err := Build(synth(3000, 400))
	if err != nil {
		t.Fatal(err)
	}
	groups := []string{fmt.Sprintf("%08x-0000-4000-8000-%012x", kindNum("grp"), 4)}
	var installed, other []int32
	for round := 0; ; round++ {
		q := Query{InstalledNonLeaf: installed, OtherCached: other, Max: 30}
		first := c.Select(groups, q)
		results := make([]Result, 4)
		var wg sync.WaitGroup
		for k := range results {
			wg.Go(func() { results[k] = c.Select(groups, q) })
		}
		wg.Wait()
		for k, r := range results {
			if !reflect.DeepEqual(r, first) {
				t.Fatalf("round %d: Select call %d differs from the first call:\n%+v\nwant\n%+v", round, k+2, r, first)
			}
		}
		if len(first.NewUpdates) == 0 {
			if len(first.OutOfScope) == len(other) || round < 3 {
				t.Fatalf("scan ended after %d rounds with %d out of scope", round, len(first.OutOfScope))
			}
			return
		}
		for _, o := range first.NewUpdates {
			if !o.IsLeaf && o.ID%2 == 0 {
				installed = append(installed, o.ID)
			} else {
				other = append(other, o.ID)
			}
		}
	}
}

// TestComputeSatisfied compares the memo's whole-catalog computation with
// the per-revision walk.
func TestComputeSatisfied(t *testing.T) {
	c, err := Build(synth(3000, 400))
	if err != nil {
		t.Fatal(err)
	}
	for _, every := range []int{1, 3, 50, 1 << 20} {
		installed := newBitset(c.n)
		for i := 0; i < c.n; i += every {
			if c.nonLeaf.has(int32(i)) {
				installed.set(int32(i))
			}
		}
		sat := c.computeSatisfied(installed)
		s := selector{c: c, installed: installed}
		n := 0
		for i := range int32(c.n) {
			if got, want := sat.has(i), s.satisfied(i); got != want {
				t.Fatalf("every %d: computeSatisfied has %d = %v, satisfied = %v", every, i, got, want)
			}
			if sat.has(i) {
				n++
			}
		}
		if n == 0 || n == c.n && every > 1 {
			t.Errorf("every %d: %d of %d satisfied; the test does not discriminate", every, n, c.n)
		}
	}
}
