"""What a request paid: its items, and the delivery cost a withdrawal from the whole order gives back.

Art. 13(1) and (2) of Directive 2011/83/EU (§ 357 Abs. 2 BGB, art. 6:230r BW): the trader
reimburses all payments received, the costs of delivery included, except the extra cost of a
delivery the consumer chose over the least expensive standard delivery offered. The portal
refunds the delivery cost the order was charged (Shopify's shippingLines, after discounts); a
shop whose checkout offers dearer delivery types refunds that part too, which the law allows.
A withdrawal from some items of the order does not give back the delivery cost.
"""

from decimal import Decimal

from .. import money
from ..models import ReturnRequest, WithdrawalDeclaration
from ..selectors import order_snapshot


def request_value(request: ReturnRequest, *, arrived_only: bool = False) -> Decimal:
    """What the shopper paid for the units in this request, in the order's currency; with
    `arrived_only`, for the units that arrived once the parcel is received.

    A line filed in another currency (the shop's, before refunds were made in the customer's)
    takes its unit price from the order's copy; if that has none in the order's currency either,
    the line counts for nothing, so no amount is ever compared across currencies.
    """
    currency, snapshot, value = request.order.currency, None, money.ZERO
    for line in request.lines.all():
        price = line.unit_price
        if line.currency != currency:
            snapshot = snapshot or order_snapshot(request.order)
            item = snapshot.line_item(line.line_item_id)
            same = item is not None and item.unit_price.currency == currency
            price = item.unit_price.amount if same else money.ZERO
        arrived = line.received_quantity if arrived_only else None
        value += price * (line.quantity if arrived is None else arrived)
    return value


def shipping_owed(request: ReturnRequest) -> Decimal:
    """The delivery cost this request refunds: the order's, for a whole-order withdrawal."""
    whole = WithdrawalDeclaration.objects.filter(return_request=request, whole_order=True)
    if not whole.exists():
        return money.ZERO
    return order_snapshot(request.order).shipping_price.amount


def shipping_share(
    request: ReturnRequest, *, amount: Decimal, items_value: Decimal, refunded: Decimal
) -> Decimal:
    """The part of a new refund of `amount` that is delivery cost: what goes past the items.

    `refunded` is what the request's refunds so far gave back, `items_value` what its items cost;
    a refund of the items alone, or less, gives back no delivery cost.
    """
    owed = shipping_owed(request)
    if not owed:
        return money.ZERO
    given = money.total(
        request.refunds.exclude(state="failed").values_list("shipping", flat=True),
        request.order.currency,
    )
    beyond_items = amount + refunded - given - items_value
    return money.round_down(
        max(min(beyond_items, owed - given), money.ZERO), request.order.currency
    )
