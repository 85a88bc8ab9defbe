#!/bin/sh
# Measures `cgmtop status` against a Go hello-world, side by side, with 90
# days of readings in the cache. The target is a median within 2.5x of
# hello (the floor set by starting a binary that links the design card's
# libraries and SQLite). Needs go, python3 and, but for MODE=interleaved,
# hyperfine (Debian: apt-get install hyperfine).
#
#   contrib/bench/status-vs-hello.sh            # from the repository root
#   RUNS=1000 contrib/bench/status-vs-hello.sh
#   BASE=main ROUNDS=5 contrib/bench/status-vs-hello.sh   # before/after, side by side
#
# BASE (a git revision) adds that revision's `cgmtop status` to the same
# runs, for a before/after on the same machine state. ROUNDS repeats the
# whole comparison and ends with the median of each round's ratio: on a
# loaded machine one round's figures swing widely. Besides the wall-time
# median, it prints the CPU time (user + system) ratio, which load
# inflates less.
#
# hyperfine runs each command's RUNS in one block: on a shared machine the
# load can change from one block to the next, and a round's ratios with it
# (2.0x to 2.8x for the same binary in three rounds a minute apart).
# MODE=interleaved runs the commands in turn instead (hello, status,
# hello, status, ...; the child's rusage of each run), so load changes
# fall on every command alike: compare its CPU ratios. Its wall times
# include the Python runner's spawn and wait (about 0.6 ms a run, the same
# for every command), which pulls wall ratios towards 1.
#
# It builds three binaries the way releases are built (CGO_ENABLED=0,
# -trimpath, -s -w): hello, `statusline-only` (statusline.Run and nothing
# else, to tell status's own cost from the size of the full binary) and
# cgmtop itself. Everything lives in a temporary folder that is removed.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-500}
rounds=${ROUNDS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0
# One -ldflags with both flags: a repeated -ldflags replaces the earlier
# one, which used to drop -s and measure a bigger binary than releases ship.
build() { go build -trimpath -ldflags='-s -w' "$@"; }
# The helper programs live in a module of their own beside the repository.
build_helper() { env GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' "$@"; }

mkdir -p "$tmp/mod/hello" "$tmp/mod/seed" "$tmp/mod/statusonly"
sed -e 's#^module .*#module bench#' "$repo/go.mod" >"$tmp/mod/go.mod"
printf '\nrequire github.com/cgmtop/cgmtop v0.0.0\nreplace github.com/cgmtop/cgmtop => %s\n' "$repo" >>"$tmp/mod/go.mod"
cp "$repo/go.sum" "$tmp/mod/go.sum"

cat >"$tmp/mod/hello/main.go" <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello, world") }
GO

cat >"$tmp/mod/seed/main.go" <<'GO'
// Command seed fills the default account's cache with 90 days of readings
// ending now, and writes the status snapshot the sync engine would.
package main

import (
	"context"
	"log"
	"os"
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

func main() {
	ctx := context.Background()
	p := config.DefaultPaths()
	db, err := cache.Open(ctx, p.Database(config.DefaultAccount))
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var rs []client.Reading
	for i := 90 * 288; i >= 0; i-- {
		t := now.Add(-time.Duration(i) * 5 * time.Minute)
		rs = append(rs, client.Reading{Time: t, DisplayTime: t, Value: 90 + i%80, Status: client.StatusOK, Trend: client.TrendFlat})
	}
	if _, err := db.PutReadings(ctx, rs); err != nil {
		log.Fatal(err)
	}
	// NextPoll far enough ahead that no run of the benchmark spawns a sync.
	if err := db.PutSyncStatus(ctx, cache.SyncStatus{LastAttempt: now, LastSuccess: now, NextPoll: now.Add(time.Hour)}); err != nil {
		log.Fatal(err)
	}
	f, err := db.Freshness(ctx)
	if err != nil {
		log.Fatal(err)
	}
	db.Close()
	if len(os.Args) > 1 && os.Args[1] == "-no-snapshot" {
		return
	}
	if err := statusline.WriteSnapshot(statusline.SnapshotPath(p, config.DefaultAccount), f); err != nil {
		log.Fatal(err)
	}
}
GO

cat >"$tmp/mod/statusonly/main.go" <<'GO'
// Command statusonly is `cgmtop status --format tmux` with nothing else
// linked in.
package main

import (
	"context"
	"os"

	"github.com/cgmtop/cgmtop/config"
	"github.com/cgmtop/cgmtop/statusline"
)

func main() {
	p := config.DefaultPaths()
	cfg, _ := config.Load(p.ConfigFile)
	os.Exit(statusline.Run(context.Background(), statusline.Options{
		Paths: p, Account: config.DefaultAccount, Config: cfg, Format: statusline.Tmux,
	}, os.Stdout))
}
GO

cd "$tmp/mod"
build_helper -o "$tmp/hello" ./hello
build_helper -o "$tmp/seed" ./seed
build_helper -o "$tmp/statusonly" ./statusonly
cmds="$tmp/hello|$tmp/statusonly"
if [ -n "${BASE:-}" ]; then
	mkdir "$tmp/base"
	git -C "$repo" archive "$BASE" | tar -x -C "$tmp/base"
	(cd "$tmp/base" && build -o "$tmp/cgmtop-base" ./cmd/cgmtop)
	cmds="$cmds|$tmp/cgmtop-base status --format tmux"
fi
if (cd "$repo" && build -o "$tmp/cgmtop" ./cmd/cgmtop) 2>"$tmp/build.log"; then
	cmds="$cmds|$tmp/cgmtop status --format tmux|$tmp/cgmtop version"
else
	echo "note: cmd/cgmtop does not build yet; measuring statusline-only:" >&2
	head -5 "$tmp/build.log" >&2
fi

export XDG_CONFIG_HOME="$tmp/root/config" XDG_DATA_HOME="$tmp/root/data" XDG_STATE_HOME="$tmp/root/state"
"$tmp/seed" "$@"
echo "status line:   $("$tmp/statusonly")"
ls -l "$tmp"/hello "$tmp"/statusonly "$tmp"/cgmtop 2>/dev/null | awk '{print "binary size:  ", $5, $NF}'

# interleaved RUNS OUT.json CMD...: every command once in turn, RUNS times
# (after 50 warm-up turns), written as hyperfine's --export-json would.
interleaved() {
	python3 - "$@" <<'PY'
import json, os, shlex, statistics, sys, time
runs, out, cmds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
null = os.open(os.devnull, os.O_WRONLY)
quiet = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
def once(argv):
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=quiet)
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)}: exit status {os.waitstatus_to_exitcode(status)}")
    return time.perf_counter() - start, ru.ru_utime, ru.ru_stime
argvs = [shlex.split(c) for c in cmds]
for _ in range(50):
    for a in argvs:
        once(a)
got = [[] for _ in argvs]
for _ in range(runs):
    for i, a in enumerate(argvs):
        got[i].append(once(a))
results = [{"command": c, "median": statistics.median(w for w, _, _ in g),
            "user": statistics.mean(u for _, u, _ in g), "system": statistics.mean(s for _, _, s in g)}
           for c, g in zip(cmds, got)]
json.dump({"results": results}, open(out, "w"))
for r in results:
    print(f'  {r["median"]*1e3:7.3f} ms median wall  {(r["user"]+r["system"])*1e3:7.3f} ms cpu  {r["command"]}')
PY
}

