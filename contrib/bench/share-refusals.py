#!/usr/bin/env python3
"""Refused Share logins never repeat: measured against `cgmtop emulate`.

For each case (the password changed in the Dexcom app; the account answered
as if from the wrong region; an account locked after failed attempts) it
logs in for real, restarts the emulator so the stored login is refused,
then runs for --minutes: a status bar calling `cgmtop status` every 5 s
(starting background syncs as it does), and `cgmtop sync --daemon` started
again every minute as a careless service manager would. It prints the
emulator's credential attempts over the run (want: 1, the re-login that
found out), what the status line and the daemon said, and then what one
interactive `cgmtop login share` with the same bad credentials says.
"""
import argparse, json, os, shutil, signal, subprocess, sys, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--minutes", type=float, default=30)
ap.add_argument("--port", type=int, default=18980)
ap.add_argument("--dir", default="/tmp/cgmtop-share-refusals")
a = ap.parse_args()

CASES = {
    # name: (emulator flags after the restart, password for the interactive try, region for it)
    "wrong-password": (["--share-password", "changed-in-the-app"], "emulator-password", "us"),
    "wrong-region": (["--share-region", "ous", "--share-account-region", "us"], "emulator-password", "ous"),
    "lockout": (["--share-lockout", "1", "--share-password", "changed-in-the-app"], "emulator-password", "us"),
}
procs = []

def run_case(i, name, flags, pw, region):
    d = f"{a.dir}/{name}"
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=d + "/config", XDG_DATA_HOME=d + "/data",
               XDG_STATE_HOME=d + "/state", XDG_CACHE_HOME=d + "/cache", XDG_RUNTIME_DIR=d + "/run", NO_COLOR="1")
    port = a.port + i
    url = f"http://127.0.0.1:{port}"

    def emulate(extra):
        p = subprocess.Popen([a.bin, "emulate", "--listen", f"127.0.0.1:{port}"] + extra, env=env,
                             stdout=open(f"{d}/emulate.log", "a"), stderr=subprocess.STDOUT)
        procs.append(p)
        for _ in range(50):
            try:
                stats(); break
            except Exception:
                time.sleep(0.1)
        return p

    def stats():
        with urllib.request.urlopen(url + "/emulator/stats", timeout=5) as r:
            return json.load(r)["share"]

    def login(password, reg):
        return subprocess.run([a.bin, "login", "share", "--share-url", url, "--region", reg, "--username", "demo",
                               "--password-stdin", "--token-store", "file"], env=env, input=password + "\n",
                              capture_output=True, text=True)

    e1 = emulate([])
    out = login("emulator-password", "us")
    assert out.returncode == 0, out.stdout + out.stderr
    e1.terminate(); e1.wait()
    e2 = emulate(flags)  # sessions gone; the stored password or region is now refused
    if name == "lockout":
        # The user mistypes once in an app: the account locks.
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/ShareWebServices/Services/General/AuthenticatePublisherAccount",
                json.dumps({"accountName": "demo", "password": "typo", "applicationId": "d89443d2-327c-4a6f-89e5-496bbb0317db"}).encode(),
                {"Content-Type": "application/json"}), timeout=5)
        except urllib.error.HTTPError:
            pass
    before = stats()
    bar = subprocess.Popen(["/bin/sh", "-c", f"while :; do {a.bin} status > {d}/bar.txt 2>&1; sleep 5; done"], env=env)
    daemon = subprocess.Popen(["/bin/sh", "-c", f"while :; do {a.bin} sync --daemon >> {d}/daemon.txt 2>&1; echo exit=$? >> {d}/daemon.txt; sleep 60; done"], env=env)
    procs.extend([bar, daemon])
    return dict(name=name, env=env, d=d, url=url, stats=stats, before=before, login=login, pw=pw, region=region,
                kids=[bar, daemon, e2])

def cleanup():
    for p in reversed(procs):
        try:
            p.terminate()
        except Exception:
            pass
    for p in procs:
        try:
            p.wait(5)
        except Exception:
            p.kill()

try:
    cases = [run_case(i, n, *c) for i, (n, c) in enumerate(CASES.items())]
    time.sleep(a.minutes * 60)
    for c in cases:
        for k in c["kids"][:2]:
            k.terminate(); k.wait()
        st = c["stats"]()
        attempts = st["authenticate"] + st["login"] - c["before"]["authenticate"] - c["before"]["login"]
        bar = open(c["d"] + "/bar.txt").read().strip()
        tmpl = subprocess.run([a.bin, "status", "--no-sync", "--template", "{{.Status}} | {{.Error}}"], env=c["env"],
                              capture_output=True, text=True).stdout.strip()
        daemon = open(c["d"] + "/daemon.txt").read().strip().splitlines()
        inter = c["login"](c["pw"], c["region"])
        st2 = c["stats"]()
        print(json.dumps({
            "case": c["name"], "minutes": a.minutes,
            "credential_attempts_in_background": attempts,
            "reads_in_background": st["reads"] - c["before"]["reads"],
            "daemon_starts": sum(1 for l in daemon if l.startswith("exit=")),
            "daemon_said": sorted(set(l for l in daemon if not l.startswith("exit=") and "Syncing" not in l))[:3],
            "status_bar": bar, "status_template": tmpl,
            "interactive_login_said": (inter.stdout + inter.stderr).strip(),
            "interactive_login_attempts": st2["authenticate"] + st2["login"] - st["authenticate"] - st["login"],
        }, indent=1))
finally:
    cleanup()
