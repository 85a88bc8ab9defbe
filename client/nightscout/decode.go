package nightscout

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// Plausibility bounds. Sensors report 40–400 mg/dL, and Nightscout keeps
// 39 for LOW and 401 for HIGH as Dexcom sends them; values under 39 are
// Dexcom's error codes (sensor warm-up, no antenna, …), not glucose.
const (
	lowMark  = 39
	highMark = 401
	maxMgdl  = 1000
)

// maxOffset bounds a believable utcOffset, in minutes.
const maxOffset = 16 * 60

// entry is one document of the entries collection, as uploaders post it.
type entry struct {
	ID         text `json:"_id"`
	Type       text `json:"type"`
	SGV        num  `json:"sgv"`
	MBG        num  `json:"mbg"`
	Date       num  `json:"date"`
	Mills      num  `json:"mills"`
	DateString text `json:"dateString"`
	SysTime    text `json:"sysTime"`
	Direction  text `json:"direction"`
	Trend      num  `json:"trend"`
	UTCOffset  num  `json:"utcOffset"`
	Device     text `json:"device"`
}

// when is the entry's time: `date` (epoch ms, maybe fractional) first,
// since dateString is sometimes written without a colon in its offset and
// mills follows dateString when the two disagree; then mills, dateString,
// sysTime. shown carries the uploader's zone when the entry says it.
func (e *entry) when() (t, shown time.Time, ok bool) {
	t, ok = fromMillis(e.Date.v)
	if !e.Date.ok || !ok {
		t, ok = fromMillis(e.Mills.v)
		if !e.Mills.ok || !ok {
			t, _, ok = parseTime(string(e.DateString))
			if !ok {
				t, _, ok = parseTime(string(e.SysTime))
			}
		}
	}
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	t = t.UTC()
	return t, displayTime(t, e.UTCOffset, string(e.DateString)), true
}

// displayTime is t as the uploader's clock showed it: in the zone of its
// utcOffset (minutes), else of its dateString, else UTC.
func displayTime(t time.Time, offset num, dateString string) time.Time {
	if offset.ok && math.Abs(offset.v) <= maxOffset && offset.v == math.Trunc(offset.v) {
		return t.In(time.FixedZone("", int(offset.v)*60))
	}
	if ds, zoned, ok := parseTime(dateString); ok && zoned {
		_, off := ds.Zone()
		if math.Abs(float64(off)) <= maxOffset*60 {
			return t.In(time.FixedZone("", off))
		}
	}
	return t
}

// isSGV reports whether the entry is a sensor reading; uploaders that
// leave out `type` still send `sgv`.
func (e *entry) isSGV() bool {
	typ := strings.ToLower(string(e.Type))
	return (typ == "sgv" || typ == "") && e.SGV.ok
}

func (e *entry) reading() (client.Reading, bool) {
	t, shown, ok := e.when()
	if !ok {
		return client.Reading{}, false
	}
	// Whole seconds, as the cache keys readings: a time a fraction past
	// the stored one would look like a newer reading on every poll.
	t, shown = t.Truncate(time.Second), shown.Truncate(time.Second)
	rd := client.Reading{Time: t, DisplayTime: shown, Trend: e.trend()}
	switch v := math.Round(e.SGV.v); {
	case v == lowMark:
		rd.Status, rd.Value = client.StatusLow, 40
	case v == highMark:
		rd.Status, rd.Value = client.StatusHigh, 400
	case v > lowMark && v <= maxMgdl:
		rd.Status, rd.Value = client.StatusOK, int(v)
	default:
		rd.Status = client.StatusUnknown // an error code or corruption: no number to show
	}
	return rd, true
}

