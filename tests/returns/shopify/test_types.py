"""The order dataclasses: the JSON round trip the local copy relies on, and the policy helpers."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, replace
from datetime import timedelta
from decimal import Decimal

import pytest

from returns.shopify.orders import order_find_by_name, order_get
from returns.shopify.types import Fulfillment, Order

from .test_orders import EXPECTED, FULL_ORDER, utc


def test_an_order_survives_the_json_round_trip_exactly(devshop):
    devshop.load_orders([FULL_ORDER])
    order = order_get(FULL_ORDER["id"])

    stored = json.loads(json.dumps(order.to_json()))  # what a JSONField gives back

    assert Order.from_json(stored) == order
    assert stored["total_price"] == {"amount": "87.40", "currency": "EUR", "shop": None}
    assert stored["line_items"][0]["unit_price"]["amount"] == "29.00"
    assert stored["created_at"] == "2026-10-01T08:00:00+00:00"


def test_every_sample_order_survives_the_round_trip(sample_shop, devshop):
    for stored in devshop.orders():
        order = order_find_by_name(stored["name"])

        assert Order.from_json(json.loads(json.dumps(order.to_json()))) == order


def test_round_trip_keeps_types():
    again = Order.from_json(EXPECTED.to_json())

    assert isinstance(again.total_price.amount, Decimal)
    assert isinstance(again.line_items, tuple) and isinstance(again.tags, tuple)
    assert again.fulfillments[1].delivered_at.tzinfo is not None
    assert again.line_items[1].sku is None


def test_orders_are_immutable():
    with pytest.raises(FrozenInstanceError):
        EXPECTED.note = "changed"  # type: ignore[misc]


def test_delivered_and_fulfilled_ignore_cancelled_fulfillments():
    assert EXPECTED.fulfilled_at == utc(2026, 10, 2, 10, 0, 0)
    assert EXPECTED.delivered_at == utc(2026, 10, 4, 15, 0, 0)


def test_delivered_at_is_the_last_delivery_and_fulfilled_at_the_first_shipment():
    first = EXPECTED.fulfillments[1]
    second = replace(
        first,
        id="gid://shopify/Fulfillment/6000000000003",
        created_at=first.created_at + timedelta(days=3),
        delivered_at=first.delivered_at + timedelta(days=3),
    )
    order = replace(EXPECTED, fulfillments=(second, first))

    assert order.fulfilled_at == first.created_at
    assert order.delivered_at == second.delivered_at


def test_an_order_without_shipments_has_no_dates():
    in_transit = Fulfillment(
        id="gid://shopify/Fulfillment/1",
        status="SUCCESS",
        display_status="IN_TRANSIT",
        created_at=utc(2026, 10, 2),
        in_transit_at=utc(2026, 10, 2),
        delivered_at=None,
    )

    assert replace(EXPECTED, fulfillments=()).fulfilled_at is None
    assert replace(EXPECTED, fulfillments=()).delivered_at is None
    assert replace(EXPECTED, fulfillments=(in_transit,)).delivered_at is None


def test_a_line_item_is_found_by_gid_or_numeric_id():
    by_gid = EXPECTED.line_item("gid://shopify/LineItem/8000000000002")

    assert by_gid is not None and by_gid.title == "Cadeaukaart"
    assert EXPECTED.line_item(8000000000002) is by_gid
    assert EXPECTED.line_item("8000000000002") is by_gid
    assert by_gid.legacy_id == 8000000000002
    assert EXPECTED.line_item("gid://shopify/LineItem/1") is None


def test_a_copy_stored_before_a_field_existed_still_loads():
    stored = EXPECTED.to_json()
    del stored["note"]
    for item in stored["line_items"]:
        del item["product_tags"]
    order = Order.from_json(stored)
    assert order.note is None and all(item.product_tags == () for item in order.line_items)


def test_a_copy_missing_what_the_portal_needs_says_to_fetch_it_again():
    stored = EXPECTED.to_json()
    del stored["currency"]
    with pytest.raises(KeyError, match="fetch it from Shopify again"):
        Order.from_json(stored)
