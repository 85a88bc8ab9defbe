#!/usr/bin/env bash
# What the overview of 8 people costs while it waits, every person really
# logged in (so every person's sync engine runs): issue 14's acceptance
# "8 people, 90 days each: first screen ≤ 150 ms, idle CPU ≤ 0.3 s per 60 s".
#
#   contrib/bench/overview-idle.sh          # about 8-10 minutes
#   BIN=/tmp/cgmtop RUNS=20 IDLE=60 SETTLE=30 ROUNDS=3 contrib/bench/overview-idle.sh
#   BIN=/tmp/new BASE=/tmp/old ROUNDS=5 contrib/bench/overview-idle.sh   # A/B, interleaved
#
# Four `cgmtop emulate` instances on loopback (seeds 1-4, the first two also
# serve a Nightscout site). People:
#   ana ben cleo dan  official Dexcom API of emulators 1-4 (login fetches 90 days)
#   eve fay           90 days filled by fill90, then Dexcom Share of emulators 1, 2
#   gus hal           90 days filled by fill90, then Nightscout of emulators 1, 2
# Then: start → first screen of `cgmtop` (the overview) at 120x40
# (firstscreen.py, RUNS times), and ROUNDS windows of IDLE seconds of CPU
# (utime+stime from /proc) of one overview in tmux after SETTLE seconds,
# and its RSS. BASE="BIN2 …" measures other binaries on the same caches,
# round by round after the first, so that all see the same machine. PERF=FILE profiles round 1 with `perf record` (user space)
# and writes the report to FILE. Everything lives in a temporary HOME removed at the end;
# nothing listens beyond 127.0.0.1 and no health data is printed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$(cd "$(dirname "$0")" && pwd)
runs=${RUNS:-20}
idle=${IDLE:-60}
settle=${SETTLE:-30}
rounds=${ROUNDS:-3}
cols=120 rows=40

