#!/usr/bin/env python3
"""Freshness of Nightscout readings, measured against `cgmtop emulate`.

Starts the emulator's Nightscout site (real speed; uploads --lag after the
sensor), logs in with `cgmtop login nightscout` and its read token, runs the
process under test (`sync --daemon`, or the monitor in a private tmux
server), a status bar calling `cgmtop status` every 5 s (as tmux does; it
may start background syncs), and a probe that polls `cgmtop status
--no-sync` every --probe seconds. When the shown reading changes it asks
the site for that reading's exact time (milliseconds) and takes the delay
from available (its time + the lag) to shown (the midpoint between the
probe that saw it and the one before). The first reading (the login's
backfill) is not a delay.

Requests are counted from the emulator's per-route counters, split into
the warm-up (the first --warmup minutes: backfill, learning the lag) and
the steady state after it, by endpoint:

  entries/sgv   readings polls (and the backfill's range look-ups)
  entries/mbg   meter values, with the hourly records
  treatments    events, hourly
  devicestatus  uploaders, hourly
  status        site settings (login)

and prints one JSON report; "sgv_per_reading" is the acceptance's figure
(entries polls per new reading in steady state), "requests_per_reading"
counts every request to the site in steady state.

Usage: nightscout-freshness.py --bin ./cgmtop --mode daemon|monitor --minutes 60
"""
import argparse, json, random, statistics, subprocess, time, urllib.request

import benchkit

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--mode", choices=["daemon", "monitor"], default="daemon")
ap.add_argument("--minutes", type=float, default=60)
ap.add_argument("--warmup", type=float, default=10, help="minutes before the steady state")
ap.add_argument("--port", type=int, default=0, help="site port (the Dexcom emulator takes the next); 0 picks one")
ap.add_argument("--dir", default="/tmp/cgmtop-nightscout-freshness")
ap.add_argument("--lag", type=float, default=20, help="upload lag, seconds")
ap.add_argument("--probe", type=float, default=1.0, help="seconds between probes")
ap.add_argument("--no-bar", action="store_true", help="no status bar calling `cgmtop status` every 5 s")
ap.add_argument("--tmux-socket", default="cgmtop-ns-bench")
a = ap.parse_args()
a.port = a.port or random.randrange(20000, 29998)

env = benchkit.private_home(a.dir, runtime=True, NO_COLOR="1")
site = f"http://127.0.0.1:{a.port}"
run = benchkit.Run(a.dir, env, a.tmux_socket if a.mode == "monitor" else None)

def stats():
    with urllib.request.urlopen(site + "/emulator/stats", timeout=10) as r:
        return json.load(r)

ROUTES = ["entries/sgv", "entries/mbg", "entries/all", "entries/current", "treatments", "devicestatus", "status",
          "authorization", "notModified", "unauthorized"]

def diff(s1, s0):
    d = {k: s1.get(k, 0) - s0.get(k, 0) for k in ROUTES}
    d["all"] = sum(s1.get(k, 0) - s0.get(k, 0) for k in ("entries", "treatments", "devicestatus", "status", "authorization"))
    return {k: v for k, v in d.items() if v or k == "all"}

