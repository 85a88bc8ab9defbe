package main

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestProcessAliveSeesZombiesAsGone: a demo killed outright stays a zombie
// until its parent (tmux) reaps it, and still takes signal 0; the next demo
// must count it gone and remove its scratch folder (CI saw the folder kept).
func TestProcessAliveSeesZombiesAsGone(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !processAlive(pid) {
		t.Fatal("a running process counted as gone")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Not reaped yet: wait until the kernel has made it a zombie.
	for deadline := time.Now().Add(10 * time.Second); processAlive(pid); {
		if time.Now().After(deadline) {
			t.Fatal("a killed, unreaped process still counts as alive")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("the zombie is already gone (%v): the test did not test a zombie", err)
	}
	cmd.Wait()
}
