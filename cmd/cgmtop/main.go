// Command cgmtop is a terminal live monitor for continuous glucose monitor
// data: a full-screen monitor, a one-line status for tmux and status bars,
// and a built-in Dexcom emulator for trying it with no account.
//
// main only parses flags, wires packages together and sets the exit code;
// the behaviour lives in the packages it calls. The command line is
// spf13/cobra: root.go builds the command tree, each command's file
// defines its flags beside the function that runs it.
package main

import (
	"context"
	"errors"
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

// The exit codes, as the README's table documents them. `status` adds
// statusline.ExitUrgent (33) for i3blocks.
const (
	exitOK     = 0
	exitFailed = 1  // the command could not do its work; the message says why
	exitUsage  = 2  // a mistake on the command line: nothing was done
	exitConfig = 78 // EX_CONFIG: only the user can help (`sync --daemon` with no valid login)
	// exitInterrupted is the shells' 128+SIGINT: Ctrl+C (or SIGTERM, SIGHUP)
	// stopped a command before it finished its work.
	exitInterrupted = 130
)

// stdio is the terminal a command talks to; tests swap it.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func main() {
	args := os.Args[1:]
	ctx, stop := context.Background(), func() {}
	if !noCleanUp(args) {
		ctx, stop = stopSignals(ctx)
	}
	code := run(ctx, args, stdio{os.Stdin, os.Stdout, os.Stderr})
	stop()
	os.Exit(code)
}

// noCleanUp says whether args run `cgmtop status`, which has nothing to
// wind down (it reads, prints one line and at most starts a detached sync,
// whose marker and lock survive being cut short), so a signal may end it
// the default way. Catching signals costs every start a goroutine locked
// to its own thread and two thread hand-offs, about 5% of a start that
// tmux pays every few seconds.
func noCleanUp(args []string) bool {
	return len(args) > 0 && args[0] == "status"
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

// usageError is a mistake on the command line: exit code 2.
func usageError(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// interrupted is a command stopped by a signal before it finished: exit
// code 130, with msg saying what was and was not done.
func interrupted(msg string) error {
	return &exitError{code: exitInterrupted, err: errors.New(msg)}
}

// run is the whole command line: it runs args and returns the exit code.
// Errors are printed here, once, as one line on stderr.
func run(ctx context.Context, args []string, std stdio) int {
	root := newRootCmd(std, args)
	root.SetArgs(args)
	err := precheck(root, args)
	if err == nil {
		_, err = root.ExecuteContextC(ctx)
	}
	if err == nil {
		return exitOK
	}
	code := exitFailed
	var ran *runError
	if errors.As(err, &ran) {
		err = ran.err
	} else {
		// Cobra stopped before the command ran: an unknown command or
		// flag, a bad flag value or too many arguments.
		code = exitUsage
		err = errors.New(usageMessage(err))
	}
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// A signal cut the command short; "context canceled" means
		// nothing to a user.
		code, err = exitInterrupted, errors.New("interrupted before it finished")
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(std.err, "cgmtop:", msg)
	}
	return code
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
