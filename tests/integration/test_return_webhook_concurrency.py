"""Shopify's returns/* webhooks for one Return processed at the same moment: each step once.

Staff approved, refunded and closed a Return in Shopify's admin; Shopify sends a delivery for
each, and several workers take them at once. Each runs in its own thread on its own database
connection, all released together. PostgreSQL only (see conftest.py).
"""

from decimal import Decimal

import pytest

from returns import services, steps
from returns.models import Refund, ReturnRequest
from returns.services.shopify_return_webhooks import shopify_return_follow
from tests import shop
from tests.returns import shopify_admin as in_shopify

from .test_refund_concurrency import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 8


def test_deliveries_processed_at_once_record_each_step_and_the_refund_once(devshop, staff):
    shirts = shop.line_item("Linen shirt", quantity=2, price="39.95")
    order = shop.order("#1001", email="anna@example.com", items=[shirts])
    devshop.load_orders([order])
    request = services.return_request_create(
        order=services.shopify_order_lookup(order_number="1001", email="anna@example.com"),
        quantities={shirts["id"]: 2},
        reason="not_satisfied",
        comment="",
        locale="nl",
    )
    return_id = ReturnRequest.objects.get(pk=request.pk).shopify_return_id
    in_shopify.approve(return_id)
    in_shopify.process_with_refund(return_id, order, "79.90")
    in_shopify.close(return_id)

    outcomes = all_at_once(WORKERS, lambda _i: shopify_return_follow(return_id=return_id))

    assert all(isinstance(outcome, ReturnRequest) for outcome in outcomes), outcomes
    request = ReturnRequest.objects.get(pk=request.pk)
    assert (request.status, request.shopify_return_status) == ("resolved", "CLOSED")
    [refund] = Refund.objects.all()
    assert (refund.amount, refund.made_in_shopify) == (Decimal("79.900"), True)
    recorded = list(request.events.values_list("type", flat=True))
    # The refund came before any unit was disposed, so it left the request approved; Shopify's
    # close resolved it. Each step once, however many deliveries ran at once.
    for step in (steps.APPROVED_IN_SHOPIFY, steps.REFUNDED_IN_SHOPIFY, steps.CLOSED_IN_SHOPIFY):
        assert recorded.count(step.event_type) == 1
