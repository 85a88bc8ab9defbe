package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// jsonReport is the JSON form of a report; its field names are an
// interface for other programs: add, never rename.
type jsonReport struct {
	From         string      `json:"from"`
	To           string      `json:"to"`
	Days         int         `json:"days"`
	Unit         string      `json:"unit"`
	Generated    string      `json:"generated"`
	Readings     int         `json:"readings"`
	Expected     int         `json:"expected_readings"`
	SensorActive float64     `json:"sensor_active"`
	LowWear      bool        `json:"low_wear_warning"`
	DaysWithData int         `json:"days_with_data"`
	Mean         *float64    `json:"mean"`
	SD           *float64    `json:"sd"`
	CV           *float64    `json:"cv"`
	GMI          *float64    `json:"gmi_percent"`
	LowEpisodes  int         `json:"low_episodes"`
	Ranges       []jsonRange `json:"ranges"`
	Profile      []jsonSlot  `json:"profile"`
	Daily        []jsonDay   `json:"daily"`
}

type jsonRange struct {
	Name     string  `json:"name"`
	Limits   string  `json:"limits"`
	Goal     string  `json:"goal"`
	Readings int     `json:"readings"`
	Fraction float64 `json:"fraction"`
	Percent  int     `json:"percent"`
}

type jsonSlot struct {
	Time     string   `json:"time"`
	Readings int      `json:"readings"`
	P5       *float64 `json:"p5"`
	P25      *float64 `json:"p25"`
	P50      *float64 `json:"p50"`
	P75      *float64 `json:"p75"`
	P95      *float64 `json:"p95"`
}

type jsonDay struct {
	Date        string   `json:"date"`
	Readings    int      `json:"readings"`
	Mean        *float64 `json:"mean"`
	InRange     *float64 `json:"in_range"`
	Percent     []int    `json:"range_percents"`
	LowEpisodes int      `json:"low_episodes"`
}

var jsonBandNames = [stats.NumBands]string{"very_low", "low", "in_range", "high", "very_high"}

// JSON writes the report as one JSON object. Glucose is in the unit
// (mmol/L to 2 decimals, mg/dL to 1); fractions are 0–1; times carry
// their zone offset; a quantity without data is null.
func JSON(w io.Writer, p *agp.Profile, u client.Unit, generated time.Time) error {
	s := p.Summary
	g := func(mgdl float64) *float64 {
		v := round(u.Convert(mgdl), 1+u.Decimals())
		return &v
	}
	out := jsonReport{
		From: p.From.In(p.Loc).Format(time.RFC3339), To: p.To.In(p.Loc).Format(time.RFC3339),
		Days: len(p.Days), Unit: u.String(), Generated: generated.In(p.Loc).Format(time.RFC3339),
		Readings: s.Count, Expected: s.Expected, SensorActive: round(s.Active(), 4), LowWear: p.LowWear(),
		DaysWithData: p.DaysWithData(), LowEpisodes: p.Lows,
		Ranges: []jsonRange{}, Profile: []jsonSlot{}, Daily: []jsonDay{},
	}
	if s.Count > 0 {
		out.Mean, out.SD = g(s.Mean), g(s.SD)
		cv, gmi := round(s.CV, 4), round(s.GMI, 2)
		out.CV, out.GMI = &cv, &gmi
	}
	limits, pct := BandLimits(u), bandPercents(s)
	for b := range stats.NumBands {
		out.Ranges = append(out.Ranges, jsonRange{Name: jsonBandNames[b], Limits: limits[b], Goal: BandGoals[b],
			Readings: p.Sums.Bands[b], Fraction: round(s.Bands[b], 4), Percent: pct[b]})
	}
	for i, sl := range p.Slots {
		js := jsonSlot{Time: fmt.Sprintf("%02d:%02d", i*15/60, i*15%60), Readings: sl.N}
		if sl.N > 0 {
			js.P5, js.P25, js.P50, js.P75, js.P95 = g(sl.P[agp.P5]), g(sl.P[agp.P25]), g(sl.P[agp.P50]), g(sl.P[agp.P75]), g(sl.P[agp.P95])
		}
		out.Profile = append(out.Profile, js)
	}
	for _, d := range p.Days {
		ds := d.Summary()
		jd := jsonDay{Date: d.Date.Format(time.DateOnly), Readings: ds.Count, LowEpisodes: d.Lows}
		if ds.Count > 0 {
			pc := stats.Percentages(ds.Bands)
			ir := round(ds.Bands[stats.InRange], 4)
			jd.Mean, jd.InRange, jd.Percent = g(ds.Mean), &ir, pc[:]
		}
		out.Daily = append(out.Daily, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func round(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}
