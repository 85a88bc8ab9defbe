package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
)

// emulateOptions are `cgmtop emulate`'s flags.
type emulateOptions struct {
	listen          string
	seed            int64
	user            string
	speed           float64
	lag             time.Duration
	offset          time.Duration
	ttl             time.Duration
	redirect        string
	auto            bool
	shareRegion     string
	shareHome       string
	shareTTL        time.Duration
	shareLockout    int
	sharePassword   string
	shareIntTrend   bool
	shareOldDates   bool
	shareJSONSub    bool
	shareOneSession bool
	shareLag        time.Duration
	shareOffset     time.Duration
	faults          []string
	scenarios       []string
	nsFlags         *nightscoutEmuFlags
}

func newEmulateCmd(std stdio) *cobra.Command {
	var opts emulateOptions
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Run the Dexcom, Share and Nightscout emulators on loopback",
		Long: `Serve the built-in emulators on loopback, all reading one simulated sensor: the
official Dexcom API (sign-in page, OAuth token endpoint, data API), Dexcom
Share on the same address, and a Nightscout site on --nightscout-listen. It
prints what to log in with. --fault and --scenario make the official API
misbehave, the --share-* and --nightscout-* flags the others, for trying how
cgmtop copes. Ctrl+C stops it and prints the requests it answered.`,
		Example: `  cgmtop emulate                                    # on 127.0.0.1:8080
  CGMTOP_CLIENT_SECRET=emulator-secret cgmtop login \
    --api-url http://127.0.0.1:8080 --client-id cgmtop-emulator
  cgmtop emulate --speed 60 --user g6 --fault egvs:429:2:retry=3s
  cgmtop emulate --scenario low:+10m:40m --scenario late:-1h:45m:+2h
  cgmtop emulate --share-region ous --share-lockout 3   # a Share that locks out`,
		GroupID: "other",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEmulate(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.listen, "listen", "l", "127.0.0.1:8080", "`ADDRESS` to serve on (keep it on loopback)")
	fl.Int64Var(&opts.seed, "seed", 1, "sensor seed: the same `SEED` gives the same data")
	fl.StringVar(&opts.user, "user", "g7", "simulated `USER` the login page preselects: g7 or g6")
	fl.Float64Var(&opts.speed, "speed", 1, "the emulator's clock runs `N` times faster than real time")
	fl.DurationVar(&opts.lag, "lag", 0, "upload lag: how long after its time a reading becomes available")
	fl.DurationVar(&opts.offset, "clock-offset", 0, "run the emulator's clock this far ahead of this computer's (negative: behind), to try a wrong computer clock")
	fl.DurationVar(&opts.ttl, "token-ttl", 2*time.Hour, "access token lifetime (sent as expires_in)")
	fl.StringVar(&opts.redirect, "redirect-uri", emulator.DefaultRedirectURI, "the only redirect `URI` the login page accepts")
	fl.BoolVar(&opts.auto, "auto-approve", false, "approve logins at once, with no page to click")
	fl.StringVar(&opts.shareRegion, "share-region", "us", "Dexcom Share: the region this server plays (us, ous, jp)")
	fl.StringVar(&opts.shareHome, "share-account-region", "", "Dexcom Share: the region the account lives in; another than --share-region refuses every login, as a real wrong region does")
	fl.DurationVar(&opts.shareTTL, "share-session-ttl", 24*time.Hour, "Dexcom Share: session lifetime (then SessionNotValid)")
	fl.IntVar(&opts.shareLockout, "share-lockout", 0, "Dexcom Share: refused logins before SSO_AuthenticateMaxAttemptsExceeded (0: never)")
	fl.StringVar(&opts.sharePassword, "share-password", emulator.DefaultSharePassword, "Dexcom Share: the account's password")
	fl.BoolVar(&opts.shareIntTrend, "share-int-trend", false, "Dexcom Share: trends as pre-2021 numbers")
	fl.BoolVar(&opts.shareOldDates, "share-old-dates", false, `Dexcom Share: dates as "/Date(ms)/"`)
	fl.BoolVar(&opts.shareJSONSub, "share-json-subcode", false, "Dexcom Share: error SubCode as a JSON string (2025) instead of XML")
	fl.BoolVar(&opts.shareOneSession, "share-one-session", false, "Dexcom Share: a new login ends the older sessions")
	fl.DurationVar(&opts.shareLag, "share-lag", 0, "Dexcom Share: how long after its time a reading is served")
	fl.DurationVar(&opts.shareOffset, "share-offset", 0, "Dexcom Share: how far Share's times sit from the official API's")
	fl.StringArrayVar(&opts.faults, "fault", nil, "inject a `FAULT`, e.g. egvs:429:2:retry=3s or any:slow:1:delay=5s (repeatable)")
	fl.StringArrayVar(&opts.scenarios, "scenario", nil, "sensor `SCENARIO` KIND:START:DURATION, START from now: high:-30m:1h, low:+10m:40m, gap:-2h:45m, skew:+7m, late:-1h:45m:+2h (held back until 2h after their time) (repeatable)")
	opts.nsFlags = addNightscoutEmuFlags(fl)
	emulateCompletions(cmd)
	return cmd
}

