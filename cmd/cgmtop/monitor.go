package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
	"github.com/cgmtop/cgmtop/theme"
	"github.com/cgmtop/cgmtop/tui"
)

func runMonitorCmd(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("cgmtop", "cgmtop [--demo] [--account NAME]", std)
	demo := fs.Bool("demo", false, "run against the built-in Dexcom emulator: no account, no network, nothing kept")
	speed := fs.Float64("speed", 30, "with --demo: how many times faster than real time the sensor runs")
	account := fs.String("account", config.DefaultAccount, "which logged-in account to show")
	// The top level's help is the whole command list, then the monitor's flags.
	fs.Usage = func() {
		fmt.Fprint(std.err, usage+"\nFlags of the monitor:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unknown command %q: see 'cgmtop help'", fs.Arg(0))
	}
	if *demo {
		return runDemo(ctx, *speed, std)
	}
	e, err := loadEnv(*account)
	if err != nil {
		return err
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
		save:   func(c config.Config) error { return config.Save(e.paths.ConfigFile, c) },
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
}

// monitorFPS caps how often the renderer wakes to flush the screen. Bubble
// Tea v1 wakes at this rate even when nothing changed: at its default of 60
// the idle monitor used 0.45 s of CPU a minute (a bare Bubble Tea program
// 0.43 s; issue 6 asks < 0.2 s). At 12 it uses about 0.13 s, a key shows
// within 83 ms, and the first frame usually holds the cached reading
// rather than a "loading" one.
const monitorFPS = 12

// monitor runs the sync engine beside the TUI: the engine writes the cache,
// and the TUI follows the cache, whoever writes it (this engine, a `sync
// --daemon`, another monitor). The TUI never calls the source.
func monitor(ctx context.Context, s monitorSetup) error {
	opened, err := cache.Open(ctx, s.env.paths.Database(s.env.account))
	if err != nil {
		return err
	}
	if msg := opened.Recovered(); msg != "" {
		s.log.Warn("cache recovered", "detail", msg)
	}
	db := newSwapDB(opened)
	defer db.Close()

	th := theme.Detect(s.env.cfg.Theme)
	model := tui.New(tui.Options{
		Store:      db,
		Config:     s.env.cfg,
		SaveConfig: s.save,
		Clock:      s.clock,
		Theme:      th,
		Demo:       s.demo,
	})
	p := tea.NewProgram(model, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithFPS(monitorFPS))
	report := func(r syncer.Result) { p.Send(tui.SyncedMsg{Added: r.Added, Next: r.Next, Err: r.Err}) }

	syncCtx, stopSync := context.WithCancel(ctx)
	// The monitor shows what reaches the cache, whoever syncs.
	go tui.Follow(syncCtx, db, s.clock, p.Send)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if s.demo {
			// The demo's login is its own and lasts as long as it does.
			err := newEngine(s.env, s.source, opened, s.clock, s.log).Run(syncCtx, func(r syncer.Result) {
				writeSnapshot(syncCtx, s.env, opened, s.log)
				report(r)
			})
			if err != nil && !errors.Is(err, context.Canceled) {
				s.log.Error("sync stopped", "err", err)
			}
			return
		}
		f := &follower{env: s.env, clk: s.clock, log: s.log, db: db, report: report}
		f.run(syncCtx, s.source)
	}()

	_, err = p.Run()
	stopSync()
	<-done
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}
