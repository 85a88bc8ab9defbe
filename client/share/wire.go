package share

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// wireReading is one element of ReadPublisherLatestGlucoseValues. Fields
// the client does not know are ignored.
type wireReading struct {
	WT    shareDate       `json:"WT"`
	ST    shareDate       `json:"ST"`
	DT    shareDate       `json:"DT"`
	Value int             `json:"Value"`
	Trend json.RawMessage `json:"Trend"`
}

// shareDate is a .NET JSON date, "Date(1745081013817-0400)" or the older
// "/Date(1426292016000-0700)/": epoch milliseconds in UTC and, optionally,
// the phone's UTC offset, which only matters for display.
type shareDate struct {
	t   time.Time // zero when absent
	off *time.Location
}

// dateRE and uuidRE are built on first use, not at package init: init runs
// on every `cgmtop status`, which tmux calls every few seconds.
var dateRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^/?Date\((-?\d+)([+-]\d{4})?\)/?$`) })

func (d *shareDate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("share date: not a string")
	}
	m := dateRE().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return fmt.Errorf("share date: %q is not Date(ms)", clip(s))
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return fmt.Errorf("share date: %q out of range", clip(s))
	}
	d.t = time.UnixMilli(ms).UTC()
	if m[2] != "" {
		h, _ := strconv.Atoi(m[2][1:3])
		mi, _ := strconv.Atoi(m[2][3:5])
		secs := h*3600 + mi*60
		if m[2][0] == '-' {
			secs = -secs
		}
		d.off = time.FixedZone("", secs)
	}
	return nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// trendNames maps Share's trend names, folded to lower case without
// spaces or underscores ("NOT COMPUTABLE" is NotComputable), to trends.
var trendNames = map[string]client.Trend{
	"none":           client.TrendNone,
	"doubleup":       client.TrendDoubleUp,
	"singleup":       client.TrendSingleUp,
	"fortyfiveup":    client.TrendFortyFiveUp,
	"flat":           client.TrendFlat,
	"fortyfivedown":  client.TrendFortyFiveDown,
	"singledown":     client.TrendSingleDown,
	"doubledown":     client.TrendDoubleDown,
	"notcomputable":  client.TrendNotComputable,
	"rateoutofrange": client.TrendRateOutOfRange,
}

// trendNumbers are the integer trends Share sent before late 2021.
var trendNumbers = [...]client.Trend{
	client.TrendNone, client.TrendDoubleUp, client.TrendSingleUp, client.TrendFortyFiveUp,
	client.TrendFlat, client.TrendFortyFiveDown, client.TrendSingleDown, client.TrendDoubleDown,
	client.TrendNotComputable, client.TrendRateOutOfRange,
}

// parseTrend reads a trend given as a name or a number; anything it does
// not know is TrendUnknown (no arrow), never an error.
func parseTrend(raw json.RawMessage) client.Trend {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		fold := strings.NewReplacer(" ", "", "_", "").Replace(strings.ToLower(strings.TrimSpace(s)))
		if t, ok := trendNames[fold]; ok {
			return t
		}
		if n, err := strconv.Atoi(fold); err == nil && n >= 0 && n < len(trendNumbers) {
			return trendNumbers[n]
		}
		return client.TrendUnknown
	}
	var n float64
	if json.Unmarshal(raw, &n) == nil && n >= 0 && n < float64(len(trendNumbers)) && n == float64(int(n)) {
		return trendNumbers[int(n)]
	}
	return client.TrendUnknown
}

// Share's out-of-range markers: the Dexcom app shows LOW and HIGH.
const (
	valueLow  = 39
	valueHigh = 401
)

// reading turns a wire reading into the client model. WT is the sensor's
// system time (what the bridge, nightscout-connect and Loop use); DT gives
// the display offset.
func (w wireReading) reading() (client.Reading, bool) {
	t := w.WT.t
	if t.IsZero() {
		t = w.ST.t
	}
	if t.IsZero() {
		t = w.DT.t
	}
	if t.IsZero() {
		return client.Reading{}, false
	}
	// The cache keys readings by whole seconds and Share's times carry
	// milliseconds: kept, every poll would look like a new reading to the
	// sync engine, which would then never see a miss and poll every second.
	t = t.Truncate(time.Second)
	r := client.Reading{Time: t, DisplayTime: t, Value: w.Value, Status: client.StatusOK, Trend: parseTrend(w.Trend)}
	if !w.DT.t.IsZero() && w.DT.off != nil {
		r.DisplayTime = w.DT.t.Truncate(time.Second).In(w.DT.off)
	}
	switch {
	case w.Value <= 0:
		r.Status, r.Value = client.StatusUnknown, 0
	case w.Value <= valueLow:
		r.Status, r.Value = client.StatusLow, 40
	case w.Value >= valueHigh:
		r.Status, r.Value = client.StatusHigh, 400
	}
	return r, true
}

// decodeReadings reads a ReadPublisherLatestGlucoseValues body. Elements
// without any time are skipped; a body that is not an array is an error.
func decodeReadings(body []byte) ([]client.Reading, error) {
	var ws []wireReading
	if err := json.Unmarshal(body, &ws); err != nil {
		return nil, fmt.Errorf("Dexcom Share sent readings cgmtop cannot read: %w", err)
	}
	out := make([]client.Reading, 0, len(ws))
	for _, w := range ws {
		if r, ok := w.reading(); ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// uuidRE is the form of Share's account and session ids.
var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

// zeroID is what Share has answered, with HTTP 200, to a failed login.
const zeroID = "00000000-0000-0000-0000-000000000000"

// ValidID reports whether s looks like a Share account or session id.
func ValidID(s string) bool { return uuidRE().MatchString(s) && s != zeroID }

// decodeID reads a login answer: a bare JSON string holding a UUID.
func decodeID(body []byte) (string, error) {
	var s string
	if err := json.Unmarshal(bytes.TrimSpace(body), &s); err != nil {
		return "", fmt.Errorf("Dexcom Share answered the login with something other than an id")
	}
	if s == zeroID {
		return "", &Error{Status: 200, Code: codeZeroID, Message: "all-zero id"}
	}
	if !uuidRE().MatchString(s) {
		return "", fmt.Errorf("Dexcom Share answered the login with a malformed id")
	}
	return s, nil
}

// wireError is the body of every Share error, HTTP 500 included. SubCode
// is opaque (XML once, JSON-in-a-string now).
type wireError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}
