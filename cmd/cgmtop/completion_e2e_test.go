package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Shell completion, as cobra's scripts ask for it (`cgmtop __complete
// ARGS… PARTIAL`) and in real bash and zsh with the scripts `cgmtop
// completion` writes.

// makeAccounts gives the XDG folders under root three accounts: alice and
// bob with a cache, carol with a login folder only, and a stray file that
// is not an account.
func makeAccounts(t *testing.T, dataHome, stateHome string) {
	t.Helper()
	for _, dir := range []string{
		filepath.Join(dataHome, "cgmtop", "accounts", "alice"),
		filepath.Join(dataHome, "cgmtop", "accounts", "bob"),
		filepath.Join(stateHome, "cgmtop", "accounts", "carol"),
		filepath.Join(stateHome, "cgmtop", "accounts", "alice"),
	} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dataHome, "cgmtop", "accounts", "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// completions runs `cgmtop __complete args…` in this process and returns
// the choices (without descriptions) and the directive line.
func completions(t *testing.T, args ...string) (choices []string, directive string) {
	t.Helper()
	out, errs, code := runCLI(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %q: exit %d: %s", args, code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines[:len(lines)-1] {
		choice, _, _ := strings.Cut(l, "\t")
		choices = append(choices, choice)
	}
	return choices, lines[len(lines)-1]
}

func TestCompleteChoices(t *testing.T) {
	root := privateXDG(t)
	makeAccounts(t, filepath.Join(root, "data"), filepath.Join(root, "state"))

	const noFiles = ":4" // cobra.ShellCompDirectiveNoFileComp
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"sta"}, []string{"status"}},
		{[]string{"rep"}, []string{"report"}},
		{[]string{"auth", ""}, []string{"status"}},
		{[]string{"status", "--format", ""}, []string{"plain", "tmux", "json", "waybar", "i3blocks", "polybar", "prompt"}},
		{[]string{"status", "--units", ""}, []string{"mg/dL", "mmol/L"}},
		{[]string{"status", "--account", ""}, []string{"alice", "bob", "carol"}},
		{[]string{"status", "-a", ""}, []string{"alice", "bob", "carol"}},
		{[]string{"--account", ""}, []string{"alice", "bob", "carol"}},
		{[]string{"auth", "status", "--account", ""}, []string{"alice", "bob", "carol"}},
		{[]string{"report", "--format", ""}, []string{"text", "json", "html"}},
		{[]string{"export", "--format", ""}, []string{"csv", "jsonl"}},
		{[]string{"export", "--what", ""}, []string{"all", "readings", "events"}},
		{[]string{"login", "--region", ""}, []string{"us", "eu", "jp", "sandbox"}},
		{[]string{"login", "--token-store", ""}, []string{"keyring", "file"}},
		{[]string{"--theme", ""}, []string{"auto", "dark", "light", "high-contrast"}},
		{[]string{"emulate", "--user", ""}, []string{"g7", "g6"}},
		{[]string{"emulate", "--share-region", ""}, []string{"us", "ous", "jp"}},
		{[]string{"login", "sh"}, []string{"share"}},
		{[]string{"login", "share", "--region", ""}, []string{"us", "ous", "jp"}},
		{[]string{"login", "share", "--account", ""}, []string{"alice", "bob", "carol"}},
		{[]string{"--source", ""}, []string{"dexcom", "share", "nightscout", "hybrid"}},
		{[]string{"login", "nightscout", "--token-store", ""}, []string{"keyring", "file"}},
		{[]string{"emulate", "--nightscout-units", ""}, []string{"mg/dl", "mmol"}},
		{[]string{"completion", ""}, []string{"bash", "fish", "powershell", "zsh"}},
		{[]string{"help", "au"}, []string{"auth"}},
		{[]string{"help", "auth", ""}, []string{"status"}},
		{[]string{"status", "--template", ""}, nil},
		{[]string{"report", "--from", ""}, nil},
		{[]string{"login", "--name", ""}, nil},
		{[]string{"login", "nightscout", "--name", ""}, nil},
		{[]string{"sync", "--account", ""}, []string{"alice", "bob", "carol"}},
	} {
		got, directive := completions(t, tt.args...)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || directive != noFiles {
			t.Errorf("complete %q: %q %s, want %q %s", tt.args, got, directive, tt.want, noFiles)
		}
	}

	// Flags complete as flags, never as file names.
	got, _ := completions(t, "status", "--n")
	if strings.Join(got, " ") != "--no-color --no-sync" {
		t.Errorf("status --n: %q", got)
	}
	if got, _ := completions(t, "status", "--al"); strings.Join(got, " ") != "--all" {
		t.Errorf("status --al: %q", got)
	}
}

