"""Reading orders from Shopify. The only place GraphQL order JSON becomes an `Order`."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime
from typing import Any

from .. import money
from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected
from .types import (
    GID_PREFIX,
    Fulfillment,
    LineItem,
    MailingAddress,
    Money,
    Order,
    OrderRefund,
    RefundLine,
    ShippingLine,
    Transaction,
)

logger = logging.getLogger(__name__)

# What a shopper may type as an order number once "#" and spaces are gone; anything else could
# change the meaning of the search query, so it is not sent to Shopify at all.
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def normalise_order_name(name: str) -> str | None:
    """'1001', '#1001', ' # 1001 ' and '10 01' -> '#1001'; None if it cannot be an order name."""
    # People copy numbers out of emails and PDFs with stray spaces, even inside ("10 01").
    number = re.sub(r"\s+", "", name or "").lstrip("#")
    return f"#{number}" if ORDER_NUMBER.match(number) else None


def order_find_by_name(name: str, *, client: ShopifyClient | None = None) -> Order | None:
    """The order called `name`, or None if the shop has no such order."""
    order_name = normalise_order_name(name)
    if order_name is None:
        return None
    client = client or get_client()
    data = client.execute(documents.load("order_find"), {"query": f"name:{order_name}"})
    # Shopify's search also matches prefixes and similar names; only the exact name counts.
    for node in data["orders"]["nodes"]:
        if node["name"].casefold() == order_name.casefold():
            return order_from_graphql(node)
    return None


def orders_readable(*, client: ShopifyClient | None = None) -> ShopifyClient:
    """Read one order, or raise what stops the portal from doing so; returns the client used."""
    client = client or get_client()
    client.execute(documents.load("connection_check"))
    return client


def order_get(order_id: str | int, *, client: ShopifyClient | None = None) -> Order:
    """The order with this GID or numeric id; ShopifyRejected if the shop has no such order."""
    client = client or get_client()
    gid = order_gid(order_id)
    data = client.execute(documents.load("order_get"), {"id": gid})
    if data.get("order") is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    return order_from_graphql(data["order"])


def order_gid(order_id: str | int) -> str:
    order_id = str(order_id).strip()
    if order_id.startswith(GID_PREFIX):
        return order_id
    if not order_id.isdigit():
        raise ValueError(f"Not a Shopify order id: {order_id!r}")
    return f"{GID_PREFIX}Order/{order_id}"


def order_from_graphql(node: dict[str, Any]) -> Order:
    """An `Order` from the JSON of the OrderFields fragment."""
    if (node["lineItems"].get("pageInfo") or {}).get("hasNextPage"):
        logger.warning(
            "Order %s has more line items than were fetched; the rest are missing", node["name"]
        )
    return Order(
        id=node["id"],
        name=node["name"],
        email=node.get("email"),
        created_at=_datetime(node["createdAt"]),
        processed_at=_datetime(node["processedAt"]),
        updated_at=_datetime(node["updatedAt"]),
        cancelled_at=_optional_datetime(node.get("cancelledAt")),
        closed=bool(node["closed"]),
        customer_locale=node.get("customerLocale"),
        financial_status=node.get("displayFinancialStatus"),
        fulfillment_status=node["displayFulfillmentStatus"],
        currency=node.get("presentmentCurrencyCode") or node["currencyCode"],
        shop_currency=_shop_currency(node),
        note=node.get("note"),
        tags=tuple(node.get("tags") or ()),
        total_price=_money(node["totalPriceSet"]),
        total_refunded=_money(node["totalRefundedSet"]),
        line_items=tuple(_line_item(item) for item in node["lineItems"]["nodes"]),
        fulfillments=tuple(_fulfillment(f) for f in node.get("fulfillments") or ()),
        transactions=tuple(_transaction(t) for t in node.get("transactions") or ()),
        refunds=tuple(_refund(r) for r in node.get("refunds") or ()),
        shipping_lines=tuple(
            ShippingLine(
                id=line.get("id"),
                title=line["title"],
                price=_money(line["discountedPriceSet"]),
            )
            for line in (node.get("shippingLines") or {}).get("nodes") or ()
        ),
        customer_name=_customer_name(node),
        shipping_address=_address(node.get("shippingAddress")),
    )


def _customer_name(node: dict[str, Any]) -> str | None:
    for address in (node.get("shippingAddress"), node.get("billingAddress")):
        address = address or {}
        name = address.get("name") or " ".join(
            part for part in (address.get("firstName"), address.get("lastName")) if part
        )
        if name and name.strip():
            return name.strip()
    return None


def _address(node: dict[str, Any] | None) -> MailingAddress | None:
    if not node:
        return None
    address = MailingAddress(
        name=node.get("name") or None,
        company=node.get("company") or None,
        address1=node.get("address1") or None,
        address2=node.get("address2") or None,
        zip=node.get("zip") or None,
        city=node.get("city") or None,
        province=node.get("province") or None,
        country_code=node.get("countryCodeV2") or None,
        phone=node.get("phone") or None,
    )
    # Shopify without access to protected customer data sends the address with every part empty.
    return address if address.lines() or address.phone else None


def _line_item(node: dict[str, Any]) -> LineItem:
    image = node.get("image") or {}
    product = node.get("product") or {}  # null once the product is deleted
    return LineItem(
        id=node["id"],
        title=node["title"],
        variant_title=node.get("variantTitle"),
        sku=node.get("sku") or None,
        quantity=node["quantity"],
        current_quantity=node["currentQuantity"],
        refundable_quantity=node["refundableQuantity"],
        unit_price=_money(node["discountedUnitPriceAfterAllDiscountsSet"]),
        original_unit_price=_money(node["originalUnitPriceSet"]),
        image_url=image.get("url"),
        image_alt=image.get("altText"),
        product_id=product.get("id"),
        product_tags=tuple(product.get("tags") or ()),
        product_type=product.get("productType") or None,
        product_collections=tuple(
            c["handle"] for c in (product.get("collections") or {}).get("nodes", [])
        ),
        variant_id=(node.get("variant") or {}).get("id"),
    )


def _fulfillment(node: dict[str, Any]) -> Fulfillment:
    return Fulfillment(
        id=node["id"],
        status=node["status"],
        display_status=node.get("displayStatus"),
        created_at=_datetime(node["createdAt"]),
        in_transit_at=_optional_datetime(node.get("inTransitAt")),
        delivered_at=_optional_datetime(node.get("deliveredAt")),
    )


def _transaction(node: dict[str, Any]) -> Transaction:
    return Transaction(
        id=node["id"],
        kind=node["kind"],
        status=node["status"],
        gateway=node.get("gateway"),
        amount=_money(node["amountSet"]),
        processed_at=_optional_datetime(node.get("processedAt")),
        parent_id=(node.get("parentTransaction") or {}).get("id"),
    )


def _refund(node: dict[str, Any]) -> OrderRefund:
    return OrderRefund(
        id=node["id"],
        created_at=_optional_datetime(node.get("createdAt")),
        note=node.get("note"),
        total=_money(node["totalRefundedSet"]),
        lines=tuple(
            RefundLine(
                line_item_id=line["lineItem"]["id"],
                quantity=line["quantity"],
                restocked=bool(line["restocked"]),
                subtotal=_money(line["subtotalSet"]),
            )
            for line in node["refundLineItems"]["nodes"]
        ),
    )


def _shop_currency(node: dict[str, Any]) -> str | None:
    presentment = node.get("presentmentCurrencyCode") or node["currencyCode"]
    return node["currencyCode"] if presentment != node["currencyCode"] else None


def _money(money_bag: dict[str, Any]) -> Money:
    """Presentment money (what the customer paid, and what refunds are made in), with the shop's
    booking of it when that is in another currency."""
    shop = _plain_money(money_bag["shopMoney"])
    presentment = money_bag.get("presentmentMoney")
    if not presentment or presentment["currencyCode"] == shop.currency:
        return shop
    return dataclasses.replace(_plain_money(presentment), shop=shop)


def _plain_money(value: dict[str, Any]) -> Money:
    currency = value["currencyCode"]
    return Money(amount=money.from_shopify(value["amount"], currency), currency=currency)


def _datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"Shopify sent a datetime without a time zone: {value!r}")
    return parsed


def _optional_datetime(value: str | None) -> datetime | None:
    return _datetime(value) if value else None
