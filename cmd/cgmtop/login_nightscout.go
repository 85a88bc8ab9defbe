package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/gate"
	"github.com/cgmtop/cgmtop/client/nightscout"
	"github.com/cgmtop/cgmtop/clock"
	"github.com/cgmtop/cgmtop/config"
)

func init() {
	sourceKinds[config.SourceNightscout] = sourceKind{
		name:     "Nightscout",
		open:     openNightscout,
		window:   nightscoutWindow,
		lag:      30 * time.Second, // uploaders post within seconds; the bridge every 2.5 min
		login:    newLoginNightscoutCmd,
		describe: describeNightscout,
	}
}

// nightscoutWindow is how far back a hybrid account asks Nightscout for
// readings: a site keeps everything, but older readings are the official
// API's to give.
const nightscoutWindow = 24 * time.Hour

// nightscoutLogin is what the token store keeps for a Nightscout source;
// the site's address is a plain setting.
type nightscoutLogin struct {
	Token   string    `json:"token"`
	Subject string    `json:"subject,omitempty"` // who the site says the token belongs to
	Updated time.Time `json:"updated"`
}

func nightscoutStore(e env) (*auth.SecretStore[nightscoutLogin], error) {
	return auth.NewSecretStore[nightscoutLogin](e.cfg.TokenStore, e.account, config.SourceNightscout, e.paths)
}

// runLoginNightscout is `cgmtop login nightscout --url URL`: it takes an
// access token (hidden prompt, env or stdin; never a flag), checks that it
// reads the site, keeps it in the account's token store, and takes the
// site's display unit unless the settings name one.
// loginNightscoutOptions are `cgmtop login nightscout`'s flags.
type loginNightscoutOptions struct {
	account, rawURL, storeKind, name string
	tokStdin, alone, nameGiven       bool
}

