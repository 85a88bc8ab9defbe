"""What the freshness benchmarks beside it share: a private home for cgmtop,
the processes a run starts (stopped however the run ends), the Nightscout
read token `cgmtop emulate` prints, the logins as a user types them, and
an account's cache, read only.

    import benchkit
    env = benchkit.private_home(a.dir, runtime=True, NO_COLOR="1")
    run = benchkit.Run(a.dir, env)
    try:
        run.start([a.bin, "emulate", ...], "emulate")
        ...
    finally:
        run.stop()
"""
import os, shutil, signal, sqlite3, subprocess, sys, time


def private_home(d, runtime=False, **extra):
    """A fresh, empty home at d with cgmtop's XDG folders inside it, as the
    environment the run's processes get; runtime adds XDG_RUNTIME_DIR
    (d/run, made 0700). extra adds or replaces variables."""
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=d + "/config", XDG_DATA_HOME=d + "/data",
               XDG_STATE_HOME=d + "/state", XDG_CACHE_HOME=d + "/cache")
    if runtime:
        env["XDG_RUNTIME_DIR"] = d + "/run"
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
    env.update(extra)
    return env


class Run:
    """The processes of one run, each logging to DIR/NAME.log. stop() ends
    them, newest first, and the private tmux server on tmux_socket if one
    is named; a SIGTERM to the script stops them too, then exits 1."""

    def __init__(self, d, env, tmux_socket=None):
        self.dir, self.env, self.tmux_socket = d, env, tmux_socket
        self.procs = []
        signal.signal(signal.SIGTERM, lambda *_: (self.stop(), sys.exit(1)))

    def start(self, args, name):
        p = subprocess.Popen(args, env=self.env, stdout=open(f"{self.dir}/{name}.log", "w"), stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def log(self, name):
        return f"{self.dir}/{name}.log"

    def stop(self):
        if self.tmux_socket:
            subprocess.run(["tmux", "-L", self.tmux_socket, "kill-server"], stderr=subprocess.DEVNULL)
        for p in reversed(self.procs):
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def read_token(log, tries=100, pause=0.2):
    """The Nightscout read token `cgmtop emulate` prints in its log (the
    line ending "read token (role …): TOKEN"), looked for every pause
    seconds, tries times; "" when it never comes."""
    for _ in range(tries):
        for line in open(log):
            if "read token (role" in line:
                return line.split()[-1]
        time.sleep(pause)
    return ""


def _login(args, env, typed):
    out = subprocess.run(args, env=env, input=typed, text=True, capture_output=True)
    if out.returncode != 0:
        sys.exit(" ".join(args[1:3]) + " failed: " + out.stdout + out.stderr)


def login_share(bin, env, url, account=None):
    """`cgmtop login share` to the emulator's Share service at url, as its
    demo user, the password typed on stdin; the token store is a file."""
    _login([bin, "login", "share"] + (["--account", account] if account else []) +
           ["--share-url", url, "--region", "us", "--username", "demo", "--password-stdin", "--token-store", "file"],
           env, "emulator-password\n")


def login_nightscout(bin, env, url, token, account=None):
    """`cgmtop login nightscout` to the site at url with a read token typed
    on stdin; the token store is a file."""
    _login([bin, "login", "nightscout"] + (["--account", account] if account else []) +
           ["--url", url, "--token-stdin", "--token-store", "file"], env, token + "\n")


def open_cache(d, account="default", **kw):
    """The account's cache in the home at d, opened read only."""
    return sqlite3.connect(f"file:{d}/data/cgmtop/accounts/{account}/cache.db?mode=ro", uri=True, **kw)
