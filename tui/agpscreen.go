package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/agp"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/report"
	"github.com/cgmtop/cgmtop/stats"
	"github.com/cgmtop/cgmtop/theme"
)

// agpPeriods are the AGP screen's periods, in days; 14 is the
// consensus minimum and the default.
var agpPeriods = []int{7, 14, 30, 90}

const defaultAgpPeriod = 1

// agpView is which of the screen's two pictures is shown.
type agpView uint8

const (
	viewAGP   agpView = iota // the profile and the consensus metrics
	viewDaily                // a row per day and the last week overlaid
)

// agpKeys are the keys of the AGP and daily screens.
type agpKeys struct {
	Period key.Binding
	Pick   key.Binding
	Switch key.Binding
	Scroll key.Binding
	Units  key.Binding
	Back   key.Binding
}

func defaultAgpKeys() agpKeys {
	return agpKeys{
		Period: key.NewBinding(key.WithKeys("p", "tab"), key.WithHelp("p", "period")),
		Pick:   key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "7/14/30/90d")),
		Switch: key.NewBinding(key.WithKeys("a", "d"), key.WithHelp("a/d", "AGP/daily")),
		Scroll: key.NewBinding(key.WithKeys("up", "down", "k", "j", "pgup", "pgdown"), key.WithHelp("↑↓", "scroll")),
		Units:  key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "units")),
		Back:   key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
	}
}

// agpScreen is the AGP and daily-patterns screen: a self-contained model
// (SetSize, Update, View) that reads its period from the cache in one
// streaming pass when opened or when the period or the data changes, and
// redraws from that profile; no redraw touches the cache.
type agpScreen struct {
	store agp.Store
	clk   clock.Clock
	loc   *time.Location
	th    theme.Theme
	unit  client.Unit
	ascii bool
	keys  agpKeys

	open   bool
	view   agpView
	period int // index in agpPeriods
	scroll int // first day row shown, daily view
	w, h   int

	seq     int
	loading bool
	profile *agp.Profile
	err     error
	drawn   string // the last View, redrawn when an input changes
}

// agpLoadedMsg carries a profile read from the cache; seq drops stale ones.
type agpLoadedMsg struct {
	seq int
	p   *agp.Profile
	err error
}

func newAgpScreen(store agp.Store, clk clock.Clock, loc *time.Location, th theme.Theme, unit client.Unit, ascii bool) agpScreen {
	return agpScreen{store: store, clk: clk, loc: loc, th: th, unit: unit, ascii: ascii, keys: defaultAgpKeys(), period: defaultAgpPeriod}
}

// Open shows the screen in view v and starts reading its period.
func (s agpScreen) Open(v agpView) (agpScreen, tea.Cmd) {
	s.open, s.view, s.scroll = true, v, 0
	s.redraw()
	return s, s.load()
}

// SetSize sets the screen's size and redraws.
func (s *agpScreen) SetSize(w, h int) {
	if s.w == w && s.h == h {
		return // the same size again (the painter asks after each key)
	}
	s.w, s.h = w, h
	s.redraw()
}

// SetUnit switches the unit the screen shows.
func (s *agpScreen) SetUnit(u client.Unit) {
	s.unit = u
	s.redraw()
}

func (s *agpScreen) load() tea.Cmd {
	if s.store == nil {
		s.err = errors.New("the AGP reads the local cache, and this monitor has none")
		s.redraw()
		return nil
	}
	s.seq++
	s.loading = true
	store, clk, loc, days, seq := s.store, s.clk, s.loc, agpPeriods[s.period], s.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		from, to := agp.LastDays(clk.Now(), days, loc)
		p, err := agp.Build(ctx, store, from, to, loc)
		if err != nil {
			err = fmt.Errorf("reading the local cache for the AGP: %w", err)
		}
		return agpLoadedMsg{seq: seq, p: p, err: err}
	}
}

// Update handles the screen's keys and loads. Keys it does not know are
// left to the caller (which closes the screen on Back).
func (s agpScreen) Update(msg tea.Msg) (agpScreen, tea.Cmd) {
	switch msg := msg.(type) {
	case agpLoadedMsg:
		if msg.seq != s.seq {
			return s, nil
		}
		s.loading = false
		s.err = msg.err
		if msg.err == nil {
			s.profile = msg.p
		}
		s.redraw()
	case SyncedMsg:
		if msg.Added > 0 {
			return s, s.load()
		}
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Period):
			s.period = (s.period + 1) % len(agpPeriods)
			s.scroll = 0
			return s, s.load()
		case key.Matches(msg, s.keys.Pick):
			s.period = int(msg.String()[0] - '1')
			s.scroll = 0
			return s, s.load()
		case key.Matches(msg, s.keys.Switch):
			s.view = viewAGP
			if msg.String() == "d" {
				s.view = viewDaily
			}
			s.redraw()
		case key.Matches(msg, s.keys.Scroll):
			switch msg.String() {
			case "up", "k":
				s.scroll--
			case "down", "j":
				s.scroll++
			case "pgup":
				s.scroll -= max(s.h/2, 1)
			case "pgdown":
				s.scroll += max(s.h/2, 1)
			}
			s.redraw()
		}
	}
	return s, nil
}

