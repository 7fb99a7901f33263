"""Fifty staff clicks at once: the money moves exactly once, because the order row is the lock.

Each click runs in its own thread on its own database connection, all released together, as
fifty browser tabs confirming the same refund would be. PostgreSQL only (see conftest.py).
"""

import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction

from returns import services
from returns.models import Refund, ShopifyOrder

pytestmark = pytest.mark.django_db(transaction=True)

CLICKS = 50
SHIRTS = Decimal("79.90")


def all_at_once(count, work):
    """work(i) in `count` threads released together; each closes its connection when done.

    Returns what each returned, or the exception it raised.
    """
    start = threading.Barrier(count)
    outcomes = [None] * count

    def click(i):
        try:
            start.wait(timeout=30)
            outcomes[i] = work(i)
        except Exception as exc:  # the outcome under test, whatever it is
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a click never finished"
    return outcomes


def refund_click(request, staff, amount, key=None):
    quote = services.refund_quote(request=request)  # the form each member of staff had open

    def click(_i):
        return services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal(amount),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
            submission_key=key or uuid.uuid4(),
        )

    return click


def shopify_refunds(devshop):
    return devshop.order_by_name("#1001")["refunds"]


def test_fifty_clicks_for_the_full_amount_refund_it_once(received_return, staff, devshop):
    outcomes = all_at_once(CLICKS, refund_click(received_return, staff, SHIRTS))

    made = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, services.ReturnError)]
    assert len(made) == 1 and len(refused) == CLICKS - 1, outcomes
    assert {str(error.message) for error in refused} == {
        "At most 0.00 EUR can still be refunded for this request."
    }
    refund = Refund.objects.get()
    assert (refund.state, refund.amount) == ("succeeded", SHIRTS)
    assert [r["id"] for r in shopify_refunds(devshop)] == [refund.shopify_refund_id]


def test_fifty_partial_clicks_stop_exactly_at_what_was_paid(received_return, staff, devshop):
    outcomes = all_at_once(CLICKS, refund_click(received_return, staff, "10.00"))

    made = [o for o in outcomes if isinstance(o, Refund)]
    refused = [o for o in outcomes if isinstance(o, services.ReturnError)]
    assert len(made) == 7 and len(refused) == CLICKS - 7, outcomes  # 7 × 10.00 <= 79.90 < 8 × 10
    assert set(Refund.objects.values_list("state", flat=True)) == {"succeeded"}
    refunded = [
        Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in shopify_refunds(devshop)
    ]
    assert sum(refunded) == Decimal("70.00") and len(refunded) == 7


def test_fifty_clicks_of_one_confirmation_find_the_same_refund(received_return, staff, devshop):
    outcomes = all_at_once(CLICKS, refund_click(received_return, staff, "29.00", key=uuid.uuid4()))

    assert all(isinstance(o, Refund) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Refund.objects.get().state == "succeeded"
    assert len(shopify_refunds(devshop)) == 1


def test_a_refund_waits_for_the_order_row_another_connection_holds(received_return, staff):
    """The lock is real: while another transaction holds the order row, a refund cannot start."""
    locked, release = threading.Event(), threading.Event()

    def hold_the_order():
        try:
            with transaction.atomic():
                ShopifyOrder.objects.select_for_update().get(pk=received_return.order_id)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_order)
    holder.start()
    assert locked.wait(timeout=10)
    outcome, click = [], refund_click(received_return, staff, "10.00")
    clicker = threading.Thread(target=lambda: outcome.extend(all_at_once(1, click)))
    try:
        clicker.start()
        assert waiting_for_a_row_lock(), "the refund did not wait for the order row"
        assert clicker.is_alive() and not Refund.objects.exists()
    finally:
        release.set()
        holder.join(timeout=30)
        clicker.join(timeout=30)
    assert isinstance(outcome[0], Refund) and Refund.objects.get().amount == Decimal("10.00")


def waiting_for_a_row_lock(timeout=10.0):
    """True once another connection of this database waits for a lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False
