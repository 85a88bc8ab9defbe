//go:build race

package tui

// raceEnabled: the race detector slows SQLite and Bubble Tea several times
// over, which a scaled clock multiplies again; timing figures are then
// logged, not asserted.
const raceEnabled = true
