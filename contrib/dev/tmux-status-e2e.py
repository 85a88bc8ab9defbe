#!/usr/bin/env python3
"""Real tmux, real cgmtop, real emulator: the status bar shows the reading and
updates after the emulator produces a new one, through status's own
background sync (no daemon, no monitor). Takes up to ~6 minutes: the
emulator runs in real time, one reading every five minutes.

    go build -o /tmp/cgmtop ./cmd/cgmtop
    python3 contrib/dev/tmux-status-e2e.py /tmp/cgmtop

Everything lives in a temporary XDG tree; ports 18093 and 8765 must be free.
An inner tmux (status-right '#(cgmtop status --format tmux)', interval 1)
runs inside an outer one, whose capture-pane shows the inner status bar as
a terminal draws it."""
import os, re, subprocess, sys, time, tempfile, urllib.request, http.client, urllib.parse

exe = sys.argv[1]
root = tempfile.mkdtemp(prefix="cgmtop-e2e-")
env = dict(os.environ, XDG_CONFIG_HOME=f"{root}/c", XDG_DATA_HOME=f"{root}/d",
           XDG_STATE_HOME=f"{root}/s", XDG_CACHE_HOME=f"{root}/cache", HOME=root)
env.pop("TMUX", None)
env.pop("NO_COLOR", None)
port = 18093
emu = subprocess.Popen([exe, "emulate", "--listen", f"127.0.0.1:{port}", "--auto-approve"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
try:
    login = subprocess.Popen([exe, "login", "--api-url", f"http://127.0.0.1:{port}", "--client-id", "cgmtop-emulator",
                              "--no-browser", "--token-store", "file"],
                             env=dict(env, CGMTOP_CLIENT_SECRET="emulator-secret"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    link = None
    buf = ""
    while link is None:
        ch = login.stderr.read(1)
        if not ch:
            break
        buf += ch
        m = re.search(r"(http://127\.0\.0\.1:%d/\S+)" % port, buf)
        if m and buf.endswith("\n"):
            link = m.group(1)
    print("login link found:", bool(link))
    try:
        with urllib.request.urlopen(link, timeout=20) as r:  # follows the redirect to login's own callback
            print("authorize ->", r.status)
    except Exception as e:
        print("authorize failed:", e, getattr(e, "read", lambda: b"")()[:300])
    try:
        out, err = login.communicate("", timeout=120)
    except Exception:
        login.kill()
        raise
    print("login:", out.strip().splitlines()[-1] if out.strip() else err[-300:])

    inner_conf = f"{root}/inner.conf"
    with open(inner_conf, "w") as f:
        f.write(f"set -g status-interval 1\nset -g status-right-length 80\n"
                f"set -g status-right '#({exe} status --format tmux)'\n")
    T = lambda sock, *a: subprocess.run(["tmux", "-L", sock, *a], env=env, capture_output=True, text=True).stdout
    T("cgmtop-outer", "new-session", "-d", "-s", "o", "-x", "100", "-y", "6",
      f"tmux -L cgmtop-inner -f {inner_conf} new-session -s i")
    def bar():
        return T("cgmtop-outer", "capture-pane", "-p", "-t", "o").rstrip("\n").splitlines()[-1]
    def styled():
        return T("cgmtop-outer", "capture-pane", "-p", "-e", "-t", "o").rstrip("\n").splitlines()[-1]
    time.sleep(3)
    first = bar()
    print("status bar:", repr(first[-40:]))
    print("with styles:", repr(styled()[-80:]))
    m = re.search(r"(\d+)\S* \S+ (?:[+±-]\d+ )?(\w+)\s*$", first)
    deadline = time.time() + 420
    while time.time() < deadline:
        time.sleep(5)
        now_bar = bar()
        if now_bar[-30:] != first[-30:] and re.search(r"\b(now|1m)\s*$", now_bar) and "?" not in now_bar[-30:]:
            # a change to a fresh reading after the age had grown
            print("updated:", repr(now_bar[-40:]), "after", int(time.time() - (deadline - 420)), "s")
            break
    else:
        print("NO UPDATE; last:", repr(bar()[-40:]))
    log = open(f"{root}/s/cgmtop/cgmtop.log").read() if os.path.exists(f"{root}/s/cgmtop/cgmtop.log") else ""
    spawned = f"{root}/s/cgmtop/accounts/default/sync-spawned"
    print("background sync started:", os.path.exists(spawned))
    print(subprocess.run([exe, "status", "--format", "json"], env=env, capture_output=True, text=True).stdout)
finally:
    if login.poll() is None:
        login.kill()
    subprocess.run(["tmux", "-L", "cgmtop-outer", "kill-server"], capture_output=True)
    subprocess.run(["tmux", "-L", "cgmtop-inner", "kill-server"], capture_output=True)
    emu.terminate()
    emu.wait()
