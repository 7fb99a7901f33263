"""The refund of a return's units, made by returnProcess on its Shopify Return.

Shopify books a return in the merchant's reports only once it is processed, and returnProcess
refunds the units it processes in the same call (`financialTransfer.issueRefund`), so the first
refund of a request with a Shopify Return (the one carrying its line items) is made that way.
Later refunds (amounts alone) and requests without a Return keep refundCreate and @idempotent.

Which of the two makes a refund is chosen once, at its first attempt, before any money is asked
for, and stored with its transactions (returns/services/refunds.py): a retry never switches.
returnProcess takes no idempotency key, so every attempt after the first looks for the refund by
the key in its note (refund_find) and reads the Return's processed quantities, and sends only what
is missing. Units are restocked once: by their disposition when the parcel arrived, or, for a
refund made before it arrived with restocking asked for, by a disposition sent with the
processing; the refund itself restocks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import money, steps
from ..models import Refund, ReturnEvent
from ..shopify import refunds as shopify_refunds
from ..shopify import returns as shopify_returns
from ..shopify.errors import ShopifyRejected, ShopifyUnavailable
from ..shopify.returns import ShopifyReturn
from ..shopify.types import Money
from .restock import restock_location
from .shopify_returns import (
    shopify_return_catch_up,
    shopify_return_lock,
    shopify_return_refusal_record,
)

__all__ = ["RefundRoute", "refund_route", "refund_through_return"]


@dataclass(frozen=True)
class RefundRoute:
    """How a refund is made: through this Return (its id), or by refundCreate (""), restocking
    or not; `found` is the Return as last read, for the first attempt to start from."""

    return_id: str
    restock: bool
    found: ShopifyReturn | None = None


def refund_route(refund: Refund) -> RefundRoute:
    """At a refund's first attempt: its Return brought up to date (approved, the parcel's units
    disposed), and the way the refund is made. Retryable errors propagate: nothing is chosen yet.
    """
    request = refund.request
    if not refund.lines or not steps.returns_goods(request):
        return RefundRoute(return_id="", restock=refund.restock)
    try:
        found = shopify_return_catch_up(request_id=request.pk, close=False).found
    except ShopifyRejected as exc:
        # The money still moves, by refundCreate if the Return cannot take it; staff read why.
        _refusal_record(refund, exc.message)
        found = _return_read(request)
    if found is not None and found.status == "OPEN":
        return RefundRoute(return_id=found.id, restock=refund.restock, found=found)
    # Units a disposition restocked are in stock already: refundCreate must not add them again.
    restocked = found is not None and any(r.disposed_as("RESTOCKED") for r in found.reverse_lines)
    return RefundRoute(return_id="", restock=refund.restock and not restocked, found=found)


def _return_read(request) -> ShopifyReturn | None:
    request.refresh_from_db(fields=["shopify_return_id"])
    if not request.shopify_return_id:
        return None
    try:
        return shopify_returns.return_get(request.shopify_return_id)
    except ShopifyRejected:  # gone from Shopify: refundCreate it is
        return None


def refund_through_return(
    *, refund: Refund, note: str, known: ShopifyReturn | None = None
) -> tuple[str, Money | None]:
    """returnProcess with issueRefund for the refund's units: (Shopify's refund id, its booking in
    the shop's currency or None). `known`: the Return as this attempt just read it."""
    request, key = refund.request, str(refund.idempotency_key)
    with shopify_return_lock(request.pk):
        if refund.attempts > 1 or known is None:
            made = shopify_refunds.refund_find(request.order.shopify_id, key)
            if made:
                return made, None
            known = shopify_returns.return_get(refund.shopify_return_id)
        items = _lines_missing(refund, known)
        if not items:
            # Processed already, yet no refund carries this key: whoever processed them (staff in
            # Shopify's admin, or an attempt Shopify has not finished) may have refunded them, so
            # no money is sent blindly. Pending, it is looked for again, and flagged for staff.
            raise ShopifyUnavailable(
                f"Shopify's Return {known.id} has processed this refund's items, but holds no "
                "refund with its key: it is looked for again; see whether it was refunded in "
                "Shopify's admin."
            )
        process_input = {
            "returnId": known.id,
            "returnLineItems": items,
            "note": note,
            "notifyCustomer": refund.notify_customer,
            "financialTransfer": {"issueRefund": {"orderTransactions": _transactions(refund)}},
        }
        if refund.shipping:
            amount = {"amount": money.to_shopify(refund.shipping, refund.currency)}
            amount["currencyCode"] = refund.currency
            process_input["refundShipping"] = {"shippingRefundAmount": amount}
        processed = shopify_returns.return_process(process_input=process_input)
    made = next((r for r in processed.refunds if key in r.note), None)
    if made is None:
        # Whether money moved is unknown; the next attempt looks for it by its key first.
        raise ShopifyUnavailable(
            f"Shopify answered returnProcess for {known.id} without the refund: look again."
        )
    return made.id, made.amount.shop


def _lines_missing(refund: Refund, known: ShopifyReturn) -> list[dict]:
    """The refund's units the Return has not processed yet, with a restocking disposition for
    units not disposed when the refund comes before the parcel and restocking was asked for."""
    arrived = refund.request.lines.filter(received_quantity__isnull=False).exists()
    location = None
    items = []
    for line in refund.lines:
        returned = known.line_for(line["line_item_id"])
        if returned is None:
            continue
        quantity = min(line["quantity"], returned.quantity - returned.processed)
        if quantity <= 0:
            continue
        item = {"id": returned.id, "quantity": quantity}
        reverse = known.reverse_line_for(returned)
        undisposed = min(quantity, reverse.quantity - reverse.disposed) if reverse else 0
        if refund.restock and not arrived and undisposed > 0:
            if location is None:
                location = _location(refund)
            if location:
                disposition = {
                    "reverseFulfillmentOrderLineItemId": reverse.id,
                    "quantity": undisposed,
                    "dispositionType": "RESTOCKED",
                    "locationId": location,
                }
                item["dispositions"] = [disposition]
        items.append(item)
    return items


def _location(refund: Refund) -> str:
    # A wrong setting must not hold the money back: refunded without restocking, staff told.
    try:
        return restock_location(shopify_returns.shop_return_setup())
    except ShopifyRejected as exc:
        _refusal_record(refund, exc.message)
        return ""


def _transactions(refund: Refund) -> list[dict]:
    """The stored plan (refundCreate's RefundTransactionInput) as ReturnRefundOrderTransactionInput."""
    return [
        {
            "parentId": t["parentId"],
            "transactionAmount": {"amount": t["amount"], "currencyCode": refund.currency},
        }
        for t in refund.transactions
    ]


def _refusal_record(refund: Refund, error: str) -> None:
    asked = (
        ReturnEvent.objects.filter(
            request=refund.request_id, type=steps.REFUND.event_type, data__refund=refund.pk
        )
        .order_by("pk")
        .first()
    ) or ReturnEvent.objects.filter(request=refund.request_id).latest("pk")
    shopify_return_refusal_record(event_id=asked.pk, error=error)
