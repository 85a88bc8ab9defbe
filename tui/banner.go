package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/statusline"
)

// bannerPane is the alert banner and the messages under the reading: an
// alert, a failing source, a wrong clock, no data yet, a passing notice.
// It writes each message in one to maxMessageLines lines when one of its
// inputs changes; fitting them to the rows a layout leaves is then only a
// matter of picking among those.
type bannerPane struct {
	in    msgIn
	ok    bool
	parts [][maxMessageLines][]string // each message in 1..maxMessageLines lines
	n     int                         // drawings so far
}

// msgIn is everything the messages are drawn from besides the context's
// theme and settings; it is also the pane's cache key.
type msgIn struct {
	w            int
	st           stamp
	latest       client.Reading
	alert        alertKind
	alertOK      bool
	snoozedUntil time.Time
	srcErr       string
	lastSuccess  time.Time
	clockOffset  time.Duration
	hasReading   bool
	lineLayout   bool
	noData       string
	notice       string
}

// Update draws the messages again if an input moved.
func (p *bannerPane) Update(c *paneContext, in msgIn) {
	if p.ok && p.in == in {
		return
	}
	p.in, p.ok = in, true
	p.n++
	fns := messageParts(c, in)
	p.parts = make([][maxMessageLines][]string, len(fns))
	for i, f := range fns {
		for n := 1; n <= maxMessageLines; n++ {
			p.parts[i][n-1] = f(n)
		}
	}
}

// Count is how many messages there are: each needs a line at least.
func (p *bannerPane) Count() int { return len(p.parts) }

// Lines fits the messages into budget lines. Each gets a line, most
// urgent first, and a long one wraps onto more while budget lines last;
// what still does not fit is cut at a word, never mid-word.
func (p *bannerPane) Lines(budget int) []string {
	parts := p.parts
	if len(parts) > budget {
		parts = parts[:max(budget, 0)]
	}
	// One line each first, then the spare lines to the most urgent.
	spare := budget - len(parts)
	var out []string
	for _, msg := range parts {
		need := len(msg[maxMessageLines-1])
		give := 1 + min(max(need-1, 0), spare)
		spare -= give - 1
		out = append(out, msg[give-1]...)
	}
	return out
}

// View is the messages as they fill at most maxMessageLines lines each.
func (p *bannerPane) View() string { return strings.Join(p.Lines(len(p.parts)*maxMessageLines), "\n") }

// messageParts are the messages to show, most urgent first, each as a
// function that writes it in at most a given number of lines.
func messageParts(c *paneContext, in msgIn) []func(lines int) []string {
	w := in.w
	var msgs []func(lines int) []string
	if k, ok := in.alert, in.alertOK; ok && k != alertStale {
		msgs = append(msgs, func(int) []string { return []string{alertBanner(c, in, k, w)} })
	}
	if e := in.srcErr; e != "" {
		style := c.th.Styles.Error
		msgs = append(msgs, func(lines int) []string {
			// The whole error if it fits, else the status bar's short
			// word for it (with what to do, when that fits too).
			var out []string
			cut := true
			for _, say := range append([]string{e}, shortError(e)...) {
				if out, cut = wrapWords(c.warnGlyph()+" "+say, w, lines); !cut {
					break
				}
			}
			if t := in.lastSuccess; !t.IsZero() && !cut && len(out) > 0 {
				// When a sync last worked follows the error whole: on
				// its last line if it fits, else on a line of its own.
				when := "(last good sync " + age(c.now, t) + ")"
				last := len(out) - 1
				switch {
				case lipgloss.Width(out[last])+1+lipgloss.Width(when) <= w:
					out[last] += " " + when
				case len(out) < lines && lipgloss.Width(when) <= w:
					out = append(out, when)
				}
			}
			return styleLines(style, out)
		})
	}
	if skew := clock.Skew(in.clockOffset); skew != "" {
		msgs = append(msgs, func(lines int) []string {
			// Ages are right (they use the server's clock); the user
			// should still fix the clock, which other programs trust.
			out, cut := wrapWords(c.warnGlyph()+" this computer's clock is "+skew+" the server's: times shown are the server's", w, lines)
			if cut {
				out, _ = wrapWords(c.warnGlyph()+" clock "+skew, w, lines)
			}
			return styleLines(c.th.Styles.Warn, out)
		})
	}
	if !in.hasReading && !in.lineLayout {
		msgs = append(msgs, func(int) []string {
			return []string{c.th.Styles.Muted.Render(in.noData)}
		})
	}
	if in.notice != "" {
		msgs = append(msgs, func(lines int) []string {
			out, _ := wrapWords(in.notice, w, lines)
			return styleLines(c.th.Styles.Warn, out)
		})
	}
	return msgs
}