// trend reads `direction` (Nightscout's names, matched without regard to
// case, spaces or underscores), else the Share bridge's numeric `trend`.
// Anything else is "no arrow", never an error.
func (e *entry) trend() client.Trend {
	name := strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(string(e.Direction)))
	switch name {
	case "doubleup", "tripleup":
		return client.TrendDoubleUp
	case "singleup":
		return client.TrendSingleUp
	case "fortyfiveup":
		return client.TrendFortyFiveUp
	case "flat":
		return client.TrendFlat
	case "fortyfivedown":
		return client.TrendFortyFiveDown
	case "singledown":
		return client.TrendSingleDown
	case "doubledown", "tripledown":
		return client.TrendDoubleDown
	case "none":
		return client.TrendNone
	case "notcomputable":
		return client.TrendNotComputable
	case "rateoutofrange":
		return client.TrendRateOutOfRange
	case "":
		if e.Trend.ok && e.Trend.v == math.Trunc(e.Trend.v) && e.Trend.v >= 0 && e.Trend.v <= 9 {
			// Share's numbering: 0 none, 1 double up … 7 double down, 8, 9.
			return client.Trend(int(e.Trend.v) + int(client.TrendNone))
		}
	}
	return client.TrendUnknown
}

// page is what one entries or treatments request brought back: the
// records, and what paging and change detection need.
type page[T any] struct {
	items  []T
	rows   int     // documents in the body, decodable or not
	oldest float64 // smallest date seen, epoch ms; 0 when none
	newest float64 // largest date seen, epoch ms (what Last-Modified is made of)
	// cgm names the uploader of the newest sgv in the page (entries only).
	cgm cgmMemo
}

// walkArray calls each for every element of a top-level JSON array. An
// empty body or null is no elements.
func walkArray(r io.Reader, each func([]byte)) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return err
	case tok == nil:
		return nil
	case tok != json.Delim('['):
		return errors.New("expected a JSON list")
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return unexpectedEOF(err)
		}
		each(raw)
	}
	if _, err := dec.Token(); err != nil {
		return unexpectedEOF(err)
	}
	return nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// decodeEntries decodes an entries body into readings (sgv) and
// calibrations (mbg). Documents that are not objects, or have no usable
// time, are skipped.
func decodeEntries(r io.Reader) (page[client.Reading], []client.Calibration, error) {
	var p page[client.Reading]
	var cals []client.Calibration
	err := walkArray(r, func(raw []byte) {
		p.rows++
		var e entry
		if json.Unmarshal(raw, &e) != nil {
			return
		}
		if ms := e.Date.v; e.Date.ok && ms > 0 && (p.oldest == 0 || ms < p.oldest) {
			p.oldest = ms
		}
		if ms := e.Date.v; e.Date.ok && ms > p.newest {
			p.newest = ms
		}
		switch {
		case e.isSGV():
			if rd, ok := e.reading(); ok {
				p.items = append(p.items, rd)
				if t, _, _ := e.when(); t.After(p.cgm.at) {
					p.cgm = cgmMemo{device: string(e.Device), at: t}
				}
			}
		case strings.EqualFold(string(e.Type), "mbg") && e.MBG.ok:
			t, shown, ok := e.when()
			v := math.Round(e.MBG.v)
			if !ok || v < lowMark || v > maxMgdl {
				return
			}
			id := clip(string(e.ID), 64)
			if id == "" {
				id = "mbg-" + strconv.FormatInt(t.UnixMilli(), 10)
			}
			cals = append(cals, client.Calibration{ID: id, Time: t, DisplayTime: shown, Value: int(v)})
		}
	})
	return p, cals, err
}

// treatment is one document of the treatments collection. Care portal,
// Loop, AAPS and xDrip all write here, each with its own habits.
type treatment struct {
	ID          text `json:"_id"`
	EventType   text `json:"eventType"`
	CreatedAt   text `json:"created_at"`
	Timestamp   text `json:"timestamp"`
	Date        num  `json:"date"`
	Mills       num  `json:"mills"`
	UTCOffset   num  `json:"utcOffset"`
	Carbs       num  `json:"carbs"`
	Insulin     num  `json:"insulin"`
	Duration    num  `json:"duration"`
	Glucose     num  `json:"glucose"`
	GlucoseType text `json:"glucoseType"`
	Units       text `json:"units"`
	Notes       text `json:"notes"`
	Reason      text `json:"reason"`
}

