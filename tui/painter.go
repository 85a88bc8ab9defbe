package tui

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// Paint makes the frame a key press changed reach the terminal as soon as
// Update has made it. Bubble Tea v1's renderer writes frames only on its
// ticker: at the rate an idle monitor can afford (12 a second; each tick
// wakes the program) a key waited up to 83 ms for the next one. Painted,
// a key costs its Update and the write of the lines it changed. The
// renderer still draws everything (the first frame, new data, resizes;
// the alternate screen and the cursor).
//
// The renderer writes only the rows that differ from what it wrote last,
// and knows nothing of the painter's rows: a later frame whose row equals
// its old one would leave the painter's row on screen. So each painted
// key also asks for the window's size (tea.WindowSize), whose answer makes
// the renderer repaint every row at its next tick; and the painter never
// writes a frame once the renderer has written since it was made.
//
// Run the program on the returned model with the returned option (its
// output: the terminal f, shared with the painter so that their writes
// never interleave) and call stop once it has ended. Frames are painted
// only while the renderer holds the alternate screen, where both write
// with absolute cursor moves. A goroutine writes them, never Update, so a
// stalled terminal never freezes the program: a newer frame replaces one
// still waiting.
func Paint(m tea.Model, f *os.File) (model tea.Model, output tea.ProgramOption, stop func()) {
	return paint(m, f, nil)
}

func paint(m tea.Model, f *os.File, after func()) (tea.Model, tea.ProgramOption, func()) {
	p := &painter{out: f, frames: make(chan paintFrame, 1), done: make(chan struct{}), painted: after}
	go p.run()
	var once sync.Once
	return painted{inner: m, p: p}, tea.WithOutput(paintOutput{f: f, p: p}), func() {
		once.Do(func() {
			close(p.frames)
			<-p.done
		})
	}
}

// painted is a model whose key presses the painter shows at once.
type painted struct {
	inner tea.Model
	p     *painter
	w, h  int
	last  string // the frame the previous Update made
	seen  bool   // last is set: an Update has run
}

// repaint asks for the window's size: the renderer repaints everything
// on its answer.
var repaint = tea.WindowSize()

func (m painted) Init() tea.Cmd { return m.inner.Init() }

func (m painted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		m.w, m.h = ws.Width, ws.Height
	}
	next, cmd := m.inner.Update(msg)
	m.inner = next
	v := next.View()
	if _, key := msg.(tea.KeyMsg); key && m.w > 0 && m.h > 0 && v != m.last {
		// Only the lines that differ from the frame before: the
		// renderer has drawn that one, or will at its next tick.
		m.p.send(paintFrame{view: v, prev: m.last, w: m.w, h: m.h, gen: m.p.rendered()})
		cmd = tea.Batch(cmd, repaint)
	}
	m.last, m.seen = v, true
	return m, cmd
}

// View is the inner model's frame, for Bubble Tea's renderer: the one
// Update made, so a frame is never drawn twice.
func (m painted) View() string {
	if !m.seen {
		return m.inner.View()
	}
	return m.last
}

// painter writes frames, each as the lines that differ from the frame
// before it.
type painter struct {
	out    io.Writer
	frames chan paintFrame // holds at most the newest frame not yet written
	done   chan struct{}

	mu     sync.Mutex // one write at a time to the terminal, the renderer's or ours
	alt    bool       // the renderer holds the alternate screen
	writes int        // the renderer's writes so far

	painted func()       // tests: called after each frame is handled
	buf     bytes.Buffer // only run's goroutine touches it
}

type paintFrame struct {
	view, prev string
	w, h       int
	gen        int // the renderer's writes when the frame was made
}

// rendered is how many times the renderer has written so far.
func (p *painter) rendered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes
}

// send queues f in place of any frame still waiting.
func (p *painter) send(f paintFrame) {
	for {
		select {
		case p.frames <- f:
			return
		default:
		}
		select {
		case <-p.frames: // superseded
		default:
		}
	}
}

func (p *painter) run() {
	defer close(p.done)
	for f := range p.frames {
		p.paint(f)
		if p.painted != nil {
			p.painted()
		}
	}
}

// paint writes the lines of f that differ from the frame before it, each
// from the start of its row, then the rest of the row cleared, as Bubble
// Tea's renderer does.
func (p *painter) paint(f paintFrame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.alt || p.writes != f.gen {
		// Not ours to draw on; or the renderer wrote since this frame
		// was made, and will write it (or a newer one) itself.
		return
	}
	b := &p.buf
	b.Reset()
	lines, prev := screenLines(f.view, f.h), screenLines(f.prev, f.h)
	for i, l := range lines {
		if i < len(prev) && prev[i] == l {
			continue
		}
		moveTo(b, i)
		w := ansi.StringWidth(l)
		if w > f.w {
			l, w = ansi.Truncate(l, f.w, ""), f.w
		}
		b.WriteString(l)
		if w < f.w {
			// Not at the last column: clearing there would wipe the
			// line's last cell.
			b.WriteString(ansi.EraseLineRight)
		}
	}
	for i := len(lines); i < len(prev); i++ {
		moveTo(b, i)
		b.WriteString(ansi.EraseEntireLine)
	}
	if b.Len() > 0 {
		_, _ = p.out.Write(b.Bytes())
	}
}

// screenLines are a frame's rows, at most h: a screen never scrolls.
func screenLines(view string, h int) []string {
	if view == "" {
		return nil
	}
	lines := strings.Split(view, "\n")
	return lines[:min(len(lines), h)]
}

// moveTo puts the cursor at the start of row (0-based).
func moveTo(b *bytes.Buffer, row int) {
	b.WriteString("\x1b[")
	b.WriteString(strconv.Itoa(row + 1))
	b.WriteString(";1H")
}

// paintOutput is the terminal as Bubble Tea writes to it: each write
// holds the painter's lock, and tells it when the alternate screen is
// entered or left. It is still the terminal file (Fd), so Bubble Tea sets
// it raw and reads its size.
type paintOutput struct {
	f *os.File
	p *painter
}

var (
	enterAlt = []byte(ansi.SetAltScreenSaveCursorMode)
	leaveAlt = []byte(ansi.ResetAltScreenSaveCursorMode)
)

func (o paintOutput) Write(b []byte) (int, error) {
	o.p.mu.Lock()
	defer o.p.mu.Unlock()
	if bytes.Contains(b, leaveAlt) {
		o.p.alt = false
	}
	if bytes.Contains(b, enterAlt) {
		o.p.alt = true
	}
	o.p.writes++
	return o.f.Write(b)
}

func (o paintOutput) Read(b []byte) (int, error) { return o.f.Read(b) }

// Close leaves the terminal open: it is the process's.
func (o paintOutput) Close() error { return nil }

func (o paintOutput) Fd() uintptr { return o.f.Fd() }