tmp=$(mktemp -d)
sock="cgmtop-oidle-$$"
pids=()
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build"
bin=${BIN:-}
if [ -z "$bin" ]; then
	bin="$tmp/cgmtop"
	(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$bin" ./cmd/cgmtop)
fi
(cd "$repo" && CGO_ENABLED=0 go build -o "$tmp/fill90" ./contrib/bench/fill90)

export HOME="$tmp/home" TMPDIR="$tmp"
export XDG_CONFIG_HOME="$HOME/config" XDG_DATA_HOME="$HOME/data"
export XDG_STATE_HOME="$HOME/state" XDG_CACHE_HOME="$HOME/cache"
export TERM=xterm-256color LANG=C.UTF-8 DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/nobus"
unset SSH_CONNECTION SSH_TTY CGMTOP_CLIENT_ID CGMTOP_CLIENT_SECRET TMUX
mkdir -p "$HOME" && chmod 700 "$HOME"

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cb_port=$(freeport)
redirect="http://127.0.0.1:$cb_port/callback"
cat >"$tmp/browser" <<'SH'
#!/bin/sh
exec curl -sL -o /dev/null "$1"
SH
chmod +x "$tmp/browser"

echo "== emulators and logins"
api=() ns=()
for seed in 1 2 3 4; do
	port=$(freeport)
	nsflag=(--nightscout-listen "")
	if [ "$seed" -le 2 ]; then
		nsport=$(freeport)
		nsflag=(--nightscout-listen "127.0.0.1:$nsport")
		ns+=("$nsport")
	fi
	"$bin" emulate --seed "$seed" --listen "127.0.0.1:$port" --auto-approve --redirect-uri "$redirect" \
		"${nsflag[@]}" >"$tmp/emu$seed.out" 2>&1 &
	pids+=($!)
	api+=("$port")
done
for seed in 1 2 3 4; do
	for _ in $(seq 100); do
		grep -q 'client secret' "$tmp/emu$seed.out" 2>/dev/null && break
		sleep 0.1
	done
done

names=(Ana Ben Cleo Dan Eve Fay Gus Hal)
i=0
for acct in ana ben cleo dan; do
	out="$tmp/emu$((i + 1)).out"
	id=$(awk '$1=="client" && $2=="id" {print $3}' "$out")
	secret=$(awk '$1=="client" && $2=="secret" {print $3}' "$out")
	BROWSER="$tmp/browser" DISPLAY=:0 CGMTOP_CLIENT_SECRET="$secret" timeout 180 \
		"$bin" login --account "$acct" --name "${names[$i]}" --api-url "http://127.0.0.1:${api[$i]}" \
		--client-id "$id" --redirect-uri "$redirect" --token-store file </dev/null >"$tmp/login-$acct.out" 2>&1 ||
		{ echo "login $acct failed:" >&2; cat "$tmp/login-$acct.out" >&2; exit 1; }
	i=$((i + 1))
done
share=(eve fay) night=(gus hal)
for k in 0 1; do
	acct=${share[$k]}
	"$tmp/fill90" --account "$acct" --seed $((5 + k)) >/dev/null
	echo emulator-password | "$bin" login share --account "$acct" --name "${names[$((4 + k))]}" \
		--share-url "http://127.0.0.1:${api[$k]}" --region us --username demo --password-stdin \
		--token-store file >"$tmp/login-$acct.out" 2>&1 ||
		{ echo "login $acct failed:" >&2; cat "$tmp/login-$acct.out" >&2; exit 1; }
done
for k in 0 1; do
	acct=${night[$k]}
	"$tmp/fill90" --account "$acct" --seed $((7 + k)) >/dev/null
	token=$(awk '/read token \(role/ {print $NF}' "$tmp/emu$((k + 1)).out")
	echo "$token" | "$bin" login nightscout --account "$acct" --name "${names[$((6 + k))]}" \
		--url "http://127.0.0.1:${ns[$k]}" --token-stdin --token-store file >"$tmp/login-$acct.out" 2>&1 ||
		{ echo "login $acct failed:" >&2; cat "$tmp/login-$acct.out" >&2; exit 1; }
done
if command -v sqlite3 >/dev/null; then
	for db in "$XDG_DATA_HOME"/cgmtop/accounts/*/cache.db; do
		a=$(basename "$(dirname "$db")")
		sqlite3 -readonly "$db" 'SELECT count(*), (max(t)-min(t))/86400.0 FROM readings' |
			awk -F'|' -v a="$a" '{printf "%-5s %d readings over %.1f days\n", a, $1, $2}'
	done
fi
"$bin" auth status 2>&1 | grep -c 'logged in' | sed 's/^/logged in: /' || true

bins=("$bin")
[ -n "${BASE:-}" ] && read -ra more <<<"$BASE" && bins+=("${more[@]}")
for b in "${bins[@]}"; do
	echo "== $b: start → first screen (${cols}x${rows}, $runs runs; load: $(cut -d' ' -f1-3 /proc/loadavg))"
	python3 "$here/firstscreen.py" --quiet --runs "$runs" --cols "$cols" --rows "$rows" \
		--data 'no data \d+m|ago|just now' -- "$b" || true
done

echo "== idle: $rounds x ${idle} s of CPU after ${settle} s, the overview at ${cols}x${rows} in tmux"
tck=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
for bin in "${bins[@]}"; do
	tmux -L "$sock" -f /dev/null new-session -d -s idle -x "$cols" -y "$rows" "exec '$bin'"
	pid=$(tmux -L "$sock" display-message -p -t idle '#{pane_pid}')
	comm=$(basename "$bin" | cut -c1-15)
	for _ in $(seq 20); do [ "$(cat "/proc/$pid/comm")" = "$comm" ] && break; sleep 0.1; done
	[ "$(cat "/proc/$pid/comm")" = "$comm" ] || { echo "pane $pid is not $comm" >&2; exit 1; }
	sleep "$settle"
	cpu() { awk -v t="$tck" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t}' "/proc/$pid/stat"; }
	# Context switches of all its threads: how often it wakes, which is
	# steadier than CPU time on a loaded machine.
	switches() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
	w0=$(switches)
	c0=$(cpu) t0=$(date +%s.%N) l0=$(cut -d' ' -f1 /proc/loadavg)
	if [ -n "${PERF:-}" ] && [ "$r" = 1 ]; then
		perf record -q -F 499 -g -o "$tmp/perf.data" -p "$pid" -- sleep "$idle" 2>/dev/null
	else
		sleep "$idle"
	fi
	c1=$(cpu) t1=$(date +%s.%N) w1=$(switches)
	rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
	hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
	threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status")
	awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v r="$r" -v rss="$rss" -v hwm="$hwm" -v th="$threads" \
		-v l="$l0 $(cut -d' ' -f1 /proc/loadavg)" \
		-v w="$((w1 - w0))" \
		-v who="$([ "${#bins[@]}" -gt 1 ] && echo "$bin: ")" \
		'BEGIN {printf "%sround %d: cpu %.2f s over %.1f s = %.3f s per 60 s; %d context switches; RSS %s MB (peak %s); threads %s; load %s\n", who, r, b - a, e - s, (b - a) * 60 / (e - s), w, rss, hwm, th, l}'
	if [ "$r" = 1 ]; then
		tmux -L "$sock" capture-pane -p -t idle | sed -E 's/[0-9]{2,3}/NN/g' >"$tmp/screen.txt"
		echo "(screen, values masked:)" && head -12 "$tmp/screen.txt"
	fi
	tmux -L "$sock" kill-server
	sleep 1
	if [ -n "${PERF:-}" ] && [ "$r" = 1 ]; then
		perf report -i "$tmp/perf.data" --no-children --sort symbol --stdio 2>/dev/null >"$PERF" || true
		perf report -i "$tmp/perf.data" --children --sort symbol --stdio -g none 2>/dev/null >"$PERF.children" || true
	fi
done
done
