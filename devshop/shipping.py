"""An order's shipping, as Shopify keeps it: Order.shippingLines, and what refunds gave back of it.

An order without shippingLines (an older fixture) charged no shipping. Shopify never refunds more
shipping than was charged: `RefundInput.shipping` beyond what is left is refused with a userError.
"""

from __future__ import annotations

from decimal import Decimal

from .money import CENT, ZERO, amount_of, bag
from .relay import paginate, stored_nodes
from .relay import user_error as _error


def _lines(order: dict) -> list[dict]:
    return [line for line in stored_nodes(order.get("shippingLines")) if not line.get("isRemoved")]


def shipping_charged(order: dict) -> Decimal:
    return sum((amount_of(line["discountedPriceSet"]) for line in _lines(order)), ZERO)


def shipping_refunded(order: dict) -> Decimal:
    return sum(
        (Decimal(r.get("shippingRefunded") or "0") for r in order.get("refunds") or []), ZERO
    )


def shipping_left(order: dict) -> Decimal:
    return max(shipping_charged(order) - shipping_refunded(order), ZERO)


def suggested_shipping(order: dict, refund_shipping, shipping_amount) -> dict:
    """SuggestedRefund.shipping: the full shipping left, or the amount asked for, never more."""
    left = shipping_left(order)
    if shipping_amount is not None:
        amount = min(Decimal(shipping_amount), left)
    else:
        amount = left if refund_shipping else ZERO
    return {
        "amountSet": bag(amount, order),
        "maximumRefundableSet": bag(left, order),
        "taxSet": bag(ZERO, order),
    }


def check_shipping(order: dict, input: dict, errors: list[dict]) -> Decimal:
    """The shipping `input` refunds; a userError for more than was charged and not yet refunded."""
    wanted = input.get("shipping") or {}
    left = shipping_left(order)
    if wanted.get("fullRefund"):
        return left
    amount = wanted.get("amount")
    if amount is None:
        return ZERO
    amount = Decimal(amount)
    if amount < 0 or amount != amount.quantize(CENT):
        errors.append(_error(["shipping", "amount"], "Shipping amount is invalid"))
        return ZERO
    if amount > left:
        errors.append(
            _error(
                ["shipping", "amount"],
                f"Shipping refund amount {amount:.2f} is more than the {left:.2f} that can "
                "still be refunded",
            )
        )
        return ZERO
    return amount


def resolve_shipping_lines(order, _info, includeRemovals=False, **args):
    lines = stored_nodes(order.get("shippingLines")) if includeRemovals else _lines(order)
    return paginate(lines, **args)


def resolve_total_refunded_shipping(order, _info):
    return bag(shipping_refunded(order), order)


RESOLVERS = {
    "Order.shippingLines": resolve_shipping_lines,
    "Order.totalRefundedShippingSet": resolve_total_refunded_shipping,
}
COMPUTED = {"Order.shippingLines", "Order.totalRefundedShippingSet"}
