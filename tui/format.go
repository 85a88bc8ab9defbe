package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// Sensor bounds: a HIGH or LOW reading is beyond them, whatever Value says.
const (
	sensorMax = 400
	sensorMin = 40
)

// maxDeltaGap is the longest time between two readings for which a delta
// is still meaningful; Dexcom shows none across a missed reading or two.
const maxDeltaGap = 11 * time.Minute

// classify puts a mg/dL value in a colour band by the user's thresholds.
// Values on a limit count as the milder band: 70 is in range when low is 70.
func classify(mgdl float64, t config.Thresholds) theme.Range {
	switch {
	case mgdl < float64(t.UrgentLow):
		return theme.UrgentLow
	case mgdl < float64(t.Low):
		return theme.Low
	case mgdl <= float64(t.High):
		return theme.InRange
	case mgdl <= float64(t.VeryHigh):
		return theme.High
	}
	return theme.VeryHigh
}

// plotValue is the value a reading is drawn and counted at: HIGH and LOW
// sit on the sensor's bounds. ok is false for readings with nothing to show.
func plotValue(r client.Reading) (v float64, ok bool) {
	switch {
	case r.Status == client.StatusHigh:
		return sensorMax, true
	case r.Status == client.StatusLow:
		return sensorMin, true
	case r.Known():
		return float64(r.Value), true
	}
	return 0, false
}

// readingRange is the colour band of a reading, HIGH and LOW included.
func readingRange(r client.Reading, t config.Thresholds) (theme.Range, bool) {
	v, ok := plotValue(r)
	if !ok {
		return theme.InRange, false
	}
	return classify(v, t), true
}

// rangeWords names a reading's band in words, so colour is never the only
// signal. Above the target range reads "above range" and below it "below
// range": HIGH and LOW are what the sensor shows beyond what it can
// measure (above 400, below 40 mg/dL), and one word for both misled.
// The very high and urgent low bands keep their alarm words.
func rangeWords(b theme.Range) string {
	switch b {
	case theme.High:
		return "above range"
	case theme.Low:
		return "below range"
	}
	return b.Label()
}

// valueText is what the user reads as the current value: never the raw
// number of a reading the sensor could not measure.
func valueText(r client.Reading, u client.Unit) string {
	switch {
	case r.Status == client.StatusHigh:
		return "HIGH"
	case r.Status == client.StatusLow:
		return "LOW"
	case r.Known():
		return u.Format(float64(r.Value))
	}
	return "---"
}

// arrow is the trend arrow in the configured alphabet.
func arrow(t client.Trend, ascii bool) string {
	if ascii {
		return t.ASCIIArrow()
	}
	return t.Arrow()
}

// delta is the change from the previous reading, or "" when there is no
// previous reading close enough to compare.
func delta(latest, prev client.Reading, u client.Unit) string {
	if !latest.Known() || !prev.Known() || prev.Time.IsZero() {
		return ""
	}
	gap := latest.Time.Sub(prev.Time)
	if gap <= 0 || gap > maxDeltaGap {
		return ""
	}
	return u.FormatDelta(float64(latest.Value - prev.Value))
}

// rateText shows a rate of change per minute with one more decimal than
// values get, so a mmol/L rate does not round to zero.
func rateText(mgdlPerMin float64, u client.Unit) string {
	s := strconv.FormatFloat(u.Convert(mgdlPerMin), 'f', u.Decimals()+1, 64)
	// Sign what shows as a change; a rate that rounds to zero is plain
	// 0.0, neither "+0.0" nor "-0.0".
	if v, _ := strconv.ParseFloat(s, 64); v > 0 {
		s = "+" + s
	} else if v == 0 {
		s = strings.TrimPrefix(s, "-")
	}
	return s + " " + u.String() + "/min"
}

// span writes a duration the way people say it: "4 min", "1 h 5 min",
// "3 d 2 h".
func span(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		if m%60 == 0 {
			return fmt.Sprintf("%d h", m/60)
		}
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	days, hours := m/(24*60), (m/60)%24
	if hours == 0 {
		return fmt.Sprintf("%d d", days)
	}
	return fmt.Sprintf("%d d %d h", days, hours)
}

// age is how long ago t was, in words.
func age(now, t time.Time) string {
	d := now.Sub(t)
	if d < time.Minute {
		return "just now"
	}
	return span(d) + " ago"
}

// shortAge is age for the one-line layout: "now", "4m", "1h5m", "3d".
func shortAge(now, t time.Time) string {
	m := int(now.Sub(t) / time.Minute)
	switch {
	case m < 1:
		return "now"
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m < 24*60:
		if m%60 == 0 {
			return fmt.Sprintf("%dh", m/60)
		}
		return fmt.Sprintf("%dh%dm", m/60, m%60)
	}
	return fmt.Sprintf("%dd", m/(24*60))
}

// asciiRunes stands an ASCII character of the same width in for each
// character the monitor draws outside ASCII, for terminals whose locale
// cannot show UTF-8.
var asciiRunes = map[rune]rune{
	'─': '-', '┄': '-', '━': '-', '│': '|', '┃': '|', '└': '+', '┘': '+', '┌': '+', '┐': '+',
	'┬': '+', '┴': '+', '├': '+', '┤': '+', '┼': '+', '╭': '+', '╮': '+', '╯': '+', '╰': '+',
	'·': '.', '•': '*', '–': '-', '—': '-', '…': '.', '±': '~', '°': 'o', '×': 'x',
	'█': '#', '▓': '#', '▒': ':', '░': '.', '▀': '"', '▄': '_', '▌': '|', '▐': '|',
	'▁': '_', '▂': '_', '▃': '=', '▅': '=', '▆': '#', '▇': '#',
	'▲': '^', '▼': 'v', '●': 'o', '○': 'o', '⚠': '!', '✓': 'v',
	'→': '>', '←': '<', '↑': '^', '↓': 'v', '↗': '/', '↘': '\\', '⇈': '^', '⇊': 'v',
	'≥': '>', '≤': '<',
}

// toASCII replaces every non-ASCII character of a drawn screen (escape
// sequences are ASCII already) with one ASCII character: braille chart dots
// become '*', anything unforeseen '?'. Widths are kept, so layouts hold.
func toASCII(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r == 0x2800: // an empty braille cell
			b.WriteByte(' ')
		case r > 0x2800 && r <= 0x28ff:
			b.WriteByte('*')
		default:
			if a, ok := asciiRunes[r]; ok {
				b.WriteRune(a)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}
