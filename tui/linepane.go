package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/theme"
)

// linePane is the smallest layout, a tmux split one or two rows high or
// under 30 columns: the reading on one line and the messages under it.
type linePane struct {
	in   lineIn
	memo memo[lineIn]
}

// lineIn is what the line is drawn from besides the context and the
// messages (stood for by their drawing count); it is also the cache key.
type lineIn struct {
	w, h             int
	st               stamp
	latest, previous client.Reading
	srcErr           string
	noData           string
	banner           int // the banner pane's drawings
}

func (p *linePane) SetSize(w, h int) { p.in.w, p.in.h = w, h }

// Update draws the line again if anything it shows moved.
func (p *linePane) Update(c *paneContext, in lineIn, banner *bannerPane) {
	in.w, in.h, in.st, in.banner = p.in.w, p.in.h, c.stamp(), banner.n
	p.in = in
	if p.memo.stale(in) {
		p.memo.put(in, drawLine(c, in, banner))
	}
}

// Lines are the layout as last drawn.
func (p *linePane) Lines() []string { return p.memo.lines }

// View is the layout as last drawn.
func (p *linePane) View() string { return p.memo.view }

// lineView is the smallest layout: the value on one line, and what is
// wrong on the next if there is room. When the line is too narrow, parts
// give way (shorten, then go) least important first; the reading is never
// cut mid-digit: it is shown whole, or only its band's glyph.
func drawLine(c *paneContext, in lineIn, banner *bannerPane) []string {
	w, h := in.w, in.h
	st := c.th.Styles
	r := in.latest
	var parts []linePart
	add := func(prio int, ways ...string) { parts = append(parts, linePart{ways: ways, prio: prio}) }
	switch {
	case r.Time.IsZero() && in.srcErr != "" && h == 1:
		// The error below says why there is no reading.
		add(9, st.Muted.Render("---"))
	case r.Time.IsZero():
		add(9, st.Muted.Render("---"))
		add(2, in.noData)
	case c.stale(r):
		age := shortAge(c.now, r.Time)
		add(9, st.Warn.Render("no data "+age), st.Warn.Render("no data"), st.Warn.Render(c.warnGlyph()))
		add(1, st.Muted.Render("· last")+" "+st.Stale.Render(valueText(r, c.unit())))
	default:
		band, _ := readingRange(r, c.cfg.Thresholds)
		text := c.th.Style(band).Render(valueText(r, c.unit()))
		glyph := c.th.Style(band).Render(band.Glyph(c.cfg.ASCII))
		if c.th.Labels || band != theme.InRange {
			add(9, glyph+" "+text, text, glyph)
		} else {
			add(9, text, glyph)
		}
		if a := arrow(r.Trend, c.cfg.ASCII); a != "" {
			add(7, st.Bold.Render(a))
		}
		if d := delta(r, in.previous, c.unit()); d != "" {
			add(3, d)
		}
		add(4, st.Muted.Render(shortAge(c.now, r.Time)))
	}
	if e := in.srcErr; e != "" && h == 1 {
		// No second line for the error: name it here, in a word, or at
		// least flag it.
		short := shortError(e)
		add(5, st.Error.Render(c.warnGlyph()+" "+short[len(short)-1]), st.Error.Render(c.warnGlyph()))
	}
	if c.demo && w >= 36 {
		add(0, st.Badge.Render("DEMO"))
	}
	lines := []string{fitParts(w, parts)}
	if h > 1 {
		lines = append(lines, banner.Lines(h-1)...)
	}
	return lines
}

// linePart is one part of the one-line layout: its forms, longest first,
// and how much it matters (higher stays longer).
type linePart struct {
	ways []string
	prio int
}

// fitParts joins parts with spaces within w columns: while the line is too
// wide, the least important part (the rightmost of equals) takes its next
// shorter form, or goes when it has none. No part is ever cut.
func fitParts(w int, parts []linePart) string {
	parts = slices.Clone(parts)
	for {
		var shown []string
		for _, p := range parts {
			if len(p.ways) > 0 {
				shown = append(shown, p.ways[0])
			}
		}
		line := strings.Join(shown, " ")
		if lipgloss.Width(line) <= w || len(shown) == 0 {
			return line
		}
		least := -1
		for i, p := range parts {
			if len(p.ways) > 0 && (least < 0 || p.prio <= parts[least].prio) {
				least = i
			}
		}
		parts[least].ways = parts[least].ways[1:]
	}
}