func (t *treatment) when() (at, shown time.Time, ok bool) {
	var zoned bool
	var ts time.Time
	if ts, zoned, ok = parseTime(string(t.CreatedAt)); !ok {
		if ts, zoned, ok = parseTime(string(t.Timestamp)); !ok {
			if ts, ok = fromMillis(t.Date.v); !t.Date.ok || !ok {
				if ts, ok = fromMillis(t.Mills.v); !t.Mills.ok || !ok {
					return time.Time{}, time.Time{}, false
				}
			}
		}
	}
	at = ts.UTC()
	shown = at
	if zoned {
		shown = ts
	}
	if t.UTCOffset.ok {
		shown = displayTime(at, t.UTCOffset, "")
	}
	return at, shown, true
}

// Treatments that are machine bookkeeping, not something a person did:
// a loop writes a temp basal every five minutes.
var quietTreatments = map[string]bool{
	"temp basal": true, "temporary target": true, "profile switch": true,
	"openaps offline": true, "temporary override": true,
}

// noteTreatments are shown as notes, with the event type as context.
var noteTreatments = map[string]bool{
	"note": true, "announcement": true, "question": true,
	"site change": true, "sensor start": true, "sensor change": true, "sensor stop": true,
	"insulin change": true, "pump battery change": true, "d.a.d. alert": true,
}

// events turns one treatment into cgmtop's events: a meal bolus is both
// carbs and insulin, so one treatment can give several, each with its own
// id (the document's id plus the kind).
func (t *treatment) events() []client.Event {
	at, shown, ok := t.when()
	if !ok {
		return nil
	}
	kind := strings.ToLower(string(t.EventType))
	id := clip(string(t.ID), 64)
	if id == "" {
		id = "t" + strconv.FormatInt(at.UnixMilli(), 10)
	}
	sub := clip(string(t.EventType), 40)
	ev := func(typ, value, unit string) client.Event {
		return client.Event{ID: id + ":" + typ, Time: at, DisplayTime: shown, Type: typ, SubType: sub, Value: value, Unit: unit}
	}
	var out []client.Event
	if quietTreatments[kind] {
		return nil
	}
	if v := t.Carbs.v; t.Carbs.ok && v > 0 && v < 1000 {
		out = append(out, ev("carbs", formatNum(v), "grams"))
	}
	if v := t.Insulin.v; t.Insulin.ok && v > 0 && v < 1000 {
		out = append(out, ev("insulin", formatNum(v), "units"))
	}
	if kind == "exercise" {
		value := ""
		if t.Duration.ok && t.Duration.v > 0 && t.Duration.v < 24*60 {
			value = formatNum(t.Duration.v)
		}
		out = append(out, ev("exercise", value, "minutes"))
	}
	if v := t.Glucose.v; t.Glucose.ok && v > 0 && v < maxMgdl && (kind == "bg check" || t.GlucoseType != "") {
		unit := "mg/dL"
		if strings.HasPrefix(strings.ToLower(string(t.Units)), "mmol") {
			unit = "mmol/L"
		}
		out = append(out, ev("bloodGlucose", formatNum(v), unit))
	}
	note := clip(string(t.Notes), 200)
	if note == "" {
		note = clip(string(t.Reason), 200)
	}
	switch {
	case noteTreatments[kind]:
		if note == "" {
			note = sub
		} else if kind != "note" && kind != "announcement" && kind != "question" {
			note = sub + ": " + note
		}
		out = append(out, ev("notes", note, ""))
	case len(out) == 0 && note != "":
		out = append(out, ev("notes", note, ""))
	}
	return out
}

