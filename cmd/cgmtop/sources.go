package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/hybrid"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/syncer"
)

// sourceKind is one kind of source an account can read from. Adding a kind
// is one entry in sourceKinds (and its name in config's kinds): open
// connects with the stored login, login is `cgmtop login KIND`, describe
// feeds `cgmtop auth status`.
type sourceKind struct {
	name string // as the user knows it
	// open connects to the account's source with its stored login. It
	// must not send anything when the login is known to be refused.
	open func(ctx context.Context, e env, clk clock.Clock, log *slog.Logger) (client.Source, error)
	// window is how far back a real-time source holds readings; zero for
	// the official API, which keeps the whole history.
	window time.Duration
	// lag is a first guess of how soon after the sensor a reading reaches
	// a real-time source, seeded into the sync engine at login; zero for
	// the official API, whose lag the engine learns.
	lag time.Duration
	// login builds the `cgmtop login KIND` command; nil makes `cgmtop login
	// KIND` the official login.
	login func(std stdio) *cobra.Command
	// describe says what is stored for the account, without secrets:
	// where the login is kept, and details such as the region.
	describe func(ctx context.Context, e env) (where string, details []string, err error)
}

// sourceKinds are the kinds cgmtop can read, by settings name.
var sourceKinds = map[string]sourceKind{}

func init() {
	sourceKinds[config.SourceDexcom] = sourceKind{
		name: "official Dexcom API",
		open: func(ctx context.Context, e env, _ clock.Clock, log *slog.Logger) (client.Source, error) {
			return openDexcom(ctx, e, log)
		},
		describe: describeDexcom,
	}
	sourceKinds[config.SourceShare] = sourceKind{
		name:     "Dexcom Share",
		open:     openShare,
		window:   share.Window,
		lag:      30 * time.Second,
		login:    newLoginShareCmd,
		describe: describeShare,
	}
}

// openSource connects to every source of the account and combines them:
// one source as it is, the official API plus a real-time one as a hybrid.
func openSource(ctx context.Context, e env, log *slog.Logger) (client.Source, error) {
	return openSourceClock(ctx, e, clock.Real{}, log)
}

func openSourceClock(ctx context.Context, e env, clk clock.Clock, log *slog.Logger) (client.Source, error) {
	acct := e.cfg.Account(e.account)
	if err := acct.Validate(e.account); err != nil {
		return nil, err
	}
	var parts []hybrid.Part
	for _, k := range acct.Sources {
		kind, ok := sourceKinds[k]
		if !ok {
			return nil, fmt.Errorf("source %q of account %q is not built into this cgmtop", k, e.account)
		}
		src, err := kind.open(ctx, e, clk, log)
		if err != nil {
			return nil, err
		}
		parts = append(parts, hybrid.Part{Kind: k, Source: src, Window: kind.window})
	}
	if len(parts) == 1 {
		return parts[0].Source, nil
	}
	official, realtime := parts[0], parts[1]
	if official.Kind != config.SourceDexcom {
		official, realtime = realtime, official
	}
	log.Info("hybrid source", "official", official.Kind, "realtime", realtime.Kind)
	return hybrid.New(official, realtime, clk), nil
}

// sourceAdded tells the account's sync engine that kind just joined: a
// real-time source delivers within seconds (what the engine learned before,
// the official API's hour or the first sync's reading age, would have it
// poll far too late), and a source that holds the history (the official
// API) has the 90 days to fetch.
func sourceAdded(ctx context.Context, e env, kind string) error {
	k := sourceKinds[kind]
	db, err := cache.Open(ctx, e.paths.Database(e.account))
	if err != nil {
		return err
	}
	defer db.Close()
	if k.lag == 0 {
		return syncer.RefetchHistory(ctx, db)
	}
	return syncer.SeedLag(ctx, db, k.lag, 4*k.lag)
}

// realtimeGate is the gate of the account's real-time source, if it has one.
func realtimeGate(e env) (gate.Gate, bool) {
	k := e.cfg.Account(e.account).Realtime()
	if k == "" {
		return gate.Gate{}, false
	}
	return gate.For(e.paths, e.account, k), true
}

// shareStore is where the account's Share login lives: the same store as
// its Dexcom tokens.
func shareStore(e env) (*auth.SecretStore[share.Login], error) {
	return auth.NewSecretStore[share.Login](e.cfg.TokenStore, e.account, config.SourceShare, e.paths)
}

// openShare connects to the account's Share login. A login Share refused
// stays refused, with no request sent, until `cgmtop login share`: the
// client checks the gate before every call, so the monitor still opens on
// the cached readings and says why nothing new comes.
func openShare(ctx context.Context, e env, clk clock.Clock, log *slog.Logger) (client.Source, error) {
	g := gate.For(e.paths, e.account, config.SourceShare)
	store, err := shareStore(e)
	if err != nil {
		return nil, err
	}
	l, err := store.Load(ctx)
	if err != nil {
		if errors.Is(err, auth.ErrNoLogin) {
			return nil, errors.New("not logged in to Dexcom Share: run `cgmtop login share`")
		}
		return nil, err
	}
	log.Info("source", "kind", "share", "region", l.Region, "store", store.Where())
	return share.New(store, share.Options{
		HTTPClient: dexcom.NewHTTPClient(),
		UserAgent:  userAgent(),
		Clock:      clk,
		LockPath:   e.paths.Lock(e.account, "share"),
		Gate:       g,
	}), nil
}

func describeDexcom(ctx context.Context, e env) (string, []string, error) {
	store, err := tokenStore(e)
	if err != nil {
		return "", nil, err
	}
	st, err := auth.LoadStatus(ctx, store)
	if err != nil {
		return st.Where, nil, err
	}
	return st.Where, []string{"server " + st.BaseURL, "client " + st.ClientID, "refreshed " + fmtAge(time.Now(), st.Updated)}, nil
}

func describeShare(ctx context.Context, e env) (string, []string, error) {
	store, err := shareStore(e)
	if err != nil {
		return "", nil, err
	}
	l, err := store.Load(ctx)
	if err != nil {
		return store.Where(), nil, err
	}
	who := "user " + l.Username
	if l.Username == "" {
		who = "account id " + l.AccountID
	}
	d := []string{"region " + share.RegionName(l.Region), who, "logged in " + fmtAge(time.Now(), l.Updated)}
	if l.URL != "" {
		d[0] = "server " + l.URL + " as region " + l.Region
	}
	return store.Where(), d, nil
}

// addSource makes kind one of the account's sources after its login: a
// real-time kind joins an official login (a hybrid) unless alone is set;
// the official API joins a real-time one.
func addSource(cfg *config.Config, account, kind string, alone bool) {
	a := cfg.Account(account)
	switch {
	case alone:
		a.Sources = []string{kind}
	case a.Has(kind):
	case kind == config.SourceDexcom:
		a.Sources = []string{config.SourceDexcom}
		if rt := cfg.Account(account).Realtime(); rt != "" {
			a.Sources = append(a.Sources, rt)
		}
	default:
		if a.Has(config.SourceDexcom) {
			a.Sources = []string{config.SourceDexcom, kind}
		} else {
			a.Sources = []string{kind}
		}
	}
	cfg.SetAccount(account, a)
}

// officialLoggedIn reports whether the account has an official login
// (without touching the keyring: the login marker names its client id).
func officialLoggedIn(e env) bool {
	m, ok := readMarker(e)
	return ok && m.ClientID != ""
}

// discardLog is a logger for commands that run before the log is open.
func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
