#!/usr/bin/env python3
"""Freshness of Nightscout readings, measured against `cgmtop emulate`.

Starts the emulator's Nightscout site (real speed; uploads --lag after the
sensor), logs in with `cgmtop login nightscout` and its read token, runs the
process under test (`sync --daemon`, or the monitor in a private tmux
server), and polls `cgmtop status --format json --no-sync` every second.
When the shown reading changes it asks the site for that reading's exact
time and prints the delay from available (its time + the lag) to shown.
At the end:

  delay   mean and worst of those delays
  req/rd  requests the site received per new reading (entries, treatments,
          devicestatus, status), and how many were answered 304

Usage: nightscout-freshness.py --bin ./cgmtop --mode daemon|monitor --minutes 60
"""
import argparse, json, os, shutil, subprocess, time, urllib.request
from datetime import datetime, timezone

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--mode", choices=["daemon", "monitor"], default="daemon")
ap.add_argument("--minutes", type=float, default=60)
ap.add_argument("--port", type=int, default=18960)
ap.add_argument("--dir", default="/tmp/cgmtop-nightscout-freshness")
ap.add_argument("--lag", type=float, default=20, help="upload lag, seconds")
ap.add_argument("--tmux-socket", default="cgmtop-ns-bench")
a = ap.parse_args()

shutil.rmtree(a.dir, ignore_errors=True)
os.makedirs(a.dir)
env = dict(os.environ, HOME=a.dir, XDG_CONFIG_HOME=a.dir + "/config", XDG_DATA_HOME=a.dir + "/data",
           XDG_STATE_HOME=a.dir + "/state", XDG_CACHE_HOME=a.dir + "/cache", NO_COLOR="1")
site = f"http://127.0.0.1:{a.port}"
log = open(a.dir + "/emulate.log", "w")
emu = subprocess.Popen([a.bin, "emulate", "--listen", f"127.0.0.1:{a.port + 1}", "--nightscout-listen", f"127.0.0.1:{a.port}",
                        "--nightscout-lag", f"{a.lag}s"], env=env, stdout=log, stderr=log)
procs = [emu]
try:
    token = ""
    for _ in range(50):
        time.sleep(0.2)
        for line in open(a.dir + "/emulate.log"):
            if "read token (role" in line:
                token = line.split()[-1]
        if token:
            break
    subprocess.run([a.bin, "login", "nightscout", "--url", site, "--token-stdin", "--token-store", "file"],
                   input=token + "\n", env=env, text=True, check=True)
    if a.mode == "daemon":
        procs.append(subprocess.Popen([a.bin, "sync", "--daemon"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    else:
        envs = " ".join(f"{k}={env[k]}" for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"))
        subprocess.run(["tmux", "-L", a.tmux_socket, "new-session", "-d", "-s", "m", "-x", "100", "-y", "30", f"env {envs} {a.bin}"], check=True)

    def status():
        out = subprocess.run([a.bin, "status", "--format", "json", "--no-sync"], env=env, capture_output=True, text=True).stdout
        return json.loads(out).get("time")

    def stats():
        return json.load(urllib.request.urlopen(site + "/emulator/stats"))

    def available(t):
        ms = int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000)
        q = f"find[date][$gte]={ms}&find[date][$lt]={ms + 1000}&count=1&token={token}"
        return json.load(urllib.request.urlopen(f"{site}/api/v1/entries/sgv.json?{q}"))[0]["date"] / 1000 + a.lag

    reqs = lambda s: sum(s.get(k, 0) for k in ("entries", "treatments", "devicestatus", "status"))
    last, base, delays = status(), stats(), []
    end = time.time() + a.minutes * 60
    while time.time() < end:
        t = status()
        if t and t != last:
            d = time.time() - available(t)
            delays.append(d)
            last = t
            print(f"{datetime.now(timezone.utc):%H:%M:%S} reading {t} shown {d:.1f}s after it was available", flush=True)
        time.sleep(1)
    s = stats()
    n = reqs(s) - reqs(base)
    print(f"RESULT {a.mode}, {a.minutes:g} min at real speed: {len(delays)} readings, mean delay {sum(delays) / max(len(delays), 1):.1f}s, "
          f"worst {max(delays or [0]):.1f}s; {n} requests ({s.get('notModified', 0) - base.get('notModified', 0)} answered 304) "
          f"= {n / max(len(delays), 1):.2f} per reading")
finally:
    if a.mode == "monitor":
        subprocess.run(["tmux", "-L", a.tmux_socket, "kill-server"], stderr=subprocess.DEVNULL)
    for p in reversed(procs):
        p.terminate()
        p.wait()
