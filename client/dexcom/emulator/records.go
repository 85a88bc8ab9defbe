package emulator

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// Records are written straight into a byte slice: a 30-day egv answer is
// 8,640 records, and building it this way keeps it to a few milliseconds.
// Every string written is generated here and needs no escaping.

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, x uint64) []byte {
	for s := 60; s >= 0; s -= 4 {
		b = append(b, hexDigits[(x>>uint(s))&0xf])
	}
	return b
}

// appendUUID writes a version-4-shaped UUID built from two hashes.
func appendUUID(b []byte, hi, lo uint64) []byte {
	hi = hi&^(0xf<<12) | 0x4<<12
	lo = lo&^(0x3<<62) | 0x2<<62
	var raw [32]byte
	h := appendHex(raw[:0], hi)
	h = appendHex(h, lo)
	b = append(b, h[0:8]...)
	b = append(b, '-')
	b = append(b, h[8:12]...)
	b = append(b, '-')
	b = append(b, h[12:16]...)
	b = append(b, '-')
	b = append(b, h[16:20]...)
	b = append(b, '-')
	return append(b, h[20:32]...)
}

func (p *profile) appendRecordID(b []byte, kind uint64, i int64) []byte {
	return appendUUID(b, p.h(tagRecord, i*16+int64(kind)), p.h(tagRecord^kind<<32, i))
}

// appendRecordHead opens a record of the given kind with the fields every
// kind starts with: {"recordId":"…","systemTime":"…","displayTime":"…"
// (t is the system time, shown the display time).
func (p *profile) appendRecordHead(b []byte, kind uint64, id, t, shown int64) []byte {
	b = append(b, '{')
	b = appendKey(b, "recordId")
	b = append(b, '"')
	b = p.appendRecordID(b, kind, id)
	b = append(b, `","systemTime":"`...)
	b = appendSystemTime(b, t)
	b = append(b, `","displayTime":"`...)
	b = p.appendDisplayTime(b, shown)
	return append(b, '"')
}

func appendSystemTime(b []byte, t int64) []byte {
	return time.Unix(t, 0).UTC().AppendFormat(b, layoutPlain)
}

func (p *profile) appendDisplayTime(b []byte, t int64) []byte {
	return time.Unix(t, 0).In(p.zone).AppendFormat(b, p.displayLayout)
}

