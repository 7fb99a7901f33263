"""A request's steps taken on its Shopify Return: request, approve, decline, cancel.

Only refundCreate takes an idempotency key, so each step first reads what Shopify already has (the
Return by its stored id, or, before that id is known, the order's Return holding exactly this
request's units that no other request claims: a returnRequest whose answer was lost to a timeout)
and sends only what is missing. A retried or redelivered task therefore does nothing twice.
Shopify refusing a step leaves the request where the portal put it and tells staff why.
"""

from __future__ import annotations

from .. import events, steps
from ..models import ReturnEvent, ReturnReason, ReturnRequest
from ..shopify import returns as shopify_returns
from ..shopify.client import get_client
from ..shopify.orders import order_gid
from ..shopify.returns import ShopifyReturn
from .common import event_record

__all__ = ["shopify_return_refusal_record", "shopify_return_sync"]

# Shopify's return reason library, best match first; a shop may have removed some.
REASON_HANDLES = {
    ReturnReason.DEFECT: ("damaged-or-defective", "defective", "other"),
    ReturnReason.NOT_SATISFIED: ("changed-mind", "unwanted", "other"),
}
HOLDS_UNITS = ("REQUESTED", "OPEN")
# The portal's rejection has no Shopify reason of its own; the staff's message says it.
DECLINE_REASON = "OTHER"


def shopify_return_sync(*, event_id: int) -> None:
    """Bring the request's Shopify Return to where the event's step says it should be."""
    event = ReturnEvent.objects.select_related("request__order").get(pk=event_id)
    request = event.request
    action = steps.step_for_event(event.type).shopify_return
    client = get_client()
    found = _return_found(request, client)
    if action == "cancel":
        if found is not None and found.status != "CANCELED":
            shopify_returns.return_cancel(return_id=found.id, client=client)
        return
    if found is None:
        found = _return_requested(request, client)
    # A status past the step means it was done; any other is sent, for Shopify to refuse if it
    # must (staff declined or canceled it in Shopify's admin): staff then read Shopify's reason.
    if action == "approve" and found.status not in ("OPEN", "CLOSED"):
        shopify_returns.return_approve(return_id=found.id, client=client)
    elif action == "decline" and found.status != "DECLINED":
        shopify_returns.return_decline(
            return_id=found.id,
            reason=DECLINE_REASON,
            note=request.rejection_reason,
            client=client,
        )


def shopify_return_refusal_record(*, event_id: int, error: str) -> None:
    """Note in the audit trail that Shopify did not take the event's step on the Return."""
    event = ReturnEvent.objects.select_related("request").get(pk=event_id)
    event_record(
        request=event.request,
        step=steps.SHOPIFY_RETURN_REFUSED,
        payload=events.ShopifyWriteFailed(event=event_id, error=error),
    )


def _units(request: ReturnRequest) -> set[tuple[str, int]]:
    return {(line.line_item_id, line.quantity) for line in request.lines.all()}


def _return_found(request: ReturnRequest, client) -> ShopifyReturn | None:
    if request.shopify_return_id:
        return shopify_returns.return_get(request.shopify_return_id, client=client)
    claimed = set(
        ReturnRequest.objects.exclude(pk=request.pk)
        .exclude(shopify_return_id="")
        .values_list("shopify_return_id", flat=True)
    )
    wanted = _units(request)
    for candidate in shopify_returns.order_returns(
        order_gid(request.order.shopify_id), client=client
    ):
        held = {(line.line_item_id, line.quantity) for line in candidate.lines}
        if candidate.id not in claimed and candidate.status in HOLDS_UNITS and held == wanted:
            _remember(request, candidate)
            return candidate
    return None


def _return_requested(request: ReturnRequest, client) -> ShopifyReturn:
    order = order_gid(request.order.shopify_id)
    setup = shopify_returns.shop_return_setup(client=client)
    reason = next(
        (setup.reasons[h] for h in REASON_HANDLES[request.reason] if h in setup.reasons), None
    )
    returnable = {
        line.line_item_id: line.fulfillment_line_item_id
        for line in shopify_returns.returnable_lines(order, client=client)
    }
    lines = []
    for line in request.lines.all():
        given = {
            "fulfillmentLineItemId": returnable.get(line.line_item_id, ""),
            "quantity": line.quantity,
        }
        if reason:
            given["returnReasonDefinitionId"] = reason
        if request.comment:
            given["customerNote"] = request.comment
        lines.append(given)
    made = shopify_returns.return_request(order_gid=order, lines=lines, client=client)
    _remember(request, made)
    return made


def _remember(request: ReturnRequest, found: ShopifyReturn) -> None:
    ReturnRequest.objects.filter(pk=request.pk).update(shopify_return_id=found.id)
    request.shopify_return_id = found.id
