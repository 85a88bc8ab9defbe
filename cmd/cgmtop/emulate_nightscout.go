package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/cgmtop/cgmtop/client"
	nsemu "github.com/cgmtop/cgmtop/client/nightscout/emulator"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
)

// nightscoutEmuFlags are `cgmtop emulate`'s Nightscout settings.
type nightscoutEmuFlags struct {
	listen, secret, units      string
	lag, failDelay, memoryLag  time.Duration
	public, fractional, noDate bool
	colonless, redirect        bool
	fs                         *pflag.FlagSet
}

func addNightscoutEmuFlags(fs *pflag.FlagSet) *nightscoutEmuFlags {
	f := &nightscoutEmuFlags{fs: fs}
	fs.StringVar(&f.listen, "nightscout-listen", "127.0.0.1:1337", `Nightscout: address to serve a Nightscout site on ("" for none)`)
	fs.StringVar(&f.secret, "nightscout-api-secret", nsemu.DefaultAPISecret, "Nightscout: the site's API_SECRET (uploads use it; cgmtop never should)")
	fs.StringVar(&f.units, "nightscout-units", "mg/dl", "Nightscout: the site's display unit, mg/dl or mmol")
	fs.DurationVar(&f.lag, "nightscout-lag", 20*time.Second, "Nightscout: how long after its time a reading is uploaded")
	fs.DurationVar(&f.failDelay, "nightscout-fail-delay", 5*time.Second, "Nightscout: the penalty per wrong api-secret on every later request from that address (AUTH_FAIL_DELAY)")
	fs.DurationVar(&f.memoryLag, "nightscout-memory-lag", 2*time.Second, "Nightscout: how long an upload takes to reach the in-memory copy /api/v1/entries answers If-Modified-Since from")
	fs.BoolVar(&f.public, "nightscout-public", false, "Nightscout: readable without a token (AUTH_DEFAULT_ROLES=readable)")
	fs.BoolVar(&f.fractional, "nightscout-fractional-dates", false, "Nightscout: entry dates with a fraction of a millisecond")
	fs.BoolVar(&f.noDate, "nightscout-no-datestring", false, "Nightscout: entries without dateString, as API v3 writes them")
	fs.BoolVar(&f.colonless, "nightscout-colonless-offset", false, `Nightscout: dateString with a "-0400" offset, as older uploaders write it`)
	fs.BoolVar(&f.redirect, "nightscout-redirect-https", false, "Nightscout: redirect every request to https, as a site without INSECURE_USE_HTTP does")
	return f
}

func (f *nightscoutEmuFlags) config(seed int64, clk clock.Clock) nsemu.Config {
	cfg := nsemu.Config{
		Seed: seed, Clock: clk, APISecret: f.secret, Units: f.units, UploadLag: f.lag,
		AuthFailDelay: f.failDelay, MemoryLag: f.memoryLag, FractionalDates: f.fractional,
		NoDateString: f.noDate, ColonlessOffset: f.colonless, RedirectHTTPS: f.redirect,
		Subjects: []nsemu.Subject{
			{Name: nsemu.DefaultSubject, Roles: []string{"readable"}},
			{Name: "status-watch", Roles: []string{"status-only"}},
		},
	}
	if f.failDelay == 0 {
		cfg.AuthFailDelay = -1
	}
	if f.public {
		cfg.DefaultRoles = []string{"readable"}
	}
	return cfg
}

// startNightscoutEmu starts the Nightscout site of `cgmtop emulate`, or
// nothing when --nightscout-listen is empty, and says how to use it.
func startNightscoutEmu(f *nightscoutEmuFlags, seed int64, clk clock.Clock, out io.Writer) (io.Closer, error) {
	if f.listen == "" {
		return io.NopCloser(nil), nil
	}
	if clk == nil {
		clk = clock.Real{}
	}
	srv, err := nsemu.StartAt(f.config(seed, clk), f.listen)
	if err != nil {
		explicit := false
		f.fs.Visit(func(fl *pflag.Flag) { explicit = explicit || fl.Name == "nightscout-listen" })
		if explicit {
			return nil, err
		}
		// The default port is taken (another emulator?): the Dexcom side
		// still works, so say so and go on.
		fmt.Fprintf(out, "\nNo Nightscout site (--nightscout-listen): %v\n", err)
		return io.NopCloser(nil), nil
	}
	fmt.Fprintf(out, `
Nightscout 15 site on %[1]s (API_SECRET %[2]s)
  read token (role readable)      %[3]s
  status-only token (no reading)  %[4]s
  cgmtop login nightscout --url %[1]s     (paste the read token when asked)
  Counters: %[1]s/emulator/stats
`, srv.URL(), f.secret, srv.Token(nsemu.DefaultSubject), srv.Token("status-watch"))
	return srv, nil
}

// demoNightscout is `cgmtop --demo --source nightscout`: a Nightscout
// emulator on loopback, read through the real client with its read token,
// as `cgmtop login nightscout` leaves an account.
func demoNightscout(ctx context.Context, e *env, seed int64, clk clock.Clock, log *slog.Logger) (client.Source, io.Closer, error) {
	srv, err := nsemu.Start(nsemu.Config{Seed: seed, Clock: clk, UploadLag: 20 * time.Second, MemoryLag: 2 * time.Second})
	if err != nil {
		return nil, nil, fmt.Errorf("start the Nightscout emulator: %w", err)
	}
	store, err := nightscoutStore(*e)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	if err := store.Save(ctx, nightscoutLogin{Token: srv.Token(nsemu.DefaultSubject), Subject: nsemu.DefaultSubject, Updated: time.Now().UTC()}); err != nil {
		srv.Close()
		return nil, nil, err
	}
	e.cfg.SetAccount(e.account, config.Account{Sources: []string{config.SourceNightscout}, Nightscout: config.NightscoutSettings{URL: srv.URL()}})
	src, err := openSourceClock(ctx, *e, clk, log)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return src, srv, nil
}
