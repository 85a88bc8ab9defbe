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
	source := fs.String("source", "dexcom", "with --demo: which source to emulate: dexcom (the official API), share, nightscout, or hybrid (official + share)")
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
		return runDemo(ctx, *speed, *source, std)
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

// monitor runs the sync engine beside the TUI: the engine writes the cache
// and tells the TUI, which reads the cache. The TUI never calls the source.
func monitor(ctx context.Context, s monitorSetup) error {
	db, err := cache.Open(ctx, s.env.paths.Database(s.env.account))
	if err != nil {
		return err
	}
	defer db.Close()
	if msg := db.Recovered(); msg != "" {
		s.log.Warn("cache recovered", "detail", msg)
	}

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

	engine := newEngine(s.env, s.source, db, s.clock, s.log)
	syncCtx, stopSync := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		g, hasRealtime := realtimeGate(s.env)
		err := engine.Run(syncCtx, func(r syncer.Result) {
			writeSnapshot(syncCtx, s.env, db, s.log)
			if r.Err == nil && hasRealtime {
				// A hybrid keeps syncing the official API when the real-time
				// login is refused: the user must still be told.
				r.Err = g.Check()
			}
			p.Send(tui.SyncedMsg{Added: r.Added, Next: r.Next, Err: r.Err})
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("sync stopped", "err", err)
		}
	}()

	_, err = p.Run()
	stopSync()
	<-done
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("monitor: %w", err)
	}
	return nil
}
