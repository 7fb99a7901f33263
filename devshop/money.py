"""Money as Shopify models it: a MoneyBag holds shop money and presentment money.

An order has the shop's currency (`currencyCode`) and the currency the customer paid in
(`presentmentCurrencyCode`). They differ when a shop sells in several currencies: a Dutch shop's
customer in Switzerland pays CHF, the shop books EUR. Every MoneyBag then carries both amounts.
Refunds are asked for, checked and made in presentment money, as Shopify's RefundInput works; the
shop amount of what devshop creates follows from the order's own exchange rate (its total in shop
money over its total in presentment money), rounded, but never past what is left of the shop
money paid: refunding everything a payment took gives back exactly its shop amount, so rounding
each partial refund never adds up to more than the shop received. An order stored without
presentment money (one currency) presents its shop money.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from graphql import FloatValueNode, IntValueNode, StringValueNode

CENT = Decimal("0.01")
ZERO = Decimal("0")


def shop_currency(order: dict) -> str:
    return order["currencyCode"]


def presentment_currency(order: dict) -> str:
    return order.get("presentmentCurrencyCode") or order["currencyCode"]


def presented(money_bag: dict) -> dict:
    return money_bag.get("presentmentMoney") or money_bag["shopMoney"]


def amount_of(money_bag: dict) -> Decimal:
    """The presentment amount: what the customer paid, and what refunds are counted in."""
    return Decimal(presented(money_bag)["amount"])


def shop_amount_of(money_bag: dict) -> Decimal:
    """The shop amount: what the shop booked."""
    return Decimal(money_bag["shopMoney"]["amount"])


def exchange_rate(order: dict) -> Decimal:
    """Shop money per unit of presentment money, from the order's total."""
    total = order.get("totalPriceSet") or {}
    if "shopMoney" not in total or presentment_currency(order) == shop_currency(order):
        return Decimal(1)
    presentment = amount_of(total)
    if presentment == 0:
        return Decimal(1)
    return Decimal(total["shopMoney"]["amount"]) / presentment


def bag(amount: Decimal, order: dict, *, shop_amount: Decimal | None = None) -> dict:
    """A MoneyBag for an amount in the order's presentment currency.

    The shop amount is `shop_amount` when given, else the amount at the order's exchange rate.
    """
    if shop_amount is None:
        shop_amount = amount * exchange_rate(order)
    presentment = {
        "amount": str(amount.quantize(CENT)),
        "currencyCode": presentment_currency(order),
    }
    shop = {
        "amount": str(shop_amount.quantize(CENT)),
        "currencyCode": shop_currency(order),
    }
    return {"shopMoney": shop, "presentmentMoney": presentment}


# -- the Money input scalar ----------------------------------------------------------------------


def parse_money(value) -> Decimal:
    """The Money scalar: a decimal string such as "29.00" (a JSON number is accepted too)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"Money must be a decimal string, not {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    return amount


def parse_money_literal(node, _variables=None) -> Decimal:
    if not isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
        raise TypeError("Money must be a decimal string")
    return parse_money(node.value)


def install(schema) -> None:
    """Give the schema's Money scalar its parsing."""
    scalar = schema.type_map["Money"]
    scalar.coerce_input_value = scalar.parse_value = parse_money
    scalar.parse_literal = parse_money_literal


RESOLVERS = {"MoneyBag.presentmentMoney": lambda money_bag, _info: presented(money_bag)}
# Fields devshop works out rather than reads from the stored order (the load check skips them).
COMPUTED = {"MoneyBag.presentmentMoney"}
