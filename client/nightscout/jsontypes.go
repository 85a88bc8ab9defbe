package nightscout

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The field types below decode one JSON value each and never fail: a value
// of the wrong shape reads as absent. Nightscout stores whatever uploaders
// post, so one odd field must not cost the user a day of readings.

// num is a number, or a string holding one (some uploaders and the pebble
// route send "141"). NaN and infinities read as absent.
type num struct {
	v  float64
	ok bool
}

func (n *num) UnmarshalJSON(b []byte) error {
	*n = num{}
	b = bytes.TrimSpace(b)
	if len(b) > 1 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		b = []byte(strings.TrimSpace(s))
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	*n = num{v: v, ok: true}
	return nil
}

// text is a string, or a number or boolean kept as its text; "" for null,
// objects and arrays. Control characters become spaces, since the text may
// reach a terminal.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	*t = ""
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch c := b[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = text(printable(s))
		}
	case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f':
		*t = text(printable(string(b)))
	}
	return nil
}

// printable replaces control characters (escape sequences included) and
// invalid UTF-8 with spaces and trims the ends.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// Epoch milliseconds outside these bounds are not a time any uploader
// meant: before 2000, or after 2200 (seconds or microseconds by mistake).
var (
	minMillis = float64(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	maxMillis = float64(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
)

// fromMillis turns epoch milliseconds, possibly fractional, into a UTC
// time; false when the number is not a plausible time.
func fromMillis(ms float64) (time.Time, bool) {
	if !(ms >= minMillis && ms <= maxMillis) {
		return time.Time{}, false
	}
	whole := math.Floor(ms)
	// A float64 near 1.8e12 holds about a microsecond of fraction; finer
	// digits are rounding noise.
	return time.UnixMilli(int64(whole)).Add(time.Duration(math.Round((ms-whole)*1000)) * time.Microsecond).UTC(), true
}

// timeLayouts are the dateString and created_at forms uploaders write:
// RFC 3339, and ISO 8601 with a colon-less offset ("-0400") or none.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
}

// parseTime reads an ISO 8601 timestamp. zoned is false when the text has
// no offset (it is then taken as UTC, as Nightscout does).
func parseTime(s string) (t time.Time, zoned, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false, false
	}
	for i, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if y := t.Year(); y < 2000 || y >= 2200 {
				return time.Time{}, false, false
			}
			return t, i != 2, true
		}
	}
	return time.Time{}, false, false
}
