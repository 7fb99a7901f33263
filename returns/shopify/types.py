"""What the portal knows about a Shopify order: frozen dataclasses, Decimal money, aware datetimes.

`Order.to_json()` is what the portal stores as its local copy (ShopifyOrder.data), so it must
survive a JSON round trip unchanged: `Order.from_json(order.to_json()) == order`.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .. import money

GID_PREFIX = "gid://shopify/"
# Fulfillments that never left (or were taken back) say nothing about when goods were sent.
VOID_FULFILLMENT_STATUSES = frozenset({"CANCELLED", "ERROR", "FAILURE"})


def legacy_id(gid: str) -> int:
    """The numeric id at the end of a Shopify GID, e.g. gid://shopify/LineItem/42 -> 42."""
    return int(gid.rsplit("/", 1)[-1].split("?", 1)[0])


@dataclass(frozen=True)
class Money:
    """An amount in the currency the customer paid in (Shopify's presentment money).

    `shop` is the same amount in the shop's currency, as Shopify booked it (its shopMoney), when
    the customer paid in another currency; None when the two are the same.
    """

    amount: Decimal
    currency: str
    shop: Money | None = None

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def shop_equivalent(self, amount: Decimal) -> Money | None:
        """`amount` (in this currency) in the shop's currency at the rate of Shopify's own pair
        (its shopMoney over this amount): Shopify's booking itself for this very amount. None
        where the customer paid in the shop's currency, or this amount is zero."""
        if self.shop is None or amount == self.amount:
            return self.shop
        if self.amount <= 0:
            return None
        converted = (amount * self.shop.amount / self.amount).quantize(
            money.quantum(self.shop.currency), rounding=ROUND_HALF_EVEN
        )
        return Money(amount=converted, currency=self.shop.currency)


@dataclass(frozen=True)
class LineItem:
    id: str
    title: str
    variant_title: str | None
    sku: str | None
    quantity: int
    current_quantity: int
    refundable_quantity: int
    # What the shopper paid per unit after line and order discounts; what a refund is based on.
    unit_price: Money
    original_unit_price: Money
    image_url: str | None
    image_alt: str | None
    product_id: str | None
    product_tags: tuple[str, ...]
    # None for a custom line item, or a variant deleted since; a replacement names the variant.
    variant_id: str | None = None
    # Shopify's productType ("" there: None here) and the handles of the product's first
    # collections: what a scope of the return policy may name.
    product_type: str | None = None
    product_collections: tuple[str, ...] = ()

    @property
    def legacy_id(self) -> int:
        return legacy_id(self.id)


@dataclass(frozen=True)
class Fulfillment:
    id: str
    status: str
    display_status: str | None
    created_at: datetime
    in_transit_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class Transaction:
    id: str
    kind: str
    status: str
    gateway: str | None
    amount: Money
    processed_at: datetime | None
    parent_id: str | None


@dataclass(frozen=True)
class RefundLine:
    line_item_id: str
    quantity: int
    restocked: bool
    subtotal: Money


@dataclass(frozen=True)
class OrderRefund:
    id: str
    created_at: datetime | None
    note: str | None
    total: Money
    lines: tuple[RefundLine, ...]


@dataclass(frozen=True)
class ShippingLine:
    """A delivery charged on the order, after its shipping discounts."""

    id: str | None
    title: str
    price: Money


@dataclass(frozen=True)
class MailingAddress:
    """Where the order goes (Shopify's MailingAddress); any part may be missing."""

    name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    zip: str | None = None
    city: str | None = None
    province: str | None = None
    country_code: str | None = None
    phone: str | None = None

    def lines(self) -> list[str]:
        """The address as written on a parcel, one line each, without its empty parts."""
        town = " ".join(part for part in (self.zip, self.city) if part)
        parts = (self.name, self.company, self.address1, self.address2, town, self.province)
        return [part for part in (*parts, self.country_code) if part]