try:
    run.start([a.bin, "emulate", "--listen", f"127.0.0.1:{a.port + 1}", "--nightscout-listen", f"127.0.0.1:{a.port}",
           "--nightscout-lag", f"{a.lag}s"], "emulate")
    token = benchkit.read_token(run.log("emulate"))
    benchkit.login_nightscout(a.bin, env, site, token)
    base = stats()
    t0 = time.time()
    if a.mode == "daemon":
        run.start([a.bin, "sync", "--daemon"], "daemon")
    else:
        envs = " ".join(f"{k}={env[k]}" for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
                                                  "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "NO_COLOR"))
        subprocess.run(["tmux", "-L", a.tmux_socket, "new-session", "-d", "-s", "m", "-x", "100", "-y", "30",
                        f"env {envs} {a.bin}"], check=True)
    if not a.no_bar:
        run.start(["/bin/sh", "-c", f"while :; do {a.bin} status >/dev/null 2>&1; sleep 5; done"], "bar")

    def probe():
        out = subprocess.run([a.bin, "status", "--no-sync", "--template", "{{.Unix}}"], env=env,
                             capture_output=True, text=True).stdout.strip()
        return int(out) if out.isdigit() and out != "0" else None

    def available(u):
        q = f"find[date][$gte]={u * 1000}&find[date][$lt]={u * 1000 + 1000}&count=1&token={token}"
        with urllib.request.urlopen(f"{site}/api/v1/entries/sgv.json?{q}", timeout=10) as r:
            return json.load(r)[0]["date"] / 1000 + a.lag

    # The exact times are asked for after the run: each look-up is an
    # entries request, and counting them as cgmtop's doubled its figure.
    seen = {}  # reading unix time -> when it was first shown (None for the first, from the backfill)
    order = []
    warm, warm_n = None, 0
    prev = time.time()
    end = t0 + a.minutes * 60
    while time.time() < end:
        now = time.time()
        u = probe()
        if u and u not in seen:
            first = not seen
            seen[u] = None if first else (now + prev) / 2
            order.append(u)
            print(f"{time.strftime('%H:%M:%S', time.gmtime())} reading {u} " +
                  ("(backfill)" if first else f"shown about {seen[u] - u - a.lag:.1f}s after its second + lag"), flush=True)
        prev = now
        if warm is None and now - t0 >= a.warmup * 60:
            warm, warm_n = stats(), len(order)
        time.sleep(max(0, a.probe - (time.time() - now)))
    final = stats()
    for u in order:
        if seen[u] is not None:
            seen[u] -= available(u)

    delays = [d for d in seen.values() if d is not None]
    steady_delays = [seen[u] for u in order[warm_n:] if seen[u] is not None] if warm else []
    steady_n = len(order) - warm_n if warm else 0
    warm = warm or final

    # Readings the site served during the run that the cache lacks.
    db = benchkit.open_cache(a.dir)
    cached = {r[0] for r in db.execute("SELECT t FROM readings WHERE t >= ?", (int(t0) - 600,))}
    q = f"find[date][$gte]={int(t0) * 1000}&find[date][$lt]={int((time.time() - a.lag - 30) * 1000)}&count=100&token={token}"
    with urllib.request.urlopen(f"{site}/api/v1/entries/sgv.json?{q}", timeout=10) as r:
        served = {int(d["date"] // 1000) for d in json.load(r) or []}

    st = diff(final, warm)
    rnd = lambda x: round(x, 2)
    report = {
        "mode": a.mode, "minutes": a.minutes, "lag_s": a.lag, "status_bar": not a.no_bar,
        "readings_seen": len(delays),
        "delay_mean_s": rnd(statistics.mean(delays)) if delays else None,
        "delay_median_s": rnd(statistics.median(delays)) if delays else None,
        "delay_max_s": rnd(max(delays)) if delays else None,
        "delays_s": [rnd(d) for d in delays],
        "warmup_min": a.warmup, "warmup_readings": warm_n, "warmup_requests": diff(warm, base),
        "steady_readings": steady_n, "steady_requests": st,
        "steady_delay_mean_s": rnd(statistics.mean(steady_delays)) if steady_delays else None,
        "sgv_per_reading": rnd(st.get("entries/sgv", 0) / steady_n) if steady_n else None,
        "requests_per_reading": rnd(st["all"] / steady_n) if steady_n else None,
        "periodic_per_reading": rnd((st["all"] - st.get("entries/sgv", 0)) / steady_n) if steady_n else None,
        "whole_run_requests": diff(final, base),
        "served_in_run": len(served), "missing_in_cache": len(served - cached),
    }
    print(json.dumps(report, indent=1), flush=True)
finally:
    run.stop()
