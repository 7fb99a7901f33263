"""On the demo's SQLite, two writers take turns: a read-check-write never interleaves with another.

The refund service reads what was refunded, checks the new amount against it and writes the
refund; select_for_update() cannot lock anything on SQLite, so the demo relies on the settings:
portal.settings.base opens every SQLite transaction with BEGIN IMMEDIATE. This builds the database
settings base.py makes for a SQLite file (whichever database the suite runs on) and makes two
connections overlap: the second starts its transaction while the first is inside its own, between
its read and its write, and the first writes only once the second has started. Fifty clicks against PostgreSQL's row locks
are in tests/integration/.
"""

import runpy
import threading

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


def read_check_write(errors, *, read_done=None, wait_for=None, began=None):
    """One writer; `read_done` is set after its read, and it waits for `wait_for` before writing.

    `began` is set the moment its connection starts executing BEGIN (SQLite's statement trace),
    that is, while the other writer may still hold its transaction open.
    """
    connection = connections[ALIAS]
    try:
        if began is not None:
            connection.ensure_connection()
            connection.connection.set_trace_callback(
                lambda sql: began.set() if sql.lstrip().upper().startswith("BEGIN") else None
            )
        with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM refunds")
            (refunded_before,) = cursor.fetchone()
            if read_done is not None:
                read_done.set()
            if wait_for is not None and not wait_for.wait(timeout=30):
                raise AssertionError("the other writer never started its transaction")
            cursor.execute("INSERT INTO refunds VALUES (%s)", [refunded_before])
    except Exception as error:  # "database is locked", had the two interleaved
        errors.append(error)
    finally:
        connection.close()


def test_two_writers_on_the_demo_sqlite_take_turns(demo_sqlite):
    errors = []
    first_has_read, second_began = threading.Event(), threading.Event()
    first = threading.Thread(
        target=read_check_write,
        args=(errors,),
        kwargs={"read_done": first_has_read, "wait_for": second_began},
    )
    second = threading.Thread(
        target=read_check_write, args=(errors,), kwargs={"began": second_began}
    )
    first.start()
    assert first_has_read.wait(timeout=30)
    second.start()  # inside the first's transaction: the first writes only after this began
    for writer in (first, second):
        writer.join(timeout=30)
    assert errors == []
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT refunded_before FROM refunds ORDER BY refunded_before")
        # The second saw the first's write: it waited for it instead of reading alongside.
        assert cursor.fetchall() == [(0,), (1,)]
    connections[ALIAS].close()
