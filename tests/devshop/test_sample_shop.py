"""The demo's sample shop keeps every case the portal has to handle, so none can silently vanish."""

import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from devshop.loading import SAMPLE_SHOP, read_orders
from tests.devshop.documents import GRAPHQL_DIR, with_fragments

STATIC = Path(__file__).resolve().parents[2] / "devshop" / "static"
ORDERS = read_orders(SAMPLE_SHOP)
BY_NAME = {o["name"]: o for o in ORDERS}
# The file is written as seen on 2026-11-27: the newest order is two days old on that day.
REFERENCE = max(datetime.fromisoformat(o["processedAt"]) for o in ORDERS) + timedelta(days=2)


def at(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def days_ago(timestamp: str) -> float:
    return (REFERENCE - at(timestamp)) / timedelta(days=1)


def lines(order):
    return order["lineItems"]["nodes"]


def money_values(value):
    """Every MoneyV2 in an order."""
    if isinstance(value, dict):
        if set(value) >= {"amount", "currencyCode"}:
            yield value
        for item in value.values():
            yield from money_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from money_values(item)


def test_the_file_is_dated_around_2026_11_27():
    assert REFERENCE.date().isoformat() == "2026-11-27"


def test_at_least_twelve_orders_numbered_from_1001():
    names = [o["name"] for o in ORDERS]
    assert len(names) >= 12
    assert sorted(names) == [f"#{1001 + i}" for i in range(len(names))]


def test_everything_is_in_euros_with_cents():
    assert {o["currencyCode"] for o in ORDERS} == {"EUR"}
    amounts = [m for o in ORDERS for m in money_values(o)]
    assert {m["currencyCode"] for m in amounts} == {"EUR"}
    assert all(re.fullmatch(r"\d+\.\d{2}", m["amount"]) for m in amounts)


def test_ids_are_shopify_gids_with_numeric_ids():
    def gids(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "id" and item is not None:
                    yield item
                else:
                    yield from gids(item)
        elif isinstance(value, list):
            for item in value:
                yield from gids(item)

    found = [gid for o in ORDERS for gid in gids(o)]
    assert all(re.fullmatch(r"gid://shopify/[A-Za-z]+/\d+", gid) for gid in found)
    assert {gid.split("/")[3] for gid in found} >= {
        "Order",
        "LineItem",
        "Product",
        "Fulfillment",
        "OrderTransaction",
        "Refund",
    }


def test_customers_speak_dutch_german_and_english_with_example_addresses():
    assert {o["customerLocale"] for o in ORDERS} == {"nl", "de", "en"}
    assert all(re.fullmatch(r"[a-z.]+@example\.(com|org|net)", o["email"]) for o in ORDERS)


def test_totals_are_the_sum_of_what_was_paid_per_line():
    for order in ORDERS:
        paid = sum(
            Decimal(li["discountedUnitPriceAfterAllDiscountsSet"]["shopMoney"]["amount"])
            * li["quantity"]
            for li in lines(order)
        )
        assert Decimal(order["totalPriceSet"]["shopMoney"]["amount"]) == paid, order["name"]


def test_there_are_multi_item_orders_with_quantities_above_one():
    assert any(len(lines(o)) > 1 and any(li["quantity"] > 1 for li in lines(o)) for o in ORDERS)


def test_fulfilment_states_unfulfilled_in_transit_and_delivered_are_all_there():
    unfulfilled_paid = [
        o
        for o in ORDERS
        if o["displayFulfillmentStatus"] == "UNFULFILLED" and o["displayFinancialStatus"] == "PAID"
    ]
    shipped_not_delivered = [
        o
        for o in ORDERS
        if o["fulfillments"] and not any(f["deliveredAt"] for f in o["fulfillments"])
    ]
    delivered = [o for o in ORDERS if any(f["deliveredAt"] for f in o["fulfillments"])]
    assert unfulfilled_paid and not unfulfilled_paid[0]["fulfillments"]
    assert shipped_not_delivered
    assert len(delivered) >= 5
    assert all(f["displayStatus"] == "DELIVERED" for o in delivered for f in o["fulfillments"])


def test_a_partly_refunded_order_is_consistent():
    order = next(o for o in ORDERS if o["displayFinancialStatus"] == "PARTIALLY_REFUNDED")
    refunded = Counter()
    for refund in order["refunds"]:
        items = refund["refundLineItems"]["nodes"]
        for item in items:
            refunded[item["lineItem"]["id"]] += item["quantity"]
        subtotal = sum(Decimal(i["subtotalSet"]["shopMoney"]["amount"]) for i in items)
        assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == subtotal

    assert refunded, "the refund names the lines it refunded"
    for li in lines(order):
        assert (
            li["currentQuantity"] == li["refundableQuantity"] == li["quantity"] - refunded[li["id"]]
        )
    total_refunded = sum(
        Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in order["refunds"]
    )
    assert Decimal(order["totalRefundedSet"]["shopMoney"]["amount"]) == total_refunded
    refund_transactions = [t for t in order["transactions"] if t["kind"] == "REFUND"]
    assert (
        sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in refund_transactions)
        == total_refunded
    )
    assert all(t["parentTransaction"] for t in refund_transactions)


def test_one_order_was_delivered_outside_the_return_window_but_inside_the_guarantee():
    ages = [
        days_ago(f["deliveredAt"]) for o in ORDERS for f in o["fulfillments"] if f["deliveredAt"]
    ]

    assert any(90 <= age <= 110 for age in ages)  # > 30-day return window, < 2-year guarantee
    assert any(3 * 365 - 30 <= age <= 3 * 365 + 30 for age in ages)  # beyond the guarantee


def test_one_order_holds_a_final_sale_product():
    tagged = [li for o in ORDERS for li in lines(o) if "final-sale" in li["product"]["tags"]]

    assert tagged


def test_payment_pending_and_cancelled_orders_are_there():
    pending = [o for o in ORDERS if o["displayFinancialStatus"] == "PENDING"]
    cancelled = [o for o in ORDERS if o["cancelledAt"]]

    assert pending and all(t["status"] == "PENDING" for t in pending[0]["transactions"])
    assert cancelled and all(li["refundableQuantity"] == 0 for li in lines(cancelled[0]))


def test_paid_orders_were_paid_through_a_real_gateway():
    for order in ORDERS:
        if order["displayFinancialStatus"] not in ("PAID", "PARTIALLY_REFUNDED"):
            continue
        payments = [
            t
            for t in order["transactions"]
            if t["kind"] in ("SALE", "CAPTURE") and t["status"] == "SUCCESS"
        ]
        assert payments, order["name"]
        assert {t["gateway"] for t in payments} <= {"shopify_payments", "mollie"}
        paid = sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in payments)
        assert paid == Decimal(order["totalPriceSet"]["shopMoney"]["amount"]), order["name"]


def test_line_item_images_are_the_bundled_svgs_or_null():
    images = [li["image"] for o in ORDERS for li in lines(o)]

    assert None in images
    for image in filter(None, images):
        assert re.fullmatch(r"/static/devshop/products/[a-z-]+\.svg", image["url"])
        assert (STATIC / image["url"].removeprefix("/static/")).is_file()
        assert image["altText"]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_order_answers_the_portals_order_query_in_full(
    name, sample_shop, devshop_server, settings
):
    query = with_fragments((GRAPHQL_DIR / "order_get.graphql").read_text())

    response = httpx.post(
        f"{devshop_server}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json",
        json={"query": query, "variables": {"id": BY_NAME[name]["id"]}},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
    )

    body = response.json()
    assert "errors" not in body
    order = body["data"]["order"]
    assert order["name"] == name
    assert order["lineItems"]["nodes"], "an order without lines cannot be returned"
    assert all(li["product"] and li["sku"] and li["title"] for li in order["lineItems"]["nodes"])
