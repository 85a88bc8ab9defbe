package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/adrg/xdg"
)

// What the command line costs `cgmtop status`, which tmux runs every few
// seconds: the whole run (command tree, flag parsing, the status itself on
// an empty cache) against runStatus called directly. The difference is the
// CLI library's share; contrib/bench/status-vs-hello.sh measures the
// process as tmux starts it. (Cobra keeps flag completions in a global map,
// so in this loop the heap grows as a single run's does not.)

func benchEnv(b *testing.B) {
	root := b.TempDir()
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"} {
		b.Setenv(v, filepath.Join(root, v))
	}
	xdg.Reload()
	b.Cleanup(xdg.Reload)
}

func BenchmarkStatusRun(b *testing.B) {
	benchEnv(b)
	std := stdio{out: io.Discard, err: io.Discard}
	for b.Loop() {
		if code := run(context.Background(), []string{"status", "--format", "tmux", "--no-sync"}, std); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

func BenchmarkStatusDirect(b *testing.B) {
	benchEnv(b)
	std := stdio{out: io.Discard, err: io.Discard}
	opts := statusOptions{account: "default", format: "tmux", noSync: true}
	for b.Loop() {
		if err := runStatus(context.Background(), opts, std); err != nil {
			b.Fatal(err)
		}
	}
}
