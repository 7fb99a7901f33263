"""Shopify's fulfillments/create and fulfillments/update: a replacement order shipped.

Only fulfilments of the portal's replacement orders matter; any other order's are ignored. A
fulfilment Shopify reports cancelled or failed ships nothing. Out of order or repeated deliveries
are harmless: the first one that says shipped ships the replacement, a later one only fills in a
tracking number the replacement has not got yet.
"""

from __future__ import annotations

from django.utils import timezone

from ..models import WebhookDelivery
from ..shopify.webhooks import fulfillment_change
from .replacement_orders import replacement_fulfilled
from .shopify_return_webhooks import WebhookIgnored

NOT_SHIPPED = frozenset({"cancelled", "failure", "error"})


def fulfillment_webhook(delivery: WebhookDelivery) -> None:
    change = fulfillment_change(delivery.payload)
    if change.status in NOT_SHIPPED:
        raise WebhookIgnored(f"the fulfilment is {change.status}")
    shipped_on = timezone.localdate(change.created_at) if change.created_at else None
    replacement = replacement_fulfilled(
        order_id=change.order_id,
        company=change.company,
        number=change.number,
        url=change.url,
        shipped_on=shipped_on,
    )
    if replacement is None:
        raise WebhookIgnored(f"order {change.order_id} is no replacement order")
