package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/auth"
	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/config"
)

// loginOptions are `cgmtop login`'s flags.
type loginOptions struct {
	account, clientID, secret, region, apiURL, redirect, storeKind string
	name                                                           string
	noBrowser                                                      bool
	secretGiven                                                    bool // --client-secret was on the command line
	nameGiven                                                      bool // --name was on the command line
	renameOnly                                                     bool // nothing but --name (and --account)
}

func newLoginCmd(std stdio) *cobra.Command {
	cmd := newOfficialLoginCmd(std, "login")
	cmd.GroupID = "accounts"
	cmd.Args = unknownCommand
	cmd.SuggestionsMinimumDistance = 2
	for _, name := range slices.Sorted(maps.Keys(sourceKinds)) {
		if k := sourceKinds[name]; k.login != nil {
			cmd.AddCommand(k.login(std))
		} else {
			official := newOfficialLoginCmd(std, name)
			official.Short = "The official Dexcom API: the same as 'cgmtop login'"
			cmd.AddCommand(official)
		}
	}
	return cmd
}

// newOfficialLoginCmd is the official API's login, as `cgmtop login` and
// as `cgmtop login dexcom`.
func newOfficialLoginCmd(std stdio, use string) *cobra.Command {
	var opts loginOptions
	cmd := &cobra.Command{
		Use:   use,
		Short: "Connect your Dexcom account",
		Long: `Connect your Dexcom account through Dexcom's sign-in page, keep the login in
the OS keyring (or a private file) and fetch up to 90 days of readings.

Dexcom's API needs your own free app registration: its client ID and secret
(see the README). A browser opens on the sign-in page; over SSH, or with
--no-browser, cgmtop prints the link instead and takes the address the browser
lands on, pasted back. Settings other than the secret are remembered, so the
next login needs no flags. --name gives the person a display name; on an
account already logged in, --name alone (with --account) only renames it.`,
		Example: `  cgmtop login --client-id ID                  # US; asks for the secret
  cgmtop login --region eu --client-id ID      # the rest of the world
  cgmtop login --no-browser --token-store file # SSH, no keyring
  cgmtop login --account ana --name Ana        # a second person; --name alone renames

  # from a script: the secret from the environment, never the command line
  CGMTOP_CLIENT_SECRET="$(pass show dexcom/cgmtop)" cgmtop login --client-id ID

  # against 'cgmtop emulate'
  CGMTOP_CLIENT_SECRET=emulator-secret cgmtop login \
    --api-url http://127.0.0.1:8080 --client-id cgmtop-emulator`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.secretGiven = cmd.Flags().Changed("client-secret")
			opts.nameGiven, opts.renameOnly = cmd.Flags().Changed("name"), onlyRenames(cmd)
			return runLogin(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "a `NAME` for this login, if you have several")
	addNameFlag(cmd, &opts.name)
	fl.StringVar(&opts.clientID, "client-id", "", "your Dexcom app's client `ID` (env CGMTOP_CLIENT_ID)")
	fl.StringVar(&opts.secret, "client-secret", "", "your Dexcom app's client `SECRET`; better left out: it is asked for hidden, or read from env CGMTOP_CLIENT_SECRET")
	fl.StringVarP(&opts.region, "region", "r", "", "Dexcom `REGION`: us, eu, jp or sandbox (default from settings, else us)")
	mustComplete(cmd, "region", values(regions...))
	fl.StringVar(&opts.apiURL, "api-url", "", "a custom Dexcom-compatible server at `URL`: https, or http on this machine only, such as cgmtop emulate's")
	fl.StringVar(&opts.redirect, "redirect-uri", "", "the redirect `URI` registered for your app (default http://localhost:8765/callback)")
	fl.BoolVar(&opts.noBrowser, "no-browser", false, "print the link instead of opening a browser (automatic over SSH)")
	fl.StringVar(&opts.storeKind, "token-store", "", "`STORE` for the login: keyring (default) or file (a private file, for machines with no keyring)")
	mustComplete(cmd, "token-store", values(tokenStores...))
	cmd.MarkFlagsMutuallyExclusive("region", "api-url")
	return cmd
}

func runLogin(ctx context.Context, opts loginOptions, std stdio) error {
	if opts.clientID == "" {
		opts.clientID = os.Getenv("CGMTOP_CLIENT_ID")
	}
	if opts.secretGiven {
		fmt.Fprintln(std.err, "cgmtop: warning: --client-secret shows your secret to every user of this machine (in the process list) and keeps it in your shell history; leave it out to type it hidden, or set CGMTOP_CLIENT_SECRET")
	}
	if opts.apiURL != "" {
		if _, err := client.ServerURL(opts.apiURL); err != nil {
			return usageError("--api-url %v", err)
		}
	}
	e, err := loadEnv(opts.account)
	if err != nil {
		return err
	}
	if opts.renameOnly && exists(markerPath(e)) {
		return rename(e, opts.name, std)
	}
	cfg := e.cfg
	if opts.nameGiven {
		nameAccount(&cfg, e.account, opts.name)
	}
	if opts.region != "" {
		cfg.Region, cfg.APIURL = opts.region, ""
	}
	if opts.apiURL != "" {
		cfg.APIURL = opts.apiURL
	}
	if opts.redirect != "" {
		cfg.RedirectURI = opts.redirect
	}
	if opts.storeKind != "" {
		cfg.TokenStore = opts.storeKind
	}
	if opts.clientID != "" {
		cfg.ClientID = opts.clientID
	}
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	base, err := apiBase(cfg.Region, cfg.APIURL)
	if err != nil {
		return usageError("--region: %v", err)
	}

	in := bufio.NewReader(std.in)
	if cfg.ClientID == "" {
		if cfg.ClientID, err = ask(ctx, in, std, "Dexcom app client ID: ", false); err != nil {
			return err
		}
	}
	if opts.secret == "" {
		opts.secret, err = readSecret(ctx, in, std, false, secretSource{env: "CGMTOP_CLIENT_SECRET", prompt: "Dexcom app client secret (hidden): "})
		if err != nil {
			return err
		}
	}
	if cfg.ClientID == "" || opts.secret == "" {
		return usageError("a client ID and secret are needed: register a free app at the Dexcom developer portal (see README)")
	}

	e.cfg = cfg
	store, err := tokenStore(e)
	if err != nil {
		return err
	}
	httpClient := newHTTPClient()
	oauth := dexcom.OAuthConfig(base, cfg.ClientID, opts.secret, cfg.RedirectURI)
	_, err = auth.Connect(ctx, store, base, auth.LoginOptions{
		OAuth:      oauth,
		HTTPClient: httpClient,
		NoBrowser:  opts.noBrowser || !auth.ShouldUseBrowser(),
		In:         in,
		Out:        std.err,
	})
	if err != nil && ctx.Err() != nil {
		// Connect stores nothing until the server handed over a login.
		return interrupted("login cancelled: nothing was stored")
	}
	if err != nil {
		return err
	}
	// Remember everything but the secrets, so the next login and every other
	// command need no flags.
	hybridNow := cfg.Account(e.account).Realtime() != ""
	if hybridNow {
		addSource(&cfg, e.account, config.SourceDexcom, false)
	}
	if err := config.Save(e.paths.ConfigFile, cfg); err != nil {
		return err
	}
	if hybridNow {
		if err := sourceAdded(ctx, e, config.SourceDexcom); err != nil {
			return err
		}
	}
	if err := writeMarker(e, loginMarker{ClientID: cfg.ClientID, BaseURL: base, TokenStore: cfg.TokenStore, At: time.Now().UTC()}); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Logged in to %s. The login is kept in %s.\n", base, store.Where())

	return firstSync(ctx, e, std, "Fetching your readings (up to 90 days)…", "")
}

// ask reads one line from the terminal, hidden when secret. Ctrl+C at the
// prompt ends it with "login cancelled" and the terminal's echo back on: a
// read blocked in the terminal would otherwise outlive the signal until
// Enter was pressed.
func ask(ctx context.Context, in *bufio.Reader, std stdio, prompt string, secret bool) (string, error) {
	fmt.Fprint(std.err, prompt)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	f, ok := std.in.(*os.File)
	hidden := ok && secret && term.IsTerminal(int(f.Fd()))
	if hidden {
		fd := int(f.Fd())
		if state, err := term.GetState(fd); err == nil {
			defer func() {
				if ctx.Err() != nil {
					term.Restore(fd, state) //nolint:errcheck // the best that can be done on the way out
				}
			}()
		}
		go func() {
			b, err := term.ReadPassword(fd)
			got <- answer{string(b), err}
		}()
	} else {
		go func() {
			line, err := in.ReadString('\n')
			if err != nil && line != "" {
				err = nil
			}
			got <- answer{line, err}
		}()
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(std.err) // end the prompt's line
		return "", interrupted("login cancelled: nothing was stored")
	case a := <-got:
		if hidden {
			fmt.Fprintln(std.err) // the typed Enter was not echoed
		}
		if a.err != nil {
			return "", errors.New("no answer on the terminal: give it with a flag or environment variable")
		}
		return strings.TrimSpace(a.line), nil
	}
}

// syncOnce runs one sync pass for the account and returns readings added.
func syncOnce(ctx context.Context, e env) (int, error) {
	a, err := openAccountSync(ctx, e)
	if err != nil {
		return 0, err
	}
	defer a.close()
	res, err := a.once(ctx)
	return res.Added, err
}

func newLogoutCmd(std stdio) *cobra.Command {
	var account string
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Delete a login and everything cached for it",
		Long: `Delete the account's login and client secret, every cached reading and, once
no account is left, the log, and say what was removed. The settings file
stays: units, thresholds and your app's client ID, none of them health data.`,
		Example: `  cgmtop logout
  cgmtop logout --account mum`,
		GroupID: "accounts",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLogout(cmd.Context(), account, std)
		},
	}
	addAccountFlag(cmd, &account, "`NAME` of the login to remove")
	return cmd
}

