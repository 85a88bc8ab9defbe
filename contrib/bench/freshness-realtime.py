#!/usr/bin/env python3
"""Freshness of `cgmtop status` at real speed, against `cgmtop emulate`.

    freshness-realtime.py [--minutes 60] [--lag 2m] [--every 2] [--bin PATH] [--out DIR]

It runs, in a private temporary home (XDG folders, file token store):

  cgmtop emulate --lag LAG --auto-approve   the Dexcom emulator at real speed
  cgmtop login --no-browser ...             the link is approved, the landing address pasted
  cgmtop sync --daemon                      the one process that syncs
  cgmtop status --format json --no-sync     every EVERY seconds, as tmux would

A reading of time T becomes available from the emulator at T + LAG; its
freshness is when `status` first showed it minus that moment. Readings that
were already there when the run started are not counted. At the end it
prints the mean, median and maximum freshness over the last hour's readings
(or all, for shorter runs) and the requests the emulator served per new
reading. The emulator counts every request from its start, so the totals
include the login's first sync (a 90-day backfill: 4 egvs, a dataRange, a
devices, a few events and alerts, the token exchange); subtract them for the
steady cost. Only times and counts are printed, never glucose values.

--bin defaults to a fresh `go build` of ./cmd/cgmtop from the repository.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_duration(s):
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", s)
    if not m or not s:
        sys.exit(f"--lag {s!r}: use a Go duration such as 2m or 90s")
    h, mi, se = (int(x) if x else 0 for x in m.groups())
    return timedelta(hours=h, minutes=mi, seconds=se)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def login(bin_, env, api, redirect):
    p = subprocess.Popen(
        [bin_, "login", "--api-url", api, "--client-id", "cgmtop-emulator",
         "--client-secret", "emulator-secret", "--redirect-uri", redirect,
         "--no-browser", "--token-store", "file"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    link = None
    for line in p.stderr:
        m = re.search(r"http://127\.0\.0\.1:\d+/v2/oauth2/login\?\S+", line)
        if m:
            link = m.group(0)
            break
    if not link:
        p.kill()
        sys.exit("login printed no link")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(link)
        sys.exit("the emulator did not redirect (is --auto-approve on?)")
    except urllib.error.HTTPError as e:
        landing = e.headers["Location"]
    p.stdin.write(landing + "\n")
    p.stdin.close()
    if p.wait(30) != 0:
        sys.exit("login failed: " + p.stderr.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--lag", default="2m")
    ap.add_argument("--every", type=float, default=2, help="seconds between status calls")
    ap.add_argument("--bin")
    ap.add_argument("--out", help="keep the home folder and the per-reading log here")
    ap.add_argument("--warmup", type=float, default=10,
                    help="minutes after the daemon starts before the steady state's request count")
    a = ap.parse_args()
    lag = parse_duration(a.lag)

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    home = a.out or tempfile.mkdtemp(prefix="cgmtop-fresh-")
    os.makedirs(home, exist_ok=True)
    bin_ = a.bin
    if not bin_:
        bin_ = os.path.join(home, "cgmtop")
        subprocess.run(["go", "build", "-o", bin_, "./cmd/cgmtop"], cwd=repo, check=True)
    env = {
        "HOME": home, "PATH": os.environ["PATH"], "TMPDIR": home,
        "XDG_CONFIG_HOME": f"{home}/config", "XDG_DATA_HOME": f"{home}/data",
        "XDG_STATE_HOME": f"{home}/state", "XDG_CACHE_HOME": f"{home}/cache",
    }
    port, rport = free_port(), free_port()
    api, redirect = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rport}/callback"
    procs = []
    emu = subprocess.Popen([bin_, "emulate", "--listen", f"127.0.0.1:{port}", "--lag", a.lag,
                            "--auto-approve", "--redirect-uri", redirect],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    procs.append(emu)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        login(bin_, env, api, redirect)
        daemon = subprocess.Popen([bin_, "sync", "--daemon"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(daemon)
        start = time.time()
        log = open(os.path.join(home, "freshness.log"), "w")
        seen, first, rows = set(), None, []
        stats = lambda: json.load(urllib.request.urlopen(f"{api}/emulator/stats", timeout=10))["requests"]
        base, warm, warm_n = stats(), None, 0
        while time.time() - start < a.minutes * 60:
            t0 = time.time()
            if warm is None and t0 - start >= a.warmup * 60:
                warm, warm_n = stats(), len(rows)
            r = subprocess.run([bin_, "status", "--format", "json", "--no-sync"], env=env,
                               capture_output=True, text=True)
            now = time.time()
            try:
                ts = json.loads(r.stdout).get("time")
            except ValueError:
                ts = None
            if ts and ts not in seen:
                seen.add(ts)
                t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
                avail = (t + lag).timestamp()
                if first is None:
                    first = ts  # in the cache before we looked: its moment is unknown
                else:
                    fresh = now - avail
                    rows.append((now - start, fresh))
                    print(f"{now - start:8.0f}s  reading {t.strftime('%H:%M:%S')}  fresh {fresh:6.1f}s", file=log, flush=True)
            time.sleep(max(0, a.every - (time.time() - t0)))
        final = stats()
    finally:
        for p in reversed(procs):
            p.send_signal(2)
        for p in reversed(procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    requests = emu.stdout.read()
    m = dict(re.findall(r"(\w+)=(\d+)", requests.split("requests:")[-1]))
    egvs = int(m.get("egvs", 0))
    total = sum(int(v) for k, v in m.items() if k not in ("login",))
    tail = [f for at, f in rows if at >= a.minutes * 60 - 3600] or [f for _, f in rows]
    print(f"run {a.minutes:g} min, lag {a.lag}, status every {a.every:g}s, {len(rows)} new readings")
    if tail:
        print(f"freshness over {len(tail)} readings: mean {statistics.mean(tail):.1f}s "
              f"median {statistics.median(tail):.1f}s max {max(tail):.1f}s min {min(tail):.1f}s")
        print(f"first 5 readings: {' '.join(f'{f:.1f}' for _, f in rows[:5])}")
    if rows:
        print(f"requests: {requests.split('requests:')[-1].strip()}; "
              f"egvs per new reading {egvs / len(rows):.2f}, all API requests per new reading {total / len(rows):.2f}")
    if warm is not None and len(rows) > warm_n:
        n = len(rows) - warm_n
        d = {k: final.get(k, 0) - warm.get(k, 0) for k in final if final.get(k, 0) != warm.get(k, 0)}
        w = {k: warm.get(k, 0) - base.get(k, 0) for k in warm if warm.get(k, 0) != base.get(k, 0)}
        print(f"warm-up ({a.warmup:g} min, {warm_n} readings): {w}")
        print(f"steady state ({n} readings): {d}; egvs per reading {d.get('egvs', 0) / n:.2f}, "
              f"all per reading {sum(d.values()) / n:.2f}")
    print(f"log: {os.path.join(home, 'freshness.log')}")
    if not a.out:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
