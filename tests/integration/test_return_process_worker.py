"""returnProcess with real Celery workers and real PostgreSQL connections.

Killed: devshop is told to take a while over the next mutation (returnProcess, which refunds the
return's units) and to carry it out anyway, like Shopify finishing a request whose client has
gone. The worker is killed (SIGKILL) while it waits, so the refund exists in Shopify but the portal
never heard. returnProcess takes no idempotency key: the next worker, handed the unacknowledged
task by Redis once the killed attempt's lease has run out, finds the refund by the key in its note
and records it, instead of processing the units and moving the money a second time.

Serialised: one request's Return is brought up to date by one connection at a time, so two tasks
of the same request never both dispose its units.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from returns import services
from returns.locks import RETURN_SYNC
from returns.models import Refund
from returns.services.shopify_returns import shopify_return_catch_up

from .worker import Workers, queued_on_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SLOW = 2.0  # seconds devshop takes over returnProcess: the window to kill the worker in


def the_return(devshop):
    [made] = devshop.order_by_name("#1001")["returns"]
    return made


def dispositions(devshop):
    return [
        (d["type"], d["quantity"])
        for rfo in the_return(devshop)["reverseFulfillmentOrders"]
        for line in rfo["lineItems"]
        for d in line["dispositions"]
    ]


def test_a_worker_killed_mid_return_process_leaves_the_next_one_to_finish_it_once(
    hard_timeout, received_return, staff, devshop, broker, workers
):
    # Received with its tasks run in-process: the Return is open, both shirts restocked.
    assert the_return(devshop)["status"] == "OPEN"
    assert dispositions(devshop) == [("RESTOCKED", 2)]
    quote = services.refund_quote(request=received_return)
    devshop.set_option("timeout_seconds", SLOW)  # below SHOPIFY_TIMEOUT: the worker waits
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

    first = workers.start("first")
    # devshop took the fault when returnProcess arrived: the worker is now waiting for Shopify.
    wait_for(lambda: devshop.pending_faults() == [], "returnProcess reaching devshop", workers)
    Workers.kill(first)

    wait_for(lambda: devshop.order_by_name("#1001")["refunds"], "devshop's refund", workers)
    refund.refresh_from_db()
    assert (refund.state, refund.attempts, refund.shopify_refund_id) == ("pending", 1, "")
    assert refund.shopify_return_id == received_return.shopify_return_id  # chosen before sending
    assert broker.hlen("unacked") == 1  # acknowledged late: the killed worker never acked it

    workers.start("second")
    wait_for(
        lambda: Refund.objects.get(pk=refund.pk).state == "succeeded", "the refund", workers, 45
    )
    closed = wait_for(
        lambda: the_return(devshop)["status"] == "CLOSED" and the_return(devshop),
        "the Return closed by the second worker",
        workers,
    )
    refund.refresh_from_db()
    order = devshop.order_by_name("#1001")
    assert [r["id"] for r in order["refunds"]] == [refund.shopify_refund_id]
    assert closed["refundIds"] == [refund.shopify_refund_id]
    assert [(line["processedQuantity"], line["refundedQuantity"]) for line in closed["lines"]] == [
        (2, 2)
    ]
    assert order["totalRefundedSet"]["shopMoney"]["amount"] == "79.90"
    assert dispositions(devshop) == [("RESTOCKED", 2)]  # restocked once
    assert refund.attempts == 2


def test_one_connection_at_a_time_brings_a_requests_return_up_to_date(
    hard_timeout, received_return, devshop
):
    """Two catch-ups of the same received parcel: its units are disposed once, nothing refused."""
    request = received_return
    # Take the parcel's dispositions back off devshop's Return: it is as if the receive task never
    # ran, and two tasks of the request (a redelivery and the next step's) arrive together.
    devshop.update_order(
        devshop.order_by_name("#1001")["id"],
        lambda order: {
            **order,
            "returns": [
                {
                    **r,
                    "reverseFulfillmentOrders": [
                        {
                            **rfo,
                            "lineItems": [{**li, "dispositions": []} for li in rfo["lineItems"]],
                        }
                        for rfo in r["reverseFulfillmentOrders"]
                    ],
                }
                for r in order["returns"]
            ],
        },
    )
    errors, done = [], []

    def catch_up():
        try:
            done.append(shopify_return_catch_up(request_id=request.pk).done)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with connection.cursor() as cursor:  # someone else is at it
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RETURN_SYNC, request.pk])
    before = len(devshop.request_log())
    threads = [threading.Thread(target=catch_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    assert len(devshop.request_log()) == before  # both wait; neither asked Shopify anything
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RETURN_SYNC, request.pk])
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(done) == [[], ["disposed (2 restocked)"]]
    assert dispositions(devshop) == [("RESTOCKED", 2)]
