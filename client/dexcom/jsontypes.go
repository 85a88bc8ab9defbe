package dexcom

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cgmtop/cgmtop/client"
)

// The field types below decode one JSON value each and never fail: a value
// of the wrong shape reads as absent. Dexcom's data is full of nulls and
// enum strings newer than this code, and one odd field must not cost the
// user a day of readings.

// stringBytes returns the contents of a JSON string literal without
// allocating when it has no escapes.
func stringBytes(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, true
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}

// jsonText is a string, or a number or boolean kept as its text ("" for
// null and for objects or arrays). Control characters are replaced, since
// the text may end up on a terminal.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	*t = ""
	if s, ok := stringBytes(b); ok {
		*t = jsonText(printable(string(s)))
		return nil
	}
	if len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9') || b[0] == 't' || b[0] == 'f') {
		*t = jsonText(b)
	}
	return nil
}

// printable replaces what a terminal would act on (escape sequences, bidi
// overrides; see client.Unprintable) with spaces.
func printable(s string) string {
	for _, r := range s {
		if client.Unprintable(r) || r == unicode.ReplacementChar {
			return strings.Map(func(r rune) rune {
				if client.Unprintable(r) {
					return ' '
				}
				return r
			}, s)
		}
	}
	return s
}

// jsonTime is a timestamp in any form parseTime accepts.
type jsonTime struct {
	t     time.Time
	zoned bool
	ok    bool
}

func (j *jsonTime) UnmarshalJSON(b []byte) error {
	*j = jsonTime{}
	if s, ok := stringBytes(b); ok {
		j.t, j.zoned, j.ok = parseTime(s)
	}
	return nil
}

// jsonNum is a finite number, sent as a number or as a numeric string.
type jsonNum struct {
	v  float64
	ok bool
}

func (n *jsonNum) UnmarshalJSON(b []byte) error {
	*n = jsonNum{}
	if s, ok := stringBytes(b); ok {
		b = bytes.TrimSpace(s)
	}
	if len(b) == 0 || b[0] == 'n' || b[0] == 't' || b[0] == 'f' || b[0] == '{' || b[0] == '[' {
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
		n.v, n.ok = v, true
	}
	return nil
}

// jsonStatus is an EGV status. Absent or null means an ordinary reading,
// which is why it records whether it was set at all.
type jsonStatus struct {
	s   client.Status
	set bool
}

func (s *jsonStatus) UnmarshalJSON(b []byte) error {
	s.set = true
	switch str, ok := stringBytes(b); {
	case ok:
		s.s = client.ParseStatus(string(str))
		if s.s == client.StatusUnknown {
			s.s = client.ParseStatus(strings.ToLower(string(str)))
		}
	case string(b) == "null":
		s.s = client.ParseStatus("")
	default:
		s.s = client.StatusUnknown
	}
	return nil
}

// status returns the parsed status, or what an absent one means.
func (s jsonStatus) status() client.Status {
	if !s.set {
		return client.ParseStatus("")
	}
	return s.s
}

// jsonTrend is a trend arrow name. v1-era bodies capitalise it ("Flat").
type jsonTrend client.Trend

func (t *jsonTrend) UnmarshalJSON(b []byte) error {
	*t = jsonTrend(client.TrendUnknown)
	str, ok := stringBytes(b)
	if !ok {
		return nil
	}
	tr := client.ParseTrend(string(str))
	if tr == client.TrendUnknown && len(str) > 0 && str[0] >= 'A' && str[0] <= 'Z' && len(str) <= 32 {
		var buf [32]byte
		n := copy(buf[:], str)
		buf[0] += 'a' - 'A'
		tr = client.ParseTrend(string(buf[:n]))
	}
	*t = jsonTrend(tr)
	return nil
}

// jsonUnit is a glucose unit or rate unit as Dexcom names it.
type jsonUnit uint8

const (
	unitUnset jsonUnit = iota
	unitMgdl
	unitMmol
)

func (u *jsonUnit) UnmarshalJSON(b []byte) error {
	*u = unitUnset
	if s, ok := stringBytes(b); ok && len(s) > 0 {
		*u = unitMgdl
		for i := 0; i+4 <= len(s); i++ {
			if bytes.EqualFold(s[i:i+4], []byte("mmol")) {
				*u = unitMmol
				break
			}
		}
	}
	return nil
}

// or returns u, or fallback when u is unset.
func (u jsonUnit) or(fallback jsonUnit) jsonUnit {
	if u == unitUnset {
		return fallback
	}
	return u
}

// toMgdl converts a glucose quantity in unit u to mg/dL.
func (u jsonUnit) toMgdl(v float64) float64 {
	if u == unitMmol {
		return v * client.MgdlPerMmol
	}
	return v
}
