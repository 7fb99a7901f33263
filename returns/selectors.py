"""Reads used by views, admin and tasks. No writes here."""

import hmac
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from . import steps
from .models import (
    Refund,
    RefundState,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ShopifyOrder,
)
from .shopify.types import Order

# Requests still in progress: their units are reserved, and staff may still reject them.
OPEN_STATUSES = tuple(sorted(steps.OPEN))


def order_snapshot(order: ShopifyOrder) -> Order:
    return Order.from_json(order.data)


def reserved_quantities(order: ShopifyOrder) -> dict[str, int]:
    """Units of each line item in requests still open; Shopify does not know about them yet."""
    rows = (
        ReturnLine.objects.filter(request__order=order, request__status__in=OPEN_STATUSES)
        .values("line_item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["line_item_id"]: row["total"] for row in rows}


def _by_token(requests, token: str) -> ReturnRequest | None:
    """The request behind a status link, or None. The token is compared in constant time."""
    if not token or len(token) > 64:
        return None
    request = requests.filter(token=token).first()
    if request is None or not hmac.compare_digest(request.token, token):
        return None
    return request


def request_by_token(token: str) -> ReturnRequest | None:
    return _by_token(ReturnRequest.objects.select_related("order"), token)


def status_page_request(token: str) -> ReturnRequest | None:
    """request_by_token() for the status page, with what Shopify refunded (`refunded_total`) in
    the same query, and without the order's snapshot, its largest column, which the page does not
    show.
    """
    refunded = (
        Refund.objects.filter(request=OuterRef("pk"), state=RefundState.SUCCEEDED)
        .values("request")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    requests = (
        ReturnRequest.objects.select_related("order")
        .defer("order__data")
        .annotate(refunded_total=Subquery(refunded))
    )
    request = _by_token(requests, token)
    if request is not None and request.refunded_total is not None:
        # SQLite sums decimals without their scale; money always has two places.
        request.refunded_total = request.refunded_total.quantize(Decimal("0.01"))
    return request


def customer_events(request: ReturnRequest) -> list[ReturnEvent]:
    return list(request.events.filter(customer_visible=True).order_by("created_at", "id"))


def unwritten_shopify_writes(*, before=None) -> list[tuple[int, int]]:
    """(request id, event id) of steps whose write to Shopify failed and never succeeded since."""
    failed = ReturnEvent.objects.filter(type=steps.SHOPIFY_WRITE_FAILED.event_type)
    if before is not None:
        failed = failed.filter(created_at__lt=before)
    pairs = set(failed.values_list("request_id", "data__event"))
    written = set(
        ReturnEvent.objects.filter(
            type=steps.SHOPIFY_WRITTEN.event_type,
            request_id__in={request_id for request_id, _ in pairs},
        ).values_list("data__event", flat=True)
    )
    return sorted((request_id, event) for request_id, event in pairs if event not in written)
