package tui

import (
	"bytes"
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

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

type notKey string

// TestPaintWritesChangesInAltScreenOnly: the painter draws nothing before
// the renderer enters the alternate screen or after it left, and inside
// writes every frame an Update changed, key press or not: the first one
// whole, then the rows that differ from the frame before.
func TestPaintWritesChangesInAltScreenOnly(t *testing.T) {
	f, read := pipeTerminal(t)
	done := make(chan struct{}, 10)
	m, opt, stop := paint(keyScreen{}, f, func() { done <- struct{}{} })
	if opt == nil {
		t.Fatal("no output option")
	}
	p := m.(painted).p
	out := paintOutput{f: f, p: p}
	step := func(msg tea.Msg) { m, _ = m.Update(msg) }
	flush := func() { <-done } // the painter handled the frame

	step(tea.WindowSizeMsg{Width: 10, Height: 3})
	flush()
	step(keyMsg("before\nalt\nscreen"))
	flush()
	out.Write([]byte(ansi.SetAltScreenSaveCursorMode))
	step(notKey("one\ntwo\nthree")) // new data: painted as a key is
	flush()
	step(keyMsg("one\nTWO\nthree"))
	flush()
	step(keyMsg("one\nTWO\nthree")) // unchanged: nothing sent
	step(keyMsg("one"))
	flush()
	out.Write([]byte(ansi.ResetAltScreenSaveCursorMode))
	step(keyMsg("after\nalt\nscreen"))
	flush()
	stop()
	got := read()

	for _, never := range []string{"before", "after"} {
		if strings.Contains(got, never) {
			t.Errorf("painted %q: %q", never, got)
		}
	}
	want := ansi.SetAltScreenSaveCursorMode +
		"\x1b[1;1Hone" + ansi.EraseLineRight + "\x1b[2;1Htwo" + ansi.EraseLineRight + "\x1b[3;1Hthree" + ansi.EraseLineRight +
		"\x1b[2;1HTWO" + ansi.EraseLineRight +
		"\x1b[2;1H" + ansi.EraseEntireLine + "\x1b[3;1H" + ansi.EraseEntireLine +
		ansi.ResetAltScreenSaveCursorMode
	if got != want {
		t.Errorf("terminal got\n%q\nwant\n%q", got, want)
	}
}

// keyScreen shows the frame a key or a notKey message carries: each key
// press is a tea.KeyMsg whose runes are the frame.
type keyScreen struct{ frame string }

func (s keyScreen) Init() tea.Cmd { return nil }
func (s keyScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		s.frame = string(msg.Runes)
	case notKey:
		s.frame = string(msg)
	}
	return s, nil
}
func (s keyScreen) View() string { return s.frame }

// TestPaintKnowsWhatTheRendererDrew: the renderer writes the rows that
// differ from its own last frame, not the painter's. After it wrote the
// painter's frame the screen holds that frame, and the painter goes on
// with the rows that changed; after it wrote another frame, or the size
// changed, the screen is a mix, and the painter paints every row.
func TestPaintKnowsWhatTheRendererDrew(t *testing.T) {
	f, read := pipeTerminal(t)
	p := &painter{alt: true}
	p.out = f
	out := paintOutput{f: f, p: p}
	mark := func(s string) { f.WriteString("|" + s + "|") }

	p.paint(paintFrame{view: "a\nb", w: 5, h: 3})
	mark("renderer wrote the painter's frame")
	p.viewing("a\nb")
	out.Write(nil)
	p.paint(paintFrame{view: "a\nB", w: 5, h: 3})
	mark("renderer wrote an older frame")
	p.viewing("a\nb")
	out.Write(nil)
	p.paint(paintFrame{view: "a\nC", w: 5, h: 3})
	mark("resized")
	p.paint(paintFrame{view: "a\nC", w: 6, h: 2})
	got := read()

	el, ee := ansi.EraseLineRight, ansi.EraseEntireLine
	want := "\x1b[1;1Ha" + el + "\x1b[2;1Hb" + el + "\x1b[3;1H" + ee +
		"|renderer wrote the painter's frame|" + "\x1b[2;1HB" + el +
		"|renderer wrote an older frame|" + "\x1b[1;1Ha" + el + "\x1b[2;1HC" + el + "\x1b[3;1H" + ee +
		"|resized|" + "\x1b[1;1Ha" + el + "\x1b[2;1HC" + el
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
	p.paint(paintFrame{view: "abcdefgh\nabcd\nxy\nbelow the screen", w: 4, h: 3})
	want := "\x1b[1;1Habcd\x1b[2;1Habcd\x1b[3;1Hxy" + ansi.EraseLineRight
	if got := b.String(); got != want {
		t.Errorf("first frame %q, want %q", got, want)
	}
}
