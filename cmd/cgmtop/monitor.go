package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
	"github.com/cgmtop/cgmtop/theme"
	"github.com/cgmtop/cgmtop/tui"
)

// monitorOptions are the monitor's flags, on `cgmtop` and `cgmtop monitor`.
type monitorOptions struct {
	account, theme, source string
	demo                   bool
	speed                  float64
	// accountSet: --account was given, so one person opens directly
	// however many are logged in.
	accountSet bool
	people     int // with --demo: how many emulated people the overview follows
}

func addMonitorFlags(cmd *cobra.Command, opts *monitorOptions) {
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "`NAME` of the logged-in account to show")
	fl.BoolVar(&opts.demo, "demo", false, "run against the built-in Dexcom emulator: no account, no network, nothing kept")
	fl.Float64Var(&opts.speed, "speed", 30, "with --demo: the sensor runs `N` times faster than real time")
	fl.StringVar(&opts.source, "source", "dexcom", "with --demo: the `SOURCE` to emulate: dexcom (the official API), share, nightscout, or hybrid (official API + Share)")
	mustComplete(cmd, "source", values(demoSources...))
	fl.IntVar(&opts.people, "people", 1, "with --demo: follow `N` emulated people (2–9) in the overview, each on its own sensor and source")
	fl.StringVar(&opts.theme, "theme", "", "colour `THEME`: auto, dark, light or high-contrast (default from settings)")
	mustComplete(cmd, "theme", values(themes...))
}

func newMonitorCmd(std stdio) *cobra.Command {
	var opts monitorOptions
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "The live monitor (also plain 'cgmtop')",
		Long: `Open the live monitor: the current reading, trend and age, a chart with your
target range, statistics, devices and sync state, fitted to the terminal.
It syncs while it runs. Press ? for its keys, q to quit.

With several accounts logged in (and no --account) it opens the overview:
everyone at a glance, most urgent first; 1-9 or enter opens a person's
monitor, esc comes back, s snoozes the alert at the top, ? shows its keys.

'cgmtop monitor' and 'cgmtop' with no command are the same.`,
		Example: `  cgmtop                        # the default account
  cgmtop --account mum          # another login (with several, cgmtop shows them all)
  cgmtop --demo --speed 1       # the built-in emulator, in real time
  cgmtop --demo --source share  # as if reading Dexcom Share
  cgmtop --demo --people 4      # the overview of four people`,
		GroupID: "monitor",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.accountSet = cmd.Flags().Changed("account")
			return runMonitor(cmd.Context(), opts, std)
		},
	}
	addMonitorFlags(cmd, &opts)
	return cmd
}

// checkTheme accepts a --theme: a theme the settings file could name, or
// "" for the settings' own.
func checkTheme(name string) error {
	switch name {
	case "", "auto", "dark", "light", "high-contrast":
		return nil
	}
	return usageError("--theme %q: use auto, dark, light or high-contrast", name)
}

func runMonitor(ctx context.Context, opts monitorOptions, std stdio) error {
	if err := checkTheme(opts.theme); err != nil {
		return err
	}
	if opts.demo {
		return runDemo(ctx, opts, std)
	}
	e, err := loadEnv(opts.account)
	if err != nil {
		return err
	}
	if !opts.accountSet {
		// Several people logged in: the overview of everyone.
		if accounts, loggedIn := peopleToFollow(e); loggedIn > 1 {
			return runPeople(ctx, e, accounts, opts)
		}
	}
	settingsTheme := e.cfg.Theme
	if opts.theme != "" {
		e.cfg.Theme = opts.theme
	}
	log, closeLog, err := openLog(e.paths)
	if err != nil {
		return err
	}
	defer closeLog()
	src, err := openSource(ctx, e, log)
	if err != nil {
		return err
	}
	return monitor(ctx, monitorSetup{
		env:    e,
		source: src,
		clock:  clock.Real{},
		log:    log,
		save: func(c config.Config) error {
			c.Theme = settingsTheme // --theme is for this run only
			c.ASCII = e.cfg.ASCII   // the user's setting, not the locale's fallback
			// The monitor runs on the person's thresholds and alerts; the
			// global ones stay as the user wrote them.
			c.Thresholds, c.Alerts = e.cfg.Thresholds, e.cfg.Alerts
			return config.Save(e.paths.ConfigFile, c)
		},
	})
}

