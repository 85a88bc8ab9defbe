package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/client/dexcom"
	"github.com/cgmtop/cgmtop/client/share"
	"github.com/cgmtop/cgmtop/config"
)

// runLoginShare is `cgmtop login share`: it asks for the region (never
// guessed: a wrong one looks exactly like a wrong password), the user name
// or account id and the password, logs in once, and keeps the login and
// its session in the account's token store.
// loginShareOptions are `cgmtop login share`'s flags.
type loginShareOptions struct {
	account, region, username, accountID, url, storeKind string
	pwStdin, alone                                       bool
	name                                                 string
	nameGiven                                            bool
}

func newLoginShareCmd(std stdio) *cobra.Command {
	var opts loginShareOptions
	cmd := &cobra.Command{
		Use:   "share",
		Short: "Add real-time readings from Dexcom Share",
		Long: `Log in to Dexcom Share, the service the Dexcom Follow app reads, for readings
within seconds of the sensor, with the wearer's Dexcom user name (or account
id) and password. The region is asked for, never guessed: a wrong one looks
exactly like a wrong password. The password is never a flag: it is asked for
hidden, or read from CGMTOP_SHARE_PASSWORD, or with --password-stdin from the
first line of standard input. A refused login is not tried again.

With an official login on the same account, cgmtop combines the two: history,
events and devices from the official API, the newest readings from Share.`,
		Example: `  cgmtop login share --region us --username jane@example.com
  cgmtop login share --region ous --share-only      # Share alone
  pass show dexcom | cgmtop login share -r us --username jane --password-stdin`,
		Args: noArgsBecause("the password is never a flag: use --password-stdin or CGMTOP_SHARE_PASSWORD"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.nameGiven = cmd.Flags().Changed("name")
			return runLoginShare(cmd.Context(), opts, std)
		},
	}
	fl := cmd.Flags()
	addAccountFlag(cmd, &opts.account, "a `NAME` for this login, if you have several")
	addNameFlag(cmd, &opts.name)
	fl.StringVarP(&opts.region, "region", "r", "", "the `REGION` the Dexcom account lives in: us, ous (outside the US) or jp (Japan and APAC); asked when missing")
	mustComplete(cmd, "region", values(shareRegions...))
	fl.StringVar(&opts.username, "username", "", "the wearer's Dexcom user `NAME`, e-mail or phone (+<country><number>); asked when missing")
	fl.StringVar(&opts.accountID, "account-id", "", "the Dexcom account `ID` instead of a user name (a UUID, from the Dexcom account page's address)")
	fl.BoolVar(&opts.pwStdin, "password-stdin", false, "read the password from the first line of standard input (else env CGMTOP_SHARE_PASSWORD, else asked hidden)")
	fl.StringVar(&opts.url, "share-url", "", "a custom Share server at `URL`, such as cgmtop emulate's (http://127.0.0.1:8080)")
	fl.BoolVar(&opts.alone, "share-only", false, "read only from Share, even if the account also has an official login")
	fl.StringVar(&opts.storeKind, "token-store", "", "`STORE` for the login: keyring (default) or file")
	mustComplete(cmd, "token-store", values(tokenStores...))
	return cmd
}

// runLoginShare is `cgmtop login share`.
func runLoginShare(ctx context.Context, opts loginShareOptions, std stdio) error {
	e, err := loginEnv(opts.account, opts.storeKind, opts.nameGiven, opts.name)
	if err != nil {
		return err
	}
	if opts.username != "" && opts.accountID != "" {
		return usageError("give --username or --account-id, not both")
	}

	in := bufio.NewReader(std.in)
	l := share.Login{Region: strings.ToLower(strings.TrimSpace(opts.region)), URL: opts.url, Username: opts.username, AccountID: strings.ToLower(opts.accountID)}
	if l.Region == "" {
		if l.Region, err = ask(ctx, in, std, "Dexcom Share region: us (United States), ous (outside the US) or jp (Japan, APAC): ", false); ctx.Err() != nil {
			return err
		}
		if err != nil {
			return usageError("the region is needed (--region us, ous or jp): cgmtop never guesses it, since a wrong one looks like a wrong password")
		}
		l.Region = strings.ToLower(l.Region)
	}
	if err := share.CheckRegion(l.Region); err != nil {
		return usageError("%v", err)
	}
	if _, err := share.BaseURL(l.Region, l.URL); err != nil {
		return usageError("--share-url: %v", err)
	}
	if l.Username == "" && l.AccountID == "" {
		who, err := ask(ctx, in, std, "Dexcom user name, e-mail or phone (+<country><number>), or account id: ", false)
		if ctx.Err() != nil {
			return err
		}
		if err != nil || who == "" {
			return usageError("a user name or account id is needed (--username or --account-id)")
		}
		if share.ValidID(strings.ToLower(who)) {
			l.AccountID = strings.ToLower(who)
		} else {
			l.Username = who
		}
	}
	if l.AccountID != "" && !share.ValidID(l.AccountID) {
		return usageError("--account-id %q: an account id looks like 01234567-89ab-cdef-0123-456789abcdef", l.AccountID)
	}
	l.Password, err = readSecret(ctx, in, std, opts.pwStdin, secretSource{
		what: "password", flag: "--password-stdin", env: "CGMTOP_SHARE_PASSWORD",
		prompt: "Dexcom password (hidden): ",
	})
	if err != nil {
		return err
	}
	if l.Password == "" {
		return usageError("a password is needed")
	}

	store, err := shareStore(e)
	if err != nil {
		return err
	}
	if err := store.Check(ctx); err != nil {
		return err
	}
	// One attempt: a refusal is never retried, here or in the background.
	l, err = share.Connect(ctx, dexcom.NewHTTPClient(), userAgent(), l)
	if err != nil && ctx.Err() != nil {
		return interrupted("login cancelled: nothing was stored")
	}
	var le *client.LoginError
	if errors.As(err, &le) {
		return errors.New(le.Msg + " (cgmtop did not try again)")
	}
	if err != nil {
		return err
	}
	if err := store.Save(ctx, l); err != nil {
		return err
	}
	cfg := e.cfg
	a := cfg.Account(e.account)
	a.Share = config.ShareSettings{Region: l.Region, URL: l.URL}
	cfg.SetAccount(e.account, a)
	if err := keepLogin(&e, cfg, config.SourceShare, opts.alone); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "Logged in to Dexcom Share, region %s. The login is kept in %s.\n", share.RegionName(l.Region), store.Where())
	if e.cfg.Account(e.account).Hybrid() {
		fmt.Fprintln(std.out, "This account now combines the official API (90 days, events, devices) with Share (the newest readings, within seconds).")
	}
	return firstSync(ctx, e, std, "Fetching your readings…", config.SourceShare)
}
