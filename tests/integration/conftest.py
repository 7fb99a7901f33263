"""Tests that need PostgreSQL: real row locks between connections, and a Celery worker in another
process sharing the test database. SQLite's in-memory test database can give neither, so on
SQLite these tests are not collected at all (rather than skipped): `python3 dev.py test` leaves
them out, and CI's PostgreSQL run (`DATABASE_URL=postgres://...`) runs them.
"""

import signal

import pytest
import redis
from django.db import connection

from returns import services
from returns.models import ReturnRequest
from tests import shop
from tests.factories import UserFactory

from .worker import HARD_TIMEOUT, REDIS_URL, Workers

if connection.vendor != "postgresql":
    collect_ignore_glob = ["test_*.py"]


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


@pytest.fixture
def workers(tmp_path):
    """Celery workers started by the test (tests/integration/worker.py), all killed at its end."""
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def staff(transactional_db):
    return UserFactory(username="anne", is_superuser=True)


@pytest.fixture
def received_return(devshop, staff):
    """Order #1001 (two shirts at 39.95, a lamp at 89.00) and a return of both shirts, received.

    Committed for real (these tests run with transaction=True), so other connections see it.
    """
    shirts = shop.line_item("Linen shirt", quantity=2, price="39.95")
    lamp = shop.line_item("Desk lamp", quantity=1, price="89.00")
    devshop.load_orders([shop.order("#1001", email="anna@example.com", items=[shirts, lamp])])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    request = services.return_request_create(
        order=order,
        quantities={shirts["id"]: 2},
        reason="not_satisfied",
        comment="",
        locale="nl",
    )
    line = request.lines.get()
    services.return_receive(request_id=request.pk, user=staff, received={line.pk: 2}, restock=True)
    return ReturnRequest.objects.get(pk=request.pk)
