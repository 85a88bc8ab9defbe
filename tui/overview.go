package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/theme"
)

// overview is the screen of everyone followed at a glance: a header, one
// row or tile per person, most urgent first, and the keys.
type overview struct {
	th       theme.Theme
	ascii    bool
	demo     bool
	keys     OverviewKeyMap
	helpBar  helpPane
	fullHelp bool   // the full help shows at the bottom, in place of the short one
	notice   string // what the last key did, in the footer until the next key

	width, height int
	glances       []Glance // by person
	order         []int    // people, most urgent first
	selected      int      // a person, not a position: the cursor follows them
	chosen        bool     // the user moved the cursor; until then it sits on the most urgent
	rows          []personRow
	nameW         int
	grid          grid

	// The screen as last composed, and what it was composed from beyond
	// the rows: it is joined again only when one of them changed.
	view     string
	viewKey  composeKey
	viewRows []int // the order the rows were joined in
	head     memo[overHeadIn]
}

// overHeadIn is what the header is drawn from besides the theme: it is
// drawn again only when one of them changed.
type overHeadIn struct {
	w, people, alerts int
	unit              client.Unit
}

type composeKey struct {
	w, h   int
	grid   grid
	header string
	help   int // the help pane's drawings so far
	notice string
}

// grid is how the people are laid out: cols×rows cells of w×h, after
// skip lines of header.
type grid struct {
	header, footer bool
	cols, w, h     int
	shown          int // people shown; the rest are summed up in one line
}

func newOverview(th theme.Theme, ascii, demo bool, n int) overview {
	keys := DefaultOverviewKeyMap()
	o := overview{th: th, ascii: ascii, demo: demo, keys: keys, helpBar: newHelpPane(keys, newHelp(th)),
		glances: make([]Glance, n), rows: make([]personRow, n), order: make([]int, n)}
	for i := range o.order {
		o.order[i] = i
	}
	return o
}

// measureNames pads one-line rows' names to the longest, up to 12 cells.
// Names are fixed for the App's life: they are measured once.
func (o *overview) measureNames() {
	o.nameW = 0
	for _, g := range o.glances {
		o.nameW = max(o.nameW, lipgloss.Width(g.Name))
	}
	o.nameW = min(o.nameW, 12)
}

// setGlance takes in person i's new glance: the order may change, and
// their row is drawn again if it looks different.
func (o *overview) setGlance(i int, g Glance) {
	o.glances[i] = g
	o.sort()
	o.layout()
}

// sort puts the most urgent first; ties keep account order.
func (o *overview) sort() {
	slices.SortStableFunc(o.order, func(a, b int) int {
		if ra, rb := o.glances[a].rank(), o.glances[b].rank(); ra != rb {
			return ra - rb
		}
		return a - b
	})
}

// SetSize sizes the screen and everything on it.
func (o *overview) SetSize(w, h int) {
	o.width, o.height = w, h
	o.layout()
}

// chooseGrid fits n people in w×h: a header and a footer when there is a
// line to spare for each, one line per person when that is all there is,
// and tiles as square as terminal cells allow when there is more.
func chooseGrid(n, w, h int, wantFooter bool) grid {
	g := grid{cols: 1, w: w, shown: n}
	body := h
	if body-1 >= n {
		g.header, body = true, body-1
	}
	if wantFooter && body-1 >= n {
		g.footer, body = true, body-1
	}
	if body < n {
		// Too few lines: the most urgent fill all but one, which says
		// how many more there are.
		g.shown, g.h = max(body-1, 0), 1
		if body <= 1 {
			g.shown = body
		}
		return g
	}
	g.h = body / n
	best := -1
	for c := 1; c <= n; c++ {
		r := (n + c - 1) / c
		tw, th := w/c, body/r
		// A tile needs room for its border, its name, its reading and a
		// row of sparkline; one column of tiles only when rows of three
		// or more lines fit anyway.
		if tw < 30 || th < 3 || (c > 1 && th < 5) {
			continue
		}
		// Cells are about twice as tall as wide: a tile reads best near
		// 3:1 in cells, and never narrower than its text.
		score := min(tw, th*3)
		if score > best {
			best, g.cols, g.w, g.h = score, c, tw, th
		}
	}
	if best < 0 {
		g.cols, g.w, g.h = 1, w, min(body/n, 2)
	}
	return g
}

