#!/usr/bin/env python3
"""Key press to changed screen of the cgmtop monitor, in real tmux.

    keylatency.py [--presses 60] [--cols 120] [--rows 40] [--socket NAME] -- cgmtop --demo --speed 1

Starts the command in a detached tmux session of its own (its own server
socket) at the given size, waits for the first reading, then presses keys
that each change the screen (chart windows 1-4, the statistics period p,
the units u, in turn), one at a time: for each it snapshots the pane,
sends the key with `tmux send-keys`, and polls `tmux capture-pane` until
the pane differs. It prints the median, p95 and max over all presses, per
key and overall. A press that changes nothing within --timeout counts as a
miss (exit code 1). Only times are printed, never what the screen shows:
it holds health data.

Run the monitor with --speed 1 (the demo's default speed brings a new
reading every 10 s, which would be counted as a key's change); the
title bar's clock still turns each minute, so one press in about a
hundred may end early on it.
"""

import argparse
import random
import statistics
import subprocess
import sys
import time

KEYS = ["2", "3", "4", "1", "p", "u"]


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock] + list(args), check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout


def capture(sock):
    return tmux(sock, "capture-pane", "-p", "-e", "-t", "lat")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--socket", default="keylatency")
    ap.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for a change per press")
    ap.add_argument("--warmup", type=float, default=60.0, help="seconds to wait for the first reading")
    ap.add_argument("--settle", type=float, default=0.3, help="seconds between presses")
    ap.add_argument("argv", nargs="+", help="the monitor's command line")
    a = ap.parse_args()

    sock = a.socket
    cmd = " ".join("'" + x.replace("'", "'\\''") + "'" for x in a.argv)
    tmux(sock, "-f", "/dev/null", "new-session", "-d", "-s", "lat", "-x", str(a.cols), "-y", str(a.rows), "exec " + cmd)
    try:
        end = time.time() + a.warmup
        while time.time() < end:
            screen = capture(sock).decode("utf-8", "replace")
            if "ago" in screen or "just now" in screen:
                break
            time.sleep(0.1)
        else:
            print("no reading on screen within %.0f s" % a.warmup)
            return 1
        time.sleep(1)  # the first sync's reloads settle
        times = {k: [] for k in KEYS}
        misses = 0
        for i in range(a.presses):
            k = KEYS[i % len(KEYS)]
            before = capture(sock)
            t0 = time.perf_counter()
            tmux(sock, "send-keys", "-t", "lat", k)
            changed = None
            while time.perf_counter() - t0 < a.timeout:
                if capture(sock) != before:
                    changed = time.perf_counter() - t0
                    break
            if changed is None:
                misses += 1
            else:
                times[k].append(changed * 1000)
            # A random pause, so presses fall at every phase of the
            # renderer's frame ticker.
            time.sleep(a.settle + random.random() * 0.1)
        tmux(sock, "send-keys", "-t", "lat", "q")
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], stderr=subprocess.DEVNULL)

    alls = [x for xs in times.values() for x in xs]
    for k in KEYS:
        xs = times[k]
        if xs:
            print("key %-2s median %6.1f  p95 %6.1f  max %6.1f ms  (%d presses)"
                  % (k, statistics.median(xs), pct(xs, 95), max(xs), len(xs)))
    if alls:
        print("all    median %6.1f  p95 %6.1f  max %6.1f ms  (%d presses, %dx%d; load %s)"
              % (statistics.median(alls), pct(alls, 95), max(alls), len(alls), a.cols, a.rows,
                 open("/proc/loadavg").read().split()[0]))
    if misses:
        print("%d presses changed nothing within %.1f s" % (misses, a.timeout))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