func runEmulate(ctx context.Context, opts emulateOptions, std stdio) error {

	cfg := emulator.Config{
		Seed:        opts.seed,
		User:        opts.user,
		RedirectURI: opts.redirect,
		AccessTTL:   opts.ttl,
		UploadLag:   opts.lag,
		AutoApprove: opts.auto,
		Share: emulator.ShareConfig{
			Region: opts.shareRegion, AccountRegion: opts.shareHome, Password: opts.sharePassword,
			SessionTTL: opts.shareTTL, LockoutAfter: opts.shareLockout, OneSession: opts.shareOneSession,
			IntTrend: opts.shareIntTrend, OldDates: opts.shareOldDates, JSONSub: opts.shareJSONSub,
			Lag: opts.shareLag, Offset: opts.shareOffset,
		},
	}
	if err := share.CheckRegion(opts.shareRegion); err != nil {
		return usageError("--share-region: %v", err)
	}
	if opts.shareHome != "" {
		if err := share.CheckRegion(opts.shareHome); err != nil {
			return usageError("--share-account-region: %v", err)
		}
	}
	if opts.speed != 1 || opts.offset != 0 {
		cfg.Clock = clock.NewScaled(time.Now().Add(opts.offset), opts.speed)
	}
	for _, s := range opts.scenarios {
		sc, err := emulator.ParseScenario(s)
		if err != nil {
			return usageError("--scenario: %v", err)
		}
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	srv, err := emulator.StartAt(cfg, opts.listen)
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	for _, f := range opts.faults {
		fault, err := emulator.ParseFault(f)
		if err != nil {
			return usageError("--fault: %v", err)
		}
		srv.Inject(fault)
	}

	c := srv.Config()
	fmt.Fprintf(std.out, `cgmtop Dexcom emulator on %[1]s (seed %[2]d, user %[3]s)

  client id      %[4]s
  client secret  %[5]s
  redirect URI   %[6]s

Log in against it:
  CGMTOP_CLIENT_SECRET=%[5]s cgmtop login --api-url %[1]s --client-id %[4]s --redirect-uri %[6]s

Dexcom Share (region %[7]s; user %[8]s, %[9]s or %[10]s; account id %[11]s):
  cgmtop login share --share-url %[1]s --region %[7]s --username %[8]s
  (password: %[12]s)

Counters: %[1]s/emulator/stats
Ctrl+C stops it.
`, srv.URL(), c.Seed, c.User, c.ClientID, c.ClientSecret, c.RedirectURI,
		c.Share.Region, c.Share.Username, emulator.DefaultShareEmail, emulator.DefaultSharePhone, c.Share.AccountID, c.Share.Password)
	ns, err := startNightscoutEmu(opts.nsFlags, opts.seed, cfg.Clock, std.out)
	if err != nil {
		return err
	}
	defer ns.Close()
	<-ctx.Done()
	// What was asked of it, for measuring a client's request rate.
	stats := srv.Stats()
	names := make([]string, 0, len(stats))
	for name := range stats {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprint(std.out, "requests:")
	for _, name := range names {
		fmt.Fprintf(std.out, " %s=%d", name, stats[name])
	}
	fmt.Fprintln(std.out)
	return nil
}

// emulateCompletions completes emulate's flag values: examples of the
// values each takes. A flag this build lacks is skipped.
func emulateCompletions(cmd *cobra.Command) {
	for name, vs := range map[string][]cobra.Completion{
		"listen": {"127.0.0.1:8080", "127.0.0.1:0\tany free port"},
		"user":   {"g7\tDexcom G7", "g6\tDexcom G6"},
		"fault": {
			"egvs:429:2:retry=3s\ttwo rate-limited answers",
			"egvs:401:1\tone expired token",
			"any:500:3\tthree server errors",
			"any:slow:1:delay=5s\tone slow answer",
			"egvs:truncated:1", "egvs:malformed:1", "egvs:empty:1", "egvs:huge:1",
		},
		"scenario": {
			"high:-30m:1h\tHIGH readings from 30 min ago, for an hour",
			"low:+10m:40m\tLOW readings in 10 min, for 40 min",
			"gap:-2h:45m\tno readings for 45 min, 2 h ago",
			"skew:+7m\tthe sensor's clock 7 min ahead",
			"late:-1h:45m:+2h\treadings held back until 2 h after their time",
		},
		"share-region":         shareRegions,
		"share-account-region": shareRegions,
		"nightscout-units":     {"mg/dl", "mmol"},
	} {
		if cmd.Flags().Lookup(name) != nil {
			mustComplete(cmd, name, values(vs...))
		}
	}
}
