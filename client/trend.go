package client

// Trend is the direction and speed of glucose change, as Dexcom names it.
type Trend uint8

const (
	TrendUnknown Trend = iota
	TrendNone
	TrendDoubleUp
	TrendSingleUp
	TrendFortyFiveUp
	TrendFlat
	TrendFortyFiveDown
	TrendSingleDown
	TrendDoubleDown
	TrendNotComputable
	TrendRateOutOfRange
)

var trendNames = [...]string{
	TrendUnknown:        "unknown",
	TrendNone:           "none",
	TrendDoubleUp:       "doubleUp",
	TrendSingleUp:       "singleUp",
	TrendFortyFiveUp:    "fortyFiveUp",
	TrendFlat:           "flat",
	TrendFortyFiveDown:  "fortyFiveDown",
	TrendSingleDown:     "singleDown",
	TrendDoubleDown:     "doubleDown",
	TrendNotComputable:  "notComputable",
	TrendRateOutOfRange: "rateOutOfRange",
}

// ParseTrend maps a Dexcom trend name to a Trend; names it does not know
// (including null) map to TrendUnknown.
func ParseTrend(s string) Trend {
	for t, name := range trendNames {
		if name == s {
			return Trend(t)
		}
	}
	return TrendUnknown
}

// String returns the Dexcom name of the trend.
func (t Trend) String() string {
	if int(t) < len(trendNames) {
		return trendNames[t]
	}
	return "unknown"
}

// Arrow returns the trend as Unicode arrows, or "" when there is no
// direction to show.
func (t Trend) Arrow() string {
	switch t {
	case TrendDoubleUp:
		return "⇈"
	case TrendSingleUp:
		return "↑"
	case TrendFortyFiveUp:
		return "↗"
	case TrendFlat:
		return "→"
	case TrendFortyFiveDown:
		return "↘"
	case TrendSingleDown:
		return "↓"
	case TrendDoubleDown:
		return "⇊"
	}
	return ""
}

// ASCIIArrow is Arrow for terminals and status bars without Unicode.
func (t Trend) ASCIIArrow() string {
	switch t {
	case TrendDoubleUp:
		return "^^"
	case TrendSingleUp:
		return "^"
	case TrendFortyFiveUp:
		return "/"
	case TrendFlat:
		return "->"
	case TrendFortyFiveDown:
		return "\\"
	case TrendSingleDown:
		return "v"
	case TrendDoubleDown:
		return "vv"
	}
	return ""
}

// FromRate derives the trend Dexcom would show for a rate in mg/dL/min.
// Dexcom's bands: ±1 flat, 1–2 forty-five, 2–3 single, beyond 3 double.
func FromRate(rate float64) Trend {
	switch {
	case rate > 3:
		return TrendDoubleUp
	case rate > 2:
		return TrendSingleUp
	case rate > 1:
		return TrendFortyFiveUp
	case rate >= -1:
		return TrendFlat
	case rate >= -2:
		return TrendFortyFiveDown
	case rate >= -3:
		return TrendSingleDown
	default:
		return TrendDoubleDown
	}
}
