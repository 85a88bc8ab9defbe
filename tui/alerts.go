package tui

import (
	"io"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// alertKind is one alert the monitor can raise, most urgent first.
type alertKind uint8

const (
	alertUrgentLow alertKind = iota
	alertLow
	alertStale
	alertFalling
	alertHigh
	alertRising
	numAlerts
)

func (k alertKind) title() string {
	switch k {
	case alertUrgentLow:
		return "URGENT LOW"
	case alertLow:
		return "LOW"
	case alertStale:
		return "NO DATA"
	case alertFalling:
		return "FALLING FAST"
	case alertHigh:
		return "HIGH"
	case alertRising:
		return "RISING FAST"
	}
	return "ALERT"
}

// fastRate is the rate (mg/dL/min) from which glucose counts as rising or
// falling fast: Dexcom's single-arrow band.
const fastRate = 2.0

// rearmAfter is how long a condition must stay clear before the next
// occurrence counts as a new episode, so a value wobbling across a limit
// rings once, not at every reading.
const rearmAfter = 10 * time.Minute

// conditions says which alert conditions hold right now.
type conditions [numAlerts]bool

// episode is one alert's state: open while its condition holds (and for
// rearmAfter after), notified once the user has been told.
type episode struct {
	open       bool
	notified   bool
	clearSince time.Time
}

// alertState is the alert reducer's state. It is a value: step and
// snooze return a new one, so the logic is tested without a terminal.
type alertState struct {
	ep           [numAlerts]episode
	snoozedUntil time.Time
}

// step moves every alert to now given the conditions and which alerts the
// user turned on; it returns the alerts to announce now. An alert is
// announced once per episode, and not while snoozed (an episode that is
// still open when a snooze ends is announced then).
func (s alertState) step(c conditions, enabled [numAlerts]bool, now time.Time) (alertState, []alertKind) {
	var fire []alertKind
	snoozed := now.Before(s.snoozedUntil)
	for k := range numAlerts {
		e := &s.ep[k]
		switch {
		case !enabled[k]:
			*e = episode{}
			continue
		case c[k]:
			e.open = true
			e.clearSince = time.Time{}
		case e.open:
			if e.clearSince.IsZero() {
				e.clearSince = now
			}
			if now.Sub(e.clearSince) >= rearmAfter {
				*e = episode{}
			}
			continue
		default:
			continue
		}
		if !e.notified && !snoozed {
			e.notified = true
			fire = append(fire, k)
		}
	}
	return s, fire
}

// snooze silences alerts for d. Open episodes are marked for a reminder:
// if their condition still holds when the snooze ends, they ring again.
func (s alertState) snooze(now time.Time, d time.Duration) alertState {
	s.snoozedUntil = now.Add(d)
	for k := range s.ep {
		if s.ep[k].open {
			s.ep[k].notified = false
		}
	}
	return s
}

// snoozed reports whether alerts are silenced at now.
func (s alertState) snoozed(now time.Time) bool { return now.Before(s.snoozedUntil) }

func enabledAlerts(a config.Alerts) [numAlerts]bool {
	var e [numAlerts]bool
	e[alertUrgentLow] = a.UrgentLow
	e[alertLow] = a.Low
	e[alertStale] = a.Stale
	e[alertFalling] = a.Falling
	e[alertHigh] = a.High
	e[alertRising] = a.Rising
	return e
}

// currentConditions reads the alert conditions off the newest reading.
// Glucose alerts need fresh data: an old low is reported as no data, not
// as a low.
func currentConditions(latest client.Reading, stale bool, t config.Thresholds) conditions {
	var c conditions
	if latest.Time.IsZero() {
		return c
	}
	if stale {
		c[alertStale] = true
		return c
	}
	if v, ok := plotValue(latest); ok {
		c[alertUrgentLow] = v < float64(t.UrgentLow)
		c[alertLow] = !c[alertUrgentLow] && v < float64(t.Low)
		c[alertHigh] = v > float64(t.High)
	}
	switch latest.Trend {
	case client.TrendDoubleDown, client.TrendSingleDown:
		c[alertFalling] = true
	case client.TrendDoubleUp, client.TrendSingleUp:
		c[alertRising] = true
	}
	if latest.HasRate {
		c[alertFalling] = c[alertFalling] || latest.TrendRate <= -fastRate
		c[alertRising] = c[alertRising] || latest.TrendRate >= fastRate
	}
	return c
}

// activeAlert is the most urgent alert whose condition holds and which the
// user turned on.
func (m Model) activeAlert() (alertKind, bool) {
	c := currentConditions(m.fresh.Latest, m.stale(), m.cfg.Thresholds)
	en := enabledAlerts(m.cfg.Alerts)
	for k := range numAlerts {
		if c[k] && en[k] {
			return k, true
		}
	}
	return 0, false
}

// checkAlerts steps the alert reducer and returns the command that rings
// the terminal for the alerts that fire.
func (m *Model) checkAlerts() tea.Cmd {
	c := currentConditions(m.fresh.Latest, m.stale(), m.cfg.Thresholds)
	var fire []alertKind
	m.alerts, fire = m.alerts.step(c, enabledAlerts(m.cfg.Alerts), m.now)
	if len(fire) == 0 {
		return nil
	}
	var seq strings.Builder
	if m.cfg.Alerts.Bell {
		seq.WriteString("\a")
	}
	if m.cfg.Alerts.Desktop {
		text := m.alertText(fire[0])
		if m.name != "" {
			text = m.name + ": " + text // several people: say whose
		}
		seq.WriteString(desktopNotification("cgmtop", text, os.Getenv("TMUX") != ""))
	}
	if seq.Len() == 0 {
		return nil
	}
	return writeCmd(m.out, seq.String())
}

// alertText is an alert in words, with the value that caused it.
func (m Model) alertText(k alertKind) string {
	r := m.fresh.Latest
	switch k {
	case alertStale:
		return "no data for " + span(m.now.Sub(r.Time))
	case alertFalling, alertRising:
		s := k.title() + " " + valueText(r, m.unit())
		if r.HasRate {
			s += " " + rateText(r.TrendRate, m.unit())
		}
		return s
	}
	if !r.Known() {
		return k.title() + " (sensor reads " + valueText(r, m.unit()) + ")"
	}
	return k.title() + " " + valueText(r, m.unit()) + " " + m.unit().String()
}

// writeCmd writes terminal escapes in one Write, from a command rather
// than from Update, so the program never blocks on the terminal.
func writeCmd(w io.Writer, s string) tea.Cmd {
	return func() tea.Msg {
		_, err := io.WriteString(w, s)
		return notifiedMsg{err: err}
	}
}

// desktopNotification is the escape sequence for a desktop notification:
// OSC 9 (iTerm2, kitty, WezTerm, Windows Terminal) and OSC 777 (VTE, foot,
// urxvt). Inside tmux each is wrapped in a DCS passthrough, which needs
// `set -g allow-passthrough on`.
func desktopNotification(title, body string, tmux bool) string {
	title = strings.ReplaceAll(printable(title), ";", ",")
	body = printable(body)
	seqs := []string{
		"\x1b]9;" + title + ": " + body + "\x07",
		"\x1b]777;notify;" + title + ";" + body + "\x07",
	}
	var b strings.Builder
	for _, s := range seqs {
		if tmux {
			b.WriteString("\x1bPtmux;" + strings.ReplaceAll(s, "\x1b", "\x1b\x1b") + "\x1b\\")
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}

// printable drops control characters, which would end the escape early.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}
