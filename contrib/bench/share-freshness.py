#!/usr/bin/env python3
"""Freshness of Dexcom Share readings, measured against `cgmtop emulate`.

Starts the emulator (real speed unless --speed), logs in with `cgmtop login
share`, runs the process under test (`sync --daemon`, or the monitor in a
private tmux server), a status bar calling `cgmtop status` every 5 s, and a
probe that polls `cgmtop status --no-sync` every --probe seconds. It prints:

  delay   from a reading becoming available at the emulator (its time + the
          Share lag) to the probe first seeing it in `cgmtop status`
  req/rd  ReadPublisherLatestGlucoseValues calls per new reading, after warmup
  logins  session logins and account look-ups the emulator saw, and how many
          sessions expired (session TTL) over the run
  gaps    readings the emulator served over the run that the cache lacks

Usage: share-freshness.py --bin ./cgmtop --mode daemon|monitor --minutes 60
"""
import argparse, json, statistics, subprocess, time, urllib.request

import benchkit

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--mode", choices=["daemon", "monitor"], default="daemon")
ap.add_argument("--minutes", type=float, default=60)
ap.add_argument("--warmup", type=float, default=10, help="minutes before req/rd counts")
ap.add_argument("--port", type=int, default=18950)
ap.add_argument("--dir", default="/tmp/cgmtop-share-freshness")
ap.add_argument("--share-lag", default="10s")
ap.add_argument("--share-offset", type=float, default=2.0, help="seconds Share's clock runs ahead of the sensor's")
ap.add_argument("--session-ttl", default="10m")
ap.add_argument("--probe", type=float, default=1.0)
ap.add_argument("--tmux-socket", default="cgmtop-bench")
a = ap.parse_args()

# A reading stamped u by Share was taken at u - offset and served from
# u - offset + lag.
lag_s = float(a.share_lag.rstrip("s")) - a.share_offset
env = benchkit.private_home(a.dir, runtime=True, NO_COLOR="1")
url = f"http://127.0.0.1:{a.port}"
run = benchkit.Run(a.dir, env, a.tmux_socket if a.mode == "monitor" else None)

def stats():
    with urllib.request.urlopen(url + "/emulator/stats", timeout=5) as r:
        return json.load(r)

try:
    run.start([a.bin, "emulate", "--listen", f"127.0.0.1:{a.port}", "--share-lag", a.share_lag,
               "--share-session-ttl", a.session_ttl, "--share-offset", f"{a.share_offset}s"], "emulate")
    for _ in range(50):
        try:
            stats(); break
        except Exception:
            time.sleep(0.1)
    benchkit.login_share(a.bin, env, url)
    t0 = time.time()
    if a.mode == "daemon":
        run.start([a.bin, "sync", "--daemon"], "daemon")
    else:
        subprocess.run(["tmux", "-L", a.tmux_socket, "new-session", "-d", "-x", "120", "-y", "40",
                        "env " + " ".join(f"{k}={env[k]}" for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                        "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")) + f" {a.bin}"], check=True)
    run.start(["/bin/sh", "-c", f"while :; do {a.bin} status >/dev/null 2>&1; sleep 5; done"], "bar")

    seen = {}        # reading unix time -> (first probe that saw it, the probe before)
    lates = {}
    prev_probe = time.time()
    warm_stats, warm_n = None, 0
    end = t0 + a.minutes * 60
    while time.time() < end:
        now = time.time()
        out = subprocess.run([a.bin, "status", "--no-sync", "--template", "{{.Unix}} {{.Source}} {{.Late}}"],
                             env=env, capture_output=True, text=True).stdout.split()
        if len(out) == 3 and out[0] != "0":
            u = int(out[0])
            if u not in seen:
                seen[u] = (now, prev_probe)
                lates[u] = int(out[2])
        prev_probe = now
        if warm_stats is None and now - t0 >= a.warmup * 60:
            warm_stats, warm_n = stats(), len(seen)
        time.sleep(max(0, a.probe - (time.time() - now)))
    final = stats()

    first = min(seen) if seen else 0
    fresh = [u for u in seen if u > first]  # the first came with the login's backfill
    delays = [((s + p) / 2) - (u + lag_s) for u, (s, p) in seen.items() if u in fresh]
    late_cache = [lates[u] - lag_s for u in fresh]
    steady = sorted(u for u in seen if warm_stats is not None)[warm_n:]
    reads = final["share"]["reads"] - (warm_stats or final)["share"]["reads"]

    db = benchkit.open_cache(a.dir)
    cached = {r[0] for r in db.execute("SELECT t FROM readings WHERE t >= ?", (int(t0) - 3600,))}
    # The emulator's own view of the run: one Share read with a fresh session.
    def post(path, body):
        req = urllib.request.Request(url + "/ShareWebServices/Services/" + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)
    app = "d89443d2-327c-4a6f-89e5-496bbb0317db"
    sid = post("General/LoginPublisherAccountById", {"accountId": "99999999-9999-9999-9999-999999999999",
                                                     "password": "emulator-password", "applicationId": app})
    mins = int((time.time() - t0) / 60) + 1
    served = post(f"Publisher/ReadPublisherLatestGlucoseValues?sessionId={sid}&minutes={mins}&maxCount=288", {})
    served_t = {int(r["WT"][5:-1]) // 1000 for r in served}
    served_t = {t for t in served_t if t >= t0 and t + lag_s < time.time() - 30}
    missing = sorted(served_t - cached)

    sh = final["share"]
    report = {
        "mode": a.mode, "minutes": a.minutes, "share_lag_s": lag_s + a.share_offset, "share_offset_s": a.share_offset, "session_ttl": a.session_ttl,
        "readings_seen": len(fresh),
        "delay_mean_s": round(statistics.mean(delays), 2) if delays else None,
        "delay_median_s": round(statistics.median(delays), 2) if delays else None,
        "delay_max_s": round(max(delays), 2) if delays else None,
        "arrival_after_available_mean_s": round(statistics.mean(late_cache), 2) if late_cache else None,
        "steady_readings": len(steady), "steady_reads": reads,
        "requests_per_reading": round(reads / len(steady), 3) if steady else None,
        "share_logins": sh["login"], "share_authenticates": sh["authenticate"], "refused": sh["refused"],
        "expired_reads": sh["expired_reads"], "total_reads": sh["reads"] - 1,  # minus the login's first sync
        "served_in_run": len(served_t), "missing_in_cache": len(missing),
    }
    print(json.dumps(report, indent=1))
finally:
    run.stop()
