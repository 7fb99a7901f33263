"""Real Celery workers: one killed in the middle of a refund, one waiting out Shopify's outage.

Each worker runs in its own process (`celery -A portal worker --pool=solo`) against Redis and this
test's PostgreSQL database and devshop, with the settings production has: tasks acknowledged late,
bounded retries with backoff.

Killed: devshop is told to take a while over refundCreate and to make the refund anyway, like
Shopify finishing a request whose client has gone. The worker is killed (SIGKILL) while it waits,
so the refund exists in Shopify but the portal never heard. The task was not acknowledged, so
Redis hands it to the next worker, which asks again with the same idempotency key and records the
refund Shopify made, instead of making a second one.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from kombu import pools

from portal.celery import app
from returns import services
from returns.models import Refund, ReturnEvent

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of the test's own, emptied before and after.
REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/14")
HARD_TIMEOUT = 90  # seconds for the whole test, workers included
SLOW_REFUND = 2.0  # seconds devshop takes over refundCreate: the window to kill the worker in
REDELIVER_AFTER = 3  # seconds before Redis hands an unacknowledged task out again
LEASE = 5  # seconds an attempt of a refund keeps every other attempt out


@pytest.fixture
def hard_timeout():
    def expire(_signum, _frame):
        raise TimeoutError(f"the worker test ran longer than {HARD_TIMEOUT} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HARD_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def broker():
    """Redis, emptied; returns a client to look into it."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


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

    def start(self, name: str, redeliver_after: int = REDELIVER_AFTER) -> subprocess.Popen:
        env = {**self.env, "TEST_CELERY_VISIBILITY_TIMEOUT": str(redeliver_after)}
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo"]
        command += ["--loglevel=INFO", f"--hostname={name}@%h", "--without-mingle"]
        command += ["--without-gossip", "--without-heartbeat"]
        with open(self.log_dir / f"{name}.log", "w") as log:  # the worker has its own copy
            worker = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.started.append(worker)
        return worker

    @staticmethod
    def kill(worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.started:
            self.kill(worker)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_for(condition, what: str, workers: Workers, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout:g} s\n{workers.logs()}")


def test_a_worker_killed_mid_refund_leaves_the_next_one_to_finish_it_once(
    hard_timeout, received_return, staff, devshop, broker, workers
):
    quote = services.refund_quote(request=received_return)
    devshop.set_option("timeout_seconds", SLOW_REFUND)  # below SHOPIFY_TIMEOUT: the worker waits
    devshop.add_fault("mutation_timeout")
    with queued_on_redis():
        refund = services.refund_request(
            request_id=received_return.pk,
            user=staff,
            amount=Decimal("79.90"),
            currency="EUR",
            restock=True,
            notify=True,
            shopify_maximum=quote.shopify_maximum,
        )
    assert broker.llen("celery") == 1  # queued after commit, for a worker

    first = workers.start("first")
    # devshop took the fault when refundCreate arrived: the worker is now waiting for Shopify.
    wait_for(lambda: devshop.pending_faults() == [], "refundCreate reaching devshop", workers)
    Workers.kill(first)

    wait_for(lambda: devshop.order_by_name("#1001")["refunds"], "devshop's refund", workers)
    refund.refresh_from_db()
    assert (refund.state, refund.attempts, refund.shopify_refund_id) == ("pending", 1, "")
    assert broker.hlen("unacked") == 1  # acknowledged late: the killed worker never acked it

    workers.start("second")
    wait_for(
        lambda: Refund.objects.get(pk=refund.pk).state == "succeeded", "the refund", workers, 45
    )
    refund.refresh_from_db()
    order = wait_for(
        lambda: (o := devshop.order_by_name("#1001")) and "return-refunded" in o["tags"] and o,
        "the note and tag written back by the second worker",
        workers,
    )
    assert [r["id"] for r in order["refunds"]] == [refund.shopify_refund_id]
    assert Refund.objects.count() == 1 and refund.attempts == 2
    assert order["note"].count("refunded 79.90 EUR") == 1


def test_a_worker_sends_a_refund_again_later_when_shopify_is_down(
    hard_timeout, received_return, staff, devshop, broker, workers
):
    quote = services.refund_quote(request=received_return)
    devshop.add_fault("http_503")
    with queued_on_redis():
        refund = services.refund_request(
            request_id=received_return.pk,
            user=staff,
            amount=Decimal("29.00"),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    # A retry waits in the worker, unacknowledged: Redis must not hand it out again meanwhile.
    workers.start("patient", redeliver_after=3600)

    wait_for(lambda: Refund.objects.get(pk=refund.pk).state == "succeeded", "the retry", workers)
    refund.refresh_from_db()
    failed = ReturnEvent.objects.get(type="returns.refund.attempt_failed")
    assert failed.data["error"] and refund.attempts == 2
    # The task waited out its backoff after the first failure: 5 seconds plus up to 3 of jitter.
    waited = refund.succeeded_at - failed.created_at
    assert timedelta(seconds=5) <= waited < timedelta(seconds=12)
    assert [r["id"] for r in devshop.order_by_name("#1001")["refunds"]] == [
        refund.shopify_refund_id
    ]
