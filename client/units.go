package client

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MgdlPerMmol converts between the two units the way Dexcom receivers and
// apps do: mmol/L = mg/dL / 18.018, shown to one decimal.
const MgdlPerMmol = 18.018

// Unit is a glucose unit for display. Readings are always stored in mg/dL.
type Unit uint8

const (
	MgDL Unit = iota
	MmolL
)

// ParseUnit accepts "mg/dL", "mgdl", "mg", "mmol/L", "mmol" in any case.
func ParseUnit(s string) (Unit, error) {
	// The spellings settings hold, first: the monitor reads the unit on
	// every message, and lowering the string would allocate each time.
	switch s {
	case "mg/dL":
		return MgDL, nil
	case "mmol/L":
		return MmolL, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "mg/dl", "mgdl", "mg":
		return MgDL, nil
	case "mmol/l", "mmoll", "mmol":
		return MmolL, nil
	}
	return MgDL, fmt.Errorf("unknown unit %q: use mg/dL or mmol/L", s)
}

func (u Unit) String() string {
	if u == MmolL {
		return "mmol/L"
	}
	return "mg/dL"
}

// Toggle returns the other unit.
func (u Unit) Toggle() Unit {
	if u == MmolL {
		return MgDL
	}
	return MmolL
}

// Convert returns a mg/dL quantity (a value, a delta or a rate) in unit u,
// unrounded.
func (u Unit) Convert(mgdl float64) float64 {
	if u == MmolL {
		return mgdl / MgdlPerMmol
	}
	return mgdl
}

// Decimals is how many decimals a value in u is shown with.
func (u Unit) Decimals() int {
	if u == MmolL {
		return 1
	}
	return 0
}

// Format shows a mg/dL value in unit u, rounded as Dexcom does: whole
// mg/dL, or mmol/L to one decimal.
func (u Unit) Format(mgdl float64) string {
	return strconv.FormatFloat(round(u.Convert(mgdl), u.Decimals()), 'f', u.Decimals(), 64)
}

// FormatDelta shows a signed change in unit u, with an explicit sign and
// "±0" for no change.
func (u Unit) FormatDelta(mgdl float64) string {
	v := round(u.Convert(mgdl), u.Decimals())
	if v == 0 {
		return "±" + strconv.FormatFloat(0, 'f', u.Decimals(), 64)
	}
	s := strconv.FormatFloat(v, 'f', u.Decimals(), 64)
	if v > 0 {
		s = "+" + s
	}
	return s
}

// round rounds half away from zero, like the receivers.
func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}
