#!/bin/sh
# agp-report.sh measures `cgmtop report` and `cgmtop export` as users run
# them, on 90 days the emulator backfilled through the real syncer: wall
# time and peak RSS of the real process (GNU time), three runs each.
# Issue 15 asks report ≤ 300 ms, export of 90 days ≤ 500 ms and ≤ 30 MB.
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/cgmtop" ./cmd/cgmtop
go build -o "$work/fill90" ./contrib/bench/fill90
export XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
"$work/fill90"
measure() {
	for i in 1 2 3; do
		/usr/bin/time -f "%e s  %M KB max RSS  $*" "$work/cgmtop" "$@" >/dev/null
	done
}
measure report --days 90
measure report --days 90 --format json
measure report --days 90 --format html
measure export
measure export --format jsonl --units mmol
