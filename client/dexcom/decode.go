package dexcom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// Plausibility bounds. Sensors report 40–400 mg/dL; anything outside
// (0, maxMgdl] is corruption, not a reading, and is dropped to "no value".
// Rates beyond maxRate mg/dL/min are physiologically impossible.
const (
	maxMgdl = 1000
	maxRate = 100
)

// record is one decoded record with what merging needs: the server's id
// (may be empty) and the UTC time it sorts by.
type record[T any] struct {
	id string
	t  time.Time
	v  T
}

// walkRecords reads a Dexcom body and calls each once per element of its
// record list: "records" in v3, one of v2Keys in v2 ({"egvs":[…]}), or a
// bare top-level array. other, if set, sees every other top-level key with
// the decoder at its value and must consume it. An empty body or null is
// no records.
func walkRecords(r io.Reader, v2Keys []string, each func(*json.Decoder) error, other func(string, *json.Decoder) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return err
	case tok == nil:
		return nil
	case tok == json.Delim('['):
		return unexpectedEOF(walkArray(dec, each))
	case tok != json.Delim('{'):
		return errors.New("expected a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		key, _ := tok.(string)
		switch {
		case key == "records" || slices.Contains(v2Keys, key):
			tok, err := dec.Token()
			if err != nil {
				return unexpectedEOF(err)
			}
			if tok == nil {
				continue
			}
			if tok != json.Delim('[') {
				return fmt.Errorf("%q is not a list", key)
			}
			if err := walkArray(dec, each); err != nil {
				return unexpectedEOF(err)
			}
		case other != nil:
			if err := other(key, dec); err != nil {
				return unexpectedEOF(err)
			}
		default:
			if err := skipValue(dec); err != nil {
				return unexpectedEOF(err)
			}
		}
	}
	_, err = dec.Token() // the closing brace
	return unexpectedEOF(err)
}