@dataclass(frozen=True)
class Order:
    id: str
    name: str
    email: str | None
    created_at: datetime
    processed_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    closed: bool
    customer_locale: str | None
    financial_status: str | None
    fulfillment_status: str
    # The currency the customer paid in (presentmentCurrencyCode): the order's amounts and its
    # refunds are in it. `shop_currency` is the shop's (currencyCode) when it differs, else None.
    currency: str
    note: str | None
    tags: tuple[str, ...]
    total_price: Money
    total_refunded: Money
    line_items: tuple[LineItem, ...]
    fulfillments: tuple[Fulfillment, ...]
    transactions: tuple[Transaction, ...]
    refunds: tuple[OrderRefund, ...]
    shop_currency: str | None = None
    shipping_lines: tuple[ShippingLine, ...] = ()
    # Protected customer data: empty when the app lacks access, or the customer was erased.
    customer_name: str | None = None
    shipping_address: MailingAddress | None = None

    @property
    def shipping_price(self) -> Money:
        """What the customer paid for delivery: the withdrawal of the whole order refunds it."""
        prices = [
            line.price for line in self.shipping_lines if line.price.currency == self.currency
        ]
        amount = money.total((p.amount for p in prices), self.currency)
        shop = [p.shop for p in prices if p.shop is not None]
        booked = (
            Money(
                amount=money.total((m.amount for m in shop), shop[0].currency),
                currency=shop[0].currency,
            )
            if shop
            else None
        )
        return Money(amount=amount, currency=self.currency, shop=booked)

    @property
    def legacy_id(self) -> int:
        return legacy_id(self.id)

    @property
    def delivered_at(self) -> datetime | None:
        """When the last parcel arrived, or None if none is known to have arrived."""
        times = [f.delivered_at for f in self._shipped_fulfillments() if f.delivered_at]
        return max(times, default=None)

    @property
    def fulfilled_at(self) -> datetime | None:
        """When the first parcel was sent, or None if nothing has been sent."""
        return min((f.created_at for f in self._shipped_fulfillments()), default=None)

    def line_item(self, line_item_id: str | int) -> LineItem | None:
        """The line item with this GID or numeric id, or None if the order has no such line."""
        for item in self.line_items:
            if item.id == line_item_id or str(item.legacy_id) == str(line_item_id):
                return item
        return None

    def _shipped_fulfillments(self) -> list[Fulfillment]:
        return [f for f in self.fulfillments if f.status not in VOID_FULFILLMENT_STATUSES]

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Order:
        return _from_json(cls, data)


@dataclass(frozen=True)
class SuggestedRefundLine:
    line_item_id: str
    quantity: int
    unit_price: Money
    subtotal: Money


@dataclass(frozen=True)
class SuggestedTransaction:
    """A payment Shopify would give money back through: the SALE or CAPTURE it came from."""

    parent_id: str | None
    amount: Money
    gateway: str | None
    kind: str
    # What that payment can still give back in all; None where Shopify does not say.
    maximum: Money | None = None


@dataclass(frozen=True)
class SuggestedRefund:
    """Shopify's refund suggestion for some line items of an order."""

    amount: Money
    # The most the whole order can still refund, whatever the items.
    maximum: Money
    subtotal: Money
    tax: Money
    lines: tuple[SuggestedRefundLine, ...]
    transactions: tuple[SuggestedTransaction, ...]
    # The shipping Shopify suggests giving back (asked for with refund_shipping), and the most.
    shipping: Money | None = None
    shipping_maximum: Money | None = None


@dataclass(frozen=True)
class CreatedRefund:
    id: str
    amount: Money
    created_at: datetime | None


# JSON conversion, driven by the field annotations so a new field needs no extra code here.


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        # str keeps the exact amount and Shopify's scale ("29.00"); a float would not.
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_to_json(item) for item in value]
    return value


def _absent(annotation: Any, name: str) -> Any:
    """A field a copy stored before the field existed: empty if it may be, else the copy is stale."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation):
        return None
    if origin is tuple:
        return ()
    raise KeyError(f"The stored order has no {name!r}; fetch it from Shopify again.")


@functools.cache
def _type_hints(cls) -> dict[str, Any]:
    # Resolving a dataclass's annotations costs more than reading the order it describes.
    return typing.get_type_hints(cls)


def _from_json(annotation: Any, value: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _from_json(inner, value)
    if origin is tuple:
        item_type = typing.get_args(annotation)[0]
        return tuple(_from_json(item_type, item) for item in value)
    if dataclasses.is_dataclass(annotation):
        hints = _type_hints(annotation)
        return annotation(
            **{
                f.name: _from_json(hints[f.name], value[f.name])
                if f.name in value
                else _absent(hints[f.name], f.name)
                for f in dataclasses.fields(annotation)
            }
        )
    if annotation is Decimal:
        # Amounts are stored as the strings _to_json wrote; a number here lost its exactness.
        if not isinstance(value, str):
            raise TypeError(f"An amount in a stored order must be a string, not {value!r}.")
        return Decimal(value)
    if annotation is datetime:
        return datetime.fromisoformat(value)
    return value
