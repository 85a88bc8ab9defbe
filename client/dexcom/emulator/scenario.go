package emulator

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// ScenarioKind is a situation forced onto the simulated sensor.
type ScenarioKind int

const (
	// ScenarioHigh forces every reading in the window above 400 mg/dL (status high).
	ScenarioHigh ScenarioKind = iota + 1
	// ScenarioLow forces every reading in the window below 40 mg/dL (status low).
	ScenarioLow
	// ScenarioGap removes every reading in the window, as a lost signal does.
	ScenarioGap
	// ScenarioSkew shifts displayTime from systemTime by Skew, as a phone
	// with a wrong clock does.
	ScenarioSkew
	// ScenarioLate holds back every reading in the window until Delay
	// after its time, as a transmitter that lost its signal backfills
	// what it measured when it reconnects (G7: up to 24 hours, G6: 3).
	// Until then the slot looks like a gap; afterwards the reading is
	// served as it always would have been, with its original times.
	ScenarioLate
)

func (k ScenarioKind) String() string {
	switch k {
	case ScenarioHigh:
		return "high"
	case ScenarioLow:
		return "low"
	case ScenarioGap:
		return "gap"
	case ScenarioSkew:
		return "skew"
	case ScenarioLate:
		return "late"
	}
	return fmt.Sprintf("ScenarioKind(%d)", int(k))
}

// Scenario forces a situation onto the sensor over a window of system time.
// Like the rest of the sensor it is a function of time: a window in the past
// changes what history queries return.
type Scenario struct {
	Kind ScenarioKind
	// Start is the window's start. When zero, the window starts at Offset
	// from the emulator clock's time when the scenario is added (at New for
	// Config.Scenarios).
	Start  time.Time
	Offset time.Duration
	// Duration is the window's length. Zero means for all time, which only
	// makes sense for ScenarioSkew.
	Duration time.Duration
	// Skew is displayTime minus systemTime (beyond the zone offset), for ScenarioSkew.
	Skew time.Duration
	// Delay is how long after its time a reading in the window is first
	// served, for ScenarioLate.
	Delay time.Duration
}

// resolve turns a scenario into a window in unix seconds, taking relative
// starts from now.
func (sc Scenario) resolve(now time.Time) window {
	w := window{kind: sc.Kind, skew: int64(sc.Skew / time.Second), delay: int64(sc.Delay / time.Second)}
	if sc.Duration <= 0 {
		w.start, w.end = math.MinInt64/2, math.MaxInt64/2
		return w
	}
	start := sc.Start
	if start.IsZero() {
		start = now.Add(sc.Offset)
	}
	w.start = start.Unix()
	w.end = start.Add(sc.Duration).Unix()
	return w
}

// ParseScenario reads a scenario from a flag value, times relative to now:
//
//	high:-30m:1h   a HIGH run that started 30 minutes ago and lasts an hour
//	low:+10m:40m   a LOW run starting in 10 minutes, for 40 minutes
//	gap:-2h:45m    no readings for 45 minutes, starting 2 hours ago
//	skew:+7m       displayTime runs 7 minutes ahead of systemTime, always
//	skew:-1h:-3h:2h  displayTime an hour behind, over a 2-hour window
//	late:-1h:45m:+2h the readings of the 45 minutes from an hour ago are
//	                 served only 2 hours after they were taken (a backfill)
func ParseScenario(spec string) (Scenario, error) {
	parts := strings.Split(strings.TrimSpace(spec), ":")
	var sc Scenario
	switch strings.ToLower(parts[0]) {
	case "high":
		sc.Kind = ScenarioHigh
	case "low":
		sc.Kind = ScenarioLow
	case "gap":
		sc.Kind = ScenarioGap
	case "skew":
		sc.Kind = ScenarioSkew
	case "late":
		sc.Kind = ScenarioLate
	default:
		return sc, fmt.Errorf("scenario %q: unknown kind %q: use high, low, gap, skew or late", spec, parts[0])
	}
	dur := func(s, what string) (time.Duration, error) {
		d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
		if err != nil {
			return 0, fmt.Errorf("scenario %q: %s %q is not a duration like 30m or -2h: %w", spec, what, s, err)
		}
		return d, nil
	}
	var err error
	args := parts[1:]
	if sc.Kind == ScenarioSkew {
		if len(args) != 1 && len(args) != 3 {
			return sc, fmt.Errorf("scenario %q: want skew:OFFSET or skew:OFFSET:START:DURATION", spec)
		}
		if sc.Skew, err = dur(args[0], "skew"); err != nil {
			return sc, err
		}
		args = args[1:]
		if len(args) == 0 {
			return sc, nil
		}
	}
	if sc.Kind == ScenarioLate {
		if len(args) != 3 {
			return sc, fmt.Errorf("scenario %q: want late:START:DURATION:DELAY, e.g. late:-1h:45m:+2h", spec)
		}
		if sc.Delay, err = dur(args[2], "delay"); err != nil {
			return sc, err
		}
		if sc.Delay <= 0 {
			return sc, fmt.Errorf("scenario %q: delay must be positive", spec)
		}
		args = args[:2]
	}
	if len(args) != 2 {
		return sc, fmt.Errorf("scenario %q: want %s:START:DURATION, START relative to now (e.g. -30m)", spec, sc.Kind)
	}
	if sc.Offset, err = dur(args[0], "start"); err != nil {
		return sc, err
	}
	if sc.Duration, err = dur(args[1], "duration"); err != nil {
		return sc, err
	}
	if sc.Duration <= 0 {
		return sc, fmt.Errorf("scenario %q: duration must be positive", spec)
	}
	return sc, nil
}