// layout chooses the grid for the screen's size and gives every row its
// inputs; only rows whose inputs changed draw again.
func (o *overview) layout() {
	if o.width <= 0 || o.height <= 0 {
		return
	}
	n := len(o.glances)
	// The full help takes the bottom lines (all but one, on a screen
	// too small for it): the people above shrink to lines, the most
	// urgent first, so an alert stays in sight while the keys are read.
	o.helpBar.SetSize(o.width, layoutCompact)
	o.helpBar.Update(o.fullHelp)
	body := o.height
	if o.fullHelp {
		body = max(o.height-len(o.helpBar.Lines()), 1)
	}
	o.grid = chooseGrid(n, o.width, body, !o.fullHelp)
	if !o.chosen && n > 0 {
		o.selected = o.order[0]
	}
	changed := false
	for pos, i := range o.order {
		if pos >= o.grid.shown {
			break
		}
		changed = o.rows[i].set(rowInput{
			g: o.glances[i], w: o.grid.w, h: o.grid.h, nameW: o.nameW,
			th: o.th, ascii: o.ascii, selected: i == o.selected,
		}) || changed
	}
	if hk := o.headIn(); o.head.stale(hk) {
		o.head.put(hk, []string{o.header(hk)})
	}
	key := composeKey{w: o.width, h: o.height, grid: o.grid, header: o.head.view, help: o.helpBar.memo.n, notice: o.notice}
	if changed || key != o.viewKey || !slices.Equal(o.order, o.viewRows) {
		o.view, o.viewKey, o.viewRows = o.compose(), key, slices.Clone(o.order)
	}
}

// move moves the cursor by d people in the order on screen.
func (o *overview) move(d int) {
	pos := slices.Index(o.order, o.selected)
	pos = min(max(pos+d, 0), len(o.order)-1)
	o.selected, o.chosen = o.order[pos], true
	o.layout()
}

// unit is the unit every glance is in.
func (o overview) unit() client.Unit {
	if len(o.glances) > 0 {
		return o.glances[0].Unit
	}
	return client.MgDL
}

// View is the screen as last composed.
func (o overview) View() string {
	if o.width <= 0 || o.height <= 0 {
		return ""
	}
	return o.view
}

// compose joins the header, the rows' cached strings and the footer.
func (o overview) compose() string {
	w, h := o.width, o.height
	var lines []string
	if o.grid.header {
		lines = append(lines, o.head.view)
	}
	g := o.grid
	shown := o.order[:min(g.shown, len(o.order))]
	if g.cols <= 1 {
		for _, i := range shown {
			lines = append(lines, o.rows[i].View())
		}
	} else {
		for start := 0; start < len(shown); start += g.cols {
			var cells []string
			for _, i := range shown[start:min(start+g.cols, len(shown))] {
				cells = append(cells, o.rows[i].View())
			}
			lines = append(lines, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
		}
	}
	if more := len(o.order) - len(shown); more > 0 {
		lines = append(lines, o.th.Styles.Muted.Render(fmt.Sprintf(" +%d more: make the terminal taller", more)))
	}
	out := strings.Split(strings.Join(lines, "\n"), "\n")
	if o.demo && !g.header && len(out) > 0 {
		// No header to carry the badge: the first line does, where it
		// fits, so a demo never passes for someone's real glucose.
		badge := o.th.Styles.Badge.Render("DEMO")
		if gap := w - lipgloss.Width(out[0]) - lipgloss.Width(badge); gap >= 1 {
			out[0] += strings.Repeat(" ", gap) + badge
		}
	}
	switch {
	case o.fullHelp:
		help := o.helpBar.Lines()
		help = help[:min(len(help), max(h-len(out), h-1))]
		for len(out) < h-len(help) {
			out = append(out, "")
		}
		out = append(out[:h-len(help)], help...)
	case g.footer:
		for len(out) < h-1 {
			out = append(out, "")
		}
		foot := o.helpBar.View()
		if o.notice != "" {
			foot = o.th.Styles.Accent.Render(clipWords(o.notice, w))
		}
		out = append(out, foot)
	}
	s := fit(out, w, h)
	if o.ascii {
		return toASCII(s)
	}
	return s
}

// headIn is what the header would be drawn from now.
func (o *overview) headIn() overHeadIn {
	in := overHeadIn{w: o.width, people: len(o.glances), unit: o.unit()}
	for _, g := range o.glances {
		if g.rank() < 6 {
			in.alerts++
		}
	}
	return in
}

// header names the screen and sums it up: how many people, how many need
// attention, the unit.
func (o *overview) header(in overHeadIn) string {
	st := o.th.Styles
	left := st.Title.Render("cgmtop")
	if o.demo {
		left += " " + st.Badge.Render(" DEMO ")
	}
	people := fmt.Sprintf("%d people", in.people)
	right := people
	if in.alerts > 0 {
		right = fmt.Sprintf("%d need attention · %s", in.alerts, people)
	}
	right = st.Muted.Render(right + " · " + in.unit.String())
	return spread(left, right, in.w)
}
