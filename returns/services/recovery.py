"""Picking up work that stalled while Shopify was away, so nothing is lost.

Tasks retry with backoff for a while; after that a refund stays pending, a failed note write is
recorded as `shopify.write_failed`, and a webhook delivery whose task never ran stays received. This sweep, run every few minutes by Celery beat (and from the
admin), queues both again. Repeating it is harmless: refunds carry their idempotency key, and a
write-back that already happened is skipped.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .. import tasks
from ..models import Refund, RefundState, WebhookDelivery
from ..selectors import unwritten_shopify_writes


def stalled_work_resume(*, request_ids: list[int] | None = None) -> dict[str, int]:
    """Queue stalled work again: everything quiet for a while, or all of these requests' now."""
    if request_ids is None:
        quiet_since = timezone.now() - timedelta(minutes=settings.STALLED_WORK_MINUTES)
    else:
        quiet_since = timezone.now()
    pending = Refund.objects.filter(state=RefundState.PENDING, updated_at__lt=quiet_since)
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
    for delivery_id in deliveries:
        tasks.webhook_process.delay_on_commit(delivery_id)
    for refund_id in refunds:
        tasks.refund_process.delay_on_commit(refund_id)
    for event_id in sorted(failed):
        tasks.shopify_order_write_back.delay_on_commit(event_id)
    return {"refunds": len(refunds), "writes": len(failed), "webhooks": len(deliveries)}
