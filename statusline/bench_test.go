package statusline

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
)

// The read path of `cgmtop status` with 90 days in the cache: read +
// decide + render, in process. Process start-up, which dominates the real
// command, is measured by contrib/bench/status-vs-hello.sh.

func benchOpts(b *testing.B) Options {
	b.Helper()
	opts := Options{Paths: config.Under(b.TempDir()), Account: "default", Config: config.Default(),
		Format: Tmux, Now: now, Spawn: func() error { return nil }}
	writeDB(b, opts, now.Add(-2*time.Minute), 90, syncOK(now))
	return opts
}

func BenchmarkRunSnapshot(b *testing.B) {
	opts := benchOpts(b)
	if err := WriteSnapshot(SnapshotPath(opts.Paths, opts.Account), pair(2*time.Minute, 112, 109, client.TrendFlat)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Run(context.Background(), opts, io.Discard)
	}
}

func BenchmarkRunDatabase(b *testing.B) {
	opts := benchOpts(b)
	os.Remove(SnapshotPath(opts.Paths, opts.Account))
	for b.Loop() {
		Run(context.Background(), opts, io.Discard)
	}
}

func BenchmarkRender(b *testing.B) {
	in := baseInput(pair(4*time.Minute, 112, 109, client.TrendFlat))
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				Render(in, f)
			}
		})
	}
}