func newLoginNightscoutCmd(std stdio) *cobra.Command {
	var opts loginNightscoutOptions
	cmd := &cobra.Command{
		Use:   "nightscout",
		Short: "Read a Nightscout site with an access token",
		Long: `Read a Nightscout site with an access token that has the readable role
(Admin Tools → Subjects on the site), never the API_SECRET. The token is never
a flag: it is asked for hidden, or read from CGMTOP_NIGHTSCOUT_TOKEN, or with
--token-stdin from the first line of standard input. cgmtop checks that the
token reads the site, keeps it in the account's token store, and shows the
site's unit unless the settings name one.

With an official login on the same account, cgmtop combines the two: history,
events and devices from the official API, the newest readings from Nightscout.`,
		Example: `  cgmtop login nightscout --url https://jane.example.net
  cgmtop login nightscout --url https://jane.example.net --nightscout-only
  pass show ns | cgmtop login nightscout --url https://ns.example --token-stdin`,
		Args: noArgsBecause("the token is never a flag: use --token-stdin or CGMTOP_NIGHTSCOUT_TOKEN"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.nameGiven = cmd.Flags().Changed("name")
			return runLoginNightscout(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "a `NAME` for this login, if you have several")
	addNameFlag(cmd, &opts.name)
	fl.StringVar(&opts.rawURL, "url", "", "your Nightscout site, the `URL` you open in a browser (https://…)")
	fl.BoolVar(&opts.tokStdin, "token-stdin", false, "read the access token from the first line of standard input (else env CGMTOP_NIGHTSCOUT_TOKEN, else asked hidden)")
	fl.BoolVar(&opts.alone, "nightscout-only", false, "read only from Nightscout, even if the account also has an official login")
	fl.StringVar(&opts.storeKind, "token-store", "", "`STORE` for the token: keyring (default) or file")
	mustComplete(cmd, "token-store", values(tokenStores...))
	return cmd
}

// runLoginNightscout is `cgmtop login nightscout`.
func runLoginNightscout(ctx context.Context, opts loginNightscoutOptions, std stdio) error {
	e, err := loginEnv(opts.account, opts.storeKind, opts.nameGiven, opts.name)
	if err != nil {
		return err
	}
	cfg := e.cfg

	in := bufio.NewReader(std.in)
	site := strings.TrimSpace(opts.rawURL)
	if site == "" {
		site = cfg.Account(e.account).Nightscout.URL
	}
	if site == "" {
		if site, err = ask(ctx, in, std, "Nightscout site (the address you open in a browser): ", false); ctx.Err() != nil {
			return err
		}
		if err != nil || site == "" {
			return usageError("the site's address is needed: cgmtop login nightscout --url https://…")
		}
	}
	base, inURL, err := nightscout.ParseURL(site)
	if err != nil {
		return usageError("%v", err)
	}
	if inURL != "" {
		return usageError("the URL holds a token (?token=…): give the address alone and the token when asked, so it never sits on a command line")
	}

	token, err := readSecret(ctx, in, std, opts.tokStdin, secretSource{
		what: "token", flag: "--token-stdin", env: "CGMTOP_NIGHTSCOUT_TOKEN",
		hint: "cgmtop reads with an access token that has the readable role (Admin Tools → Subjects on your site).\n" +
			"Never give it the API_SECRET. Leave it empty only if the site is open to the public.",
		prompt: "Access token (hidden): ",
	})
	if err != nil {
		return err
	}
	token = strings.TrimSpace(token) // a token has no spaces; a pasted one may
	// Refuse what is certainly the API secret before it is sent anywhere.
	if err := nightscout.CheckToken(token); err != nil {
		return errors.New(strings.Replace(err.Error(), "the Nightscout site refused the token: ", "not sent to the site: ", 1))
	}

	store, err := nightscoutStore(e)
	if err != nil {
		return err
	}
	if err := store.Check(ctx); err != nil {
		return err
	}
	// One try of each: a refusal is never retried, here or in the background.
	c := nightscout.New(base, token, nightscout.WithHTTPClient(nightscout.NewHTTPClient()), nightscout.WithUserAgent(userAgent()))
	info, err := c.Site(ctx)
	if err == nil {
		_, err = c.CheckRead(ctx)
	}
	if err != nil && ctx.Err() != nil {
		return interrupted("login cancelled: nothing was stored")
	}
	var le *client.LoginError
	if errors.As(err, &le) {
		return errors.New(le.Msg + " (cgmtop did not try again)")
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", base, err)
	}

	if err := store.Save(ctx, nightscoutLogin{Token: token, Subject: info.Subject, Updated: time.Now().UTC()}); err != nil {
		return err
	}
	a := cfg.Account(e.account)
	a.Nightscout = config.NightscoutSettings{URL: base}
	cfg.SetAccount(e.account, a)
	unitNote := ""
	if info.UnitsSet && !unitsChosen(e.paths.ConfigFile) {
		cfg.Units = info.Units.String()
		unitNote = fmt.Sprintf(" Showing %s, as the site does (set `units` in %s to change).", cfg.Units, e.paths.ConfigFile)
	}
	if err := keepLogin(&e, cfg, config.SourceNightscout, opts.alone); err != nil {
		return err
	}
	who := ""
	if info.Subject != "" {
		who = fmt.Sprintf(" as %q", info.Subject)
	}
	fmt.Fprintf(std.out, "Logged in to Nightscout %s (version %s)%s. The token is kept in %s.%s\n", base, orUnknown(info.Version), who, store.Where(), unitNote)
	if hasWriteRights(info.Permissions) {
		fmt.Fprintln(std.out, "Note: this token may also change the site; cgmtop only reads, so a token with just the readable role is safer.")
	}
	if e.cfg.Account(e.account).Hybrid() {
		fmt.Fprintln(std.out, "This account now combines the official API (90 days, events, devices) with Nightscout (the newest readings, within seconds).")
	}
	return firstSync(ctx, e, std, "Fetching your readings…", config.SourceNightscout)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// hasWriteRights reports whether a token's permissions go beyond reading.
func hasWriteRights(perms []string) bool {
	for _, p := range perms {
		if p == "*" || (!strings.HasSuffix(p, ":read") && p != "") {
			return true
		}
	}
	return false
}

// unitsChosen reports whether the settings file names a unit, which then
// wins over the site's.
func unitsChosen(path string) bool {
	var v map[string]any
	md, err := toml.DecodeFile(path, &v)
	return err == nil && md.IsDefined("units")
}

// openNightscout connects to the account's Nightscout site with its stored
// token. A token the site refused stays refused, with no request sent,
// until `cgmtop login nightscout`.
func openNightscout(ctx context.Context, e env, clk clock.Clock, log *slog.Logger) (client.Source, error) {
	g := gate.For(e.paths, e.account, config.SourceNightscout)
	if err := g.Check(); err != nil && !e.cfg.Account(e.account).Hybrid() {
		return nil, err
	}
	site := e.cfg.Account(e.account).Nightscout.URL
	if site == "" {
		return nil, errors.New("no Nightscout site in the settings: run `cgmtop login nightscout --url URL`")
	}
	base, _, err := nightscout.ParseURL(site)
	if err != nil {
		return nil, fmt.Errorf("settings: accounts.%s.nightscout.url: %w", e.account, err)
	}
	store, err := nightscoutStore(e)
	if err != nil {
		return nil, err
	}
	l, err := store.Load(ctx)
	if err != nil {
		if errors.Is(err, auth.ErrNoLogin) {
			return nil, errors.New("not logged in to Nightscout: run `cgmtop login nightscout --url " + base + "`")
		}
		return nil, err
	}
	log.Info("source", "kind", "nightscout", "site", base, "store", store.Where())
	return nightscout.New(base, l.Token,
		nightscout.WithHTTPClient(nightscout.NewHTTPClient()),
		nightscout.WithUserAgent(userAgent()),
		nightscout.WithGate(g)), nil
}

func describeNightscout(ctx context.Context, e env) (string, []string, error) {
	store, err := nightscoutStore(e)
	if err != nil {
		return "", nil, err
	}
	l, err := store.Load(ctx)
	if err != nil {
		return store.Where(), nil, err
	}
	d := []string{"site " + e.cfg.Account(e.account).Nightscout.URL}
	if l.Subject != "" {
		d = append(d, "token of "+l.Subject)
	} else if l.Token == "" {
		d = append(d, "no token (a public site)")
	}
	d = append(d, "logged in "+fmtAge(time.Now(), l.Updated))
	return store.Where(), d, nil
}
