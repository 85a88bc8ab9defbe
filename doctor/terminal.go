package doctor

import (
	"context"
	"strings"
)

// utf8Locale reports whether the locale the environment sets is UTF-8, by
// the POSIX precedence LC_ALL, LC_CTYPE, LANG.
func utf8Locale(getenv func(string) string) (bool, string) {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := getenv(k); v != "" {
			l := strings.ToLower(v)
			return strings.Contains(l, "utf-8") || strings.Contains(l, "utf8"), k + "=" + v
		}
	}
	return false, "no LANG, LC_CTYPE or LC_ALL set"
}

func checkTerminal(env Env) []Finding {
	getenv := env.Getenv
	if getenv == nil {
		return nil
	}
	var r []Finding
	utf8, locale := utf8Locale(getenv)
	if utf8 || env.Config.ASCII {
		say := "UTF-8 (" + locale + "): arrows and braille charts can be drawn"
		if env.Config.ASCII {
			say = "ascii = true: cgmtop draws with ASCII only"
		}
		r = append(r, Finding{Topic: "terminal", Level: OK, Say: say})
	} else {
		r = append(r, Finding{Topic: "terminal", Level: Warn, Say: "the locale is not UTF-8 (" + locale + "): cgmtop falls back to ASCII arrows and charts",
			Fix: "set a UTF-8 locale, e.g. `export LANG=en_US.UTF-8` (over SSH, on the remote side), or set ascii = true to keep ASCII"})
	}
	term, colorterm := getenv("TERM"), strings.ToLower(getenv("COLORTERM"))
	switch {
	case getenv("NO_COLOR") != "":
		r = append(r, Finding{Topic: "terminal", Level: Info, Say: "NO_COLOR is set: no colours; ranges are told by words and arrows"})
	case term == "dumb" || term == "":
		r = append(r, Finding{Topic: "terminal", Level: Warn, Say: "TERM is " + quoteEmpty(term) + ": no colours and no full-screen monitor",
			Fix: "run cgmtop in a terminal emulator, or set TERM (e.g. xterm-256color)"})
	case colorterm == "truecolor" || colorterm == "24bit":
		r = append(r, Finding{Topic: "terminal", Level: OK, Say: "TERM=" + term + " with 24-bit colour"})
	case strings.Contains(term, "256"):
		r = append(r, Finding{Topic: "terminal", Level: OK, Say: "TERM=" + term + " with 256 colours"})
	default:
		r = append(r, Finding{Topic: "terminal", Level: Info, Say: "TERM=" + term + ": 16 colours, enough for the ranges",
			Fix: "for the themes' full palette use a 256-colour TERM (e.g. xterm-256color)"})
	}
	return r
}

func quoteEmpty(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// checkTmux looks at the tmux server the user is in, if any: whether
// desktop notifications can pass through it and whether its status line
// calls cgmtop.
func checkTmux(ctx context.Context, env Env) []Finding {
	if env.Getenv == nil || env.Getenv("TMUX") == "" || env.Tmux == nil {
		return []Finding{{Topic: "tmux", Level: Info, Say: "not inside tmux: nothing to check (run `cgmtop doctor` in a tmux pane to check it)"}}
	}
	var r []Finding
	pass, err := env.Tmux(ctx, "show-options", "-gv", "allow-passthrough")
	pass = strings.TrimSpace(pass)
	switch {
	case err != nil:
		r = append(r, Finding{Topic: "tmux", Level: Warn, Say: "tmux did not answer: " + oneLine(err.Error())})
	case pass == "on" || pass == "all":
		r = append(r, Finding{Topic: "tmux", Level: OK, Say: "allow-passthrough is " + pass + ": desktop notifications reach the terminal"})
	case !env.Config.Alerts.Desktop:
		r = append(r, Finding{Topic: "tmux", Level: Info, Say: "allow-passthrough is off; desktop notifications are off in the settings anyway"})
	default:
		r = append(r, Finding{Topic: "tmux", Level: Warn, Say: "allow-passthrough is off: tmux swallows cgmtop's desktop notifications",
			Fix: "add `set -g allow-passthrough on` to ~/.tmux.conf, then `tmux source-file ~/.tmux.conf`"})
	}
	if err != nil {
		return r
	}
	left, _ := env.Tmux(ctx, "show-options", "-gv", "status-left")
	right, _ := env.Tmux(ctx, "show-options", "-gv", "status-right")
	if strings.Contains(left+right, "cgmtop") {
		r = append(r, Finding{Topic: "tmux", Level: OK, Say: "the status line calls cgmtop"})
	} else {
		r = append(r, Finding{Topic: "tmux", Level: Info, Say: "the status line does not show glucose",
			Fix: "add `set -g status-right '#(cgmtop status --format tmux) | %H:%M'` to ~/.tmux.conf (README: tmux and status bars)"})
	}
	return r
}
