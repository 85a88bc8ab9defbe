package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

func runStatus(ctx context.Context, args []string, std stdio) error {
	names := make([]string, len(statusline.Formats))
	for i, f := range statusline.Formats {
		names[i] = string(f)
	}
	fs := newFlags("status", "cgmtop status [--format FORMAT | --template TEMPLATE] [flags]", std)
	account := fs.String("account", config.DefaultAccount, "which account to show")
	format := fs.String("format", "plain", "output format: "+strings.Join(names, ", "))
	tmpl := fs.String("template", "", "a Go template instead of a format, e.g. '{{.Value}} {{.Arrow}}'")
	units := fs.String("units", "", "mg/dL or mmol/L (default from settings)")
	ascii := fs.Bool("ascii", false, "ASCII arrows")
	noColor := fs.Bool("no-color", false, "no colours or styles (also NO_COLOR)")
	noSync := fs.Bool("no-sync", false, "never start a background sync (for when cgmtop sync --daemon runs as a service)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("status takes no arguments, got %q", fs.Args())
	}
	f, ok := parseFormat(*format)
	if !ok {
		return usageError("--format %q: use one of %s", *format, strings.Join(names, ", "))
	}
	// Parsed once here: a bad template is a usage error before anything
	// is read, and Run, which tmux calls every few seconds, does not parse
	// and try it again.
	var t *template.Template
	if *tmpl != "" {
		var err error
		if t, err = statusline.ParseTemplate(*tmpl); err != nil {
			return usageError("--template: %v", err)
		}
	}
	e, err := loadSettings(*account)
	var usage *exitError
	if errors.As(err, &usage) {
		return err
	}
	if err != nil {
		// A broken settings file: a status bar shows only stdout, so the
		// line says "config error" there, and the details go to stderr.
		fmt.Fprintln(std.err, "cgmtop:", err)
		e = env{paths: config.DefaultPaths(), account: *account, cfg: config.Default()}
	}
	code := statusline.Run(ctx, statusline.Options{
		ConfigError: err != nil,
		Paths:       e.paths,
		Account:     e.account,
		Config:      e.cfg,
		Format:      f,
		Template:    t,
		Units:       *units,
		ASCII:       *ascii || asciiOnly(os.Getenv),
		NoColor:     *noColor,
		NoSync:      *noSync,
		Now:         time.Now(),
	}, std.out)
	if code != 0 {
		return &exitError{code: code}
	}
	return nil
}

func parseFormat(s string) (statusline.Format, bool) {
	for _, f := range statusline.Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}
