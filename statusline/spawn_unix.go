//go:build !windows

package statusline

import (
	"os"
	"os/exec"
	"syscall"
)

// startDetached starts a process in a new session, so it has no controlling
// terminal and no signal sent to the caller's process group reaches it.
func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = "/"                                     // do not keep the caller's directory (a mount, a deleted folder) busy
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil // os/exec opens the null device for nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}
