"""The deployment the benchmark runs against, started and stopped by the benchmark itself.

devshop on its own port, gunicorn with two workers and one Celery worker, all processes of this
checkout against one PostgreSQL database and one Redis, configured only through the environment
as a real deployment is (README, "Performance and scale-out").
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/returns_bench"
)
# Two Redis databases of their own: the broker's queues and the shared cache.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
BROKER_URL = f"{REDIS_URL}/12"
CACHE_URL = f"{REDIS_URL}/13"
REFUND_QUEUE = "celery"  # the default queue: refunds are what the worker reads
PARKED_QUEUE = "bench-parked"  # tests.bench.settings.BENCH_PARKED_QUEUE: nobody reads it
GUNICORN_WORKERS = 2
CELERY_CONCURRENCY = int(os.environ.get("BENCH_CELERY_CONCURRENCY", "4"))


def preflight() -> None:
    """Stop with a sentence, not a traceback, when PostgreSQL or Redis is not there."""
    import psycopg
    import redis

    admin = urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(admin, connect_timeout=5).close()
    except psycopg.Error as error:
        sys.exit(f"bench: PostgreSQL is needed at {admin} (BENCH_DATABASE_URL): {error}")
    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        sys.exit(f"bench: Redis is needed at {REDIS_URL} (BENCH_REDIS_URL): {error}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """Processes of one benchmark run; `with Stack() as stack:` stops them all on the way out."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="returns-bench-"))
        self.devshop_port = free_port()
        self.web_port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
            "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": DATABASE_URL,
            # Persistent connections, as the README recommends for PostgreSQL.
            "CONN_MAX_AGE": "600",
            "CACHE_URL": CACHE_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "DEVSHOP_ENABLED": "true",
            "DEVSHOP_URL": f"http://127.0.0.1:{self.devshop_port}",
            "DEVSHOP_STATE": str(self.tmp / "devshop.sqlite3"),
            "SHOPIFY_SHOP": "bench-shop",
            "SHOPIFY_ACCESS_TOKEN": "shpat_benchmark_static_token",
            "SHOPIFY_CLIENT_ID": "",
            # Signs the webhook deliveries the claim flow sends (a static token still authenticates).
            "SHOPIFY_CLIENT_SECRET": "bench-webhook-secret",
            "BENCH_STATIC_ROOT": str(self.tmp / "static"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "EMAIL_URL": "dummymail://",  # the benchmark's shoppers get no mail
        }

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.stop_all()
        if exc_type is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"bench: the processes' logs are in {self.tmp}", file=sys.stderr)

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.log(name), "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(a) for a in args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        # The process leads a session of its own (start_new_session): this reaches its children
        # (gunicorn's and Celery's workers) and nothing else.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes)[::-1]:
            self.stop(name)

    # The three services

    def start_devshop(self) -> None:
        manage = ROOT / "manage.py"
        self.start(
            "devshop", sys.executable, manage, "devshop", "serve", "--port", self.devshop_port
        )
        wait_http(f"http://127.0.0.1:{self.devshop_port}/", "devshop", self)

    def start_web(self) -> None:
        self.start(
            "gunicorn",
            BIN / "gunicorn",
            "portal.wsgi:application",
            "--workers",
            GUNICORN_WORKERS,
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--log-level",
            "warning",
        )
        wait_http(f"{self.web_url}/bench/bare/", "gunicorn", self)

    def start_worker(self) -> None:
        import redis

        # Whatever an interrupted run left on the benchmark's broker database is not this run's.
        broker = redis.Redis.from_url(BROKER_URL)
        broker.delete(REFUND_QUEUE, PARKED_QUEUE, "unacked", "unacked_index")
        broker.close()
        self.start(
            "celery",
            BIN / "celery",
            "--app",
            "portal",
            "worker",
            "--queues",
            REFUND_QUEUE,
            "--concurrency",
            CELERY_CONCURRENCY,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        )
        from portal.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_alive()
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError(f"The Celery worker did not answer; see {self.log('celery')}")

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = self.log(name).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")


def wait_http(url: str, name: str, stack: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers; what it answers is not the point here
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer at {url}; see {stack.log(name)}")
