#!/usr/bin/env python3
"""Freshness of the overview of several people beside `cgmtop sync --daemon`.

    overview-freshness.py --bin ./cgmtop --minutes 30 [--dir /tmp/x] [--port 23400]
        [--one-daemon] [--official]

Starts two `cgmtop emulate` processes (seeds 1 and 2; the second also serves
a Nightscout site), logs three people in as users would (ana: Dexcom Share
of emulator 1, ben: Dexcom Share of emulator 2, cleo: Nightscout), runs one
`cgmtop sync --daemon --account NAME` per person, and the overview (`cgmtop`,
no --account) in a private tmux server 100 columns wide, one line per person.
--one-daemon runs a single `cgmtop sync --daemon` for every account instead.
--official adds a fourth person (dan) on the official Dexcom API of a third
emulator (seed 3), logged in through its auto-approving sign-in page.

Every 0.2 s it reads each person's newest reading from their cache (read
only) and the screen (tmux capture-pane). For every new reading it notes
when the daemon stored it (first seen in the cache) and when the person's
line first showed it (their value with the age "now"). It prints the delay
per person: count, mean, worst; no glucose value is printed.
"""
import argparse, os, re, sqlite3, statistics, subprocess, time

import benchkit

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--minutes", type=float, default=30)
ap.add_argument("--dir", default="/tmp/cgmtop-overview-freshness")
ap.add_argument("--port", type=int, default=23400)
ap.add_argument("--socket", default="cgmtop-overview-fresh")
ap.add_argument("--one-daemon", action="store_true", help="one `sync --daemon` for every account")
ap.add_argument("--official", action="store_true", help="a fourth person on the official Dexcom API")
a = ap.parse_args()

env = benchkit.private_home(a.dir, LANG="C.UTF-8", TERM="xterm-256color",
                            DBUS_SESSION_BUS_ADDRESS="unix:path=" + a.dir + "/nobus")
run = benchkit.Run(a.dir, env, a.socket)
people = {"ana": "Ana", "ben": "Ben", "cleo": "Cleo"}
if a.official:
    people["dan"] = "Dan"
try:
    e1, e2, ns = a.port, a.port + 1, a.port + 2
    run.start([a.bin, "emulate", "--seed", "1", "--listen", f"127.0.0.1:{e1}", "--nightscout-listen", ""], "emu1")
    run.start([a.bin, "emulate", "--seed", "2", "--listen", f"127.0.0.1:{e2}", "--nightscout-listen", f"127.0.0.1:{ns}"], "emu2")
    token = benchkit.read_token(run.log("emu2"), pause=0.1)
    if a.official:
        e3, cb = a.port + 3, a.port + 4
        redirect = f"http://127.0.0.1:{cb}/callback"
        run.start([a.bin, "emulate", "--seed", "3", "--listen", f"127.0.0.1:{e3}", "--nightscout-listen", "",
                   "--auto-approve", "--redirect-uri", redirect], "emu3")
        creds = {}
        for _ in range(100):
            for line in open(a.dir + "/emu3.log"):
                f = line.split()
                if len(f) >= 3 and f[0] == "client" and f[1] in ("id", "secret"):
                    creds[f[1]] = f[2]
            if len(creds) == 2:
                break
            time.sleep(0.1)
        # The "browser" follows the auto-approving sign-in page to the callback.
        browser = a.dir + "/browser"
        open(browser, "w").write('#!/bin/sh\nexec curl -sL -o /dev/null "$1"\n')
        os.chmod(browser, 0o700)
        subprocess.run([a.bin, "login", "--account", "dan", "--api-url", f"http://127.0.0.1:{e3}",
                        "--client-id", creds["id"], "--redirect-uri", redirect, "--token-store", "file"],
                       env=dict(env, BROWSER=browser, DISPLAY=":0", CGMTOP_CLIENT_SECRET=creds["secret"]),
                       stdin=subprocess.DEVNULL, check=True, capture_output=True, timeout=120)
    for acct, port in (("ana", e1), ("ben", e2)):
        benchkit.login_share(a.bin, env, f"http://127.0.0.1:{port}", account=acct)
    benchkit.login_nightscout(a.bin, env, f"http://127.0.0.1:{ns}", token, account="cleo")
    # Name the people: a name line under each account's table, or a table
    # of its own for an account the logins did not write one for.
    cfgpath = a.dir + "/config/cgmtop/config.toml"
    text = open(cfgpath).read()
    for acct, name in people.items():
        head = f"[accounts.{acct}]\n"
        if head in text:
            text = text.replace(head, head + f'name = "{name}"\n', 1)
        else:
            text += f'\n{head}name = "{name}"\n'
    open(cfgpath, "w").write(text)
    if a.one_daemon:
        run.start([a.bin, "sync", "--daemon"], "daemon")
    else:
        for acct in people:
            run.start([a.bin, "sync", "--daemon", "--account", acct], "daemon-" + acct)
    subprocess.run(["tmux", "-L", a.socket, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", str(len(people) + 2),
                    "env " + " ".join(f"{k}={v}" for k, v in env.items() if k.startswith(("XDG_", "HOME", "LANG", "TERM", "DBUS"))) +
                    " " + a.bin], check=True)

    def newest(acct):
        try:
            db = benchkit.open_cache(a.dir, acct, timeout=1)
            row = db.execute("SELECT t, value FROM readings ORDER BY t DESC LIMIT 1").fetchone()
            db.close()
            return row
        except sqlite3.Error:
            return None

    def screen():
        return subprocess.run(["tmux", "-L", a.socket, "capture-pane", "-p", "-t", "t"], capture_output=True,
                              text=True).stdout

    last = {acct: None for acct in people}
    stored = {}  # acct -> (t, value, stored_at)
    delays = {acct: [] for acct in people}
    end = time.time() + a.minutes * 60
    while time.time() < end:
        now = time.time()
        for acct in people:
            row = newest(acct)
            if row and row != last[acct]:
                if last[acct] is not None:
                    stored[acct] = (row[0], row[1], now)
                last[acct] = row
        if stored:
            lines = screen().split("\n")
            for acct, (t, value, at) in list(stored.items()):
                name = people[acct]
                for line in lines:
                    if re.search(rf"\b{name}\b", line) and re.search(rf"\b{value}\b", line) and re.search(r"\bnow\b", line):
                        delays[acct].append(now - at)
                        del stored[acct]
                        break
                else:
                    if now - at > 60:
                        delays[acct].append(float("inf"))
                        del stored[acct]
        time.sleep(0.2)
    allx = []
    for acct, xs in delays.items():
        ok = [x for x in xs if x != float("inf")]
        allx += xs
        if xs:
            print(f"{acct:5s} readings {len(xs):3d}  mean {statistics.mean(ok) if ok else 0:5.2f} s  worst {max(xs):5.2f} s"
                  f"  missed {len(xs) - len(ok)}")
        else:
            print(f"{acct:5s} no new reading")
    if allx:
        ok = [x for x in allx if x != float("inf")]
        print(f"all   readings {len(allx):3d}  mean {statistics.mean(ok) if ok else 0:5.2f} s  worst {max(allx):5.2f} s"
              f"  (screen polled every 0.2 s: add up to 0.2 s)")
finally:
    run.stop()
