"""The fees of a request being made: worked out once (returns/fees.py) for the confirmation the
shopper sees and, unchanged, for the request that stores them."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .. import steps
from ..fees import FeeLine, FeeTooHigh, ReturnFees, return_fees
from ..models import ReturnReason, ShopifyOrder
from ..policy import LEGAL_WITHDRAWAL_DAYS, ReturnPolicy, withdrawal_deadline
from ..selectors import order_snapshot
from ..shopify.types import LineItem, Order
from .common import ReturnError

FEES_CHANGED = _(
    "The fees for this return have changed since you saw them. Please check the amounts below "
    "and confirm again."
)


def shop_rate(order: Order) -> Decimal | None:
    """Units of the customer's currency per unit of the shop's, as Shopify booked the order."""
    shop = order.total_price.shop
    if shop is None or shop.amount <= 0:
        return None
    return order.total_price.amount / shop.amount


def is_withdrawal(order: Order, *, now: datetime, policy: ReturnPolicy, step: steps.Step) -> bool:
    """Made through the withdrawal function, or within the statutory withdrawal period
    (returns/fees.py says why that decides the restocking fee)."""
    if step is steps.WITHDRAW:
        return True
    statutory = dataclasses.replace(policy, return_window_days=LEGAL_WITHDRAWAL_DAYS)
    deadline = withdrawal_deadline(order, policy=statutory)
    return deadline is None or now <= deadline


def request_fees(
    *,
    order: ShopifyOrder,
    chosen: list[tuple[LineItem, int]],
    reason: str,
    reason_code: str,
    now: datetime,
    policy: ReturnPolicy,
    step: steps.Step = steps.REQUEST,
) -> ReturnFees:
    """The fees for the chosen units, by the reason the shopper chose (`reason_code`, on the
    track `reason`); ReturnError when they would exceed the units' price."""
    snapshot = order_snapshot(order)
    lines = [
        FeeLine(line_item_id=item.id, quantity=quantity, unit_price=item.unit_price.amount)
        for item, quantity in chosen
    ]
    try:
        return return_fees(
            option=policy.reason(reason_code),
            lines=lines,
            currency=order.currency,
            withdrawal=reason == ReturnReason.NOT_SATISFIED
            and is_withdrawal(snapshot, now=now, policy=policy, step=step),
            shop_rate=shop_rate(snapshot),
        )
    except FeeTooHigh as exc:
        raise ReturnError(exc.message) from None