// View is the last drawing.
func (s agpScreen) View() string { return s.drawn }

func (s *agpScreen) style() report.Style {
	return report.Style{Theme: s.th, Unit: s.unit, ASCII: s.ascii}
}

// redraw renders the screen for its size, data, view and unit.
func (s *agpScreen) redraw() {
	if !s.open || s.w <= 0 || s.h <= 0 {
		s.drawn = ""
		return
	}
	w, h := s.w, s.h
	lines := []string{s.titleLine(w)}
	help := s.helpLine(w)
	room := h - 1
	if h >= 6 {
		room--
	}
	var body []string
	switch {
	case s.err != nil:
		body = pack(strings.Fields(s.err.Error()), " ", w)
	case s.profile == nil:
		body = []string{s.th.Styles.Muted.Render("reading the cache…")}
	case s.profile.Summary.Count == 0:
		body = []string{s.th.Styles.Muted.Render(fmt.Sprintf("No readings in the last %d days.", agpPeriods[s.period]))}
	case s.view == viewDaily:
		body = s.dailyBody(w, room)
	default:
		body = s.agpBody(w, room)
	}
	if len(body) > room {
		body = body[:room]
	}
	lines = append(lines, body...)
	if h >= 6 {
		for len(lines) < h-1 {
			lines = append(lines, "")
		}
		lines = append(lines, help)
	}
	s.drawn = fit(lines, w, h)
}

func (s *agpScreen) titleLine(w int) string {
	st := s.th.Styles
	name := "AGP"
	if s.view == viewDaily {
		name = "Daily patterns"
	}
	short := strings.Fields(name)[0]
	days := agpPeriods[s.period]
	// Shorter as the screen narrows, as the monitor's header does: the
	// name and period in fewer words before the unit goes (it says what
	// the means are in), and never a word cut.
	ways := []string{
		st.Title.Render(name) + st.Muted.Render(fmt.Sprintf(" · %d days", days)),
		st.Title.Render(short) + st.Muted.Render(fmt.Sprintf(" · %d days", days)),
		st.Title.Render(short) + st.Muted.Render(fmt.Sprintf(" · %d d", days)),
		st.Title.Render(short),
	}
	if s.profile != nil && w >= 60 {
		ways = append([]string{ways[0] + st.Muted.Render(" · "+report.PeriodLabel(s.profile))}, ways...)
	}
	unit := st.Muted.Render(s.unit.String())
	rights := []string{unit}
	if s.loading && s.profile != nil {
		rights = []string{st.Muted.Render("updating… ") + unit, unit}
	}
	for _, left := range ways {
		for _, right := range rights {
			if gap := w - lipgloss.Width(left) - lipgloss.Width(right); gap >= 1 {
				return left + strings.Repeat(" ", gap) + right
			}
		}
	}
	return firstFit(w, ways...)
}

func (s *agpScreen) helpLine(w int) string {
	k := s.keys
	binds := []key.Binding{k.Pick, k.Switch, k.Units, k.Back}
	if s.view == viewDaily {
		binds = []key.Binding{k.Pick, k.Switch, k.Scroll, k.Units, k.Back}
	}
	st := s.th.Styles
	var parts []string
	for _, b := range binds {
		parts = append(parts, st.HelpKey.Render(b.Help().Key)+" "+st.HelpDesc.Render(b.Help().Desc))
	}
	lines := pack(parts, st.HelpSep.Render(" · "), w)
	return lines[0]
}

