package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client/dexcom/emulator"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
)

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runEmulate(ctx context.Context, args []string, std stdio) error {
	fs := newFlags("emulate", "cgmtop emulate [--listen 127.0.0.1:PORT] [flags]", std)
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on (keep it on loopback)")
	seed := fs.Int64("seed", 1, "sensor seed: the same seed gives the same data")
	user := fs.String("user", "g7", "simulated user the login page preselects: g7 or g6")
	speed := fs.Float64("speed", 1, "how many times faster than real time the emulator's clock runs")
	lag := fs.Duration("lag", 0, "upload lag: how long after its time a reading becomes available")
	offset := fs.Duration("clock-offset", 0, "run the emulator's clock this far ahead of this computer's (negative: behind), to try a wrong computer clock")
	ttl := fs.Duration("token-ttl", 2*time.Hour, "access token lifetime (sent as expires_in)")
	redirect := fs.String("redirect-uri", emulator.DefaultRedirectURI, "the only redirect URI the login page accepts")
	auto := fs.Bool("auto-approve", false, "approve logins at once, with no page to click")
	shareRegion := fs.String("share-region", "us", "Dexcom Share: the region this server plays (us, ous, jp)")
	shareHome := fs.String("share-account-region", "", "Dexcom Share: the region the account lives in; another than --share-region refuses every login, as a real wrong region does")
	shareTTL := fs.Duration("share-session-ttl", 24*time.Hour, "Dexcom Share: session lifetime (then SessionNotValid)")
	shareLockout := fs.Int("share-lockout", 0, "Dexcom Share: refused logins before SSO_AuthenticateMaxAttemptsExceeded (0: never)")
	sharePassword := fs.String("share-password", emulator.DefaultSharePassword, "Dexcom Share: the account's password")
	shareIntTrend := fs.Bool("share-int-trend", false, "Dexcom Share: trends as pre-2021 numbers")
	shareOldDates := fs.Bool("share-old-dates", false, `Dexcom Share: dates as "/Date(ms)/"`)
	shareJSONSub := fs.Bool("share-json-subcode", false, "Dexcom Share: error SubCode as a JSON string (2025) instead of XML")
	shareOneSession := fs.Bool("share-one-session", false, "Dexcom Share: a new login ends the older sessions")
	shareLag := fs.Duration("share-lag", 0, "Dexcom Share: how long after its time a reading is served")
	shareOffset := fs.Duration("share-offset", 0, "Dexcom Share: how far Share's times sit from the official API's")
	nsFlags := addNightscoutEmuFlags(fs)
	var faults, scenarios listFlag
	fs.Var(&faults, "fault", "inject a fault, e.g. egvs:429:2:retry=3s or any:slow:1:delay=5s (repeatable)")
	fs.Var(&scenarios, "scenario", "sensor scenario KIND:START:DURATION, START from now: high:-30m:1h, low:+10m:40m, gap:-2h:45m, skew:+7m, late:-1h:45m:+2h (held back until 2h after their time) (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("emulate takes no arguments, got %q", fs.Args())
	}

	cfg := emulator.Config{
		Seed:        *seed,
		User:        *user,
		RedirectURI: *redirect,
		AccessTTL:   *ttl,
		UploadLag:   *lag,
		AutoApprove: *auto,
		Share: emulator.ShareConfig{
			Region: *shareRegion, AccountRegion: *shareHome, Password: *sharePassword,
			SessionTTL: *shareTTL, LockoutAfter: *shareLockout, OneSession: *shareOneSession,
			IntTrend: *shareIntTrend, OldDates: *shareOldDates, JSONSub: *shareJSONSub,
			Lag: *shareLag, Offset: *shareOffset,
		},
	}
	if err := share.CheckRegion(*shareRegion); err != nil {
		return usageError("--share-region: %v", err)
	}
	if *shareHome != "" {
		if err := share.CheckRegion(*shareHome); err != nil {
			return usageError("--share-account-region: %v", err)
		}
	}
	if *speed != 1 || *offset != 0 {
		cfg.Clock = clock.NewScaled(time.Now().Add(*offset), *speed)
	}
	for _, s := range scenarios {
		sc, err := emulator.ParseScenario(s)
		if err != nil {
			return usageError("--scenario: %v", err)
		}
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	srv, err := emulator.StartAt(cfg, *listen)
	if err != nil {
		return fmt.Errorf("start emulator: %w", err)
	}
	defer srv.Close()
	for _, f := range faults {
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
	ns, err := startNightscoutEmu(nsFlags, *seed, cfg.Clock, std.out)
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
