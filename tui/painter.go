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

// Paint makes every frame reach the terminal as soon as Update has made
// it. Bubble Tea v1's renderer writes frames only on its ticker, and its
// ticker wakes the program even when nothing changed: at a rate that
// shows a key press at once (60 a second) an idle monitor spent most of
// its CPU there. Painted, a frame costs its Update and the write of the
// rows it changed, and the renderer can tick as seldom as twice a second
// (see cmd/cgmtop's monitorFPS): it still enters the alternate screen,
// draws the first frame, and repairs.
//
// The painter keeps the frame it painted last and writes only the rows
// that differ from it. The renderer writes the rows that differ from the
// frame it wrote last and knows nothing of the painter's; when it has
// written a frame other than the painter's since (a resize, a race), the
// screen is a mix of the two and the painter paints its next frame
// whole. Either way both end on the newest frame: the painter is always
// given it, and the renderer always holds it.
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

// painted is a model whose frames the painter shows at once.
type painted struct {
	inner tea.Model
	p     *painter
	w, h  int
	last  string // the frame the previous Update made
	seen  bool   // last is set: an Update has run
}

func (m painted) Init() tea.Cmd { return m.inner.Init() }

func (m painted) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	ws, resized := msg.(tea.WindowSizeMsg)
	if resized {
		m.w, m.h = ws.Width, ws.Height
	}
	next, cmd := m.inner.Update(msg)
	m.inner = next
	v := next.View()
	if m.w > 0 && m.h > 0 && (v != m.last || resized) {
		m.p.send(paintFrame{view: v, w: m.w, h: m.h})
	}
	m.last, m.seen = v, true
	return m, cmd
}

// View is the inner model's frame, for Bubble Tea's renderer: the one
// Update made, so a frame is never drawn twice. The renderer calls it
// after every Update and writes what it returned last; the painter notes
// it, to know what the renderer's next write holds.
func (m painted) View() string {
	v := m.last
	if !m.seen {
		v = m.inner.View()
	}
	m.p.viewing(v)
	return v
}

// painter writes frames, each as the rows that differ from the frame it
// painted before.
type painter struct {
	out    io.Writer
	frames chan paintFrame // holds at most the newest frame not yet written
	done   chan struct{}

	mu       sync.Mutex // one write at a time to the terminal, the renderer's or ours
	alt      bool       // the renderer holds the alternate screen
	writes   int        // the renderer's writes so far
	rendered string     // the frame the renderer held at its latest write

	// What the painter painted last, and the renderer's writes by then;
	// shownW is 0 when the screen holds something else (no frame yet, the
	// alternate screen entered or left).
	shown          string
	shownAt        int
	shownW, shownH int

	// The frame the renderer holds: View's latest. Its own lock, so that
	// View never waits on a terminal write.
	vmu    sync.Mutex
	viewed string

	painted func()       // tests: called after each frame is handled
	buf     bytes.Buffer // only run's goroutine touches it
}

type paintFrame struct {
	view string
	w, h int
}

// viewing notes that the renderer now holds the frame v.
func (p *painter) viewing(v string) {
	p.vmu.Lock()
	p.viewed = v
	p.vmu.Unlock()
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

// paint writes the rows of f that differ from the frame the screen holds,
// each from the start of its row, then the rest of the row cleared, as
// Bubble Tea's renderer does; every row of the screen when it cannot know
// what the screen holds.
func (p *painter) paint(f paintFrame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.alt {
		return // not ours to draw on
	}
	// The renderer's writes since the painter's last frame kept the
	// screen on that frame only if they were of that frame.
	whole := p.shownW != f.w || p.shownH != f.h || p.writes != p.shownAt && p.rendered != p.shown
	var prev []string
	if !whole {
		prev = screenLines(p.shown, f.h)
	}
	b := &p.buf
	b.Reset()
	lines := screenLines(f.view, f.h)
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
	below := len(prev)
	if whole {
		below = f.h
	}
	for i := len(lines); i < below; i++ {
		moveTo(b, i)
		b.WriteString(ansi.EraseEntireLine)
	}
	if b.Len() > 0 {
		_, _ = p.out.Write(b.Bytes())
	}
	p.shown, p.shownAt, p.shownW, p.shownH = f.view, p.writes, f.w, f.h
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
	p := o.p
	p.mu.Lock()
	defer p.mu.Unlock()
	// Entered or left, the screen holds other content than our frame.
	if bytes.Contains(b, leaveAlt) {
		p.alt, p.shownW = false, 0
	}
	if bytes.Contains(b, enterAlt) {
		p.alt, p.shownW = true, 0
	}
	p.vmu.Lock()
	p.rendered = p.viewed
	p.vmu.Unlock()
	p.writes++
	return o.f.Write(b)
}

func (o paintOutput) Read(b []byte) (int, error) { return o.f.Read(b) }

// Close leaves the terminal open: it is the process's.
func (o paintOutput) Close() error { return nil }

func (o paintOutput) Fd() uintptr { return o.f.Fd() }