// formatNum shows a quantity the way a person typed it: no trailing zeros.
func formatNum(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// decodeTreatments decodes a treatments body into events.
func decodeTreatments(r io.Reader) (page[client.Event], error) {
	var p page[client.Event]
	err := walkArray(r, func(raw []byte) {
		p.rows++
		var t treatment
		if json.Unmarshal(raw, &t) != nil {
			return
		}
		if at, _, ok := t.when(); ok {
			ms := float64(at.UnixMilli())
			if p.oldest == 0 || ms < p.oldest {
				p.oldest = ms
			}
			p.newest = max(p.newest, ms)
		}
		p.items = append(p.items, t.events()...)
	})
	return p, err
}

// deviceStatus is one devicestatus document: an uploader's battery, and
// the pump and closed-loop state Loop, OpenAPS and AAPS report.
type deviceStatus struct {
	Device    text `json:"device"`
	CreatedAt text `json:"created_at"`
	Date      num  `json:"date"`
	Mills     num  `json:"mills"`
	Uploader  struct {
		Battery num `json:"battery"`
	} `json:"uploader"`
	UploaderBattery num `json:"uploaderBattery"` // xDrip's older field
	Pump            struct {
		Battery struct {
			Percent num `json:"percent"`
		} `json:"battery"`
		IOB struct {
			IOB   num `json:"iob"`
			Bolus num `json:"bolusiob"`
		} `json:"iob"`
	} `json:"pump"`
	Loop struct {
		IOB struct {
			IOB num `json:"iob"`
		} `json:"iob"`
		COB struct {
			COB num `json:"cob"`
		} `json:"cob"`
	} `json:"loop"`
	OpenAPS struct {
		IOB       json.RawMessage `json:"iob"` // an object, or a list whose first element is now
		Suggested struct {
			COB num `json:"COB"`
			IOB num `json:"IOB"`
		} `json:"suggested"`
		Enacted struct {
			COB num `json:"COB"`
			IOB num `json:"IOB"`
		} `json:"enacted"`
	} `json:"openaps"`
}

func (d *deviceStatus) when() (time.Time, bool) {
	if t, _, ok := parseTime(string(d.CreatedAt)); ok {
		return t.UTC(), true
	}
	if t, ok := fromMillis(d.Date.v); d.Date.ok && ok {
		return t, true
	}
	if t, ok := fromMillis(d.Mills.v); d.Mills.ok && ok {
		return t, true
	}
	return time.Time{}, false
}

// device turns a status into a client.Device. The device name
// ("loop://iPhone", "openaps://Pixel", "xDrip-DexcomG6") says which app
// uploaded it.
func (d *deviceStatus) device() (client.Device, bool) {
	at, ok := d.when()
	if !ok {
		return client.Device{}, false
	}
	name := clip(string(d.Device), 60)
	// Not a sensor: an uploader or a loop. Generation names where it
	// reports, as the device lines show it.
	dev := client.Device{DisplayDevice: name, Generation: "nightscout", LastUpload: at}
	if app, rest, ok := strings.Cut(name, "://"); ok {
		dev.DisplayApp, dev.DisplayDevice = app, rest
	}
	for _, b := range []num{d.Uploader.Battery, d.UploaderBattery, d.Pump.Battery.Percent} {
		if b.ok && b.v >= 0 && b.v <= 100 {
			dev.Battery = int(math.Round(b.v))
			dev.HasBattery = true
			break
		}
	}
	iob := []num{d.Loop.IOB.IOB, openapsIOB(d.OpenAPS.IOB), d.OpenAPS.Enacted.IOB, d.OpenAPS.Suggested.IOB, d.Pump.IOB.IOB, d.Pump.IOB.Bolus}
	for _, v := range iob {
		if v.ok && math.Abs(v.v) < 1000 {
			dev.IOB, dev.HasIOB = v.v, true
			break
		}
	}
	for _, v := range []num{d.Loop.COB.COB, d.OpenAPS.Enacted.COB, d.OpenAPS.Suggested.COB} {
		if v.ok && v.v >= 0 && v.v < 1000 {
			dev.COB, dev.HasCOB = v.v, true
			break
		}
	}
	return dev, true
}

// openapsIOB reads openaps.iob, which OpenAPS writes as an object and AAPS
// sometimes as a list of predictions whose first element is now.
func openapsIOB(raw json.RawMessage) num {
	var one struct {
		IOB num `json:"iob"`
	}
	if json.Unmarshal(raw, &one) == nil && one.IOB.ok {
		return one.IOB
	}
	var list []struct {
		IOB num `json:"iob"`
	}
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0].IOB
	}
	return num{}
}