// agpBody is the profile chart with the metrics beside it (wide) or above
// it (narrow), and the wear warning first when there is one.
func (s *agpScreen) agpBody(w, room int) []string {
	p, st := s.profile, s.th.Styles
	var out []string
	if warn := report.WearWarning(p); warn != "" {
		glyph := "⚠ "
		if s.ascii {
			glyph = "! "
		}
		wrapped := pack(strings.Fields(glyph+warn), " ", w)
		if room < 16 {
			wrapped = wrapped[:1]
		}
		for _, l := range wrapped {
			out = append(out, st.Warn.Render(l))
		}
	}
	pct := stats.Percentages(p.Summary.Bands)
	limits := report.BandLimits(s.unit)
	metrics := report.MetricLines(p, s.unit)
	if w >= 100 && room >= 14 {
		// Metrics in a column at the right, the chart fills the rest.
		colW := 36
		var col []string
		col = append(col, st.Bold.Render("Time in ranges"))
		col = append(col, report.RangeBar(p.Sums, colW-6, s.style())+" "+st.Bold.Render(fmt.Sprintf("%d%%", pct[stats.InRange])))
		for b := stats.NumBands - 1; b >= 0; b-- {
			col = append(col, st.Text.Render(fmt.Sprintf("%-9s %-9s %3d%%", report.BandNames[b], limits[b], pct[b]))+st.Muted.Render(fmt.Sprintf("  %4s", report.BandGoals[b])))
			if b == 0 {
				break
			}
		}
		col = append(col, "", st.Bold.Render("Glucose statistics"))
		for _, m := range metrics {
			col = append(col, st.Muted.Render(fmt.Sprintf("%-15s", m[0]))+st.Text.Render(m[1]))
		}
		chartH := room - len(out) - 1
		chart := report.ChartLines(p, w-colW-2, chartH, s.style())
		chart = append(chart, "     "+report.Legend(s.style()))
		for i, l := range chart {
			c := ""
			if i < len(col) {
				c = col[i]
			}
			out = append(out, padTo(l, w-colW-2)+"  "+c)
		}
		return out
	}
	// Narrow: a bar with TIR, the bands and metrics packed, then the chart.
	bar := report.RangeBar(p.Sums, max(min(w-16, 40), 4), s.style())
	out = append(out, bar+" "+st.Bold.Render(fmt.Sprintf("%d%%", pct[stats.InRange]))+st.Muted.Render(" in range"))
	var parts []string
	short := map[string]string{"Mean glucose": "mean", "Sensor active": "active", "Days with data": "days", "Low episodes": "lows"}
	for _, m := range metrics {
		name, ok := short[m[0]]
		if !ok {
			name = m[0]
		}
		v := m[1]
		if i := strings.Index(v, " ("); i > 0 {
			v = v[:i] // "(≤36% stable)" is the CV's gloss; narrow screens keep the number
		}
		if m[0] == "SD" {
			continue
		}
		parts = append(parts, st.Muted.Render(name+" ")+st.Text.Render(v))
	}
	for b := stats.NumBands - 1; b >= 0; b-- {
		if b != stats.InRange {
			parts = append(parts, st.Muted.Render(limits[b]+" ")+st.Text.Render(fmt.Sprintf("%d%%", pct[b])))
		}
		if b == 0 {
			break
		}
	}
	info := pack(parts, st.Muted.Render(" · "), w)
	chartH := room - len(out) - len(info)
	if chartH < 5 {
		// Too short for both: keep the chart, say the essentials in one line.
		info = info[:min(1, len(info))]
		chartH = room - len(out) - len(info)
	}
	out = append(out, info...)
	if chartH >= 3 {
		out = append(out, report.ChartLines(p, w, chartH, s.style())...)
	}
	return out
}

// dailyBody is the last week overlaid (when there is room) over one row
// per day, newest first, scrolled by the user.
func (s *agpScreen) dailyBody(w, room int) []string {
	p, st := s.profile, s.th.Styles
	var out []string
	if room >= 18 {
		overlayH := min(max(room*2/5, 8), 20)
		out = append(out, st.Bold.Render("Last 7 days overlaid")+st.Muted.Render(" · each day by its number"))
		out = append(out, report.OverlayLines(p, 7, w, overlayH-1, s.style())...)
	}
	out = append(out, report.DayHeader(w, s.style()))
	rows := room - len(out)
	n := len(p.Days)
	s.scroll = min(max(s.scroll, 0), max(n-rows, 0))
	for i := n - 1 - s.scroll; i >= 0 && len(out) < room; i-- {
		out = append(out, report.DayRow(p.Days[i], w, s.style()))
	}
	if hidden := n - s.scroll - rows; hidden > 0 && rows > 1 {
		out[len(out)-1] = st.Muted.Render(fmt.Sprintf("… %d more days (↓)", hidden+1))
	}
	return out
}

// padTo pads a styled line with spaces to w cells.
func padTo(s string, w int) string {
	if n := w - lipgloss.Width(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}
