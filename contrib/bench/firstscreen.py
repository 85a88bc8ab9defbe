#!/usr/bin/env python3
"""Time from start to the first screen of the cgmtop monitor, in a pty.

    firstscreen.py [--runs 20] [--cols 120] [--rows 40] [--timeout 10] -- cgmtop [args]

Each run forks the command on a new pseudo-terminal of the given size
(TERM=xterm-256color) and reads what it draws, answering the two queries a
real terminal answers (OSC 11 background colour and CSI 6n cursor position;
without the answers termenv waits seconds for them). It notes, from just
before the fork:

  paint  the first frame of any kind (the title bar, "cgmtop")
  data   the first frame with a reading: the age line of the header,
         "<age> · HH:MM", or the STALE line when the cached reading is old

then presses q and waits for the monitor to exit. Only times are printed,
never what the screen shows: it holds health data. The exit code is 1 when
a run drew no reading before the timeout.
"""

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
PAINT = re.compile(rb"cgmtop")
DATA = re.compile(rb"(?:just now|ago) \xc2\xb7 \d\d:\d\d|STALE")
WAITING = re.compile(rb"loading the cache|waiting for the first sync")


def run_once(argv, cols, rows, timeout):
    """Returns (paint seconds, data seconds or None, waiting frame seen)."""
    start = time.perf_counter()
    pid, fd = os.forkpty()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.environ["TERM"] = "xterm-256color"
        os.environ["COLORTERM"] = "truecolor"
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    raw, paint, data, waiting = b"", None, None, False
    deadline = start + timeout
    try:
        while data is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child is gone
                break
            if not chunk:
                break
            now = time.perf_counter()
            raw += chunk
            # Answer as xterm would: a dark background, then the cursor.
            if b"\x1b]11;?" in chunk:
                os.write(fd, b"\x1b]11;rgb:0000/0000/0000\x1b\\")
            if b"\x1b[6n" in chunk:
                os.write(fd, b"\x1b[1;1R")
            text = ANSI.sub(b"", raw)
            if paint is None and PAINT.search(text):
                paint = now - start
            if WAITING.search(text):
                waiting = True
            if DATA.search(text):
                data = now - start
    finally:
        stop(pid, fd)
    return paint, data, waiting


def stop(pid, fd):
    """Presses q, then signals, until the child is reaped."""
    try:
        os.write(fd, b"q")
    except OSError:
        pass
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        end = time.perf_counter() + 3
        while time.perf_counter() < end:
            try:  # keep draining so a blocked write cannot hold the exit
                if select.select([fd], [], [], 0.05)[0]:
                    os.read(fd, 65536)
            except OSError:
                pass
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                os.close(fd)
                return
    os.close(fd)


def ms(s):
    return "-" if s is None else "%.1f" % (s * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=40)
    ap.add_argument("--timeout", type=float, default=10, help="seconds to wait for a reading per run")
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument("--data", help="regex of the first frame with data (default: the monitor's age line); "
                    "for the overview of several people: 'ago|just now'")
    ap.add_argument("argv", nargs="+", help="the monitor's command line")
    a = ap.parse_args()
    if a.data:
        global DATA
        DATA = re.compile(a.data.encode())

    paints, datas, waited, missed = [], [], 0, 0
    for i in range(a.runs):
        paint, data, waiting = run_once(a.argv, a.cols, a.rows, a.timeout)
        if not a.quiet:
            print("  run %2d: first paint %6s ms, first reading %6s ms%s"
                  % (i + 1, ms(paint), ms(data), ", drew a waiting frame first" if waiting else ""))
        if paint is not None:
            paints.append(paint)
        if data is None:
            missed += 1
        else:
            datas.append(data)
        waited += waiting
    for name, xs in (("first paint", paints), ("first reading", datas)):
        if xs:
            print("%-14s min %6.1f  median %6.1f  max %6.1f ms  (%d runs)"
                  % (name, min(xs) * 1000, statistics.median(xs) * 1000, max(xs) * 1000, len(xs)))
    if waited:
        print("%d of %d runs drew a loading/waiting frame before the reading" % (waited, a.runs))
    if missed:
        print("%d of %d runs drew no reading within %.0f s" % (missed, a.runs, a.timeout))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