// walkArray calls each per element, after the opening bracket was read.
func walkArray(dec *json.Decoder, each func(*json.Decoder) error) error {
	for dec.More() {
		if err := each(dec); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// decodeRecord decodes one element into rec, reporting false for an element
// that is not an object (skipped, not fatal) and an error for broken JSON.
func decodeRecord(dec *json.Decoder, rec any) (bool, error) {
	err := dec.Decode(rec)
	if err == nil {
		return true, nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return false, nil
	}
	return false, err
}

func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	return dec.Decode(&skip)
}

// unexpectedEOF turns an EOF met inside the body into the error it is: the
// body was cut short.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// recordTime picks the UTC time a record sorts by: systemTime (UTC even
// without a zone), else a displayTime that carries its zone. A display
// time is returned as sent, falling back to the system time.
func recordTime(system, display jsonTime) (t, shown time.Time, ok bool) {
	switch {
	case system.ok:
		t = system.t.UTC()
	case display.ok && display.zoned:
		t = display.t.UTC()
	default:
		return time.Time{}, time.Time{}, false
	}
	shown = t
	if display.ok {
		shown = display.t
	}
	return t, shown, true
}

type egvRecord struct {
	RecordID    jsonText   `json:"recordId"`
	SystemTime  jsonTime   `json:"systemTime"`
	DisplayTime jsonTime   `json:"displayTime"`
	Value       jsonNum    `json:"value"`
	Status      jsonStatus `json:"status"`
	Trend       jsonTrend  `json:"trend"`
	TrendRate   jsonNum    `json:"trendRate"`
	Unit        jsonUnit   `json:"unit"`
	RateUnit    jsonUnit   `json:"rateUnit"`
}

// decodeEGVs decodes an egvs body. Values in mmol/L become mg/dL; a value
// that is missing or implausible leaves the reading without one; a record
// with no usable time is dropped.
func decodeEGVs(r io.Reader) ([]record[client.Reading], error) {
	var out []record[client.Reading]
	var pending []egvRecord     // records whose unit is given only at the top level (v2)
	var unit, rateUnit jsonUnit // v2 puts these at the top level, before or after the list
	var rec egvRecord           // reused: one allocation per body, not per record
	err := walkRecords(r, []string{"egvs"},
		func(dec *json.Decoder) error {
			rec = egvRecord{}
			ok, err := decodeRecord(dec, &rec)
			switch {
			case !ok:
			case rec.Unit == unitUnset || (rec.TrendRate.ok && rec.RateUnit == unitUnset):
				pending = append(pending, rec)
			default:
				out = rec.appendTo(out, unitUnset, unitUnset)
			}
			return err
		},
		func(key string, dec *json.Decoder) error {
			switch key {
			case "unit":
				return dec.Decode(&unit)
			case "rateUnit":
				return dec.Decode(&rateUnit)
			}
			return skipValue(dec)
		})
	if err != nil {
		return nil, err
	}
	for i := range pending {
		out = pending[i].appendTo(out, unit, rateUnit)
	}
	return out, nil
}

// appendTo appends the record as a reading, unless it has no usable time.
func (e *egvRecord) appendTo(out []record[client.Reading], topUnit, topRateUnit jsonUnit) []record[client.Reading] {
	if rd, ok := e.reading(topUnit, topRateUnit); ok {
		out = append(out, record[client.Reading]{id: string(e.RecordID), t: rd.Time, v: rd})
	}
	return out
}

func (e *egvRecord) reading(topUnit, topRateUnit jsonUnit) (client.Reading, bool) {
	t, shown, ok := recordTime(e.SystemTime, e.DisplayTime)
	if !ok {
		return client.Reading{}, false
	}
	rd := client.Reading{Time: t, DisplayTime: shown, Status: e.Status.status(), Trend: client.Trend(e.Trend)}
	unit := e.Unit.or(topUnit)
	if e.Value.ok {
		if v := math.Round(unit.toMgdl(e.Value.v)); v > 0 && v <= maxMgdl {
			rd.Value = int(v)
		}
	}
	if rd.Value == 0 && rd.Status == client.StatusOK {
		rd.Status = client.StatusUnknown // no number to vouch for
	}
	if e.TrendRate.ok {
		// A rate's unit follows the value's unless the body says otherwise.
		if rate := e.RateUnit.or(topRateUnit).or(unit).toMgdl(e.TrendRate.v); math.Abs(rate) <= maxRate {
			rd.TrendRate, rd.HasRate = rate, true
		}
	}
	return rd, true
}

type eventRecord struct {
	RecordID     jsonText `json:"recordId"`
	EventID      jsonText `json:"eventId"` // v2
	SystemTime   jsonTime `json:"systemTime"`
	DisplayTime  jsonTime `json:"displayTime"`
	EventStatus  jsonText `json:"eventStatus"`
	EventType    jsonText `json:"eventType"`
	EventSubType jsonText `json:"eventSubType"`
	Value        jsonText `json:"value"`
	Unit         jsonText `json:"unit"`
}

var eventTypes = []string{"carbs", "insulin", "exercise", "health", "notes", "bloodGlucose"}

// decodeEvents decodes an events body. The value stays text as sent (v3
// sends numbers as strings, v2 as numbers); unknown event types become
// "unknown".
func decodeEvents(r io.Reader) ([]record[client.Event], error) {
	var out []record[client.Event]
	err := walkRecords(r, []string{"events"}, func(dec *json.Decoder) error {
		var rec eventRecord
		ok, err := decodeRecord(dec, &rec)
		if !ok {
			return err
		}
		t, shown, ok := recordTime(rec.SystemTime, rec.DisplayTime)
		if !ok {
			return nil
		}
		id := string(rec.RecordID)
		if id == "" {
			id = string(rec.EventID)
		}
		out = append(out, record[client.Event]{id: id, t: t, v: client.Event{
			ID:          id,
			Time:        t,
			DisplayTime: shown,
			Type:        known(string(rec.EventType), eventTypes),
			SubType:     strings.TrimSpace(string(rec.EventSubType)),
			Value:       strings.TrimSpace(string(rec.Value)),
			Unit:        strings.TrimSpace(string(rec.Unit)),
			Deleted:     strings.EqualFold(string(rec.EventStatus), "deleted"),
		}})
		return nil
	}, nil)
	return out, err
}

type calibrationRecord struct {
	RecordID    jsonText `json:"recordId"`
	SystemTime  jsonTime `json:"systemTime"`
	DisplayTime jsonTime `json:"displayTime"`
	Value       jsonNum  `json:"value"`
	Unit        jsonUnit `json:"unit"`
}

// decodeCalibrations decodes a calibrations body; a calibration without a
// plausible value is dropped, since it tells nothing.
func decodeCalibrations(r io.Reader) ([]record[client.Calibration], error) {
	var raw []calibrationRecord
	var unit jsonUnit // v2 sends it once, before or after the list
	err := walkRecords(r, []string{"calibrations"}, func(dec *json.Decoder) error {
		var rec calibrationRecord
		ok, err := decodeRecord(dec, &rec)
		if ok {
			raw = append(raw, rec)
		}
		return err
	}, func(key string, dec *json.Decoder) error {
		if key == "unit" {
			return dec.Decode(&unit)
		}
		return skipValue(dec)
	})
	if err != nil {
		return nil, err
	}
	out := make([]record[client.Calibration], 0, len(raw))
	for _, rec := range raw {
		t, shown, ok := recordTime(rec.SystemTime, rec.DisplayTime)
		if !ok || !rec.Value.ok {
			continue
		}
		v := math.Round(rec.Unit.or(unit).toMgdl(rec.Value.v))
		if v <= 0 || v > maxMgdl {
			continue
		}
		id := string(rec.RecordID)
		out = append(out, record[client.Calibration]{id: id, t: t, v: client.Calibration{
			ID: id, Time: t, DisplayTime: shown, Value: int(v),
		}})
	}
	return out, nil
}

type alertRecord struct {
	RecordID    jsonText `json:"recordId"`
	SystemTime  jsonTime `json:"systemTime"`
	DisplayTime jsonTime `json:"displayTime"`
	AlertName   jsonText `json:"alertName"`
	AlertState  jsonText `json:"alertState"`
}

var alertNames = []string{"high", "low", "urgentLow", "urgentLowSoon", "rise", "fall", "outOfRange", "noReadings", "fixedLow"}

// decodeAlerts decodes an alerts body; unknown alert names become "unknown".
func decodeAlerts(r io.Reader) ([]record[client.Alert], error) {
	var out []record[client.Alert]
	err := walkRecords(r, []string{"alerts"}, func(dec *json.Decoder) error {
		var rec alertRecord
		ok, err := decodeRecord(dec, &rec)
		if !ok {
			return err
		}
		t, shown, ok := recordTime(rec.SystemTime, rec.DisplayTime)
		if !ok {
			return nil
		}
		id := string(rec.RecordID)
		out = append(out, record[client.Alert]{id: id, t: t, v: client.Alert{
			ID: id, Time: t, DisplayTime: shown,
			Name:  known(string(rec.AlertName), alertNames),
			State: strings.TrimSpace(string(rec.AlertState)),
		}})
		return nil
	}, nil)
	return out, err
}

type deviceRecord struct {
	TransmitterID         jsonText `json:"transmitterId"`
	TransmitterGeneration jsonText `json:"transmitterGeneration"`
	Model                 jsonText `json:"model"` // v2
	DisplayDevice         jsonText `json:"displayDevice"`
	DisplayApp            jsonText `json:"displayApp"`
	LastUploadDate        jsonTime `json:"lastUploadDate"`
}

var generations = []string{"g4", "g5", "g6", "g7", "dexcomPro", "dexcomOne", "dexcomOne+", "stelo", "unknown"}

// decodeDevices decodes a devices body. The generation is normalised to
// Dexcom's spelling (client.Device.HasCalibrations depends on it).
func decodeDevices(r io.Reader) ([]client.Device, error) {
	var out []client.Device
	err := walkRecords(r, []string{"devices"}, func(dec *json.Decoder) error {
		var rec deviceRecord
		ok, err := decodeRecord(dec, &rec)
		if !ok {
			return err
		}
		d := client.Device{
			TransmitterID: strings.TrimSpace(string(rec.TransmitterID)),
			Generation:    generation(string(rec.TransmitterGeneration), string(rec.Model)),
			DisplayDevice: strings.TrimSpace(string(rec.DisplayDevice)),
			DisplayApp:    strings.TrimSpace(string(rec.DisplayApp)),
		}
		if rec.LastUploadDate.ok {
			d.LastUpload = rec.LastUploadDate.t.UTC()
		}
		out = append(out, d)
		return nil
	}, nil)
	return out, err
}

// generation spells a transmitter generation the way Dexcom does, keeping
// names it does not know; a v2 model name ("G6 Mobile App") is the fallback.
func generation(gen, model string) string {
	gen = strings.TrimSpace(gen)
	for _, g := range generations {
		if strings.EqualFold(gen, g) {
			return g
		}
	}
	if gen != "" {
		return gen
	}
	m := strings.ToLower(model)
	for _, g := range []string{"g7", "g6", "g5", "g4"} {
		if strings.Contains(m, g) {
			return g
		}
	}
	return "unknown"
}

// known returns Dexcom's spelling of s if it is one of names (any case),
// else "unknown".
func known(s string, names []string) string {
	s = strings.TrimSpace(s)
	for _, n := range names {
		if strings.EqualFold(s, n) {
			return n
		}
	}
	return "unknown"
}

type rangeEnd struct {
	SystemTime  jsonTime `json:"systemTime"`
	DisplayTime jsonTime `json:"displayTime"`
}

type rangeSpan struct {
	Start rangeEnd `json:"start"`
	End   rangeEnd `json:"end"`
}

func (s rangeSpan) span() client.Span {
	start, _, _ := recordTime(s.Start.SystemTime, s.Start.DisplayTime)
	end, _, ok := recordTime(s.End.SystemTime, s.End.DisplayTime)
	if !ok {
		return client.Span{}
	}
	if start.IsZero() || start.After(end) {
		start = end
	}
	return client.Span{Start: start, End: end}
}

// decodeDataRange decodes a dataRange body. A span with no usable end is
// empty; lastSyncTime, when present, becomes LastSync.
func decodeDataRange(r io.Reader) (client.DataRange, error) {
	var body struct {
		Calibrations rangeSpan `json:"calibrations"`
		EGVs         rangeSpan `json:"egvs"`
		Events       rangeSpan `json:"events"`
		LastSyncTime jsonTime  `json:"lastSyncTime"`
	}
	dec := json.NewDecoder(r)
	err := dec.Decode(&body)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == io.EOF:
		return client.DataRange{}, nil
	case errors.As(err, &typeErr):
		// A field of the wrong shape reads as absent; the rest is good.
	case err != nil:
		return client.DataRange{}, err
	}
	dr := client.DataRange{
		Readings:     body.EGVs.span(),
		Events:       body.Events.span(),
		Calibrations: body.Calibrations.span(),
	}
	if body.LastSyncTime.ok {
		dr.LastSync = body.LastSyncTime.t.UTC()
	}
	return dr, nil
}
