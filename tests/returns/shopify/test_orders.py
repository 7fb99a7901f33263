"""Finding and reading orders, against devshop over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from returns.shopify.errors import ShopifyRejected
from returns.shopify.orders import normalise_order_name, order_find_by_name, order_get
from returns.shopify.types import (
    Fulfillment,
    LineItem,
    MailingAddress,
    Money,
    Order,
    OrderRefund,
    RefundLine,
    Transaction,
)


def money_bag(amount: str, currency: str = "EUR") -> dict:
    money = {"amount": amount, "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


# An order in the shape Shopify's Admin API returns it, with every field the portal reads set,
# including the awkward ones: a discount, a partial refund, a cancelled fulfillment, a deleted
# product, a transaction with a parent.
FULL_ORDER = {
    "id": "gid://shopify/Order/7000000002001",
    "name": "#2001",
    "email": "anna.jansen@example.nl",
    "customerLocale": "nl-NL",
    "createdAt": "2026-10-01T08:00:00Z",
    "processedAt": "2026-10-01T08:00:05Z",
    "updatedAt": "2026-10-09T12:30:00+02:00",
    "cancelledAt": None,
    "closed": False,
    "displayFinancialStatus": "PARTIALLY_REFUNDED",
    "displayFulfillmentStatus": "FULFILLED",
    "currencyCode": "EUR",
    "note": "Leave at the door",
    "tags": ["webshop", "vip"],
    "shippingAddress": {
        "name": "Anna Jansen",
        "firstName": "Anna",
        "lastName": "Jansen",
        "company": "Jansen Design",
        "address1": "Keizersgracht 12",
        "address2": "3 hoog",
        "zip": "1015 CS",
        "city": "Amsterdam",
        "province": None,
        "countryCodeV2": "NL",
        "phone": "+31 20 1234567",
    },
    "billingAddress": {"name": "A. Jansen"},
    "totalPriceSet": money_bag("87.40"),
    "totalRefundedSet": money_bag("29.00"),
    "lineItems": {
        "nodes": [
            {
                "id": "gid://shopify/LineItem/8000000000001",
                "name": "Regenjas - M",
                "title": "Regenjas",
                "variantTitle": "M",
                "sku": "RJ-M",
                "quantity": 2,
                "currentQuantity": 1,
                "refundableQuantity": 1,
                "originalUnitPriceSet": money_bag("32.00"),
                "discountedUnitPriceAfterAllDiscountsSet": money_bag("29.00"),
                "image": {
                    "url": "https://cdn.example.com/regenjas.jpg",
                    "altText": "Gele regenjas",
                },
                "product": {
                    "id": "gid://shopify/Product/9000000000001",
                    "title": "Regenjas",
                    "tags": ["outerwear", "final-sale-no"],
                },
            },
            {
                "id": "gid://shopify/LineItem/8000000000002",
                "name": "Cadeaukaart",
                "title": "Cadeaukaart",
                "variantTitle": None,
                "sku": None,
                "quantity": 1,
                "currentQuantity": 1,
                "refundableQuantity": 1,
                "originalUnitPriceSet": money_bag("29.40"),
                "discountedUnitPriceAfterAllDiscountsSet": money_bag("29.40"),
                "image": None,
                "product": None,
            },
        ]
    },
    "fulfillments": [
        {
            "id": "gid://shopify/Fulfillment/6000000000001",
            "name": "#2001.1",
            "status": "CANCELLED",
            "displayStatus": "CANCELED",
            "createdAt": "2026-10-01T09:00:00Z",
            "updatedAt": "2026-10-01T09:10:00Z",
            "inTransitAt": None,
            "deliveredAt": None,
            "totalQuantity": 3,
        },
        {
            "id": "gid://shopify/Fulfillment/6000000000002",
            "name": "#2001.2",
            "status": "SUCCESS",
            "displayStatus": "DELIVERED",
            "createdAt": "2026-10-02T10:00:00Z",
            "updatedAt": "2026-10-04T15:00:00Z",
            "inTransitAt": "2026-10-02T18:00:00Z",
            "deliveredAt": "2026-10-04T15:00:00Z",
            "totalQuantity": 3,
        },
    ],
    "transactions": [
        {
            "id": "gid://shopify/OrderTransaction/5000000000001",
            "kind": "SALE",
            "status": "SUCCESS",
            "gateway": "mollie",
            "processedAt": "2026-10-01T08:00:04Z",
            "createdAt": "2026-10-01T08:00:04Z",
            "test": False,
            "amountSet": money_bag("87.40"),
            "parentTransaction": None,
        },
        {
            "id": "gid://shopify/OrderTransaction/5000000000002",
            "kind": "REFUND",
            "status": "SUCCESS",
            "gateway": "mollie",
            "processedAt": "2026-10-09T10:30:00Z",
            "createdAt": "2026-10-09T10:30:00Z",
            "test": False,
            "amountSet": money_bag("29.00"),
            "parentTransaction": {"id": "gid://shopify/OrderTransaction/5000000000001"},
        },
    ],
    "refunds": [
        {
            "id": "gid://shopify/Refund/4000000000001",
            "createdAt": "2026-10-09T10:30:00Z",
            "processedAt": "2026-10-09T10:30:00Z",
            "updatedAt": "2026-10-09T10:30:00Z",
            "note": "R-2001-1: too small",
            "totalRefundedSet": money_bag("29.00"),
            "refundLineItems": {
                "nodes": [
                    {
                        "quantity": 1,
                        "restocked": True,
                        "lineItem": {"id": "gid://shopify/LineItem/8000000000001"},
                        "priceSet": money_bag("29.00"),
                        "subtotalSet": money_bag("29.00"),
                        "totalTaxSet": money_bag("5.03"),
                    }
                ]
            },
        }
    ],
}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


EXPECTED = Order(
    id="gid://shopify/Order/7000000002001",
    name="#2001",
    email="anna.jansen@example.nl",
    created_at=utc(2026, 10, 1, 8, 0, 0),
    processed_at=utc(2026, 10, 1, 8, 0, 5),
    updated_at=utc(2026, 10, 9, 10, 30, 0),
    cancelled_at=None,
    closed=False,
    customer_locale="nl-NL",
    financial_status="PARTIALLY_REFUNDED",
    fulfillment_status="FULFILLED",
    currency="EUR",
    note="Leave at the door",
    tags=("webshop", "vip"),
    total_price=eur("87.40"),
    total_refunded=eur("29.00"),
    line_items=(
        LineItem(
            id="gid://shopify/LineItem/8000000000001",
            title="Regenjas",
            variant_title="M",
            sku="RJ-M",
            quantity=2,
            current_quantity=1,
            refundable_quantity=1,
            unit_price=eur("29.00"),
            original_unit_price=eur("32.00"),
            image_url="https://cdn.example.com/regenjas.jpg",
            image_alt="Gele regenjas",
            product_id="gid://shopify/Product/9000000000001",
            product_tags=("outerwear", "final-sale-no"),
        ),
        LineItem(
            id="gid://shopify/LineItem/8000000000002",
            title="Cadeaukaart",
            variant_title=None,
            sku=None,
            quantity=1,
            current_quantity=1,
            refundable_quantity=1,
            unit_price=eur("29.40"),
            original_unit_price=eur("29.40"),
            image_url=None,
            image_alt=None,
            product_id=None,
            product_tags=(),
        ),
    ),
    fulfillments=(
        Fulfillment(
            id="gid://shopify/Fulfillment/6000000000001",
            status="CANCELLED",
            display_status="CANCELED",
            created_at=utc(2026, 10, 1, 9, 0, 0),
            in_transit_at=None,
            delivered_at=None,
        ),
        Fulfillment(
            id="gid://shopify/Fulfillment/6000000000002",
            status="SUCCESS",
            display_status="DELIVERED",
            created_at=utc(2026, 10, 2, 10, 0, 0),
            in_transit_at=utc(2026, 10, 2, 18, 0, 0),
            delivered_at=utc(2026, 10, 4, 15, 0, 0),
        ),
    ),
    transactions=(
        Transaction(
            id="gid://shopify/OrderTransaction/5000000000001",
            kind="SALE",
            status="SUCCESS",
            gateway="mollie",
            amount=eur("87.40"),
            processed_at=utc(2026, 10, 1, 8, 0, 4),
            parent_id=None,
        ),
        Transaction(
            id="gid://shopify/OrderTransaction/5000000000002",
            kind="REFUND",
            status="SUCCESS",
            gateway="mollie",
            amount=eur("29.00"),
            processed_at=utc(2026, 10, 9, 10, 30, 0),
            parent_id="gid://shopify/OrderTransaction/5000000000001",
        ),
    ),
    refunds=(
        OrderRefund(
            id="gid://shopify/Refund/4000000000001",
            created_at=utc(2026, 10, 9, 10, 30, 0),
            note="R-2001-1: too small",
            total=eur("29.00"),
            lines=(
                RefundLine(
                    line_item_id="gid://shopify/LineItem/8000000000001",
                    quantity=1,
                    restocked=True,
                    subtotal=eur("29.00"),
                ),
            ),
        ),
    ),
    customer_name="Anna Jansen",
    shipping_address=MailingAddress(
        name="Anna Jansen",
        company="Jansen Design",
        address1="Keizersgracht 12",
        address2="3 hoog",
        zip="1015 CS",
        city="Amsterdam",
        country_code="NL",
        phone="+31 20 1234567",
    ),
)


@pytest.mark.parametrize("typed", ["1001", "#1001", " #1001 ", " # 1001 ", "#1001\n"])
def test_an_order_is_found_however_the_shopper_types_its_number(typed, sample_shop):
    order = order_find_by_name(typed)

    assert order is not None
    assert order.name == "#1001"
    assert order.id == "gid://shopify/Order/6012345601001"


@pytest.mark.parametrize("typed", ["9999", "101", "100", "10011"])
def test_only_an_exact_name_counts(typed, sample_shop):
    # "101" and "100" prefix-match #1010.. and #1001..: Shopify's search is not exact.
    assert order_find_by_name(typed) is None


@pytest.mark.parametrize("typed", ["", "   ", "#", "1001 OR name:1002", 'x" OR "y'])
def test_something_that_is_no_order_number_is_not_searched_for(typed, sample_shop, devshop):
    assert order_find_by_name(typed) is None
    assert devshop.request_log() == []


def test_normalise_order_name():
    assert normalise_order_name(" # 1001 ") == "#1001"
    assert normalise_order_name("NL-1001") == "#NL-1001"
    assert normalise_order_name("10 01") == "#1001"
    assert normalise_order_name("10#01") is None
    assert normalise_order_name("") is None


def test_every_field_of_an_order_is_read(devshop):
    devshop.load_orders([FULL_ORDER])

    order = order_get(FULL_ORDER["id"])

    assert order == EXPECTED
    assert isinstance(order.total_price.amount, Decimal)
    assert order.total_price.amount == Decimal("87.40")
    assert str(order.line_items[0].unit_price.amount) == "29.00"  # Shopify's scale is kept
    assert order.updated_at.tzinfo is not None


def test_the_same_order_is_read_by_name(devshop):
    devshop.load_orders([FULL_ORDER])

    assert order_find_by_name("2001") == EXPECTED


def test_an_order_is_read_by_its_numeric_id(devshop):
    devshop.load_orders([FULL_ORDER])

    assert order_get(7000000002001).name == "#2001"
    assert order_get("7000000002001").name == "#2001"


def test_an_unknown_order_id_is_rejected(sample_shop):
    with pytest.raises(ShopifyRejected, match="gid://shopify/Order/1"):
        order_get("gid://shopify/Order/1")


def test_every_sample_order_is_read(sample_shop, devshop):
    for stored in devshop.orders():
        order = order_find_by_name(stored["name"])

        assert order is not None and order.id == stored["id"]
        assert order.total_price.amount == Decimal(stored["totalPriceSet"]["shopMoney"]["amount"])
        assert len(order.line_items) == len(stored["lineItems"]["nodes"])


def test_an_order_without_delivery_names_the_customer_by_the_billing_address(devshop):
    devshop.load_orders([{**FULL_ORDER, "shippingAddress": None}])

    order = order_get(FULL_ORDER["id"])

    assert order.customer_name == "A. Jansen" and order.shipping_address is None


def test_an_address_shopify_keeps_back_reads_as_none(devshop):
    # Without access to protected customer data Shopify sends the address's parts empty.
    hidden = dict.fromkeys(FULL_ORDER["shippingAddress"])
    devshop.load_orders([{**FULL_ORDER, "shippingAddress": hidden, "billingAddress": hidden}])

    order = order_get(FULL_ORDER["id"])

    assert order.customer_name is None and order.shipping_address is None


def test_an_order_copy_stored_before_names_were_read_still_loads():
    stored = EXPECTED.to_json()
    del stored["customer_name"], stored["shipping_address"]

    order = Order.from_json(stored)

    assert order.customer_name is None and order.shipping_address is None
    assert Order.from_json(EXPECTED.to_json()) == EXPECTED
