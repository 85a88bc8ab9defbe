package auth

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/pkg/browser"
)

// ShouldUseBrowser reports whether a browser can be opened here: not over
// SSH, and not on a Linux or BSD box with no graphical display.
func ShouldUseBrowser() bool {
	return shouldUseBrowser(os.Getenv, runtime.GOOS)
}

func shouldUseBrowser(getenv func(string) string, goos string) bool {
	if getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return false
	}
	switch goos {
	case "darwin", "windows":
		return true
	}
	return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
}

// OpenBrowser opens url in the user's browser: the commands in $BROWSER
// (colon-separated, "%s" standing for the URL, as in sensible-browser), or
// the system's default through pkg/browser.
func OpenBrowser(url string) error {
	if list := os.Getenv("BROWSER"); list != "" {
		return openWith(list, url)
	}
	// pkg/browser passes xdg-open's chatter through to our terminal.
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	if err := browser.OpenURL(url); err != nil {
		return fmt.Errorf("open a browser: %s", oneLine(err.Error()))
	}
	return nil
}

// openWith starts the first $BROWSER command that runs. It does not wait
// for the browser to exit: many stay open for as long as the window does.
func openWith(list, url string) error {
	var errs []error
	for _, cmdline := range strings.Split(list, ":") {
		args := strings.Fields(cmdline)
		if len(args) == 0 {
			continue
		}
		substituted := false
		for i, a := range args {
			if strings.Contains(a, "%s") {
				args[i] = strings.ReplaceAll(a, "%s", url)
				substituted = true
			}
		}
		if !substituted {
			args = append(args, url)
		}
		cmd := exec.Command(args[0], args[1:]...)
		if err := cmd.Start(); err != nil {
			errs = append(errs, err)
			continue
		}
		go cmd.Wait() //nolint:errcheck // reap it; its exit status says nothing about the login
		return nil
	}
	if len(errs) == 0 {
		return errors.New("open a browser: $BROWSER holds no command")
	}
	return fmt.Errorf("open a browser from $BROWSER: %s", oneLine(errors.Join(errs...).Error()))
}
