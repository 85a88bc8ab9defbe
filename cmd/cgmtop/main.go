// Command cgmtop is a terminal live monitor for continuous glucose monitor
// data: a full-screen monitor, a one-line status for tmux and status bars,
// and a built-in Dexcom emulator for trying it with no account.
//
// main only parses flags, wires packages together and sets the exit code;
// the behaviour lives in the packages it calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Set at build time: -ldflags "-X main.version=… -X main.commit=… -X main.date=…".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

const usage = `cgmtop: your continuous glucose monitor, in the terminal.

Usage:
  cgmtop [--account NAME]          the live monitor
  cgmtop --demo [--source S]       the monitor against a built-in emulator (S: dexcom, share, nightscout, hybrid)
  cgmtop status [flags]            one line for tmux and status bars, from the cache
  cgmtop login [flags]             connect your Dexcom account (browser, or --no-browser over SSH)
  cgmtop login share [flags]       add real-time readings from Dexcom Share (asks region, user, password)
  cgmtop login nightscout --url U  read a Nightscout site with an access token (asked hidden)
  cgmtop logout                    delete the stored login and all cached health data
  cgmtop auth status               each account's sources, their logins and their state
  cgmtop sync [--daemon]           fetch new readings into the cache
  cgmtop report [flags]            AGP report of a period: text, JSON, or an HTML page for a clinic
  cgmtop export [flags]            every cached reading and event as CSV or JSON Lines
  cgmtop doctor [--offline]        check the whole setup and say how to fix what is wrong
  cgmtop emulate [flags]           run the Dexcom (and Share, Nightscout) emulator alone, for trying login and sync
  cgmtop version                   print the version

Run 'cgmtop COMMAND --help' for a command's flags.
`

// stdio is the terminal a command talks to; tests swap it.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func main() {
	ctx, stop := stopSignals(context.Background())
	code := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr})
	stop()
	os.Exit(code)
}

// stopSignals returns a context that ends at the first SIGINT, SIGTERM or
// SIGHUP (a closed terminal or a dropped SSH session), so every command
// winds down through its deferred clean-ups: the monitor restores the
// terminal, the demo deletes its scratch folder. This is the process's only
// signal handler; the monitor turns Bubble Tea's off, whose handler and this
// one raced: Bubble Tea's blocked forever handing its quit message to an
// event loop our cancelled context had already stopped, and the monitor
// froze with q and ctrl+c dead. After the first signal the handler steps
// aside, so a second one ends a process whose clean-up hangs, the default way.
func stopSignals(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// exitError carries an exit code other than 1 out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, std stdio) int {
	cmd, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = runMonitorCmd(ctx, rest, std)
	case "status":
		err = runStatus(ctx, rest, std)
	case "login":
		err = runLogin(ctx, rest, std)
	case "logout":
		err = runLogout(ctx, rest, std)
	case "auth":
		err = runAuth(ctx, rest, std)
	case "sync":
		err = runSync(ctx, rest, std)
	case "doctor":
		err = runDoctor(ctx, rest, std)
	case "emulate":
		err = runEmulate(ctx, rest, std)
	case "report":
		err = runReport(ctx, rest, std)
	case "export":
		err = runExport(ctx, rest, std)
	case "version":
		fmt.Fprintln(std.out, versionString())
	case "help":
		fmt.Fprint(std.out, usage)
	default:
		fmt.Fprintf(std.err, "cgmtop: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Error() != "" {
			fmt.Fprintln(std.err, "cgmtop:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(std.err, "cgmtop:", err)
	return 1
}

func versionString() string {
	s := "cgmtop " + version
	if commit != "" {
		s += " (" + commit
		if date != "" {
			s += ", " + date
		}
		s += ")"
	}
	return s
}

// userAgent names cgmtop to the servers it calls.
func userAgent() string { return "cgmtop/" + version }

// newFlags makes a command's flag set with errors and help going to the
// command's stderr, and usage that names the command.
func newFlags(name, synopsis string, std stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.err)
	fs.Usage = func() {
		fmt.Fprintf(std.err, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// usageError is a mistake on the command line: exit code 2.
func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}
