#!/usr/bin/env python3
"""The commands of the README, for a machine with nothing but Python 3.11+.

    python3 dev.py demo    the portal with a local shop (devshop) and sample orders, afresh
    python3 dev.py manage  manage.py with the demo's settings (e.g. manage devshop show 1012)
    python3 dev.py test    the whole test suite (extra arguments go to pytest)
    python3 dev.py bench   the benchmark: a table of figures and targets (needs PostgreSQL, Redis)

All create the virtualenv in .venv and install requirements.lock when it is missing or changed.
"""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
DEMO_ADDRESS = os.environ.get("DEMO_ADDRESS", "127.0.0.1:8000")
# The demo's settings hold everything it needs (portal/settings/demo.py), so `dev.py manage`
# reaches the same database and shop from any shell.
DEMO_SETTINGS = "portal.settings.demo"
# A sample order (devshop/fixtures/sample_shop.json) that can go through the whole flow.
DEMO_ORDER, DEMO_EMAIL = "1012", "daan.smit@example.net"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def run(*args, env=None):
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv():
    if not PYTHON.exists():
        print("Creating the virtualenv in .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    stamp = VENV / ".requirements.sha256"
    wanted = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing the pinned dependencies (requirements.lock) …", flush=True)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK)
        stamp.write_text(wanted)


def demo_environment():
    return {**os.environ, "DJANGO_SETTINGS_MODULE": DEMO_SETTINGS, "DEMO_ADDRESS": DEMO_ADDRESS}


def manage_command():
    """How to type `dev.py manage` in a new shell, with the demo's variables if they are set."""
    names = [name for name in ("DEMO_ADDRESS", "DEMO_STATE_DIR") if name in os.environ]
    return " ".join([*(f"{name}={os.environ[name]}" for name in names), "python3 dev.py manage"])


def demo_setup(password=None):
    """A fresh world on every start: the portal's database and devshop's shop both start over,
    so every request the portal holds matches an order Shopify (devshop) holds. Returns the
    staff password."""
    env = demo_environment()
    manage = (PYTHON, "manage.py")
    run(*manage, "migrate", "--no-input", "--verbosity", "0", env=env)
    run(*manage, "flush", "--no-input", env=env)
    run(*manage, "devshop", "reset", env=env)
    run(*manage, "devshop", "load", "devshop/fixtures/sample_shop.json", "--shift-dates", env=env)
    password = password or secrets.token_urlsafe(12)
    # One argument: a password may begin with "-", which argparse would take for an option.
    run(*manage, "demo_staff", f"--password={password}", env=env)
    return password


def demo():
    password = demo_setup()
    print(
        f"\n  Returns portal:  http://{DEMO_ADDRESS}/   try order {DEMO_ORDER} with {DEMO_EMAIL}\n"
        f"  Staff admin:     http://{DEMO_ADDRESS}/admin/   user: staff   password: {password}\n"
        f"  The order in Shopify (devshop), with the note and tags the portal writes:\n"
        f"                   {manage_command()} devshop show {DEMO_ORDER}\n"
        "  Every start begins afresh: requests and refunds of an earlier run are gone.\n",
        flush=True,
    )
    run(PYTHON, "manage.py", "runserver", DEMO_ADDRESS, env=demo_environment())


def manage(args):
    """manage.py with the demo's settings: the demo's database and devshop's shop."""
    run(PYTHON, "manage.py", *args, env=demo_environment())


# The end-to-end tests' browser -------------------------------------------------------------


def system_chromium(environ, which):
    """The Chromium tests/e2e/conftest.py launches: CHROMIUM_PATH, else the first on PATH."""
    return environ.get("CHROMIUM_PATH") or next(filter(None, map(which, CHROMIUM_NAMES)), None)


def browser_step(*, chromium, chromium_ok, has_apt, is_root, sudo_ok, tried):
    """What to do next to have a Chromium for the end-to-end tests. Pure: tests/test_dev.py.

    chromium: what system_chromium() found (None: nothing); chromium_ok: it is an executable file;
    has_apt: apt-get exists; is_root / sudo_ok: may install packages (sudo -n true succeeded);
    tried: the steps already tried that did not give a browser ("apt", "download").

    Returns ("use", path), ("apt", commands), ("download", command) or ("none", one line).
    """
    if chromium and chromium_ok:
        return ("use", chromium)
    if chromium:  # CHROMIUM_PATH names something that is not there: say so, do not guess.
        return ("none", f"CHROMIUM_PATH={chromium} is not an executable file: fix or unset it.")
    if has_apt and (is_root or sudo_ok) and "apt" not in tried:
        sudo = [] if is_root else ["sudo", "-n"]
        install = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y"]
        return ("apt", [[*sudo, "apt-get", "update"], [*install, "chromium"]])
    if "download" not in tried:
        return ("download", ["-m", "playwright", "install", "chromium"])
    if "apt" in tried:
        how = "apt-get install chromium failed too; install Chromium, or set CHROMIUM_PATH"
    elif has_apt:
        how = "run `sudo apt-get install chromium` (Debian, Ubuntu), or set CHROMIUM_PATH"
    else:
        how = "install Chromium or Google Chrome, or set CHROMIUM_PATH to one"
    return (
        "none",
        f"No Chromium for the end-to-end tests and Playwright's download failed: {how}.",
    )


def quietly(command):
    """Run a command, its output kept back (Playwright's failures are Node stack traces)."""
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def ensure_browser():
    """A Chromium for the end-to-end tests: ("system", path), ("playwright", None) or
    ("none", what to install). Each way is tried once, quietly; see browser_step."""
    tried = set()
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    sudo_ok = not is_root and bool(shutil.which("sudo")) and quietly(["sudo", "-n", "true"])
    while True:
        chromium = system_chromium(os.environ, shutil.which)
        kind, what = browser_step(
            chromium=chromium,
            chromium_ok=bool(chromium)
            and os.access(chromium, os.X_OK)
            and Path(chromium).is_file(),
            has_apt=bool(shutil.which("apt-get")),
            is_root=is_root,
            sudo_ok=sudo_ok,
            tried=tried,
        )
        if kind == "use":
            return ("system", what)
        if kind == "none":
            return ("none", what)
        if kind == "apt":
            print("No Chromium found; installing Debian's chromium package (apt-get) …", flush=True)
            ok = all(quietly(command) for command in what)
        else:
            print("No Chromium found; downloading Playwright's (once) …", flush=True)
            ok = quietly([PYTHON, *what])
            if ok:
                return ("playwright", None)
        tried.add(kind)


def without_e2e(pytest_args):
    """pytest's arguments with the end-to-end tests deselected (never skipped)."""
    args = list(pytest_args)
    if "-m" in args[:-1]:
        at = args.index("-m") + 1
        args[at] = f"({args[at]}) and not e2e"
        return args
    return [*args, "-m", "not e2e"]


def test(pytest_args):
    """The suite. Without any Chromium, everything but the end-to-end tests runs, and the exit
    status is 1 even when that is green: the suite did not run in full."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    kind, what = ensure_browser()
    if kind == "system":
        env["CHROMIUM_PATH"] = what
    if kind != "none":
        run(PYTHON, "-m", "pytest", *pytest_args, env=env)
        return
    print(f"{what} Running the other tests.", flush=True)
    result = subprocess.run(
        [str(PYTHON), "-m", "pytest", *without_e2e(pytest_args)], cwd=ROOT, env=env
    )
    print(f"\nThe end-to-end tests did not run. {what}", flush=True)
    sys.exit(result.returncode or 1)


def bench():
    """tests/bench/: PostgreSQL and Redis on 127.0.0.1 (or BENCH_DATABASE_URL, BENCH_REDIS_URL)."""
    if not shutil.which("wrk"):
        print(
            "wrk not found: loading with Python threads instead, which may be the bottleneck "
            "(apt-get install wrk).",
            flush=True,
        )
    run(PYTHON, "-m", "tests.bench")


def main():
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run, and explain, on any Python
        sys.exit("The returns portal needs Python 3.11 or newer.")
    command, *rest = sys.argv[1:] or ["help"]
    commands = {
        "demo": demo,
        "manage": lambda: manage(rest),
        "test": lambda: test(rest),
        "bench": bench,
    }
    if command not in commands:
        sys.exit(__doc__)
    ensure_venv()
    commands[command]()


if __name__ == "__main__":
    main()