func appendKey(b []byte, key string) []byte {
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStr(b []byte, key, val string) []byte {
	b = appendKey(b, key)
	b = append(b, '"')
	b = append(b, val...)
	return append(b, '"')
}

func appendEnvelopeHead(b []byte, recordType, userID string) []byte {
	b = append(b, '{')
	b = appendStr(b, "recordType", recordType)
	b = append(b, ',')
	b = appendStr(b, "recordVersion", "3.0")
	b = append(b, ',')
	b = appendStr(b, "userId", userID)
	b = append(b, ',')
	b = appendKey(b, "records")
	return append(b, '[')
}

// served is the time range a request may see: [lo, hi] in unix seconds.
type served struct{ lo, hi int64 }

// clip narrows [start, end) to what is served, returning an inclusive range.
func (sv served) clip(start, end time.Time) (lo, hi int64) {
	return max(start.Unix(), sv.lo), min(end.Unix()-1, sv.hi)
}

// appendEGVs writes the egv envelope for [start, end), newest first as
// Dexcom sends them, and reports how many records it wrote.
func (g gen) appendEGVs(b []byte, sv served, start, end time.Time) ([]byte, int) {
	p := g.p
	lo, hi := sv.clip(start, end)
	b = appendEnvelopeHead(b, "egv", p.userID)
	n := 0
	if lo > hi {
		return append(b, "]}"...), 0
	}
	first := p.firstSlotAtOrAfter(lo)
	var tx string
	txKey := int64(math.MinInt64)
	for i := p.lastSlotAtOrBefore(hi); i >= first; i-- {
		r, ok := g.read(i)
		if !ok {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		k, txStart := p.txEpoch(r.t)
		if k != txKey {
			tx, txKey = p.txID(k), k
		}
		ticks := r.t - txStart
		b = g.appendEGV(b, r, tx, ticks)
	}
	return append(b, "]}"...), n
}

func (g gen) appendEGV(b []byte, r reading, tx string, ticks int64) []byte {
	p := g.p
	b = p.appendRecordHead(b, 1, r.slot, r.t, r.displayAt)
	b = append(b, ',')
	b = appendStr(b, "transmitterId", tx)
	b = append(b, `,"transmitterTicks":`...)
	b = strconv.AppendInt(b, ticks, 10)
	b = append(b, `,"value":`...)
	switch {
	case r.status == client.StatusOK:
		b = strconv.AppendInt(b, int64(r.value), 10)
	case p.nullOnLimit:
		b = append(b, "null"...)
	case r.status == client.StatusHigh:
		b = append(b, "401"...)
	default:
		b = append(b, "39"...)
	}
	b = append(b, `,"status":`...)
	switch {
	case r.status == client.StatusHigh:
		b = append(b, `"high"`...)
	case r.status == client.StatusLow:
		b = append(b, `"low"`...)
	case p.statusOK == "":
		b = append(b, "null"...)
	default:
		b = append(b, '"')
		b = append(b, p.statusOK...)
		b = append(b, '"')
	}
	b = append(b, `,"trend":"`...)
	b = append(b, r.trend.String()...)
	b = append(b, `","trendRate":`...)
	if r.hasRate {
		b = strconv.AppendFloat(b, r.rate, 'f', 1, 64)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"unit":"mg/dL","rateUnit":"mg/dL/min",`...)
	b = appendStr(b, "displayDevice", p.displayDevice)
	b = append(b, ',')
	b = appendStr(b, "transmitterGeneration", p.generation)
	return append(b, '}')
}

// event is one user-entered record.
type event struct {
	id      int64
	t       int64
	typ     string
	subType string // "" is sent as null
	value   string
	unit    string
}

// events returns the events with times in [lo, hi], oldest first.
func (p *profile) events(lo, hi int64) []event {
	var out []event
	var buf [4]meal
	for d := p.localDay(lo) - 1; d <= p.localDay(hi)+1; d++ {
		for _, m := range p.meals(d, &buf) {
			out = append(out, event{id: m.id * 4, t: m.carbsAt, typ: "carbs", value: strconv.FormatFloat(m.carbs, 'f', -1, 64), unit: "grams"})
			out = append(out, event{id: m.id*4 + 1, t: m.insulinAt, typ: "insulin", subType: "fastActing", value: strconv.FormatFloat(m.units, 'f', -1, 64), unit: "units"})
		}
		if ex, ok := p.exercise(d); ok {
			sub := "medium"
			if ex.intensity > 35 {
				sub = "heavy"
			}
			out = append(out, event{id: d*8*4 + 3, t: ex.at, typ: "exercise", subType: sub, value: strconv.FormatInt(ex.minutes, 10), unit: "minutes"})
		}
	}
	out = slices.DeleteFunc(out, func(e event) bool { return e.t < lo || e.t > hi })
	slices.SortFunc(out, func(a, b event) int { return cmp.Compare(a.t, b.t) })
	return out
}

// calibrations returns the fingerstick calibrations in [lo, hi], oldest first:
// two a day for a sensor that takes them, none otherwise.
func (g gen) calibrations(lo, hi int64) []event {
	p := g.p
	if !p.calibrates {
		return nil
	}
	var out []event
	for d := p.localDay(lo) - 1; d <= p.localDay(hi)+1; d++ {
		for j, hour := range []float64{7.5, 19.75} {
			id := d*2 + int64(j)
			t := p.localMidnight(d) + int64((hour+(p.u(tagCalibration, id*4)*2-1)*0.66)*3600)
			if t < lo || t > hi {
				continue
			}
			if _, start := p.session(t); t-start < p.warmup {
				continue
			}
			meter := g.signal(float64(t)) * (1 + (p.u(tagCalibration, id*4+1)*2-1)*0.06)
			meter = max(20, min(600, math.Round(meter)))
			out = append(out, event{id: id, t: t, typ: "calibration", value: strconv.Itoa(int(meter)), unit: "mg/dL"})
		}
	}
	return out
}

// alert is one alert the display device raised.
type alert struct {
	slot int64
	t    int64
	name string
}

// alertsFor returns the alerts raised at slot i: thresholds crossed since
// the previous reading, and fast rises or falls starting.
func (g gen) alertsFor(i int64, cur reading, out []alert) []alert {
	prev, ok := g.read(i - 1)
	if !ok {
		return out
	}
	v := func(r reading) int {
		switch r.status {
		case client.StatusHigh:
			return 401
		case client.StatusLow:
			return 39
		}
		return r.value
	}
	pv, cv := v(prev), v(cur)
	add := func(name string) { out = append(out, alert{slot: i, t: cur.t, name: name}) }
	if pv <= 250 && cv > 250 {
		add("high")
	}
	if pv >= 70 && cv < 70 {
		add("low")
	}
	if pv >= 55 && cv < 55 {
		add("urgentLow")
	}
	if cur.hasRate && prev.hasRate {
		if prev.rate < 2 && cur.rate >= 2 {
			add("rise")
		}
		if prev.rate > -2 && cur.rate <= -2 {
			add("fall")
		}
	}
	return out
}

// alerts returns the alerts in [lo, hi], newest first.
func (g gen) alerts(lo, hi int64) []alert {
	p := g.p
	var out []alert
	for i := p.lastSlotAtOrBefore(hi); i >= p.firstSlotAtOrAfter(lo); i-- {
		r, ok := g.read(i)
		if !ok {
			continue
		}
		out = g.alertsFor(i, r, out)
	}
	return out
}

func (g gen) appendEvents(b []byte, lo, hi int64) ([]byte, int) {
	p := g.p
	evs := p.events(lo, hi)
	b = appendEnvelopeHead(b, "event", p.userID)
	for k := len(evs) - 1; k >= 0; k-- {
		e := evs[k]
		if k < len(evs)-1 {
			b = append(b, ',')
		}
		b = p.appendRecordHead(b, 2, e.id, e.t, e.t+g.skew(e.t))
		b = append(b, `,"eventStatus":"created",`...)
		b = appendStr(b, "eventType", e.typ)
		b = append(b, `,"eventSubType":`...)
		if e.subType == "" {
			b = append(b, "null"...)
		} else {
			b = append(b, '"')
			b = append(b, e.subType...)
			b = append(b, '"')
		}
		b = append(b, ',')
		b = appendStr(b, "value", e.value)
		b = append(b, ',')
		b = appendStr(b, "unit", e.unit)
		tx, _ := p.transmitter(e.t)
		b = append(b, ',')
		b = appendStr(b, "transmitterId", tx)
		b = append(b, ',')
		b = appendStr(b, "transmitterGeneration", p.generation)
		b = append(b, ',')
		b = appendStr(b, "displayDevice", p.displayDevice)
		b = append(b, '}')
	}
	return append(b, "]}"...), len(evs)
}

func (g gen) appendCalibrations(b []byte, lo, hi int64) ([]byte, int) {
	p := g.p
	cals := g.calibrations(lo, hi)
	b = appendEnvelopeHead(b, "calibration", p.userID)
	for k := len(cals) - 1; k >= 0; k-- {
		c := cals[k]
		if k < len(cals)-1 {
			b = append(b, ',')
		}
		b = p.appendRecordHead(b, 3, c.id, c.t, c.t+g.skew(c.t))
		b = append(b, `,"unit":"mg/dL","value":`...)
		b = append(b, c.value...)
		b = append(b, ',')
		b = appendStr(b, "displayDevice", p.displayDevice)
		tx, ticks := p.transmitter(c.t)
		b = append(b, ',')
		b = appendStr(b, "transmitterId", tx)
		b = append(b, `,"transmitterTicks":`...)
		b = strconv.AppendInt(b, ticks, 10)
		b = append(b, ',')
		b = appendStr(b, "transmitterGeneration", p.generation)
		b = append(b, '}')
	}
	return append(b, "]}"...), len(cals)
}

func (g gen) appendAlerts(b []byte, lo, hi int64) ([]byte, int) {
	p := g.p
	als := g.alerts(lo, hi)
	b = appendEnvelopeHead(b, "alert", p.userID)
	for k, a := range als {
		if k > 0 {
			b = append(b, ',')
		}
		b = p.appendRecordHead(b, 4, a.slot*8+int64(len(a.name)), a.t, a.t+g.skew(a.t))
		b = append(b, ',')
		b = appendStr(b, "alertName", a.name)
		b = append(b, `,"alertState":"triggered",`...)
		b = appendStr(b, "displayDevice", p.displayDevice)
		b = append(b, ',')
		b = appendStr(b, "displayApp", p.displayApp)
		b = append(b, ',')
		b = appendStr(b, "transmitterGeneration", p.generation)
		tx, _ := p.transmitter(a.t)
		b = append(b, ',')
		b = appendStr(b, "transmitterId", tx)
		b = append(b, '}')
	}
	return append(b, "]}"...), len(als)
}

// newest returns the newest reading served at or before hi, searching back
// no further than lo.
func (g gen) newest(lo, hi int64) (reading, bool) {
	p := g.p
	for i := p.lastSlotAtOrBefore(hi); i >= p.firstSlotAtOrAfter(lo); i-- {
		if r, ok := g.read(i); ok {
			return r, true
		}
	}
	return reading{}, false
}

// oldest returns the oldest reading at or after lo, searching forward no
// further than hi.
func (g gen) oldest(lo, hi int64) (reading, bool) {
	p := g.p
	for i := p.firstSlotAtOrAfter(lo); i <= p.lastSlotAtOrBefore(hi); i++ {
		if r, ok := g.read(i); ok {
			return r, true
		}
	}
	return reading{}, false
}