// shortError is a failing sync in fewer words, longest first: the reason
// the status bar shows, with what to do about it where there is something.
// The command to log in is the one e names (for the person's account),
// else plain `cgmtop login`.
func shortError(e string) []string {
	login := loginCommandIn(e)
	if login == "" {
		login = "`cgmtop login`"
	}
	if strings.HasPrefix(e, "logged out") {
		return []string{"logged out: run " + login, "logged out"}
	}
	r := statusline.Reason(e)
	switch r {
	case statusline.ReasonAuth:
		return []string{"login expired: run " + login, "login expired"}
	case statusline.ReasonNotLoggedIn:
		return []string{"not logged in: run " + login, "not logged in"}
	case statusline.ReasonLoginRefused:
		return []string{"login refused: run " + login, "login refused"}
	case statusline.ReasonOffline:
		return []string{"offline: cannot reach Dexcom", "offline"}
	case statusline.ReasonTimeout:
		return []string{"timed out: Dexcom is slow", "timed out"}
	case statusline.ReasonRateLimited:
		return []string{"rate-limited by Dexcom", "rate-limited"}
	case statusline.ReasonServer:
		return []string{"Dexcom server error"}
	case statusline.ReasonCache:
		return []string{"local cache error"}
	case statusline.ReasonError:
		return []string{"sync failed"}
	}
	return []string{statusline.ReasonText(r)}
}

// maxMessageLines is the most lines one message wraps onto.
const maxMessageLines = 3

// alertBanner is the alert in reverse video and whether it is snoozed,
// shortened to the alert's name when the whole does not fit in w.
func alertBanner(c *paneContext, in msgIn, k alertKind, w int) string {
	st := c.th.Styles
	style := st.Banner
	if k == alertUrgentLow {
		style = st.Urgent
	}
	hint := st.Muted.Render(" s: snooze")
	if c.now.Before(in.snoozedUntil) {
		hint = st.Muted.Render(" snoozed until " + c.clockTime(in.snoozedUntil))
	}
	long := style.Render(" " + c.warnGlyph() + " " + alertWords(c, in.latest, k) + " ")
	short := style.Render(" " + c.warnGlyph() + " " + alertShort(c, k) + " ")
	return firstFit(w, long+hint, short+hint, long, short)
}

// wrapWords breaks plain text into at most n lines of at most w cells at
// spaces. cut reports that it did not all fit: the last line then ends in
// "…" after the last whole word that fits.
func wrapWords(s string, w, n int) (lines []string, cut bool) {
	return wrapFields(strings.Fields(s), w, n)
}

// wrapCommands is wrapWords that never breaks a `command` in backquotes
// over two lines: it is copied whole.
func wrapCommands(s string, w, n int) (lines []string, cut bool) {
	var words []string
	for i, part := range strings.Split(s, "`") {
		if i%2 == 1 {
			words = append(words, "`"+part+"`")
			continue
		}
		// Punctuation right after a command stays on its line.
		if f := strings.Fields(part); len(f) > 0 && len(words) > 0 && !strings.HasPrefix(part, " ") {
			words[len(words)-1] += f[0]
			words = append(words, f[1:]...)
			continue
		}
		words = append(words, strings.Fields(part)...)
	}
	return wrapFields(words, w, n)
}

func wrapFields(words []string, w, n int) (lines []string, cut bool) {
	if n < 1 || w < 1 {
		return nil, len(words) > 0
	}
	cur := ""
	for _, word := range words {
		switch {
		case cur == "":
			cur = word
		case lipgloss.Width(cur)+1+lipgloss.Width(word) <= w:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	if len(lines) > n {
		lines = append(lines[:n-1], strings.Join(lines[n-1:], " "))
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i], cut = clipWords(l, w), true
		}
	}
	return lines, cut
}

// clipWords shortens s to w cells, ending in "…" after the last whole
// word that fits (or mid-word only when not even one word does).
func clipWords(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	words := strings.Fields(s)
	for n := len(words) - 1; n > 0; n-- {
		if c := strings.Join(words[:n], " ") + "…"; lipgloss.Width(c) <= w {
			return c
		}
	}
	return ansi.Truncate(s, w, "…")
}

// styleLines renders each line in style.
func styleLines(style lipgloss.Style, lines []string) []string {
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}
