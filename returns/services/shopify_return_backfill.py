"""Requests made before the portal kept each request as a Shopify Return get theirs, brought up to
where they are (`manage.py shopify_returns_backfill`).

Each is caught up as any step would catch it up (shopify_returns.py): requested, approved or
declined, its parcel's units disposed, units already refunded processed without moving money
again (refundCreate refunded them), closed once resolved. Safe to run again: what Shopify has is
read before anything is sent. A refusal is recorded on the request's audit trail and reported,
and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import steps
from ..models import ReturnEvent, ReturnRequest, ReturnStatus
from ..shopify.errors import ShopifyError, ShopifyRejected
from .shopify_returns import shopify_return_catch_up, shopify_return_refusal_record

__all__ = ["Backfilled", "shopify_return_backfill", "shopify_returns_to_backfill"]


@dataclass
class Backfilled:
    """What became of one request: its outcome and what was sent to Shopify."""

    number: str
    status: str
    outcome: str  # "caught_up", "up_to_date", "skipped", "refused", "unreached"
    done: list[str] = field(default_factory=list)
    why: str = ""


def shopify_returns_to_backfill(*, every: bool = False, numbers: list[str] | None = None):
    """Requests without a Shopify Return, oldest first (every=True: every request, also those
    with one, for a run after an interruption or a refusal staff have since dealt with)."""
    found = ReturnRequest.objects.order_by("created_at", "pk")
    if numbers:
        return found.filter(number__in=numbers)
    return found if every else found.filter(shopify_return_id="")


def shopify_return_backfill(*, request_id: int) -> Backfilled:
    request = ReturnRequest.objects.get(pk=request_id)
    result = Backfilled(number=request.number, status=request.status, outcome="skipped")
    if not steps.returns_goods(request):
        result.why = (
            "a withdrawal before shipping, answered by cancelling the order: nothing comes back"
        )
        return result
    if request.status == ReturnStatus.CANCELLED and not request.shopify_return_id:
        result.why = "cancelled by the shopper before anyone acted: no Return needed"
        return result
    try:
        caught = shopify_return_catch_up(request_id=request.pk)
    except ShopifyRejected as exc:
        _refusal_record(request, exc.message)
        result.outcome, result.why = "refused", exc.message
        return result
    except ShopifyError as exc:  # unreachable or throttled: nothing refused, try again later
        result.outcome, result.why = "unreached", exc.message
        return result
    result.done = caught.done
    result.outcome = "caught_up" if caught.done else "up_to_date"
    return result


def _refusal_record(request: ReturnRequest, error: str) -> None:
    # On the step the request is at: its latest one the Shopify Return follows.
    followed = [s.event_type for s in steps.STEPS if s.shopify_return]
    event = (
        ReturnEvent.objects.filter(request=request, type__in=followed).order_by("-pk").first()
        or ReturnEvent.objects.filter(request=request).order_by("-pk").first()
    )
    if event is not None:
        shopify_return_refusal_record(event_id=event.pk, error=error)