func runLogout(ctx context.Context, account string, std stdio) error {
	e, err := loadEnv(account)
	if err != nil {
		return err
	}
	var removed, notes []string
	var failed []error
	marker, hadLogin := readMarker(e)
	revoked := false
	if revoke := serverRevocation(marker); hadLogin && revoke != nil {
		revoked = revokeLogin(ctx, e, revoke, &notes)
	}
	loginErr := auth.Logout(ctx, e.cfg.TokenStore, e.account, e.paths)
	if rest, unreachable := withoutUnreachableKeyring(loginErr); unreachable && !(hadLogin && marker.TokenStore == "keyring") {
		// Nothing recorded a login in a keyring, and there is none to ask:
		// a machine that never had one (a server, a container).
		loginErr = rest
		notes = append(notes, "No OS keyring answers here, and no cgmtop login was recorded in one.")
	}
	if loginErr != nil {
		failed = append(failed, loginErr)
	} else if hadLogin {
		removed = append(removed, "login and client secret ("+e.cfg.TokenStore+" store)")
	}
	db := e.paths.Database(e.account)
	if ok, _ := removeAll(db); ok {
		removed = append(removed, "cached health data ("+db+")")
	}
	if err := cache.Remove(db); err != nil {
		failed = append(failed, err)
	}
	dirs := []string{e.paths.AccountDataDir(e.account), e.paths.AccountStateDir(e.account)}
	if loginErr != nil {
		// Keep the note that a login exists (in the state folder), so the
		// next logout tries the keyring again instead of finding nothing.
		dirs = dirs[:1]
	}
	for _, dir := range dirs {
		ok, err := removeAll(dir)
		if err != nil {
			failed = append(failed, err)
		} else if ok {
			removed = append(removed, "account folder "+dir)
		}
	}
	// The log names the server and when syncs ran; once no account is
	// left, nothing of it is worth keeping.
	if len(removed) > 0 && !anyAccountLeft(e.paths) {
		ok, err := removeAll(e.paths.LogFile())
		if err != nil {
			failed = append(failed, err)
		} else if ok {
			removed = append(removed, "log "+e.paths.LogFile())
		}
	}
	if len(removed) == 0 && len(failed) == 0 {
		for _, n := range notes {
			fmt.Fprintln(std.out, n)
		}
		fmt.Fprintf(std.out, "Nothing to remove: account %q was not logged in and has no cached data.\n", e.account)
		return nil
	}
	for _, r := range removed {
		fmt.Fprintln(std.out, "Removed", r)
	}
	for _, n := range notes {
		fmt.Fprintln(std.out, n)
	}
	if hadLogin && !revoked {
		fmt.Fprintln(std.out, "Not revoked at Dexcom, which offers apps no way to do it: a copy of this login made before now would keep working. "+
			"To cut off every copy, remove this app's access in your Dexcom account, where it lists the apps you have allowed.")
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not remove everything: %w", errors.Join(failed...))
	}
	fmt.Fprintf(std.out, "Kept your settings (%s): units, thresholds and your app's client id, none of them health data.\n", e.paths.ConfigFile)
	return nil
}

// anyAccountLeft reports whether another login or cache remains on this
// machine.
func anyAccountLeft(p config.Paths) bool {
	for _, dir := range []string{filepath.Dir(p.AccountDataDir(config.DefaultAccount)), filepath.Dir(p.AccountStateDir(config.DefaultAccount))} {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true // cannot tell: keep the log
		}
		if len(entries) > 0 {
			return true
		}
	}
	return false
}
