package client

import "time"

// Status is the sensor's verdict on a reading. High and Low mean the true
// value is beyond what the sensor can measure (above 400 or below 40 mg/dL),
// so Value is a bound, not a measurement.
type Status uint8

const (
	StatusUnknown Status = iota
	StatusOK
	StatusHigh
	StatusLow
)

// ParseStatus maps a source's status string to a Status. A missing status
// (null or "") on a reading with a value means the reading is ordinary.
// Strings it does not know map to StatusUnknown, never an error.
func ParseStatus(s string) Status {
	switch s {
	case "", "ok":
		return StatusOK
	case "high":
		return StatusHigh
	case "low":
		return StatusLow
	default:
		return StatusUnknown
	}
}

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusHigh:
		return "high"
	case StatusLow:
		return "low"
	default:
		return "unknown"
	}
}

// Reading is one estimated glucose value.
type Reading struct {
	Time        time.Time // UTC system time: the key and the clock everything else uses
	DisplayTime time.Time // time as the display device showed it (may carry a zone offset)
	Value       int       // mg/dL; 0 when the source sent none
	Status      Status
	Trend       Trend
	TrendRate   float64 // mg/dL per minute; meaningful only when HasRate
	HasRate     bool
	// Source is the kind of source the reading came from ("share",
	// "dexcom", ...) when an account has several; "" when it has one.
	Source string
	// Arrived is when cgmtop first fetched the reading; zero when unknown.
	// Arrived − Time is how late the reading reached cgmtop.
	Arrived time.Time
}

// Known reports whether Value can be shown as a number.
func (r Reading) Known() bool { return r.Status == StatusOK && r.Value > 0 }

// Device is a transmitter, receiver or phone app that uploads readings.
type Device struct {
	TransmitterID string
	Generation    string // g6, g7, dexcomPro, unknown, ...
	DisplayDevice string // iOS, android, receiver, ...
	DisplayApp    string
	LastUpload    time.Time

	// What an uploader or a pump/closed loop reports (Nightscout's
	// devicestatus); each is meaningful only when its Has flag is set.
	Battery    int // uploader battery, percent
	HasBattery bool
	IOB        float64 // insulin on board, units
	HasIOB     bool
	COB        float64 // carbs on board, grams
	HasCOB     bool
}

// HasCalibrations reports whether this generation of sensor takes
// fingerstick calibrations (G7 does not).
func (d Device) HasCalibrations() bool {
	switch d.Generation {
	case "g7", "dexcomOne+", "stelo":
		return false
	}
	return true
}

// Event is something the user entered: carbs, insulin, exercise, a note...
type Event struct {
	ID          string
	Time        time.Time
	DisplayTime time.Time
	Type        string // carbs, insulin, exercise, health, notes, bloodGlucose, unknown
	SubType     string
	Value       string // as sent: v3 sends numbers as strings
	Unit        string
	Deleted     bool
}

// Calibration is a fingerstick blood glucose entered to calibrate a sensor.
type Calibration struct {
	ID          string
	Time        time.Time
	DisplayTime time.Time
	Value       int // mg/dL
}

// Alert is an alert the display device raised.
type Alert struct {
	ID          string
	Time        time.Time
	DisplayTime time.Time
	Name        string // high, low, urgentLow, urgentLowSoon, rise, fall, outOfRange, noReadings, unknown
	State       string
}

// Span is the first and last record time of one kind of record; both are
// zero when the account has none.
type Span struct {
	Start, End time.Time
}

// Empty reports whether the span holds no records.
func (s Span) Empty() bool { return s.End.IsZero() }

// DataRange tells what an account holds.
type DataRange struct {
	Readings     Span
	Events       Span
	Calibrations Span
	LastSync     time.Time // zero when the source does not say
}
