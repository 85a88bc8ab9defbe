package tui

import (
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// glanceSpan is how much history a person's row or tile draws: the last
// hours, enough to see where glucose is heading.
const glanceSpan = 3 * time.Hour

// State is what a person's data is like, beyond the reading itself.
type State uint8

const (
	StateOK        State = iota // a current reading
	StateLoading                // the cache has not answered yet
	StateNoData                 // no reading yet (first sync pending)
	StateStale                  // the newest reading is too old to act on
	StateLoggedOut              // logged out, or the login was refused
	StateError                  // the source or the cache fails
)

// Glance is what the overview shows of one person, computed from their
// monitor's model. It is a value: rows compare the last one they drew
// with the next to know whether to draw again.
type Glance struct {
	Person int    // index in the App's people, in account order
	Name   string // display name
	Unit   client.Unit
	State  State

	Latest   client.Reading // zero when there is none
	Band     theme.Range    // of Latest, by the person's thresholds
	Value    string         // "112", "6.2", "HIGH", "LOW", "---"
	Arrow    string
	Delta    string // "+3", "" when no close previous reading
	Age      string // "3m"
	AgeWords string // "3 min ago", "just now"
	Since    string // "27 min": how old the reading is, for "no data for"
	Source   string // where the reading came from: "Dexcom Share"

	// Alert is the most urgent alert whose condition holds and which the
	// person's settings turn on; HasAlert says whether there is one.
	Alert    alertKind
	HasAlert bool
	Snoozed  bool
	// Problem is what is wrong with getting data, in plain words, or "".
	Problem string

	Recent     []client.Reading // the last glanceSpan, ascending (shared, never modified)
	Now        time.Time        // the person's clock when computed
	Thresholds config.Thresholds
}

// rank orders people most urgent first: the sooner someone must act, the
// higher. A low kills faster than a high, and a reading nobody can see
// (stale) may hide a low, so it comes right after the lows; a person whose
// data stopped for a known reason (logged out, failing source) comes
// before the quiet ones. Ties keep account order.
func (g Glance) rank() int {
	switch g.State {
	case StateStale:
		return 2
	case StateLoggedOut, StateError:
		if g.Latest.Time.IsZero() {
			return 5
		}
	case StateLoading, StateNoData:
		return 6
	}
	switch g.Band {
	case theme.UrgentLow:
		return 0
	case theme.Low:
		return 1
	case theme.VeryHigh:
		return 3
	case theme.High:
		return 4
	}
	if g.State == StateLoggedOut || g.State == StateError {
		return 5
	}
	return 7
}

// same reports whether a row drawn from g would look like one drawn from
// o. History is compared by identity: a load always brings a new slice.
func (g Glance) same(o Glance) bool {
	return g.Person == o.Person && g.Name == o.Name && g.Unit == o.Unit && g.State == o.State &&
		g.Latest == o.Latest && g.Band == o.Band && g.Value == o.Value && g.Arrow == o.Arrow &&
		g.Delta == o.Delta && g.Age == o.Age && g.AgeWords == o.AgeWords && g.Since == o.Since && g.Source == o.Source &&
		g.Alert == o.Alert && g.HasAlert == o.HasAlert && g.Snoozed == o.Snoozed &&
		g.Problem == o.Problem && g.Thresholds == o.Thresholds && sameReadings(g.Recent, o.Recent) &&
		g.Now.Truncate(time.Minute).Equal(o.Now.Truncate(time.Minute))
}

func sameReadings(a, b []client.Reading) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

// glanceOf reads a person's glance off their monitor's model. source names
// the account's source, for readings that carry none.
func glanceOf(m *Model, person int, name, source string) Glance {
	r := m.fresh.Latest
	u := m.unit()
	g := Glance{
		Person:     person,
		Name:       name,
		Unit:       u,
		Latest:     r,
		Value:      valueText(r, u),
		Source:     source,
		Now:        m.now,
		Thresholds: m.cfg.Thresholds,
		Problem:    m.sourceError(),
		Snoozed:    m.alerts.snoozed(m.now),
	}
	if s := sourceNames[r.Source]; s != "" {
		g.Source = s
	}
	g.Alert, g.HasAlert = m.activeAlert()
	switch {
	case !m.loaded:
		g.State = StateLoading
	case !m.hasReading() && g.Problem == "":
		g.State = StateNoData
	case m.stale():
		g.State = StateStale
	case g.Problem != "" && loggedOutProblem(g.Problem):
		g.State = StateLoggedOut
	case g.Problem != "":
		g.State = StateError
	}
	if !m.hasReading() {
		switch {
		case g.Problem != "" && loggedOutProblem(g.Problem):
			g.State = StateLoggedOut
		case g.Problem != "":
			g.State = StateError
		}
		g.Value = "---"
		return g
	}
	g.Band, _ = readingRange(r, m.cfg.Thresholds)
	g.Arrow = arrow(r.Trend, m.cfg.ASCII)
	g.Delta = delta(r, m.fresh.Previous, u)
	g.Age = shortAge(m.now, r.Time)
	g.AgeWords = age(m.now, r.Time)
	g.Since = span(m.now.Sub(r.Time))
	from := m.now.Add(-glanceSpan)
	i := len(m.recent)
	for i > 0 && !m.recent[i-1].Time.Before(from) {
		i--
	}
	g.Recent = m.recent[i:len(m.recent):len(m.recent)]
	return g
}

// loggedOutProblem reports whether a source error means the person must log
// in again: nothing syncs until someone does.
func loggedOutProblem(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"logged out", "cgmtop login", "not logged in", "log in again"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
