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

from datetime import timedelta
from decimal import Decimal

import pytest

from returns import services
from returns.models import Refund, ReturnEvent

from .worker import Workers, queued_on_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_REFUND = 2.0  # seconds devshop takes over refundCreate: the window to kill the worker in


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