// monitorSetup is everything the monitor needs, real or demo.
type monitorSetup struct {
	env    env
	source client.Source
	clock  clock.Clock
	log    *slog.Logger
	save   func(config.Config) error
	demo   bool
	// sourceErr is why source is nil: with several people, one whose
	// login fails is shown failing while the others run.
	sourceErr error
	// openSource, when set, opens source beside the program (the
	// overview's people), filling source or sourceErr.
	openSource func(context.Context) (client.Source, error)
	// watch, when set, follows the cache with everyone else's (the
	// overview's people) instead of a Follow of its own.
	watch *tui.Watcher
}

// monitorFPS caps how often Bubble Tea's renderer wakes to flush the
// screen. It wakes at this rate even when nothing changed: at its default
// of 60 the idle monitor used 0.45 s of CPU a minute, at 12 about 0.13 s.
// tui.Paint writes every frame as soon as Update makes it, so the renderer
// only enters the alternate screen, draws the very first frame and
// repairs what a race between the two may leave: twice a second does.
// A dumb terminal has no alternate screen, so nothing is painted there
// and the renderer draws every frame: dumbFPS.
const (
	monitorFPS = 2
	dumbFPS    = 12
)

// The monitor's exit waits this long at most for the sync engine to wind
// down and for the cache to close, so that q or a signal ends it within a
// second even on a loaded machine. Closing checkpoints SQLite's write-ahead
// log, which took up to a second under load; cut short, the log stays and
// the next open replays it, so nothing is lost.
const (
	engineStopWait = 250 * time.Millisecond
	cacheCloseWait = 400 * time.Millisecond
)

