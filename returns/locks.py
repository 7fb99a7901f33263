"""The portal's PostgreSQL advisory locks, each kind in its own space, all declared here.

An advisory lock locks no row, so it cannot deadlock with the row locks services take, and
PostgreSQL releases it however its holder ends (a killed worker's session is ended and rolled
back). Each kind of thing locked has its own first key, so an order's refunds, a request's Return
and a Return followed from its webhooks never wait for one another. SQLite (the demo, the tests)
has no such lock: there a re-entrant lock within the process stands in, which is enough for one
process running its tasks in the web process.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection

REFUNDS = 0x52464E44  # "RFND": an order's refunds, planned and sent one at a time
RETURN_SYNC = 0x5254524E  # "RTRN": a request's Shopify Return brought up to date
RETURN_FOLLOW = 0x52545748  # "RTWH": a Shopify Return read and followed from its webhooks
ORDER_NOTE = 0x6E6F7465  # "note": an order's note read, changed and written (order_note.py)

_local: defaultdict[tuple[int, int], threading.RLock] = defaultdict(threading.RLock)
_local_guard = threading.Lock()


def _local_lock(space: int, key: int) -> threading.RLock:
    with _local_guard:
        return _local[(space, key)]


@contextmanager
def advisory_lock(space: int, key: int):
    """Held by the connection until the block ends."""
    if connection.vendor != "postgresql":
        with _local_lock(space, key):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [space, key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, key])


@contextmanager
def advisory_transaction_lock(space: int, key: int):
    """Held until the transaction the caller is in ends (call it inside transaction.atomic)."""
    if connection.vendor != "postgresql":
        with _local_lock(space, key):
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, key])
    yield
