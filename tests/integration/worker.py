"""Real Celery workers for the tests, in processes of their own, against Redis and this test's
PostgreSQL database and devshop, with the settings production has: tasks acknowledged late,
bounded retries with backoff.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import override_settings
from kombu import pools

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of the test's own, emptied before and after.
REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/14")
HARD_TIMEOUT = 90  # seconds for the whole test, workers included
REDELIVER_AFTER = 3  # seconds before Redis hands an unacknowledged task out again
LEASE = 5  # seconds an attempt of a refund keeps every other attempt out


def forget_broker_connections():
    # Celery keeps the connection pool of the first broker URL it used (even running tasks
    # in-process, it takes a producer from it); a changed URL needs a fresh pool.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def queued_on_redis():
    """Tasks queued in this block go to Redis for a worker, instead of running in-process."""
    forget_broker_connections()
    try:
        with override_settings(CELERY_BROKER_URL=REDIS_URL, CELERY_TASK_ALWAYS_EAGER=False):
            yield
    finally:
        forget_broker_connections()


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Workers:
    """Celery workers started by this test; every one is killed by stop_all()."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": database_url(),  # the test database, not the one it was made from
            "TEST_CELERY_BROKER_URL": REDIS_URL,
            "TEST_DEVSHOP_URL": settings.DEVSHOP_URL,
            "TEST_DEVSHOP_STATE": str(settings.DEVSHOP_STATE),
            # A killed worker's attempt holds the refund's lease until it expires: a few seconds
            # here (past devshop's slow refund), not the two minutes of a task's time limit.
            "REFUND_LEASE_SECONDS": str(LEASE),
        }

    def start(
        self, name: str, redeliver_after: int = REDELIVER_AFTER, concurrency: int = 1
    ) -> subprocess.Popen:
        """One worker process; with concurrency > 1, that many child processes running tasks."""
        env = {**self.env, "TEST_CELERY_VISIBILITY_TIMEOUT": str(redeliver_after)}
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", *pool]
        command += ["--loglevel=INFO", f"--hostname={name}@%h", "--without-mingle"]
        command += ["--without-gossip", "--without-heartbeat"]
        with open(self.log_dir / f"{name}.log", "w") as log:  # the worker has its own copy
            worker = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed with its children
            )
        self.started.append(worker)
        return worker

    @staticmethod
    def kill(worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.started:
            self.kill(worker)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )


def wait_for(condition, what: str, workers: Workers, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout:g} s\n{workers.logs()}")
