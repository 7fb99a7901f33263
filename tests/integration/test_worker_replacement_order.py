"""A real Celery worker killed while Shopify makes a claim's replacement order.

devshop takes its time over every mutation (below SHOPIFY_TIMEOUT, so the worker waits) and
carries it out first. The worker is killed as soon as the draft order exists in devshop: Shopify
made it, the portal never heard. Redis hands the unacknowledged task to the next worker, which
finds the draft by its tags and completes it: one draft order, one replacement order.
"""

import re

import pytest

from returns import services
from returns.models import Replacement
from tests import shop

from .worker import Workers, queued_on_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_MUTATION = 2.0


@pytest.fixture
def approved_claim(devshop, staff):
    lamp = shop.line_item("Desk lamp", quantity=1, price="89.00")
    devshop.load_orders([shop.order("#1001", email="anna@example.com", items=[lamp])])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    claim = services.return_request_create(
        order=order,
        quantities={lamp["id"]: 1},
        reason="defect",
        remedy="replacement",
        comment="Broken.",
        locale="nl",
    )
    services.return_approve(request_id=claim.pk, user=staff)
    return claim


def replacement_orders(devshop):
    return [o for o in devshop.orders() if "return-replacement" in o["tags"]]


def ran(workers, name, task):
    log = (workers.log_dir / f"{name}.log").read_text()
    return re.search(rf"returns\.tasks\.{task}\[[^\]]+\] succeeded", log) is not None


def test_a_worker_killed_after_the_draft_was_made_leaves_one_order(
    hard_timeout, approved_claim, staff, devshop, broker, workers
):
    with queued_on_redis():
        replacement = services.replacement_order_create(request_id=approved_claim.pk, user=staff)
    devshop.set_option("timeout_seconds", SLOW_MUTATION)
    devshop.add_fault("mutation_timeout", count=10)

    first = workers.start("first")
    wait_for(lambda: len(devshop.documents("DraftOrder")) == 1, "the draft order", workers)
    Workers.kill(first)
    assert Replacement.objects.get(pk=replacement.pk).draft_order_id == ""  # never heard

    workers.start("second")
    wait_for(lambda: ran(workers, "second", "replacement_order_place"), "the redelivery", workers)
    wait_for(
        lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0, "all acked", workers
    )
    assert len(devshop.documents("DraftOrder")) == 1
    [order] = replacement_orders(devshop)
    replacement.refresh_from_db()
    assert replacement.shopify_order_name == order["name"]
    creates = [r for r in devshop.request_log() if r["operation_name"] == "DraftOrderCreate"]
    assert [r["outcome"] for r in creates] == ["ok"]
