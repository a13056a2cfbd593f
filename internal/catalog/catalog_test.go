package catalog

import (
	"math"
	"testing"
)

func TestIDIndex(t *testing.T) {
	tests := []struct {
		name  string
		ids   []int32
		dense bool
	}{
		{"empty", nil, false},
		{"dense", []int32{3, 4, 5, 7, 8, 100}, true},
		{"negative and dense", []int32{-5, -1, 0, 2}, true},
		{"sparse", []int32{1, 1 << 20, math.MaxInt32}, false},
		{"extremes", []int32{math.MinInt32, math.MaxInt32}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := newIDIndex(tc.ids)
			if (x.dense != nil) != tc.dense {
				t.Errorf("newIDIndex(%v) dense = %v, want %v", tc.ids, x.dense != nil, tc.dense)
			}
			want := map[int32]int32{}
			for i, id := range tc.ids {
				want[id] = int32(i)
			}
			probe := []int32{math.MinInt32, math.MinInt32 + 1, -6, -2, 1, 2, 6, 99, 101, 1<<20 - 1, math.MaxInt32 - 1, math.MaxInt32}
			for _, id := range append(probe, tc.ids...) {
				i, ok := x.lookup(id)
				w, wok := want[id]
				if ok != wok || ok && i != w {
					t.Errorf("lookup(%d) = %d, %v, want %d, %v", id, i, ok, w, wok)
				}
			}
		})
	}
}
