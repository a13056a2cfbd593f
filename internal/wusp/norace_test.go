//go:build !race

package wusp

const raceEnabled = false
