package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Running the real binary once and collecting what it printed. Two helpers
// do it: cgmtopRun keeps stdout and stderr apart, cgmtopCombined gives them
// on one pipe, in the order a terminal would show them. The other names
// are the same two with the arguments older tests pass.

// runTimeout bounds one run, so a hung command fails its test instead of
// the whole package's run.
const runTimeout = 2 * time.Minute

// cgmtopRun runs the binary with env, stdin (nil: none) and args and
// returns stdout, stderr and the exit code (−1 when killed at runTimeout).
// It fails the test only when the binary cannot be run at all.
func cgmtopRun(t *testing.T, env []string, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = execBinary(t, cgmtopBinary(t), env, stdin, &out, &errOut, args)
	return out.String(), errOut.String(), code
}

// cgmtopCombined is cgmtopRun with stdout and stderr on one pipe, returned
// together as a terminal shows them.
func cgmtopCombined(t *testing.T, bin string, env []string, stdin io.Reader, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := execBinary(t, bin, env, stdin, &out, &out, args)
	return out.String(), code
}

// execBinary is one run of bin. When stdout and stderr are the same
// writer, exec gives the child one pipe for both.
func execBinary(t *testing.T, bin string, env []string, stdin io.Reader, stdout, stderr io.Writer, args []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, stdin, stdout, stderr
	code, ok := exitCode(cmd.Run())
	if !ok {
		t.Fatalf("cgmtop %s: did not run to an exit", strings.Join(args, " "))
	}
	return code
}

// exitCode is the code a run of cgmtop exited with, from exec's error; ok
// is false when it did not run to an exit of its own.
func exitCode(err error) (code int, ok bool) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &ee):
		return ee.ExitCode(), ee.Exited()
	}
	return -1, false
}

// runCgmtop is cgmtopRun with no input.
func runCgmtop(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cgmtopRun(t, env, nil, args...)
}

// runWithCode is cgmtopCombined with stdin given as text.
func runWithCode(t *testing.T, bin string, env []string, stdin string, args ...string) (string, int) {
	t.Helper()
	return cgmtopCombined(t, bin, env, strings.NewReader(stdin), args...)
}

// runCombined is runWithCode with a failed exit as an error ("exit status N").
func runCombined(t *testing.T, bin string, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	out, code := runWithCode(t, bin, env, stdin, args...)
	if code != 0 {
		return out, fmt.Errorf("exit status %d", code)
	}
	return out, nil
}

// doctorRun runs `cgmtop doctor --ascii ARGS` and returns its output and
// exit code.
func doctorRun(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	return cgmtopCombined(t, bin, env, nil, append([]string{"doctor", "--ascii"}, args...)...)
}
