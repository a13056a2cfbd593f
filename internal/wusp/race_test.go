//go:build race

package wusp

// raceEnabled is true under -race, where sync.Pool drops items at random
// and allocation counts are meaningless.
const raceEnabled = true