// decodeDeviceStatus decodes a devicestatus body (newest first) into one
// device per uploader name, each from its newest status; a pump or loop
// field missing from the newest one is taken from an older one.
func decodeDeviceStatus(r io.Reader) ([]client.Device, error) {
	var out []client.Device
	index := map[string]int{}
	err := walkArray(r, func(raw []byte) {
		var d deviceStatus
		if json.Unmarshal(raw, &d) != nil {
			return
		}
		dev, ok := d.device()
		if !ok {
			return
		}
		key := dev.DisplayApp + "://" + dev.DisplayDevice
		i, seen := index[key]
		if !seen {
			index[key] = len(out)
			out = append(out, dev)
			return
		}
		cur := &out[i]
		if dev.LastUpload.After(cur.LastUpload) {
			dev, *cur = *cur, dev
		}
		// cur is the newer status; fill what it lacks from the older.
		if !cur.HasBattery && dev.HasBattery {
			cur.Battery, cur.HasBattery = dev.Battery, true
		}
		if !cur.HasIOB && dev.HasIOB {
			cur.IOB, cur.HasIOB = dev.IOB, true
		}
		if !cur.HasCOB && dev.HasCOB {
			cur.COB, cur.HasCOB = dev.COB, true
		}
	})
	return out, err
}

// Site is what a Nightscout site says about itself in status.json.
type Site struct {
	Name       string
	Version    string
	Units      client.Unit // the site's display unit; mg/dL when it does not say
	UnitsSet   bool        // whether the site named a unit
	ServerTime time.Time   // the server's clock, for skew checks; zero when absent
	Subject    string      // the token's subject name; "" for an anonymous read
	Thresholds Thresholds
	// Permissions are the token's permission patterns ("*:*:read"),
	// empty when the site did not say (anonymous reads).
	Permissions []string
}

// Thresholds are the site's glucose targets in mg/dL; zero when unset.
type Thresholds struct {
	High, TargetTop, TargetBottom, Low int
}

type statusBody struct {
	Status          text `json:"status"`
	Name            text `json:"name"`
	Version         text `json:"version"`
	ServerTimeEpoch num  `json:"serverTimeEpoch"`
	Settings        struct {
		Units      text `json:"units"`
		Thresholds struct {
			BGHigh         num `json:"bgHigh"`
			BGTargetTop    num `json:"bgTargetTop"`
			BGTargetBottom num `json:"bgTargetBottom"`
			BGLow          num `json:"bgLow"`
		} `json:"thresholds"`
	} `json:"settings"`
	// authorized also carries a signed JWT ("token"); it is never read.
	Authorized *struct {
		Sub              text     `json:"sub"`
		PermissionGroups [][]text `json:"permissionGroups"`
	} `json:"authorized"`
}

// decodeStatus decodes /api/v1/status.json.
func decodeStatus(r io.Reader) (Site, error) {
	var b statusBody
	if err := json.NewDecoder(r).Decode(&b); err != nil {
		return Site{}, unexpectedEOF(err)
	}
	s := Site{Name: clip(string(b.Name), 80), Version: clip(string(b.Version), 40)}
	if u, err := client.ParseUnit(string(b.Settings.Units)); err == nil {
		s.Units, s.UnitsSet = u, true
	}
	if t, ok := fromMillis(b.ServerTimeEpoch.v); b.ServerTimeEpoch.ok && ok {
		s.ServerTime = t
	}
	th := b.Settings.Thresholds
	s.Thresholds = Thresholds{High: mgdl(th.BGHigh, s.Units), TargetTop: mgdl(th.BGTargetTop, s.Units),
		TargetBottom: mgdl(th.BGTargetBottom, s.Units), Low: mgdl(th.BGLow, s.Units)}
	if a := b.Authorized; a != nil {
		s.Subject = clip(string(a.Sub), 60)
		for _, g := range a.PermissionGroups {
			for _, p := range g {
				if p != "" && len(s.Permissions) < 32 {
					s.Permissions = append(s.Permissions, clip(string(p), 60))
				}
			}
		}
	}
	if !strings.EqualFold(string(b.Status), "ok") {
		return s, errors.New("the site did not answer status ok")
	}
	return s, nil
}

// mgdl reads a threshold, which an mmol site may store in mmol/L.
func mgdl(n num, u client.Unit) int {
	if !n.ok || n.v <= 0 {
		return 0
	}
	v := n.v
	if u == client.MmolL && v < 40 {
		v *= client.MgdlPerMmol
	}
	if v > maxMgdl {
		return 0
	}
	return int(math.Round(v))
}
