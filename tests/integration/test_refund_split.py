"""Two refunds at once on an order paid two ways (a gift card, then a card): each is planned over
what the other left on the payments, so Shopify makes both. PostgreSQL only (see conftest.py).

Two members of staff confirm a refund on two return requests of the same order at the same moment,
each in their own thread and database connection; the refunds are sent in-process, as the demo
does, so both plan and send at once. devshop takes a while over the first refundCreate to reach it,
so without serialising per order the second would plan against a gift card the first is spending.
"""

from decimal import Decimal

import pytest

from returns import services
from returns.models import Refund
from tests import shop

from .test_refund_concurrency import all_at_once

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_requests(devshop, staff):
    """#1088: a shirt and a scarf at 39.95 each, paid 50.00 by gift card and 29.90 by card."""
    shirt = shop.line_item("Linen shirt", quantity=1, price="39.95")
    scarf = shop.line_item("Wool scarf", quantity=1, price="39.95")
    data = shop.order("#1088", email="tim@example.com", items=[shirt, scarf])
    card = data["transactions"][0]
    card["amountSet"] = shop.money("29.90")
    gift_card = {**card, "id": card["id"] + "1", "gateway": "gift_card"}
    gift_card["amountSet"] = shop.money("50.00")
    data["transactions"] = [gift_card, card]
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1088", email="tim@example.com")
    requests = []
    for item in (shirt, scarf):
        request = services.return_request_create(
            order=order, quantities={item["id"]: 1}, reason="not_satisfied", comment="", locale="en"
        )
        services.return_approve(request_id=request.pk, user=staff)
        requests.append(request)
    return requests


def test_two_refunds_at_once_on_an_order_paid_two_ways_both_succeed(
    two_requests, staff, devshop, settings
):
    quotes = [services.refund_quote(request=request) for request in two_requests]
    devshop.set_option("timeout_seconds", 1.0)  # below SHOPIFY_TIMEOUT: slow, not given up on
    devshop.add_fault("mutation_timeout")

    def confirm(i):
        return services.refund_request(
            request_id=two_requests[i].pk,
            user=staff,
            amount=Decimal("39.95"),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quotes[i].shopify_maximum,
        )

    outcomes = all_at_once(2, confirm)

    assert all(isinstance(o, Refund) for o in outcomes), outcomes
    refunds = Refund.objects.order_by("pk")
    assert [(r.state, r.error) for r in refunds] == [("succeeded", ""), ("succeeded", "")]
    order = devshop.order_by_name("#1088")
    assert len(order["refunds"]) == 2
    given_back = {}
    for t in order["transactions"]:
        if t["kind"] == "REFUND":
            given_back[t["gateway"]] = given_back.get(t["gateway"], 0) + Decimal(
                t["amountSet"]["shopMoney"]["amount"]
            )
    assert given_back == {"gift_card": Decimal("50.00"), "shopify_payments": Decimal("29.90")}