// closeWithin closes db, giving up waiting after d.
func closeWithin(db interface{ Close() error }, d time.Duration) {
	done := make(chan struct{})
	go func() {
		db.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// programOptions are the Bubble Tea options of the monitor. Bubble Tea's own
// signal handler is off: main's context is the one place signals end the
// program (see stopSignals), and ending it through the context restores
// the terminal. A dumb terminal gets no alternate screen: it has none, and
// the escape codes would show as garbage.
func programOptions(ctx context.Context, term string) []tea.ProgramOption {
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler()}
	if term == "dumb" {
		return append(opts, tea.WithFPS(dumbFPS))
	}
	return append(opts, tea.WithFPS(monitorFPS), tea.WithAltScreen())
}

// openCache opens the account's cache for the monitor. On a full or
// read-only disk, where it cannot be opened for writing, it opens it
// read-only instead, so the monitor still shows what is cached; readOnly
// then says why no sync runs, in the words of a failed sync.
func openCache(ctx context.Context, path string, log *slog.Logger) (db *cache.DB, readOnly error, err error) {
	db, err = cache.Open(ctx, path)
	if err == nil {
		return db, nil, nil
	}
	word := ""
	switch {
	case errors.Is(err, cache.ErrReadOnlyDisk):
		word = "read-only disk: the data folder cannot be written"
	case errors.Is(err, cache.ErrDiskFull):
		word = "disk full: the cache cannot be written; free some space"
	default:
		return nil, nil, err
	}
	r, rerr := cache.OpenReader(ctx, path)
	if rerr != nil {
		return nil, nil, err
	}
	log.Warn("cache opened read-only", "err", err)
	return r, fmt.Errorf("%s, so the cache is shown read-only and no new reading is saved (restart cgmtop once it can be written): %w", word, err), nil
}

// monitor runs the sync engine beside the TUI: the engine writes the cache,
// and the TUI follows the cache, whoever writes it (this engine, a `sync
// --daemon`, another monitor). The TUI never calls the source.
func monitor(ctx context.Context, s monitorSetup) error {
	opened, readOnly, err := openCache(ctx, s.env.paths.Database(s.env.account), s.log)
	if err != nil {
		return err
	}
	if msg := opened.Recovered(); msg != "" {
		s.log.Warn("cache recovered", "detail", msg)
	}
	db := newSwapDB(opened)
	// The demo's cache goes with its scratch folder: closing it would only
	// checkpoint a log about to be deleted, slowing the exit. (On Windows
	// an open file cannot be deleted, so it is closed there.)
	if leaveOpen := s.demo && runtime.GOOS != "windows"; !leaveOpen {
		defer closeWithin(db, cacheCloseWait)
	}

	th := theme.Detect(s.env.cfg.Theme)
	cfg := s.env.cfg.Person(s.env.account)
	ascii := asciiOnly(os.Getenv)
	cfg.ASCII = cfg.ASCII || ascii
	model := tui.New(tui.Options{
		ASCIIOnly:  ascii,
		Store:      db,
		Config:     cfg,
		SaveConfig: s.save,
		Clock:      s.clock,
		Theme:      th,
		Demo:       s.demo,
		Name:       alertName(s.env),
		Account:    s.env.account,
		Sources:    s.env.cfg.Account(s.env.account).Sources,
	})
	// Each frame is written as soon as Update makes it, not at the
	// renderer's next tick (see monitorFPS).
	prog, output, stopPaint := tui.Paint(model, os.Stdout)
	p := tea.NewProgram(prog, append(programOptions(ctx, os.Getenv("TERM")), output)...)
	syncCtx, stopSync := context.WithCancel(ctx)
	done := startSync(syncCtx, s, opened, db, readOnly, p.Send)

	_, err = p.Run()
	stopPaint()
	stopSync()
	// The engine stops at its next context check; a write to the cache in
	// flight may take a moment, but never hold the exit: SQLite's journal
	// makes an interrupted write safe.
	select {
	case <-done:
	case <-time.After(engineStopWait):
		s.log.Warn("sync still stopping at exit", "waited", engineStopWait)
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}

// startSync runs one account's side of the monitor until ctx is done: a
// Follow of its cache, and its sync engine (which waits on the account's
// sync lock while another process, such as `sync --daemon`, holds it).
// send gets the monitor's messages about it. The channel closes when the
// engine has stopped.
func startSync(ctx context.Context, s monitorSetup, opened *cache.DB, db *swapDB, readOnly error, send func(tea.Msg)) <-chan struct{} {
	g, hasRealtime := realtimeGate(s.env)
	report := func(r syncer.Result) {
		if r.Err == nil && hasRealtime {
			// A hybrid keeps syncing the official API when the real-time
			// login is refused: the user must still be told.
			r.Err = g.Check()
		}
		send(tui.SyncedMsg{Added: r.Added, Next: r.Next, Err: r.Err})
	}

	// The monitor shows what reaches the cache, whoever syncs.
	if s.watch != nil {
		s.watch.Add(db, send)
	} else {
		go tui.Follow(ctx, db, s.clock, send)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if readOnly != nil {
			// Nothing can be saved: show what is cached, and why no
			// new reading comes.
			send(tui.SyncedMsg{Err: readOnly})
			return
		}
		if s.demo {
			// The demo's login is its own and lasts as long as it does.
			err := newEngine(s.env, s.source, opened, s.clock, s.log).Run(ctx, func(r syncer.Result) {
				writeSnapshot(ctx, s.env, opened, s.log)
				report(r)
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				s.log.Error("sync stopped", "err", err)
			}
			return
		}
		if s.sourceErr != nil {
			// The login was refused or cannot be read: say so, and sync
			// once a new login comes.
			report(syncer.Result{Err: s.sourceErr})
		}
		f := &follower{env: s.env, clk: s.clock, log: s.log, db: db, report: report}
		f.run(ctx, s.source)
	}()
	return done
}

// alertName is the name alerts give the person: the display name the user
// chose, else the account name when there are several people to tell
// apart, else none (one person's alerts read as they always did).
func alertName(e env) string {
	if n := strings.TrimSpace(e.cfg.Accounts[e.account].Name); n != "" {
		return n
	}
	if len(e.cfg.People(e.paths)) > 1 {
		return e.account
	}
	return ""
}
