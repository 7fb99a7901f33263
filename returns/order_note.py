"""The portal's lines on a Shopify order's note: one writer per order at a time, each line checked.

Shopify has no "append" for the note: it is read and written back whole. Two writers doing that
at once on one order keep only the second one's line, so every write of an order's note (a step's
write-back and the sweep's repair) holds that order's lock from the read until Shopify has answered
the write, and counts a line as written only when it is in the note Shopify answers with.

Each step's line ends with the step's own number in the audit trail, `[412]`: two identical steps
(two refunds of 5.00 EUR on one day) are two lines, and a step written again (a redelivered task,
the sweep) is recognised by its number and not written twice, even after staff edited its text.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction

from . import locks
from .models import ShopifyOrder
from .shopify import notes
from .shopify.errors import ShopifyUnavailable

# A holder needs a few Shopify requests, each bounded by SHOPIFY_TIMEOUT and the task's throttle
# patience; waiting longer than this means something is stuck, and the task retries later.
LOCK_WAIT = "60s"


class OrderNoteBusy(ShopifyUnavailable):
    """Another write to the order's note held it for too long: try again later."""


class NoteLineNotKept(ShopifyUnavailable):
    """Shopify answered the write with a note that lacks the line: not written, try again."""


@dataclass(frozen=True)
class StepLine:
    event_id: int  # the step's event: its number ends the line
    text: str  # the whole line, number included
    legacy: str = ""  # the same line as an older release wrote it, without the number


def step_marker(event_id: int) -> str:
    return f"[{event_id}]"


def step_line(text: str, event_id: int) -> str:
    """The note line of a step: on one line (a note line per step), ending in the step's number."""
    text = " ".join(text.split())
    marker = step_marker(event_id)
    return text if text.endswith(marker) else f"{text} {marker}"


def missing_lines(note: str, steps: list[StepLine]) -> list[StepLine]:
    """The steps whose line is not on the note.

    A line counts by its number, whatever staff did to its text. A line from an older release has
    no number and counts by its exact text, each line once: two identical steps need two lines.
    """
    lines = [line.rstrip() for line in note.splitlines()]
    unclaimed = Counter(lines)
    missing = []
    for step in steps:
        if any(line.endswith(step_marker(step.event_id)) for line in lines):
            continue
        if step.legacy and unclaimed[step.legacy] > 0:
            unclaimed[step.legacy] -= 1
            continue
        missing.append(step)
    return missing


_process_locks: dict[int, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextmanager
def order_note_lock(order: ShopifyOrder) -> Iterator[None]:
    """Hold the order's note for one read-change-write, across every process sharing the database.

    On PostgreSQL this is an advisory lock on the order, held by a transaction: it ends with the
    transaction, also when the process holding it dies (PostgreSQL ends a session whose client has
    gone, and rolls it back). It locks no row, so it cannot deadlock with the row locks services
    take; nothing waits for it while holding one. SQLite has no such lock: there the lock holds
    within one process (the demo runs its tasks in the web process), and the sweep puts back a
    line that another process's write overwrote.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
                try:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [locks.ORDER_NOTE, order.pk]
                    )
                except OperationalError as exc:
                    raise OrderNoteBusy(
                        f"The note of order {order.name} was busy for over {LOCK_WAIT}."
                    ) from exc
            yield
        return
    with _process_locks_guard:
        lock = _process_locks.setdefault(order.pk, threading.Lock())
    with lock:
        yield


def order_note_lines_ensure(*, order: ShopifyOrder, steps: list[StepLine]) -> list[StepLine]:
    """Put every step's line that is missing on the order's note; returns the ones it wrote.

    The caller holds order_note_lock(order). One read, and one write only when a line is missing.
    """
    note = notes.order_note_get(order.shopify_id)
    missing = missing_lines(note, steps)
    if not missing:
        return []
    kept = [note.rstrip()] if note.strip() else []
    answered = notes.order_note_set(order.shopify_id, "\n".join(kept + [s.text for s in missing]))
    if not_kept := missing_lines(answered, missing):
        raise NoteLineNotKept(
            f"Shopify's note of order {order.name} lacks {len(not_kept)} line(s) just written."
        )
    return missing
