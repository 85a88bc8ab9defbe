package tui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/theme"
)

// personRow is the overview's pane for one person: a line when rows are
// short, a tile with a sparkline when there is room. It keeps the string
// it drew and the inputs it drew it from, and draws again only when one of
// them changed: a glance (value, age, alert…), the size, the theme, the
// alphabet or the cursor.
type personRow struct {
	in   rowInput
	view string
	ok   bool // view was drawn from in
}

// rowInput is everything a row is drawn from.
type rowInput struct {
	g        Glance
	w, h     int
	nameW    int // names are padded to this in one-line rows, so values align
	th       theme.Theme
	ascii    bool
	selected bool
}

func (in rowInput) same(o rowInput) bool {
	return in.g.same(o.g) && in.w == o.w && in.h == o.h && in.nameW == o.nameW &&
		in.th.Name == o.th.Name && in.ascii == o.ascii && in.selected == o.selected
}

// set gives the row its inputs, drawing it again if they changed; it
// reports whether it did.
func (r *personRow) set(in rowInput) bool {
	if r.ok && r.in.same(in) {
		return false
	}
	r.in, r.ok = in, true
	r.view = in.render()
	return true
}

// SetSize sizes the row, drawing it again if the size changed.
func (r *personRow) SetSize(w, h int) {
	in := r.in
	in.w, in.h = w, h
	r.set(in)
}

// View is the row as last drawn.
func (r personRow) View() string { return r.view }

func (in rowInput) render() string {
	w, h := max(in.w, 1), max(in.h, 1)
	switch {
	case h == 1:
		return in.line(w, true)
	case h == 2 || w < 16:
		// The second line has the sparkline: the first leaves it out.
		return strings.Join([]string{in.line(w, false), in.second(w)}, "\n")
	}
	return in.tile(w, h)
}

func (in rowInput) warnGlyph() string {
	if in.ascii {
		return "!"
	}
	return "⚠"
}

// cursor marks the selected person; enter opens them.
func (in rowInput) cursor() string {
	if !in.selected {
		return " "
	}
	if in.ascii {
		return in.th.Styles.Accent.Render(">")
	}
	return in.th.Styles.Accent.Render("›")
}

// label is the person's number (their key) and name.
func (in rowInput) label(nameW int) string {
	st := in.th.Styles
	name := in.g.Name
	if nameW > 0 {
		name = padRight(clipName(name, nameW), nameW)
	}
	num := ""
	if in.g.Person < 9 {
		num = st.Muted.Render(strconv.Itoa(in.g.Person+1)) + " "
	}
	return in.cursor() + num + st.Bold.Render(name)
}

