"""Many steps on one order at once: every step's line reaches the order's note, once.

The note is read and written back whole (Shopify has no "append"). Here several writers do that
at the same moment on the same orders, from worker processes and from threads, each on its own
database connection; devshop answers the first requests slowly, so that their reads overlap as
they do under load. PostgreSQL only (see conftest.py).
"""

import threading

import pytest
from django.db import connection

from returns import services, writeback
from returns.models import ReturnEvent, ShopifyOrder
from returns.services.recovery import order_note_repair
from tests import shop

from .worker import queued_on_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = 5
SLOW_ANSWER = 0.4  # seconds devshop takes over each of the first requests (below SHOPIFY_TIMEOUT)


def orders_with_two_requests(devshop, count=ORDERS):
    """`count` orders (#1001...), each with two return requests filed (one per item)."""
    orders = []
    for number in range(1001, 1001 + count):
        items = [shop.line_item("Linen shirt", quantity=1), shop.line_item("Wool socks")]
        orders.append(shop.order(f"#{number}", email="anna@example.com", items=items, note="Gift"))
    devshop.load_orders(orders)
    requests = []
    for data in orders:
        order = services.shopify_order_lookup(order_number=data["name"], email="anna@example.com")
        for item in data["lineItems"]["nodes"]:
            requests.append(
                services.return_request_create(
                    order=order,
                    quantities={item["id"]: 1},
                    reason="not_satisfied",
                    comment="",
                    locale="nl",
                )
            )
    return requests


def note_of(devshop, request) -> list[str]:
    return (devshop.order_by_id(request.order.shopify_id)["note"] or "").splitlines()


def with_number(lines, event) -> list[str]:
    return [line for line in lines if line.endswith(f"[{event.pk}]")]


def test_a_bulk_approval_on_a_real_worker_writes_every_line(
    hard_timeout, devshop, staff, broker, workers
):
    requests = orders_with_two_requests(devshop)
    devshop.set_option("timeout_seconds", SLOW_ANSWER)
    devshop.add_fault("timeout", count=2 * len(requests))
    with queued_on_redis():
        for request in requests:  # as the queue's "Approve selected requests" does
            services.return_approve(request_id=request.pk, user=staff)
    approved = list(ReturnEvent.objects.filter(type="returns.approved"))
    assert broker.llen("celery") >= len(requests)

    workers.start("busy", concurrency=4)
    wait_for(
        lambda: ReturnEvent.objects.filter(
            type="shopify.written", data__event__in=[e.pk for e in approved]
        ).count()
        == len(approved),
        "every approval written back",
        workers,
        timeout=60,
    )
    for event in approved:
        lines = note_of(devshop, event.request)
        assert lines[0] == "Gift"
        assert len(with_number(lines, event)) == 1, (event.request.number, lines)
        assert sum(
            line.endswith(f"{event.request.number} (withdrawal): approved [{event.pk}]")
            for line in lines
        )
    # Both requests of each order: "requested" and "approved", four lines after the shop's own.
    assert all(len(note_of(devshop, request)) == 5 for request in requests)


def test_write_backs_and_the_sweep_at_once_on_one_order_keep_every_line(devshop, staff, broker):
    requests = orders_with_two_requests(devshop, count=1)
    with queued_on_redis():  # the tasks wait in Redis, unread: this test runs the write-backs
        for request in requests:
            services.return_approve(request_id=request.pk, user=staff)
            services.return_reject(request_id=request.pk, user=staff, reason="Worn.")
    steps = list(ReturnEvent.objects.filter(type__in=["returns.approved", "returns.rejected"]))
    order = ShopifyOrder.objects.get()
    devshop.set_option("timeout_seconds", SLOW_ANSWER)
    devshop.add_fault("timeout", count=len(steps) + 2)

    work = [lambda e=e: writeback.event_write_back(event_id=e.pk) for e in steps]
    work.append(lambda: order_note_repair(order_id=order.pk))
    outcomes = all_at_once(work)

    assert outcomes == [True] * len(steps) + [outcomes[-1]], outcomes
    lines = note_of(devshop, requests[0])
    for event in steps:
        assert len(with_number(lines, event)) == 1, lines
    assert len(lines) == 1 + 2 + len(steps)  # the shop's line, two requested, the steps
    assert not ReturnEvent.objects.filter(type="shopify.note_repaired").exists()


def all_at_once(work):
    """Each callable in its own thread and database connection, released together."""
    start = threading.Barrier(len(work))
    outcomes = [None] * len(work)

    def run(i):
        try:
            start.wait(timeout=30)
            outcomes[i] = work[i]()
        except Exception as exc:  # the outcome under test, whatever it is
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return outcomes
