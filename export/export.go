// Package export writes cached readings and events as CSV or JSON Lines,
// one record at a time, so a 90-day export needs no more memory than one.
package export

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/cgmtop/cgmtop/client"
)

// Format is an export file format.
type Format string

const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// ParseFormat accepts csv, jsonl (or ndjson).
func ParseFormat(s string) (Format, bool) {
	switch s {
	case "csv":
		return CSV, true
	case "jsonl", "ndjson":
		return JSONL, true
	}
	return "", false
}

// Header is the CSV header. Readings fill the reading columns, events the
// event ones; kind says which a row is.
var Header = []string{"kind", "time_utc", "display_time", "value", "unit", "status", "trend", "trend_rate_per_min",
	"event_type", "event_subtype", "event_value", "event_unit", "event_id"}

// Writer writes records in one format. Times are explicit: time_utc in
// UTC with a Z, display_time with the display device's own offset (empty
// when the source sent none). Glucose is in the Writer's unit; a HIGH or
// LOW reading has status high or low and its value as the source sent it
// (often empty): it is never dropped.
type Writer struct {
	format Format
	unit   client.Unit
	csv    *csv.Writer
	enc    *json.Encoder
	row    []string
}

// NewWriter writes to w; call Close at the end (it flushes CSV).
func NewWriter(w io.Writer, f Format, u client.Unit) *Writer {
	x := &Writer{format: f, unit: u}
	if f == CSV {
		x.csv = csv.NewWriter(w)
		x.row = make([]string, len(Header))
		x.csv.Write(Header) // an error sticks and Close reports it
	} else {
		x.enc = json.NewEncoder(w)
		x.enc.SetEscapeHTML(false)
	}
	return x
}

// jsonReading is a reading as a JSON line.
type jsonReading struct {
	Kind        string   `json:"kind"`
	Time        string   `json:"time_utc"`
	DisplayTime string   `json:"display_time,omitempty"`
	Value       *float64 `json:"value"`
	Unit        string   `json:"unit"`
	Status      string   `json:"status"`
	Trend       string   `json:"trend"`
	TrendRate   *float64 `json:"trend_rate_per_min,omitempty"`
}

type jsonEvent struct {
	Kind        string `json:"kind"`
	ID          string `json:"event_id"`
	Time        string `json:"time_utc"`
	DisplayTime string `json:"display_time,omitempty"`
	Type        string `json:"event_type"`
	SubType     string `json:"event_subtype,omitempty"`
	Value       string `json:"event_value"`
	Unit        string `json:"event_unit,omitempty"`
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func display(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// rate is a trend rate per minute in the unit: mg/dL to 1 decimal,
// mmol/L to 2.
func (x *Writer) rate(mgdl float64) float64 {
	p := math.Pow10(1 + x.unit.Decimals())
	return math.Round(x.unit.Convert(mgdl)*p) / p
}

// Reading writes one reading.
func (x *Writer) Reading(r client.Reading) error {
	if x.format == CSV {
		row := x.row
		clear(row)
		row[0], row[1], row[2] = "reading", utc(r.Time), display(r.DisplayTime)
		if r.Value > 0 {
			row[3] = x.unit.Format(float64(r.Value))
		}
		row[4], row[5], row[6] = x.unit.String(), r.Status.String(), r.Trend.String()
		if r.HasRate {
			row[7] = strconv.FormatFloat(x.rate(r.TrendRate), 'f', -1, 64)
		}
		return x.csv.Write(row)
	}
	j := jsonReading{Kind: "reading", Time: utc(r.Time), DisplayTime: display(r.DisplayTime),
		Unit: x.unit.String(), Status: r.Status.String(), Trend: r.Trend.String()}
	if r.Value > 0 {
		v, _ := strconv.ParseFloat(x.unit.Format(float64(r.Value)), 64)
		j.Value = &v
	}
	if r.HasRate {
		v := x.rate(r.TrendRate)
		j.TrendRate = &v
	}
	return x.enc.Encode(j)
}

// Event writes one user-entered event, its value as the source sent it.
func (x *Writer) Event(e client.Event) error {
	if x.format == CSV {
		row := x.row
		clear(row)
		row[0], row[1], row[2] = "event", utc(e.Time), display(e.DisplayTime)
		row[8], row[9], row[10], row[11], row[12] = e.Type, e.SubType, e.Value, e.Unit, e.ID
		return x.csv.Write(row)
	}
	return x.enc.Encode(jsonEvent{Kind: "event", ID: e.ID, Time: utc(e.Time), DisplayTime: display(e.DisplayTime),
		Type: e.Type, SubType: e.SubType, Value: e.Value, Unit: e.Unit})
}

// Close flushes what is buffered and reports any write error.
func (x *Writer) Close() error {
	if x.csv != nil {
		x.csv.Flush()
		return x.csv.Error()
	}
	return nil
}
