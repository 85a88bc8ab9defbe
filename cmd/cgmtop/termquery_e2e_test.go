//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestNoTerminalQueryOutsideTheTUI runs commands on a real terminal (a
// pseudo-terminal nobody answers, as a serial console or a stalled ssh
// link would be) and checks that they do not ask it for its background
// colour. Bubble Tea v1's package init does that in every process whose
// stdout is a terminal (TERM not screen/tmux/dumb): an OSC 11 query and a
// cursor report, written into the output, then a wait of up to 5 s for the
// answer. Only the TUI needs the answer (theme.Detect asks for it).
func TestNoTerminalQueryOutsideTheTUI(t *testing.T) {
	bin := cgmtopBinary(t)
	for _, args := range [][]string{{"status", "--format", "tmux"}, {"version"}} {
		out, elapsed := runOnTerminal(t, bin, isolatedEnv(t), args...)
		if bytes.Contains(out, []byte("\x1b]11;?")) || bytes.Contains(out, []byte("\x1b[6n")) {
			t.Errorf("cgmtop %v queried the terminal: %q", args, out)
		}
		if elapsed > 3*time.Second { // an unanswered query waits 5 s
			t.Errorf("cgmtop %v took %v on a silent terminal", args, elapsed)
		}
	}
}

// runOnTerminal runs bin on a new pseudo-terminal as the controlling
// terminal of its own session, reads everything it writes until it exits,
// and never answers it.
func runOnTerminal(t *testing.T, bin string, env []string, args ...string) ([]byte, time.Duration) {
	t.Helper()
	ptmx, tty := openPTY(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { _, err := io.Copy(&out, ptmx); done <- err }()
	err := cmd.Wait()
	elapsed := time.Since(start)
	if err != nil && !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("cgmtop %v: %v", args, err)
	}
	select {
	case <-done: // EIO once the last holder of the terminal is gone
	case <-time.After(10 * time.Second):
		t.Errorf("cgmtop %v left something holding its terminal", args)
		ptmx.Close()
		<-done
	}
	ptmx.Close()
	return out.Bytes(), elapsed
}

func openPTY(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ptmx, tty
}
