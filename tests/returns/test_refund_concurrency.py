"""On the demo's SQLite, two writers take turns: a read-check-write never interleaves with another.

The refund service reads what was refunded, checks the new amount against it and writes the
refund; select_for_update() cannot lock anything on SQLite, so the demo relies on the settings:
portal.settings.base opens every SQLite transaction with BEGIN IMMEDIATE. This builds the database
settings base.py makes for a SQLite file (whichever database the suite runs on) and lets two
connections do a read-check-write at the same moment. Fifty clicks against PostgreSQL's row locks
are in tests/integration/.
"""

import runpy
import threading
import time

import pytest
from django.db import connections, transaction

from portal.settings import base as base_settings

ALIAS = "demo_sqlite"


@pytest.fixture
def demo_sqlite(tmp_path, monkeypatch, django_db_blocker):
    """A SQLite file of its own, outside the test database and its transaction."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    demo = runpy.run_path(base_settings.__file__)["DATABASES"]["default"]
    # configure_settings() fills in Django's defaults; it insists on a "default" alias.
    configured = connections.configure_settings({"default": dict(demo), ALIAS: demo})
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE refunds (refunded_before INTEGER NOT NULL)")
        connections[ALIAS].close()
        yield
    del connections.settings[ALIAS]


def read_check_write(errors):
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM refunds")
            (refunded_before,) = cursor.fetchone()
            time.sleep(0.2)  # the other writer arrives meanwhile
            cursor.execute("INSERT INTO refunds VALUES (%s)", [refunded_before])
    except Exception as error:  # "database is locked", had the two interleaved
        errors.append(error)
    finally:
        connections[ALIAS].close()


def test_two_writers_on_the_demo_sqlite_take_turns(demo_sqlite):
    errors = []
    writers = [threading.Thread(target=read_check_write, args=(errors,)) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
    assert errors == []
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT refunded_before FROM refunds ORDER BY refunded_before")
        # The second saw the first's write: it waited for it instead of reading alongside.
        assert cursor.fetchall() == [(0,), (1,)]
    connections[ALIAS].close()
