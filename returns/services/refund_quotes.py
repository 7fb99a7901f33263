"""What a request may be refunded: Shopify's suggestion for what arrived, and the caps.

Read live from Shopify each time the refund form opens or is sent. What is offered is what was
paid for the returned units less the fees stored on the request, deducted once. The caps count refunds not yet
in Shopify; once the parcel is received only the units that arrived are refundable, unless staff
override that with a reason (refunds.refund_request enforces it, not just the form).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from .. import money
from ..models import Refund, RefundState, ReturnRequest
from ..shopify import refunds as shopify_refunds
from ..shopify.types import Money
from .refund_shipping import request_value, shipping_owed

OPEN_OR_DONE = Q(state__in=[RefundState.PENDING, RefundState.SUCCEEDED])


@dataclass(frozen=True)
class RefundQuote:
    """What the refund form offers: Shopify's suggestion and the most that may be refunded."""

    suggested: Decimal
    maximum: Decimal
    currency: str
    shopify_maximum: Decimal
    # The most with the units that did not arrive: only with a reason (staff's override).
    maximum_override: Decimal = money.ZERO
    # Shopify's suggestion and maximum with its shopMoney: what the shop's currency is read from.
    shopify_amounts: tuple[Money, ...] = ()
    # The delivery cost in `suggested` and `maximum`: a whole-order withdrawal refunds it.
    shipping: Decimal = money.ZERO

    def money(self, amount: Decimal) -> Money:
        """`amount` with its booking in the shop's currency, when the customer paid in another."""
        shop = in_shop_currency(amount, self.shopify_amounts)
        return Money(amount=amount, currency=self.currency, shop=shop)

    @property
    def suggested_money(self) -> Money:
        return self.money(self.suggested)

    @property
    def maximum_money(self) -> Money:
        return self.money(self.maximum)

    @property
    def overridable(self) -> bool:
        """Units did not arrive whose value could still be refunded, with a reason."""
        return self.maximum_override > self.maximum


def refunds_total(refunds) -> Decimal:
    return refunds.aggregate(total=Sum("amount"))["total"] or money.ZERO


def refund_limit(
    request: ReturnRequest, *, shopify_maximum: Decimal, override: bool = False
) -> Decimal:
    """The most that may still be refunded for this request, counting refunds not yet in Shopify.

    Shopify's maximum is for the whole order and already excludes refunds Shopify has made, so
    pending refunds of every request of the order come off it; the request's own cap is what was
    paid for its items, less everything refunded or pending for it. Once the parcel is received,
    only the units that arrived count, unless staff override that (with a reason).
    """
    order_pending = refunds_total(
        Refund.objects.filter(request__order=request.order_id, state="pending")
    )
    own = refunds_total(request.refunds.filter(OPEN_OR_DONE))
    paid = request_value(request, arrived_only=not override) + shipping_owed(request)
    # The fees come off what the shopper paid once, here: every refund of the request is capped
    # by the same net amount, so a second or partial refund never deducts them again.
    limit = min(shopify_maximum - order_pending, paid - request_fees_total(request) - own)
    return money.round_down(max(limit, money.ZERO), request.order.currency)


def request_fees_total(request: ReturnRequest) -> Decimal:
    """The fees stored on the request when it was made (returns/fees.py), in the order's currency;
    fees stored in another currency (the order's copy was read again since) count for nothing, so
    no amount is compared across currencies."""
    if not request.fee_currency or request.fee_currency != request.order.currency:
        return money.ZERO
    restocking = (
        line.restocking_fee for line in request.lines.all() if line.currency == request.fee_currency
    )
    return money.total([request.return_shipping_fee, *restocking], request.fee_currency)


def refund_lines(request: ReturnRequest) -> list[tuple[str, int]]:
    """Line items go with the first refund only; later ones are amounts on their own."""
    if request.refunds.filter(OPEN_OR_DONE).exists():
        return []
    lines = []
    for line in request.lines.all():
        quantity = line.quantity if line.received_quantity is None else line.received_quantity
        if quantity:
            lines.append((line.line_item_id, quantity))
    return lines


def refund_quote(*, request: ReturnRequest) -> RefundQuote:
    """Read live from Shopify what it suggests and allows for this request's items.

    A refund recorded failed on the order is first looked for in Shopify: one made after all
    counts against what is offered now.
    """
    if Refund.objects.filter(request__order=request.order_id, state=RefundState.FAILED).exists():
        from .refunds import refunds_reconcile  # it settles refunds, which this module quotes

        refunds_reconcile(
            order_id=request.order_id,
            shopify_refunds_noted=shopify_refunds.refunds_noted(request.order.shopify_id),
        )
    lines, shipping = refund_lines(request), shipping_owed(request)
    suggestion = shopify_refunds.refund_suggest(
        request.order.shopify_id, lines, refund_shipping=bool(shipping)
    )
    if suggestion.maximum.currency != request.order.currency:
        # A copy stored before it was read in the customer's currency: read it again, so the
        # form offers and the caps count in the currency Shopify refunds in.
        from .requests import shopify_order_refetch

        request.order = shopify_order_refetch(order_id=request.order_id)
    shopify_maximum = suggestion.maximum.amount
    maximum = refund_limit(request, shopify_maximum=shopify_maximum)
    # Shopify's suggestion is what the units cost: the first refund (the one with the units) is
    # offered that less the fees; later ones the rest, which the limit already counts net of them.
    suggested = suggestion.amount.amount - request_fees_total(request) if lines else maximum
    suggested = max(min(suggested, maximum), money.ZERO)
    return RefundQuote(
        suggested=suggested,
        maximum=maximum,
        maximum_override=refund_limit(request, shopify_maximum=shopify_maximum, override=True),
        currency=request.order.currency,
        shopify_maximum=shopify_maximum,
        shopify_amounts=(suggestion.maximum, suggestion.amount),
        shipping=min(shipping, suggested),
    )


def in_shop_currency(amount: Decimal, shopify_amounts: tuple[Money, ...]) -> Money | None:
    """`amount` as Shopify books it in the shop's currency: the first of Shopify's amounts that
    is it, else at the rate of the first that is not zero; None where the customer paid in the
    shop's currency."""
    known = sorted(shopify_amounts, key=lambda m: m.amount != amount)
    return next((m.shop_equivalent(amount) for m in known if m.shop_equivalent(amount)), None)
