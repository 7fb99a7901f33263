"""Picking up work that stalled while Shopify was away, so nothing is lost.

Tasks retry with backoff for a while; after that a refund stays pending, a failed note write is
recorded as `shopify.write_failed`, and a webhook delivery whose task never ran stays received.
This sweep, run every few minutes by Celery beat (and from the admin), queues them again, and the
steps on Shopify Returns that waited for an access scope once it is granted (shopify_access.py).
It also compares each order's note in Shopify with the steps recorded as written there since its
last look, and puts back the lines that are missing (overwritten by someone who saved an older copy
of the note). Repeating it is harmless: refunds carry their idempotency key, a write-back that
already happened is skipped, and a line on the note is recognised by its step's number.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .. import events, order_note, steps, tasks
from ..models import ReturnEvent, ShopifyOrder, WebhookDelivery
from ..selectors import stalled_refunds, unwritten_shopify_writes
from .common import event_record
from .shopify_access import shopify_return_refusals_resend, shopify_return_waits_resume

# Orders whose note one sweep compares; more wait for the next sweep, so that the first sweep
# after an upgrade (every order unchecked) does not spend the shop's whole rate limit at once.
NOTE_CHECKS_PER_SWEEP = 100
WRITTEN = steps.SHOPIFY_WRITTEN.event_type


def stalled_work_resume(*, request_ids: list[int] | None = None) -> dict[str, int]:
    """Queue stalled work again: everything quiet for a while, or all of these requests' now."""
    if request_ids is None:
        quiet_since = timezone.now() - timedelta(minutes=settings.STALLED_WORK_MINUTES)
    else:
        quiet_since = timezone.now()
    now = timezone.now()
    pending = stalled_refunds(quiet_since=quiet_since, now=now)
    if request_ids is not None:
        pending = pending.filter(request_id__in=request_ids)
    refunds = list(pending.values_list("pk", flat=True))
    failed = {
        event_id
        for request_id, event_id in unwritten_shopify_writes(before=quiet_since)
        if request_ids is None or request_id in request_ids
    }
    # Shopify does not resend a delivery it got a 200 for, so one whose task never ran (broker
    # down at the time) would be lost without this.
    deliveries = []
    if request_ids is None:
        deliveries = list(
            WebhookDelivery.objects.filter(
                state=WebhookDelivery.State.RECEIVED, received_at__lt=quiet_since
            ).values_list("pk", flat=True)
        )
    notes = _notes_to_check(quiet_since=quiet_since, request_ids=request_ids)
    for order_id in notes:
        tasks.order_note_check.delay_on_commit(order_id)
    for delivery_id in deliveries:
        tasks.webhook_process.delay_on_commit(delivery_id)
    for refund_id in refunds:
        tasks.refund_process.delay_on_commit(refund_id)
    for event_id in sorted(failed):
        tasks.shopify_order_write_back.delay_on_commit(event_id)
    # Steps on Shopify Returns that waited for an access scope, sent again once it is granted.
    returns = shopify_return_waits_resume(request_ids=request_ids)
    # Steps Shopify refused, only when staff ask: unchanged, Shopify would refuse them again.
    refused = 0
    if request_ids is not None:
        refused = shopify_return_refusals_resend(request_ids=request_ids)
    return {
        "refunds": len(refunds),
        "writes": len(failed),
        "webhooks": len(deliveries),
        "notes": len(notes),
        "returns": returns,
        "refused": refused,
    }


def _notes_to_check(*, quiet_since, request_ids: list[int] | None) -> list[int]:
    """Orders with a step recorded as written on their note, quiet since, and not compared yet."""
    orders = ShopifyOrder.objects.filter(
        return_requests__events__type=WRITTEN,
        return_requests__events__created_at__lt=quiet_since,
        return_requests__events__pk__gt=F("note_checked_up_to"),
    )
    if request_ids is not None:
        orders = orders.filter(return_requests__in=request_ids)
    return list(
        orders.order_by("pk").values_list("pk", flat=True).distinct()[:NOTE_CHECKS_PER_SWEEP]
    )


def order_note_repair(*, order_id: int) -> int:
    """Compare the order's note in Shopify with every step recorded as written there, and put back
    the lines that are missing; returns how many it put back.

    Under the order's note lock, so no write-back is half done meanwhile: every record made before
    the lock was taken is committed, and every later one has a higher id than those read here.
    """
    order = ShopifyOrder.objects.get(pk=order_id)
    with order_note.order_note_lock(order):
        records = list(
            ReturnEvent.objects.filter(request__order=order, type=WRITTEN)
            .select_related("request")
            .order_by("pk")
        )
        lines, requests = [], {}
        for record in records:
            if not record.data.get("note"):
                continue
            event_id, line = record.data["event"], record.data["note"]
            text = order_note.step_line(line, event_id)
            legacy = "" if line == text else line  # written by a release without step numbers
            lines.append(order_note.StepLine(event_id=event_id, text=text, legacy=legacy))
            requests[event_id] = record.request
        put_back = order_note.order_note_lines_ensure(order=order, steps=lines)
        for line in put_back:
            event_record(
                request=requests[line.event_id],
                step=steps.NOTE_REPAIRED,
                payload=events.NoteRepaired(event=line.event_id, note=line.text),
            )
        if records:
            ShopifyOrder.objects.filter(pk=order.pk).update(note_checked_up_to=records[-1].pk)
    return len(put_back)
