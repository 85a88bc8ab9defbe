package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adrg/xdg"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// runCLI runs the command line in this process, in a private set of XDG
// folders, and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return out.String(), errb.String(), code
}

// privateXDG points the XDG folders into a temp dir for this test.
func privateXDG(t *testing.T) (root string) {
	t.Helper()
	root = t.TempDir()
	t.Setenv("HOME", root)
	for _, dir := range []string{"config", "data", "state", "cache"} {
		t.Setenv("XDG_"+strings.ToUpper(dir)+"_HOME", filepath.Join(root, dir))
	}
	t.Setenv("CGMTOP_CLIENT_ID", "")
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	return root
}

// allCommands lists every visible command of the full tree by path, the
// root as "".
func allCommands() []string {
	var paths []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		paths = append(paths, strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "cgmtop"), " "))
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(stdio{}, nil))
	return paths
}

func goldenName(path string) string {
	if path == "" {
		return "cgmtop"
	}
	return "cgmtop-" + strings.ReplaceAll(path, " ", "-")
}

// TestHelp checks every command's --help against testdata/help/*.golden
// (go test -run TestHelp -update rewrites them), that it shows every flag
// in GNU style, and an example.
func TestHelp(t *testing.T) {
	privateXDG(t)
	for _, path := range allCommands() {
		t.Run(goldenName(path), func(t *testing.T) {
			args := append(strings.Fields(path), "--help")
			out, errs, code := runCLI(t, args...)
			if code != 0 || errs != "" {
				t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
			}
			golden := filepath.Join("testdata", "help", goldenName(path)+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelp -update)", err)
			}
			if out != string(want) {
				t.Errorf("%s --help differs from %s (go test -run TestHelp -update rewrites it):\n%s", path, golden, out)
			}

			cmd, _, err := newRootCmd(stdio{}, nil).Find(strings.Fields(path))
			if err != nil {
				t.Fatal(err)
			}
			cmd.InitDefaultHelpFlag()
			cmd.Flags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden && !strings.Contains(out, "--"+f.Name) {
					t.Errorf("help does not show --%s", f.Name)
				}
			})
			if !strings.Contains(out, "Examples:\n  cgmtop") {
				t.Error("help has no examples")
			}
		})
	}
}

// TestHelpOfOneCommandIsTheWholeTreeHelp guards the shortcut that builds
// only the command being run: `cgmtop X --help` must print what
// `cgmtop help X`, which builds the whole tree, prints.
func TestHelpOfOneCommandIsTheWholeTreeHelp(t *testing.T) {
	privateXDG(t)
	for _, path := range allCommands() {
		if path == "" {
			continue
		}
		direct, _, _ := runCLI(t, append(strings.Fields(path), "--help")...)
		whole, _, _ := runCLI(t, append([]string{"help"}, strings.Fields(path)...)...)
		if direct != whole {
			t.Errorf("%q: --help and help differ:\n%s\n---\n%s", path, direct, whole)
		}
	}
}

// TestExitCodes checks the README's exit codes for mistakes on the command
// line, and that each says what to do in one line.
func TestExitCodes(t *testing.T) {
	privateXDG(t)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"version"}, 0, ""},
		{[]string{"--version"}, 0, ""},
		{[]string{"help"}, 0, ""},
		{[]string{"auth"}, 0, ""},
		{[]string{"stauts"}, 2, `unknown command "stauts" for 'cgmtop'; did you mean 'status'?`},
		{[]string{"repot", "--days", "3"}, 2, "did you mean 'report'?"},
		{[]string{"frobnicate"}, 2, "see 'cgmtop --help'"},
		{[]string{"auth", "statsu"}, 2, "did you mean 'status'?"},
		{[]string{"help", "stauts"}, 2, "did you mean 'status'?"},
		{[]string{"help", "auth", "x"}, 2, `unknown command "x" for 'cgmtop auth'`},
		{[]string{"help", "status"}, 0, ""},
		{[]string{"login", "shaer"}, 2, "did you mean 'share'?"},
		{[]string{"login", "share", "hunter2"}, 2, "the password is never a flag"},
		{[]string{"--demo", "--source", "carrier-pigeon"}, 2, `--source "carrier-pigeon"`},
		{[]string{"status", "--formt", "tmux"}, 2, "unknown flag --formt; did you mean --format?"},
		{[]string{"status", "--bogus"}, 2, "unknown flag: --bogus; see 'cgmtop status --help'"},
		{[]string{"status", "-format", "tmux"}, 2, "long flags take two dashes: --format"},
		{[]string{"status", "--format", "xml"}, 2, "use one of plain, tmux"},
		{[]string{"status", "extra"}, 2, "'cgmtop status' takes no arguments"},
		{[]string{"status", "--account", "../x"}, 2, "--account: account name"},
		{[]string{"report", "--days", "many"}, 2, `--days "many": want a whole number`},
		{[]string{"report", "--days", "7", "--from", "2025-01-01"}, 2, "--days and --from cannot be used together"},
		{[]string{"emulate", "--lag", "soon"}, 2, "want a duration"},
		{[]string{"login", "--region", "eu", "--api-url", "http://127.0.0.1:1"}, 2, "--api-url and --region cannot be used together"},
		{[]string{"--theme", "purple"}, 2, `--theme "purple": use auto, dark, light or high-contrast`},
		{[]string{"sync", "--daemon", "--background"}, 2, "cannot be used together"},
		{[]string{"status", "--all", "--account", "ana"}, 2, "cannot be used together"},
	} {
		out, errs, code := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", tt.args, code, tt.code, errs)
		}
		if tt.code == 0 {
			if errs != "" || out == "" {
				t.Errorf("%v: stdout %q, stderr %q", tt.args, out, errs)
			}
			continue
		}
		if !strings.HasPrefix(errs, "cgmtop: ") || !strings.Contains(errs, tt.msg) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: stderr %q; want one line with %q", tt.args, errs, tt.msg)
		}
	}
}

func TestVersion(t *testing.T) {
	a, _, _ := runCLI(t, "version")
	b, _, _ := runCLI(t, "--version")
	c, _, _ := runCLI(t, "-v")
	if a != "cgmtop dev\n" || b != a || c != a {
		t.Errorf("version %q, --version %q, -v %q", a, b, c)
	}
}
