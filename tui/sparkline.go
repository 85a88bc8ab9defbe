package tui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/theme"
)

// sparkPane is the compact layouts' history: one bar per slice of the
// window, scaled to the data in view, coloured by band and empty where
// there is no reading; the target band's edges are marked in a gutter.
type sparkPane struct {
	key     chartKey
	ok      bool
	view    string // the bars, height rows
	caption string // the window and the lowest and highest value in it
	n       int    // drawings so far
}

// Update draws the sparkline again if its key moved.
func (p *sparkPane) Update(in chartInput, gen, window int) {
	k := keyOf(in, gen, window, true)
	if p.ok && p.key == k {
		return
	}
	p.key, p.ok = k, true
	p.n++
	p.draw(in)
}

// View is the sparkline as last drawn.
func (p *sparkPane) View() string { return p.view }

// sparkLevels are the partial blocks a bar's top is drawn with, in
// eighths of a row.
var sparkLevels = [...]string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// sparkCell is one cell of the sparkline before it is styled.
type sparkCell struct {
	s     string
	style int // index into the styles draw builds
}

func (p *sparkPane) draw(in chartInput) {
	w, h := max(in.width, 1), max(in.height, 1)
	p.view, p.caption = "", ""
	if !in.to.After(in.from) {
		return
	}
	// The bars also take in a reading just before the window; the scale
	// and the marks only the readings in it.
	all := plotPoints(in.readings, in.from.Add(-gapAfter), in.to)
	i, _ := slices.BinarySearchFunc(all, in.from, func(pt point, t time.Time) int { return pt.t.Compare(t) })
	pts := all[i:]
	sc := sparkScale(pts, in.thresholds)
	t := in.thresholds
	st := in.theme.Styles

	// The gutter names the rows the target band's edges fall on; with
	// neither in view it names the rows of the highest and lowest value.
	eighths := func(v float64) float64 { return (v - sc.lo) / (sc.hi - sc.lo) * float64(h*8) }
	rowOf := func(v float64) int { return min(max(h-1-int(eighths(v)/8), 0), h-1) }
	marks := map[int]string{}
	markRow := map[int]bool{} // rows a threshold line runs along
	for _, lim := range []int{t.High, t.Low} {
		v := float64(lim)
		if v < sc.lo || v > sc.hi {
			continue
		}
		r := rowOf(v)
		markRow[r] = true
		if _, taken := marks[r]; !taken {
			marks[r] = in.unit.Format(v)
		}
	}
	lo, hi, hasData := valueSpan(pts)
	if len(marks) == 0 && hasData {
		marks[rowOf(hi)] = in.unit.Format(hi)
		if r := rowOf(lo); marks[r] == "" {
			marks[r] = in.unit.Format(lo)
		}
	}
	gutter := 0
	for _, m := range marks {
		gutter = max(gutter, len(m))
	}
	if gutter > 0 {
		gutter++ // the axis
	}
	if w-gutter < 4 {
		gutter = 0 // a few bars say more than a label squeezing them out
	}
	cols := w - gutter

	// Each column shows the newest reading up to its end, unless that
	// reading is older than a gap: columns narrower than the reading
	// interval stay solid, and a real gap stays empty. A reading just
	// before the window fills the first columns.
	level := make([]int, cols) // eighths of a row; 0 is no reading
	bands := make([]theme.Range, cols)
	slice := max(in.to.Sub(in.from)/time.Duration(cols), 1)
	j := -1
	for x := range cols {
		end := in.from.Add(slice * time.Duration(x+1))
		for j+1 < len(all) && !all[j+1].t.After(end) {
			j++
		}
		if j < 0 || end.Sub(all[j].t) > min(gapAfter, max(slice, 10*time.Minute)) {
			continue
		}
		v := all[j].v
		// A reading is never drawn as nothing: the lowest keeps a sliver.
		level[x] = min(max(int(math.Round(eighths(v))), 1), h*8)
		bands[x] = classify(v, t)
	}

	// Styles: 0 plain, 1 gutter label, 2 axis, 3 threshold line, 4+ bands.
	styles := []lipgloss.Style{lipgloss.NewStyle(), st.Muted, st.Axis, st.Band}
	for r := theme.UrgentLow; r <= theme.VeryHigh; r++ {
		styles = append(styles, in.theme.Block(r))
	}
	axis, tee, dash := "│", "┤", "┄"
	if in.ascii {
		axis, tee, dash = "|", "|", "-"
	}
	out := make([]string, h)
	line := make([]sparkCell, 0, w)
	for y := range h {
		line = line[:0]
		if gutter > 0 {
			m := marks[y]
			line = append(line, sparkCell{strings.Repeat(" ", gutter-1-len(m)) + m, 1})
			if m != "" {
				line = append(line, sparkCell{tee, 2})
			} else {
				line = append(line, sparkCell{axis, 2})
			}
		}
		floor := (h - 1 - y) * 8
		for x := range cols {
			fill := min(max(level[x]-floor, 0), 8)
			switch {
			case fill > 0 && in.ascii:
				c := "#"
				if fill < 4 {
					c = "_"
				}
				line = append(line, sparkCell{c, 4 + int(bands[x])})
			case fill > 0:
				line = append(line, sparkCell{sparkLevels[fill], 4 + int(bands[x])})
			case markRow[y]:
				line = append(line, sparkCell{dash, 3})
			default:
				line = append(line, sparkCell{" ", 0})
			}
		}
		out[y] = renderCells(line, styles)
	}
	p.view = strings.Join(out, "\n")
	p.caption = windowCaption(in, pts)
}

// windowCaption names the compact layouts' window and the lowest and
// highest of pts, the points in it, as fully as the width allows.
func windowCaption(in chartInput, pts []point) string {
	window := fmt.Sprintf("%dh", int(in.to.Sub(in.from).Hours()))
	captions := []string{"last " + window + " · no readings", window + " · no readings", window}
	if lo, hi, ok := valueSpan(pts); ok {
		lo, hi := in.unit.Format(lo), in.unit.Format(hi)
		captions = []string{
			"last " + window + " · min " + lo + " · max " + hi,
			window + " · min " + lo + " · max " + hi,
			window + " · " + lo + "–" + hi,
			window,
		}
	}
	for _, c := range captions {
		if utf8.RuneCountInString(c) <= in.width {
			return in.theme.Styles.Muted.Render(c)
		}
	}
	return ""
}

// renderCells styles a row of cells, one style call per run of cells that
// share a style.
func renderCells(cells []sparkCell, styles []lipgloss.Style) string {
	var b, run strings.Builder
	cur := -1
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(styles[cur].Render(run.String()))
			run.Reset()
		}
	}
	for _, c := range cells {
		if c.style != cur {
			flush()
			cur = c.style
		}
		run.WriteString(c.s)
	}
	flush()
	return b.String()
}
