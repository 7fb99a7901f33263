#!/usr/bin/env python3
"""The commands of the README, for a machine with nothing but Python 3.11+.

    python3 dev.py demo    the portal with a local shop (devshop) and sample orders
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
DEMO_ADDRESS = "127.0.0.1:8000"


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
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DEBUG="true",
        DEVSHOP_ENABLED="true",
        DEVSHOP_URL=f"http://{DEMO_ADDRESS}/devshop",
        SHOPIFY_SHOP="demo-shop",
        # The demo uses the Dev Dashboard flow: client id + secret exchanged for a token.
        SHOPIFY_CLIENT_ID="demo-client-id",
        SHOPIFY_CLIENT_SECRET="demo-client-secret",
        # devshop tells the portal about changes the way Shopify does: signed webhooks.
        DEVSHOP_WEBHOOK_URL=f"http://{DEMO_ADDRESS}/webhooks/shopify/",
    )
    return env


def demo():
    env = demo_environment()
    manage = (PYTHON, "manage.py")
    run(*manage, "migrate", "--no-input", env=env)
    run(*manage, "devshop", "load", "devshop/fixtures/sample_shop.json", "--shift-dates", env=env)
    password = secrets.token_urlsafe(12)
    run(*manage, "demo_staff", "--password", password, env=env)
    print(
        f"\n  Returns portal:  http://{DEMO_ADDRESS}/\n"
        f"  Staff admin:     http://{DEMO_ADDRESS}/admin/   user: staff   password: {password}\n"
        "  Sample orders:   python manage.py devshop show 1001   (e.g. #1001 with its email)\n",
        flush=True,
    )
    run(*manage, "runserver", DEMO_ADDRESS, env=env)


def ensure_browser():
    """The end-to-end tests drive Chromium: the system's if there is one, else Playwright's."""
    if os.environ.get("CHROMIUM_PATH") or any(
        shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
    ):
        return
    print("No Chromium found; installing Playwright's (once) …", flush=True)
    run(PYTHON, "-m", "playwright", "install", "chromium")


def test(pytest_args):
    ensure_browser()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    run(PYTHON, "-m", "pytest", *pytest_args, env=env)


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
    commands = {"demo": demo, "test": lambda: test(rest), "bench": bench}
    if command not in commands:
        sys.exit(__doc__)
    ensure_venv()
    commands[command]()


if __name__ == "__main__":
    main()
