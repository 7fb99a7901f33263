"""Both ways: what staff do to a Return in Shopify's admin, the portal's request follows.

Each returns/* or reverse_fulfillment_orders/dispose delivery is only a trigger. Shopify delivers
at least once and in any order, so a payload may be old news (an approval delivered after the
close): the portal reads the Return as Shopify has it now and moves its request forward to
match, step by step, never back. The one way back is a reopen: a Return the portal last read as
closed and now reads as open. Reads and changes of one Return are serialised (a lock per Return,
held from the read to the commit), so two deliveries processed at once cannot apply an older read
after a newer one.

The request follows the Return's status (open: approved; declined: rejected with Shopify's note
as the reason; canceled: cancelled; closed: resolved), its dispositions (every unit disposed and
one arrived: received), and its refunds: a refund Shopify made for the Return that the portal did
not make becomes a succeeded Refund of the request, marked made in Shopify, so it counts against
what may still be refunded. A refund the portal made itself (its Refund row has Shopify's refund
id, or Shopify's refund note carries the Refund's idempotency key) is never recorded twice; one
still pending is left to the portal's own refund task to settle.

A Return the portal never asked for (staff made it in Shopify's admin, or the customer in their
Shopify account) becomes a request marked made in Shopify, with the Return's lines and
quantities, its reason read from Shopify's return reasons, and the order's copy fetched. Its
shopper is not sent the portal's "request received" email: they did not use the portal's form,
and Shopify tells the customer about a Return made in its admin itself. Every later step emails
them as the portal's own steps do, with the link to the status page.

None of these steps asks Shopify for anything (steps.py: no `shopify_return` action), so nothing
loops back into a mutation Shopify would refuse. The portal's own steps queue their Shopify step
as before; it reads the Return first and sends nothing when Shopify is already there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .. import events, locks, steps
from ..locks import advisory_transaction_lock
from ..models import Refund, RefundState, ReturnReason, ReturnRequest, ShopifyOrder, WebhookDelivery
from ..selectors import OPEN_STATUSES, order_snapshot
from ..shopify import orders as shopify_orders
from ..shopify import webhooks as shopify_webhooks
from ..shopify.client import get_client
from ..shopify.return_state import ReturnState, return_of_reverse_fulfillment_order, return_state
from ..shopify.types import legacy_id
from ..shopify.webhooks import WebhookPayloadError
from .common import step_record
from .requests import request_make, shopify_order_store
from .transitions import request_move

__all__ = ["WebhookIgnored", "shopify_return_follow", "shopify_return_webhook"]

# Shopify's standard return reasons that say the item is not as it should be: a claim under the
# legal guarantee. Every other reason (changed mind, size, style, unknown, ...) is a withdrawal.
DEFECT_HANDLES = frozenset({"damaged-or-defective", "defective", "not-as-described", "wrong-item"})
# What the shopper reads as the reason when staff declined in Shopify without a note.
DECLINE_REASONS = {
    "RETURN_PERIOD_ENDED": _("The return period has ended."),
    "FINAL_SALE": _("The item was sold as final sale."),
}
DECLINED_WITHOUT_NOTE = _("The shop declined the return.")


class WebhookIgnored(Exception):
    """A delivery the portal has nothing to do for, for the reason given."""


def shopify_return_webhook(delivery: WebhookDelivery) -> None:
    """The handler of every returns/* topic and of reverse_fulfillment_orders/dispose."""
    change = shopify_webhooks.return_change(delivery.topic, delivery.payload)
    client = get_client()
    return_id = change.return_id
    if return_id is None:
        return_id = return_of_reverse_fulfillment_order(
            change.order_id, change.reverse_fulfillment_order_id, client=client
        )
        if return_id is None:
            raise WebhookPayloadError(
                f"Shopify has no Return with reverse fulfillment order "
                f"{change.reverse_fulfillment_order_id} on order {change.order_id}."
            )
    shopify_return_follow(return_id=return_id, client=client)


def shopify_return_follow(*, return_id: str, client=None) -> ReturnRequest:
    """Bring the portal's request for this Return to where the Return is in Shopify now.

    WebhookPayloadError if Shopify has no such Return; WebhookIgnored for a Return the portal
    never had that is already declined or canceled. ShopifyError propagates (the task retries).
    """
    client = client or get_client()
    with transaction.atomic(), _return_lock(return_id):
        state = return_state(return_id, client=client)
        if state is None:
            raise WebhookPayloadError(f"Shopify has no Return {return_id}.")
        order = _order_copy(state, client=client)
        # The order, then its request, as refund_request locks them.
        ShopifyOrder.objects.select_for_update().get(pk=order.pk)
        request = _request_of(state, order) or _made_in_shopify(state, order, client=client)
        request = (
            ReturnRequest.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=request.pk)
        )
        seen_before = request.shopify_return_status
        if seen_before == "CLOSED" and state.status == "OPEN":
            _reopened(request)
        if state.status in ("OPEN", "CLOSED") and steps.APPROVED_IN_SHOPIFY.allowed(request):
            request_move(request, steps.APPROVED_IN_SHOPIFY)
            step_record(request=request, step=steps.APPROVED_IN_SHOPIFY)
        if state.status == "DECLINED" and steps.DECLINED_IN_SHOPIFY.allowed(request):
            _declined(request, state)
        if state.status == "CANCELED" and steps.CANCELLED_IN_SHOPIFY.allowed(request):
            request_move(request, steps.CANCELLED_IN_SHOPIFY)
            step_record(request=request, step=steps.CANCELLED_IN_SHOPIFY)
        if (
            state.all_disposed
            and any(state.arrived.values())
            and steps.RECEIVED_IN_SHOPIFY.allowed(request)
        ):
            _received(request, state)
        _refunds_follow(request, state, client=client)
        if state.status == "CLOSED" and steps.CLOSED_IN_SHOPIFY.allowed(request):
            request_move(request, steps.CLOSED_IN_SHOPIFY)
            step_record(request=request, step=steps.CLOSED_IN_SHOPIFY)
        if seen_before != state.status:
            request.shopify_return_status = state.status
            request.save(update_fields=["shopify_return_status"])
    return request


def _return_lock(return_id: str):
    """One read-and-follow of a Return at a time, from any worker, until the transaction ends."""
    return advisory_transaction_lock(locks.RETURN_FOLLOW, legacy_id(return_id) & 0x7FFFFFFF)


def _order_copy(state: ReturnState, *, client) -> ShopifyOrder:
    local = ShopifyOrder.objects.filter(shopify_id=state.order_id).first()
    if local is not None and (
        ReturnRequest.objects.filter(shopify_return_id=state.id).exists()
        and not _refunds_unknown(state)
    ):
        return local
    # A Return the portal has never seen, or a refund it has not recorded: read the order now.
    return shopify_order_store(order=shopify_orders.order_get(state.order_id, client=client))


def _refunds_unknown(state: ReturnState) -> list[str]:
    known = set(
        Refund.objects.filter(shopify_refund_id__in=state.found.refund_ids).values_list(
            "shopify_refund_id", flat=True
        )
    )
    return [refund_id for refund_id in state.found.refund_ids if refund_id not in known]


def _units(lines) -> set[tuple[str, int]]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.line_item_id] = totals.get(line.line_item_id, 0) + line.quantity
    return set(totals.items())


def _request_of(state: ReturnState, order: ShopifyOrder) -> ReturnRequest | None:
    """The portal's request that is this Return, if there is one.

    Besides the request holding the Return's id, that is the portal's own request whose
    returnRequest Shopify carried out before the portal stored the answer (the webhook came
    first, or the answer was lost to a timeout): same order, exactly the same units, no Return.
    """
    found = ReturnRequest.objects.filter(shopify_return_id=state.id).first()
    if found is not None:
        return found
    wanted = _units(state.lines)
    waiting = order.return_requests.filter(shopify_return_id="", status__in=OPEN_STATUSES)
    for candidate in waiting.prefetch_related("lines").order_by("pk"):
        if _units(candidate.lines.all()) == wanted:
            ReturnRequest.objects.filter(pk=candidate.pk, shopify_return_id="").update(
                shopify_return_id=state.id
            )
            return candidate
    return None


def _made_in_shopify(state: ReturnState, order: ShopifyOrder, *, client) -> ReturnRequest:
    if state.status in ("DECLINED", "CANCELED"):
        raise WebhookIgnored(
            f"the Return {state.id} was made and {state.status.lower()} in Shopify"
        )
    snapshot = order_snapshot(order)
    quantities: dict[str, int] = {}
    notes: dict[str, list[str]] = {}
    for line in state.lines:
        quantities[line.line_item_id] = quantities.get(line.line_item_id, 0) + line.quantity
        if line.customer_note:
            notes.setdefault(line.line_item_id, []).append(line.customer_note)
    chosen = []
    for line_item_id, quantity in quantities.items():
        item = snapshot.line_item(line_item_id)
        if item is None:
            raise WebhookPayloadError(f"Order {order.name} has no line item {line_item_id}.")
        chosen.append((item, quantity))
    defect = all(line.reason_handle in DEFECT_HANDLES for line in state.lines)
    request = request_make(
        order=order,
        chosen=chosen,
        reason=ReturnReason.DEFECT if defect else ReturnReason.NOT_SATISFIED,
        comment="",
        locale=_language(order),
        submission_key=None,
        step=steps.MADE_IN_SHOPIFY,
    )
    ReturnRequest.objects.filter(pk=request.pk).update(
        made_in_shopify=True, shopify_return_id=state.id
    )
    for line in request.lines.all():
        if notes.get(line.line_item_id):
            line.reason_detail = "\n".join(notes[line.line_item_id])
            line.save(update_fields=["reason_detail"])
    return request


def _language(order: ShopifyOrder) -> str:
    language = (order.customer_locale or "").split("-")[0].lower()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _reopened(request: ReturnRequest) -> None:
    if not steps.REOPENED_IN_SHOPIFY.allowed(request):
        return
    arrived = request.received_at is not None
    request.status = ReturnRequest.Status.RECEIVED if arrived else ReturnRequest.Status.APPROVED
    request.resolved_at = None
    request.save(update_fields=["status", "resolved_at"])
    step_record(request=request, step=steps.REOPENED_IN_SHOPIFY)


def _declined(request: ReturnRequest, state: ReturnState) -> None:
    reason = state.decline_note
    if not reason:
        with translation.override(request.locale):
            reason = str(DECLINE_REASONS.get(state.decline_reason, DECLINED_WITHOUT_NOTE))
    request_move(request, steps.DECLINED_IN_SHOPIFY, rejection_reason=reason)
    step_record(
        request=request, step=steps.DECLINED_IN_SHOPIFY, payload=events.Rejected(reason=reason)
    )


def _received(request: ReturnRequest, state: ReturnState) -> None:
    lines = list(request.lines.all())
    for line in lines:
        line.received_quantity = min(state.arrived.get(line.line_item_id, 0), line.quantity)
        line.save(update_fields=["received_quantity"])
    request_move(request, steps.RECEIVED_IN_SHOPIFY, restock=state.restocked)
    payload = events.Received(
        restock=state.restocked,
        lines=tuple(
            events.ItemReceived(title=line.title, received=line.received_quantity) for line in lines
        ),
    )
    step_record(request=request, step=steps.RECEIVED_IN_SHOPIFY, payload=payload)
    if steps.REFUND_SUCCEEDED.allowed(request):  # refunded before its parcel arrived
        request_move(request, steps.REFUND_SUCCEEDED)


def _refunds_follow(request: ReturnRequest, state: ReturnState, *, client) -> None:
    """Record the Return's refunds made in Shopify, not by the portal, as the request's."""
    unknown = _refunds_unknown(state)
    if not unknown:
        return
    # _order_copy read the order just now, because these refunds were unknown.
    made = {refund.id: refund for refund in order_snapshot(request.order).refunds}
    keys = [
        str(key)
        for key in Refund.objects.filter(request__order=request.order_id).values_list(
            "idempotency_key", flat=True
        )
    ]
    for refund_id in unknown:
        refund = made.get(refund_id)
        if refund is None or refund.total.amount <= 0:
            continue
        if any(key in (refund.note or "") for key in keys):
            continue  # the portal's own: its refund task settles it, with this very id
        shop = refund.total.shop
        row = Refund.objects.create(
            request=request,
            amount=refund.total.amount,
            currency=refund.total.currency,
            shop_amount=shop.amount if shop else None,
            shop_currency=shop.currency if shop else "",
            state=RefundState.SUCCEEDED,
            shopify_refund_id=refund_id,
            made_in_shopify=True,
            restock=any(line.restocked for line in refund.lines),
            lines=[
                {"line_item_id": line.line_item_id, "quantity": line.quantity}
                for line in refund.lines
            ],
            notify_customer=False,
            succeeded_at=refund.created_at or timezone.now(),
        )
        if steps.REFUNDED_IN_SHOPIFY.allowed(request):
            request_move(request, steps.REFUNDED_IN_SHOPIFY)
        step_record(
            request=request,
            step=steps.REFUNDED_IN_SHOPIFY,
            payload=events.RefundMoved(refund=row.pk, amount=row.amount, currency=row.currency),
        )
