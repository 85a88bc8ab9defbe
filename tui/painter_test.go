package tui

import (
	"bytes"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// screen is a model whose frame is whatever it was last told.
type screen struct{ frame string }

type frameMsg string

func (s screen) Init() tea.Cmd { return nil }
func (s screen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if f, ok := msg.(frameMsg); ok {
		s.frame = string(f)
	}
	return s, nil
}
func (s screen) View() string { return s.frame }

// pipeTerminal is a file the painter and the renderer write to, read back
// whole.
func pipeTerminal(t *testing.T) (w *os.File, read func() string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		got <- b.String()
	}()
	return w, func() string {
		w.Close()
		return <-got
	}
}

// TestPaintWritesChangedLinesInAltScreenOnly: the painter draws nothing
// before the renderer enters the alternate screen or after it left, and
// inside writes whole frames first, then only the rows that changed.
func TestPaintWritesChangedLinesInAltScreenOnly(t *testing.T) {
	f, read := pipeTerminal(t)
	done := make(chan struct{}, 10)
	m, opt, stop := paint(screen{}, f, func() { done <- struct{}{} })
	if opt == nil {
		t.Fatal("no output option")
	}
	p := m.(painted).p
	out := paintOutput{f: f, p: p}
	step := func(msg tea.Msg) { m, _ = m.Update(msg) }
	flush := func() { <-done } // the painter handled the frame

	step(tea.WindowSizeMsg{Width: 10, Height: 3})
	step(frameMsg("before\nalt\nscreen"))
	flush()
	out.Write([]byte(ansi.SetAltScreenSaveCursorMode))
	step(frameMsg("one\ntwo\nthree"))
	flush()
	step(frameMsg("one\nTWO\nthree"))
	flush()
	step(frameMsg("one\nTWO\nthree")) // unchanged: nothing sent
	out.Write([]byte(ansi.ResetAltScreenSaveCursorMode))
	step(frameMsg("after\nalt\nscreen"))
	flush()
	stop()
	got := read()

	for _, never := range []string{"before", "after"} {
		if strings.Contains(got, never) {
			t.Errorf("painted outside the alternate screen: %q", got)
		}
	}
	want := ansi.SetAltScreenSaveCursorMode +
		"\x1b[1;1Hone" + ansi.EraseLineRight + "\x1b[2;1Htwo" + ansi.EraseLineRight + "\x1b[3;1Hthree" + ansi.EraseLineRight +
		"\x1b[2;1HTWO" + ansi.EraseLineRight +
		ansi.ResetAltScreenSaveCursorMode
	if got != want {
		t.Errorf("terminal got\n%q\nwant\n%q", got, want)
	}
}

// TestPaintFitsTheScreen: a line wider than the terminal is cut, one that
// fills it is not followed by a clear (which would wipe its last cell),
// and rows a shorter frame no longer uses are cleared.
func TestPaintFitsTheScreen(t *testing.T) {
	var b bytes.Buffer
	p := &painter{out: &b, alt: true}
	p.paint(paintFrame{view: "abcdefgh\nabcd\nxy", w: 4, h: 3})
	want := "\x1b[1;1Habcd\x1b[2;1Habcd\x1b[3;1Hxy" + ansi.EraseLineRight
	if got := b.String(); got != want {
		t.Errorf("first frame %q, want %q", got, want)
	}
	b.Reset()
	p.paint(paintFrame{view: "abcd", w: 4, h: 3})
	want = "\x1b[1;1Habcd\x1b[2;1H" + ansi.EraseEntireLine + "\x1b[3;1H" + ansi.EraseEntireLine
	if got := b.String(); got != want {
		t.Errorf("shorter frame %q, want %q", got, want)
	}
}
