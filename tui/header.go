package tui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/theme"
)

// headerPane is the reading: the value (big when there is room), the
// trend, the change and the age. It redraws when the newest reading, the
// size, the unit or the minute changes.
type headerPane struct {
	in   headerIn
	memo memo[headerIn]
}

// headerIn is everything a header is drawn from besides the context's
// theme and settings; it is also the header's cache key.
type headerIn struct {
	latest, previous client.Reading
	w                int
	roomy            bool // room for big digits
	st               stamp
}

// SetSize sets the width and whether there is height for big digits.
func (p *headerPane) SetSize(w int, roomy bool) { p.in.w, p.in.roomy = w, roomy }

// Update sets the readings shown and draws again if anything moved.
func (p *headerPane) Update(c *paneContext, latest, previous client.Reading) {
	p.in.latest, p.in.previous, p.in.st = latest, previous, c.stamp()
	if p.memo.stale(p.in) {
		p.memo.put(p.in, drawHeader(c, p.in))
	}
}

// Lines are the header as last drawn.
func (p *headerPane) Lines() []string { return p.memo.lines }

// View is the header as last drawn.
func (p *headerPane) View() string { return p.memo.view }

// trendWords says the trend in words for those who do not read arrows.
func trendWords(t client.Trend) string {
	switch t {
	case client.TrendDoubleUp:
		return "rising fast"
	case client.TrendSingleUp:
		return "rising"
	case client.TrendFortyFiveUp:
		return "rising slowly"
	case client.TrendFlat:
		return "steady"
	case client.TrendFortyFiveDown:
		return "falling slowly"
	case client.TrendSingleDown:
		return "falling"
	case client.TrendDoubleDown:
		return "falling fast"
	case client.TrendRateOutOfRange:
		return "changing too fast to tell"
	}
	return "no trend"
}

// header is the glance view: the value (big when there is room), the
// trend, the change and the age.
func drawHeader(c *paneContext, in headerIn) []string {
	w, roomy := in.w, in.roomy
	st := c.th.Styles
	r := in.latest
	u := c.unit()
	if !!in.latest.Time.IsZero() {
		return []string{st.Muted.Render("---  " + u.String())}
	}
	if c.stale(in.latest) {
		// An old value is never shown big: it must not be read as now.
		old := st.Stale.Render(valueText(r, u)+" "+u.String()) + "  " + st.Warn.Render("STALE")
		return []string{
			firstFit(w,
				old+st.Muted.Render(" · last reading "+c.clockTime(r.Time)),
				old+st.Muted.Render(" · "+c.clockTime(r.Time)),
				old),
			firstFit(w,
				st.Warn.Render(c.warnGlyph()+" no data for "+span(c.now.Sub(r.Time))),
				st.Warn.Render(c.warnGlyph()+" no data "+shortAge(c.now, r.Time))),
		}
	}

	band, _ := readingRange(r, c.cfg.Thresholds)
	vs := c.th.Style(band)
	text := valueText(r, u)
	label := rangeWords(band)
	if r.Status == client.StatusHigh {
		label = "above " + u.Format(sensorMax) + " " + u.String()
	} else if r.Status == client.StatusLow {
		label = "below " + u.Format(sensorMin) + " " + u.String()
	}
	rangeText := vs.Render(band.Glyph(c.cfg.ASCII) + " " + label)
	if band == theme.InRange && r.Status == client.StatusOK {
		rangeText = vs.UnsetBold().Render(band.Glyph(c.cfg.ASCII)) + " " + st.Muted.Render(label)
	}

	a := arrow(r.Trend, c.cfg.ASCII)
	d := delta(r, in.previous, u)
	trend := ""
	if a != "" {
		trend = st.Bold.Render(a) + " "
	}
	trend += st.Text.Render(trendWords(r.Trend))
	// The change since the last reading, most complete first.
	var changes []string
	if d != "" {
		inFive := st.Bold.Render(d) + st.Muted.Render(" "+u.String()+" in 5 min")
		if r.HasRate {
			changes = append(changes, inFive+st.Muted.Render(" · "+rateText(r.TrendRate, u)))
		}
		changes = append(changes, inFive, st.Bold.Render(d)+st.Muted.Render(" "+u.String()))
	} else if r.HasRate {
		changes = append(changes, st.Muted.Render(rateText(r.TrendRate, u)))
	}

	big, ok := bigText(text)
	if roomy && ok && !c.cfg.ASCII && w >= bigWidth(text)+30 {
		room := w - 1 - bigWidth(text) - 3
		right := []string{
			firstFit(room,
				trend+"   "+st.Muted.Render(age(c.now, r.Time)+" · "+c.clockTime(r.Time)+originSuffix(r)),
				trend+"   "+st.Muted.Render(age(c.now, r.Time)+" · "+c.clockTime(r.Time)),
				trend+"   "+st.Muted.Render(age(c.now, r.Time)),
				trend),
			rangeText,
			"",
		}
		if len(changes) > 0 {
			right[1], right[2] = firstFit(room, changes...), rangeText
		}
		lines := make([]string, bigHeight)
		for i := range bigHeight {
			lines[i] = " " + vs.Render(big[i]) + "   " + right[i]
		}
		return lines
	}
	value := vs.Render(text)
	if r.Known() {
		value += " " + st.Muted.Render(u.String())
	}
	if a != "" {
		value += " " + st.Bold.Render(a)
	}
	if d != "" {
		value += " " + st.Bold.Render(d)
	}
	first := firstFit(w,
		value+"  "+st.Muted.Render(age(c.now, r.Time)+originSuffix(r)),
		value+"  "+st.Muted.Render(age(c.now, r.Time)),
		value+" "+st.Muted.Render(shortAge(c.now, r.Time)))
	second := firstFit(w,
		rangeText+st.Muted.Render(" · ")+st.Text.Render(trendWords(r.Trend)),
		rangeText)
	return []string{first, second}
}

// firstFit is the first of the ways to say something that fits w cells,
// or the last (the shortest) when none does.
func firstFit(w int, ways ...string) string {
	for _, s := range ways {
		if lipgloss.Width(s) <= w {
			return s
		}
	}
	return ways[len(ways)-1]
}