// completionEnv is a private environment with cgmtop on PATH and three
// accounts on disk.
func completionEnv(t *testing.T) (env []string, dir string) {
	t.Helper()
	bin := cgmtopBinary(t)
	env = isolatedEnv(t)
	root := strings.TrimPrefix(env[0], "HOME=")
	makeAccounts(t, filepath.Join(root, "data"), filepath.Join(root, "state"))
	binDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(binDir, "cgmtop")); err != nil {
		t.Fatal(err)
	}
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + binDir + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	return env, t.TempDir()
}

// writeCompletion saves `cgmtop completion SHELL` at path.
func writeCompletion(t *testing.T, env []string, shell, path string) {
	t.Helper()
	out, errOut, code := cgmtopRun(t, env, nil, "completion", shell)
	if code != 0 {
		t.Fatalf("cgmtop completion %s: exit %d: %s", shell, code, errOut)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// interactiveShell starts shell in tmux with cgmtop's completion set up
// by setup, as a user's rc file would, and a "> " prompt.
func interactiveShell(t *testing.T, env []string, shell, setup string) *tmuxTerm {
	t.Helper()
	tm := startTmux(t, env, 100, 20, shell)
	tm.keys(setup+"; PS1='> '", "Enter")
	tm.keys("clear", "Enter")
	tm.waitFor(shell+"'s prompt", func(s string) bool { return strings.HasPrefix(s, ">") })
	return tm
}

// tab types a command line, presses Tab and waits for the line to become
// want (tmux drops the trailing space the shell adds), then clears it.
func tab(t *testing.T, tm *tmuxTerm, typed, want string) {
	t.Helper()
	tm.keys(typed, "Tab")
	tm.waitFor("Tab to complete "+typed, func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimRight(l, " ") == want {
				return true
			}
		}
		return false
	})
	tm.keys("C-u")
	tm.keys("clear", "Enter")
	tm.waitFor("a clear screen", func(s string) bool { return strings.TrimSpace(s) == ">" })
}

// TestCompletionBash types into a real interactive bash in tmux, with
// bash-completion loaded and the script installed where the packages
// install it, and presses Tab.
func TestCompletionBash(t *testing.T) {
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Skip("bash-completion is not installed (.ci/run installs it)")
	}
	env, dir := completionEnv(t)
	env = append(env, "HISTFILE=/dev/null") // bash would write ~/.bash_history as the test removes it
	script := filepath.Join(dir, "cgmtop")
	writeCompletion(t, env, "bash", script)

	tm := interactiveShell(t, env, "bash --norc --noprofile", ". "+bashCompletion+"; . "+script)
	tab(t, tm, "cgmtop sta", "> cgmtop status")
	tab(t, tm, "cgmtop status --format way", "> cgmtop status --format waybar")
	tab(t, tm, "cgmtop status --account ca", "> cgmtop status --account carol")
	tab(t, tm, "cgmtop report --units mm", "> cgmtop report --units mmol/L")

	// Several accounts: a second Tab lists them all.
	tm.keys("cgmtop status --account ", "Tab", "Tab")
	tm.waitFor("bash to list the accounts", func(s string) bool {
		return strings.Contains(s, "alice") && strings.Contains(s, "bob") && strings.Contains(s, "carol")
	})
}

// TestCompletionZsh types into a real interactive zsh in tmux, with the
// script in $fpath as the packages install it, and presses Tab.
func TestCompletionZsh(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed (.ci/run installs it)")
	}
	env, dir := completionEnv(t)
	writeCompletion(t, env, "zsh", filepath.Join(dir, "_cgmtop"))

	tm := interactiveShell(t, env, "zsh -f", "fpath=("+dir+" $fpath); autoload -U compinit; compinit -u")
	tab(t, tm, "cgmtop sta", "> cgmtop status")
	tab(t, tm, "cgmtop status --format way", "> cgmtop status --format waybar")
	tab(t, tm, "cgmtop status --account ca", "> cgmtop status --account carol")
	tab(t, tm, "cgmtop report --units mm", "> cgmtop report --units mmol/L")

	// Several accounts: zsh lists them all under the line.
	tm.keys("cgmtop status --account ", "Tab")
	tm.waitFor("zsh to list the accounts", func(s string) bool {
		return strings.Contains(s, "alice") && strings.Contains(s, "bob") && strings.Contains(s, "carol")
	})
}

// TestCompletionFish asks a real fish what it would offer on Tab
// (`complete -C`), with the script sourced as its vendor folder would.
func TestCompletionFish(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed (.ci/run installs it)")
	}
	env, dir := completionEnv(t)
	script := filepath.Join(dir, "cgmtop.fish")
	writeCompletion(t, env, "fish", script)
	for line, want := range map[string]string{
		"cgmtop sta":                 "status",
		"cgmtop status --format way": "waybar",
		"cgmtop status --account ":   "alice bob carol",
		"cgmtop report --units mm":   "mmol/L",
	} {
		cmd := exec.Command("fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, line)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("fish: %v\n%s", err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			choice, _, _ := strings.Cut(l, "\t")
			got = append(got, choice)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("fish: %q<Tab> offers %q, want %q", line, got, want)
		}
	}
}