// clipName shortens a name to n cells with an ellipsis.
func clipName(s string, n int) string {
	if lipgloss.Width(s) <= n {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && lipgloss.Width(string(rs))+1 > n {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

func padRight(s string, n int) string {
	if w := lipgloss.Width(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

func padLeft(s string, n int) string {
	if w := lipgloss.Width(s); w < n {
		return strings.Repeat(" ", n-w) + s
	}
	return s
}

// valueParts are the reading's forms for a line, longest first: the band's
// glyph spells out a band beyond the target range for those who do not
// see the colour. A stale reading is never shown as a value.
func (in rowInput) valueParts() []string {
	g, st := in.g, in.th.Styles
	switch {
	case g.State == StateStale:
		return []string{st.Warn.Render("no data " + g.Age), st.Warn.Render("no data"), st.Warn.Render(in.warnGlyph())}
	case g.Latest.Time.IsZero():
		return []string{st.Muted.Render(padLeft("---", 4))}
	}
	vs := in.th.Style(g.Band)
	text := vs.Render(padLeft(g.Value, 4))
	if in.th.Labels || g.Band != theme.InRange {
		return []string{vs.Render(g.Band.Glyph(in.ascii)) + " " + text, text}
	}
	return []string{"  " + text, text}
}

// alertParts say the alert, or the problem, in a line's forms.
func (in rowInput) alertParts() []string {
	g, st := in.g, in.th.Styles
	if g.State == StateLoggedOut {
		return []string{st.Error.Render(in.warnGlyph() + " logged out"), st.Error.Render(in.warnGlyph())}
	}
	if g.State == StateError {
		short := shortError(g.Problem)
		return []string{st.Error.Render(in.warnGlyph() + " " + short[len(short)-1]), st.Error.Render(in.warnGlyph())}
	}
	if !g.HasAlert || g.Alert == alertStale {
		return nil // a stale reading already says "no data"
	}
	style := st.Banner
	if g.Alert == alertUrgentLow {
		style = st.Urgent
	}
	title := g.Alert.title()
	if g.Snoozed {
		title += " (snoozed)"
	}
	return []string{style.Render(" " + title + " "), style.Render(" " + g.Alert.title() + " "), style.Render(in.warnGlyph())}
}

// line is the person in one line, parts giving way least important first.
func (in rowInput) line(w int, spark bool) string {
	g, st := in.g, in.th.Styles
	var parts []linePart
	add := func(prio int, ways ...string) {
		if len(ways) > 0 {
			parts = append(parts, linePart{ways: ways, prio: prio})
		}
	}
	short := min(in.nameW, 6)
	add(10, in.label(in.nameW), in.label(short), in.label(3))
	add(9, in.valueParts()...)
	if g.State != StateStale && !g.Latest.Time.IsZero() {
		if g.Arrow != "" {
			add(8, st.Bold.Render(g.Arrow))
		}
		if g.Delta != "" {
			add(3, padLeft(g.Delta, 3))
		}
		add(6, st.Muted.Render(padLeft(g.Age, 3)))
	}
	add(7, in.alertParts()...)
	if g.State == StateLoading {
		add(2, st.Muted.Render("loading…"))
	} else if g.State == StateNoData {
		add(2, st.Muted.Render("waiting for the first sync…"), st.Muted.Render("waiting…"))
	}
	if spark && len(g.Recent) > 0 {
		var ways []string
		for _, n := range []int{24, 12, 6} {
			ways = append(ways, in.spark(n, 1)[0])
		}
		add(2, ways...)
	}
	if g.Source != "" {
		add(1, st.Muted.Render(g.Source))
	}
	return fitParts(w, parts)
}

// second is the line under a two-line row: what is wrong, in words, or the
// last hours as a sparkline.
func (in rowInput) second(w int) string {
	g, st := in.g, in.th.Styles
	indent := "   "
	if in.g.Person >= 9 {
		indent = " "
	}
	w -= len(indent)
	if w < 1 {
		return ""
	}
	if g.Problem != "" && (g.State == StateLoggedOut || g.State == StateError || g.State == StateStale || g.Latest.Time.IsZero()) {
		return indent + st.Error.Render(in.problemLines("", w, 1)[0])
	}
	if g.State == StateStale {
		return indent + st.Warn.Render(clipWords("no data for "+g.Since+" · last "+g.Value+" "+g.Unit.String(), w))
	}
	if len(g.Recent) == 0 {
		return ""
	}
	caption := st.Muted.Render(" last 3h")
	if w-lipgloss.Width(caption) >= 8 {
		return indent + in.spark(w-lipgloss.Width(caption), 1)[0] + caption
	}
	return indent + in.spark(w, 1)[0]
}

// problemLines are what is wrong with getting the person's data, after
// prefix, in at most n lines of w: the whole problem when it fits, else,
// when a login is missing, the command that logs them in (with what is
// wrong, when that fits too), else the problem cut at a word.
func (in rowInput) problemLines(prefix string, w, n int) []string {
	p := in.g.Problem
	lines, cut := wrapCommands(prefix+p, w, n)
	if !cut {
		return lines
	}
	if c := loginCommandIn(p); c != "" && loggedOutProblem(p) {
		for _, say := range []string{shortError(p)[0], "run " + c} {
			if short, cut := wrapCommands(prefix+say, w, n); !cut && strings.Contains(say, c) {
				return short
			}
		}
	}
	return lines
}

// tile is the person in a box: name and source, the reading, a sparkline
// of the last hours and what needs attention. The border takes the
// colour of the reading's band, so an urgent low stands out from across
// the room; a tile too small for a border goes without.
func (in rowInput) tile(w, h int) string {
	g, st := in.g, in.th.Styles
	border := h >= 5 && w >= 24
	iw, ih := w, h
	if border {
		iw, ih = w-2, h-2
	}
	var top []string
	// The name, and where and when the reading came from.
	right := ""
	if g.Source != "" {
		right = g.Source
	}
	if g.Age != "" && g.State != StateStale {
		if right != "" {
			right += " · "
		}
		right += g.AgeWords
	}
	left := in.label(0)
	top = append(top, spread(left, st.Muted.Render(right), iw))

	// The reading: big when there is room, else a line.
	bigRows := 0
	if big, ok := bigText(g.Value); ok && !in.ascii && g.State != StateStale && !g.Latest.Time.IsZero() &&
		ih >= 3+bigHeight+2 && iw >= bigWidth(g.Value)+24 {
		vs := in.th.Style(g.Band)
		side := []string{st.Bold.Render(g.Arrow) + " " + st.Text.Render(trendWords(g.Latest.Trend)), "", ""}
		if g.Delta != "" {
			side[1] = st.Bold.Render(g.Delta) + st.Muted.Render(" "+g.Unit.String()+" in 5 min")
		} else {
			side[1] = st.Muted.Render(g.Unit.String())
		}
		if a := in.alertParts(); len(a) > 0 {
			side[2] = a[0]
		} else {
			side[2] = vs.Render(g.Band.Glyph(in.ascii)) + " " + st.Muted.Render(rangeWords(g.Band))
		}
		for i := range bigHeight {
			top = append(top, " "+vs.Render(big[i])+"   "+side[i])
		}
		bigRows = bigHeight
	} else {
		top = append(top, in.readingLine(iw))
	}

	// What needs attention, in words.
	var bottom []string
	if g.Problem != "" {
		// Without a sparkline to make room for, the problem may take
		// a few lines: the command that logs someone in, whole.
		// A missing login takes two lines from the sparkline: nothing
		// syncs until someone runs the command it names.
		n := 1
		if len(g.Recent) == 0 {
			n = min(maxMessageLines, max(ih-len(top), 1))
		} else if loggedOutProblem(g.Problem) && ih-len(top) >= 5 {
			n = 2
		}
		bottom = styleLines(st.Error, in.problemLines(in.warnGlyph()+" ", iw, n))
	} else if g.State == StateStale {
		bottom = append(bottom, st.Warn.Render(clipWords(in.warnGlyph()+" no data for "+g.Since+" · last "+g.Value+" "+g.Unit.String(), iw)))
	}
	sparkH := ih - len(top) - len(bottom)
	caption := sparkH >= 3 && len(g.Recent) > 0
	if caption {
		sparkH--
	}
	// A taller sparkline is a wall of blocks: past maxTileSpark rows the
	// room stays empty above it.
	if pad := sparkH - maxTileSpark; pad > 0 && len(g.Recent) > 0 {
		for range pad {
			top = append(top, "")
		}
		sparkH = maxTileSpark
	}
	var mid []string
	if sparkH > 0 && len(g.Recent) > 0 {
		mid = in.spark(iw, sparkH)
	} else if sparkH > 0 && g.State == StateNoData {
		mid = []string{st.Muted.Render("waiting for the first sync…")}
	} else if sparkH > 0 && g.State == StateLoading {
		mid = []string{st.Muted.Render("loading…")}
	}
	for len(mid) < sparkH {
		mid = append(mid, "")
	}
	if caption {
		t := g.Thresholds
		mid = append(mid, st.Muted.Render(clipWords("last 3h · target "+g.Unit.Format(float64(t.Low))+"–"+g.Unit.Format(float64(t.High))+" "+g.Unit.String(), iw)))
	}
	_ = bigRows
	lines := append(append(top, mid...), bottom...)
	body := fit(lines, iw, ih)
	// Pad every line to the inner width, so the border closes.
	rows := strings.Split(body, "\n")
	for len(rows) < ih {
		rows = append(rows, "")
	}
	for i, l := range rows {
		rows[i] = padRight(l, iw)
	}
	body = strings.Join(rows, "\n")
	if !border {
		return body
	}
	bs := st.Border
	switch {
	case g.State == StateStale:
		bs = bs.Foreground(in.th.Styles.Warn.GetForeground())
	case !g.Latest.Time.IsZero() && g.Band != theme.InRange:
		bs = bs.Foreground(in.th.Style(g.Band).GetForeground())
	case g.State == StateLoggedOut || g.State == StateError:
		bs = bs.Foreground(in.th.Styles.Error.GetForeground())
	}
	b := lipgloss.RoundedBorder()
	if in.ascii {
		b = lipgloss.ASCIIBorder()
	}
	if in.selected {
		b = lipgloss.ThickBorder()
		if in.ascii {
			b = lipgloss.Border{Top: "=", Bottom: "=", Left: "#", Right: "#", TopLeft: "#", TopRight: "#", BottomLeft: "#", BottomRight: "#"}
		}
	}
	return lipgloss.NewStyle().Border(b).BorderForeground(bs.GetForeground()).Render(body)
}

// readingLine is the reading in a tile without room for big digits.
func (in rowInput) readingLine(w int) string {
	g, st := in.g, in.th.Styles
	if g.State == StateStale || g.Latest.Time.IsZero() {
		v := in.valueParts()
		parts := []linePart{{ways: v, prio: 9}}
		if a := in.alertParts(); len(a) > 0 {
			parts = append(parts, linePart{ways: a, prio: 7})
		}
		return fitParts(w, parts)
	}
	vs := in.th.Style(g.Band)
	value := vs.Render(g.Value)
	if g.Latest.Known() {
		value += " " + st.Muted.Render(g.Unit.String())
	}
	parts := []linePart{{ways: []string{value, vs.Render(g.Value)}, prio: 9}}
	if g.Arrow != "" {
		parts = append(parts, linePart{ways: []string{st.Bold.Render(g.Arrow)}, prio: 8})
	}
	if g.Delta != "" {
		parts = append(parts, linePart{ways: []string{st.Bold.Render(g.Delta)}, prio: 4})
	}
	if a := in.alertParts(); len(a) > 0 {
		parts = append(parts, linePart{ways: a, prio: 7})
	} else {
		parts = append(parts, linePart{ways: []string{vs.Render(g.Band.Glyph(in.ascii)) + " " + st.Muted.Render(rangeWords(g.Band)), vs.Render(g.Band.Glyph(in.ascii))}, prio: 2})
	}
	return fitParts(w, parts)
}

// spread puts left and right at the two ends of a w-wide line, dropping
// right when both do not fit.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if right == "" || gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// maxTileSpark is the most rows a tile's sparkline takes.
const maxTileSpark = 8

// sparkMargin pads a sparkline's scale beyond the target range and the data
// in view, so neither sits on an edge.
const sparkMargin = 10.0

var asciiLevels = [...]string{" ", ".", ".", "-", "-", "=", "=", "#", "#"}

// spark draws the glance's last hours as w×h cells of bars, each column the
// newest reading in its slice of time, coloured by band, empty where there
// is none.
func (in rowInput) spark(w, h int) []string {
	return sparkBars(in.g.Recent, in.g.Now.Add(-glanceSpan), in.g.Now, w, h, in.th, in.g.Thresholds, in.ascii)
}

func sparkBars(rs []client.Reading, from, to time.Time, w, h int, th theme.Theme, t config.Thresholds, ascii bool) []string {
	w, h = max(w, 1), max(h, 1)
	levels := sparkLevels[:]
	if ascii {
		levels = asciiLevels[:]
	}
	// The scale spans the target range and the readings in view: a
	// person's lines read against their own limits, and a spike widens it.
	lo, hi := float64(t.Low)-sparkMargin, float64(t.High)+sparkMargin
	for _, r := range rs {
		if v, ok := plotValue(r); ok && !r.Time.Before(from) {
			lo, hi = min(lo, v-sparkMargin), max(hi, v+sparkMargin)
		}
	}
	lo = max(lo, 0)
	level := make([]int, w)
	bands := make([]theme.Range, w)
	slice := max(to.Sub(from)/time.Duration(w), time.Nanosecond)
	j := -1
	for x := range w {
		end := from.Add(slice * time.Duration(x+1))
		for j+1 < len(rs) && !rs[j+1].Time.After(end) {
			j++
		}
		if j < 0 || end.Sub(rs[j].Time) > max(slice, 10*time.Minute) {
			continue
		}
		v, ok := plotValue(rs[j])
		if !ok || math.IsNaN(v) {
			continue
		}
		e := (min(max(v, lo), hi) - lo) / (hi - lo) * float64(h*8)
		level[x] = min(max(int(math.Round(e)), 1), h*8)
		bands[x] = classify(v, t)
	}
	out := make([]string, h)
	var b, run strings.Builder
	for row := range h {
		b.Reset()
		base := (h - 1 - row) * 8 // eighths below this row
		cur := theme.Range(255)
		flush := func() {
			if run.Len() == 0 {
				return
			}
			if cur == 255 {
				b.WriteString(run.String())
			} else {
				b.WriteString(th.Style(cur).UnsetBold().Render(run.String()))
			}
			run.Reset()
		}
		for x := range w {
			fill := min(max(level[x]-base, 0), 8)
			style := theme.Range(255)
			if fill > 0 {
				style = bands[x]
			}
			if style != cur {
				flush()
				cur = style
			}
			run.WriteString(levels[fill])
		}
		flush()
		out[row] = b.String()
	}
	return out
}
