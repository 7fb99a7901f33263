"""The conditions steps are taken under and the values their note lines are written with: what
returns/steps.py declares each step with (`guard=`, `note_values=`), and the rules other modules
ask by name (is this request's parcel refunded, does it send goods back, are photos wanted)."""

from __future__ import annotations

from django.utils.translation import gettext

from . import events, money
from .models import ItemCondition, RefundState, ReturnRequest


def items_values(request, payload) -> dict:
    return {"items": ", ".join(f"{line.quantity} × {line.title}" for line in request.lines.all())}


def requested_values(request, payload) -> dict:
    return {**items_values(request, payload), "remedy": request.get_remedy_display()}


def _restock_word(restocked: bool) -> str:
    return gettext("restocked") if restocked else gettext("not restocked")


def _received_words(line: events.ItemReceived) -> list[str]:
    """One item's receipt in words: what arrived, its condition and restocking, what is missing."""
    if line.quantity is None:  # recorded without conditions: the count alone
        return [f"{line.received} × {line.title}"]
    words = []
    if line.received:
        condition = (
            gettext("damaged") if line.condition == ItemCondition.DAMAGED else gettext("as new")
        )
        words.append(
            gettext("%(count)s × %(title)s (%(condition)s, %(restock)s)")
            % {
                "count": line.received,
                "title": line.title,
                "condition": condition,
                "restock": _restock_word(bool(line.restock)),
            }
        )
    if line.quantity > line.received:
        words.append(
            gettext("%(count)s × %(title)s missing")
            % {"count": line.quantity - line.received, "title": line.title}
        )
    return words


def received_in_words(payload: events.Received) -> str:
    """The parcel's receipt in words, in the active language: the note line, the history."""
    return "; ".join(words for line in payload.lines for words in _received_words(line))


def received_values(request, payload: events.Received) -> dict:
    return {"items": received_in_words(payload), "restock": _restock_word(payload.restock)}


def shipped_values(request, payload: events.ReplacementShipped) -> dict:
    return {
        "items": ", ".join(line.title for line in request.lines.all()),
        "date": payload.shipped_on.isoformat(),
        "carrier": payload.carrier,
        "number": payload.tracking_number,
    }


def ordered_values(request, payload: events.ReplacementOrdered) -> dict:
    return items_values(request, payload)


REPLACEMENT_ORDERED_EVENT = "returns.replacement_ordered"
REPLACEMENT_ORDER_FAILED_EVENT = "returns.replacement_order_failed"


def replacement_order_wanted(request: ReturnRequest) -> bool:
    """No replacement order is being made in Shopify for this request: none was asked for, or
    Shopify refused the last attempt and made none."""
    ordered = request.replacements.filter(in_shopify=True).first()
    if ordered is None:
        return True
    latest = (
        request.events.filter(type__in=(REPLACEMENT_ORDERED_EVENT, REPLACEMENT_ORDER_FAILED_EVENT))
        .order_by("-created_at", "-id")
        .values_list("type", flat=True)
        .first()
    )
    return not ordered.shopify_order_id and latest == REPLACEMENT_ORDER_FAILED_EVENT


def refunded_values(request, payload: events.RefundMoved) -> dict:
    override = ""
    if payload.override_reason:
        override = gettext("; includes units that did not arrive: %(reason)s") % {
            "reason": payload.override_reason
        }
    return {
        "amount": money.to_shopify(payload.amount, payload.currency),
        "currency": payload.currency,
        "override": override,
    }


def rejected_values(request, payload: events.Rejected) -> dict:
    return {"reason": payload.reason}


def photos_added_values(request, payload: events.PhotosAdded) -> dict:
    from .photo_links import admin_url

    return {"count": payload.count, "url": admin_url(request)}


PHOTOS_ASKED_EVENT = "returns.photos_asked"
PHOTOS_ADDED_EVENT = "returns.photos_added"


def photos_wanted(request: ReturnRequest) -> bool:
    """Staff asked for more photos and the shopper has not sent them since."""
    latest = (
        request.events.filter(type__in=(PHOTOS_ASKED_EVENT, PHOTOS_ADDED_EVENT))
        .order_by("-created_at", "-id")
        .values_list("type", flat=True)
        .first()
    )
    return latest == PHOTOS_ASKED_EVENT


def photos_not_wanted_yet(request: ReturnRequest) -> bool:
    return not photos_wanted(request)


def is_cancellation(request: ReturnRequest) -> bool:
    # A withdrawal declared before anything was shipped is answered by cancelling the order.
    withdrawal = getattr(request, "withdrawal", None)
    return withdrawal is not None and withdrawal.outcome == withdrawal.Outcome.CANCELLATION


def returns_goods(request: ReturnRequest) -> bool:
    """Whether goods come back for this request, so that it is a Shopify Return: not for a
    withdrawal answered by cancelling the unshipped order (nothing was fulfilled)."""
    return not is_cancellation(request)


def has_no_refunds(request: ReturnRequest) -> bool:
    # Money has moved or is moving: the request can no longer be turned down.
    return not request.refunds.exists()


def arrived_refunded(request: ReturnRequest) -> bool:
    """The parcel has arrived and every unit that arrived has been refunded (by refunds that
    succeeded, made by the portal or in Shopify): what a refund needs to resolve a request.

    The one rule for it: a refund made before the parcel arrived leaves the request approved
    (its receipt resolves it then, if that refund covered what arrived), and a refund of fewer
    units than arrived leaves it received.
    """
    lines = list(request.lines.all())
    if not lines or any(line.received_quantity is None for line in lines):
        return False
    refunded: dict[str, int] = {}
    for refund in request.refunds.filter(state=RefundState.SUCCEEDED):
        for item in refund.lines:
            refunded[item["line_item_id"]] = (
                refunded.get(item["line_item_id"], 0) + item["quantity"]
            )
    return all(refunded.get(line.line_item_id, 0) >= line.received_quantity for line in lines)