IFS='|'
round=1
while [ "$round" -le "$rounds" ]; do
	if [ "${MODE:-hyperfine}" = interleaved ]; then
		echo "round $round: $runs interleaved runs of each command"
		# shellcheck disable=SC2086
		interleaved "$runs" "$tmp/h$round.json" $cmds
	else
		# shellcheck disable=SC2086
		hyperfine -N --warmup 50 --runs "$runs" --export-json "$tmp/h$round.json" $cmds
	fi
	round=$((round + 1))
done
python3 - "$tmp"/h*.json <<'PY'
import json, statistics, sys
rounds = [json.load(open(p))["results"] for p in sys.argv[1:]]
def name(c):
    return c.replace(c.split(" ")[0], c.split(" ")[0].split("/")[-1], 1)
ratios = {}
for i, r in enumerate(rounds, 1):
    base, cpu = r[0]["median"], r[0]["user"] + r[0]["system"]
    print(f"round {i}:")
    for x in r:
        wall, c = x["median"] / base, (x["user"] + x["system"]) / cpu
        ratios.setdefault(name(x["command"]), []).append((wall, c))
        print(f'  {x["median"]*1e3:7.3f} ms median  {wall:5.2f}x   cpu {(x["user"]+x["system"])*1e3:6.3f} ms  {c:5.2f}x  {name(x["command"])}')
if len(rounds) > 1:
    print(f"median of {len(rounds)} rounds' ratios to hello (wall median, cpu):")
    for n, v in ratios.items():
        print(f"  {statistics.median(w for w, _ in v):5.2f}x  {statistics.median(c for _, c in v):5.2f}x  {n}")
PY
