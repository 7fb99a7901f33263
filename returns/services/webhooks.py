"""Shopify's webhooks: storing each delivery once, and acting on it in a task.

Every handler is safe to run twice: a repeated refresh stores the same order, and personal data
that is already erased stays erased.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .. import events, money, steps, tasks
from ..models import (
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ShopifyOrder,
    WebhookDelivery,
    WithdrawalDeclaration,
)
from ..shopify import webhooks as shopify_webhooks
from ..shopify.webhooks import WebhookPayloadError
from .common import event_record
from .fulfillment_webhooks import fulfillment_webhook
from .photo_deletion import photos_erase
from .requests import shopify_order_refetch
from .shopify_return_webhooks import WebhookIgnored, shopify_return_webhook

logger = logging.getLogger(__name__)

REDACTED_EMAIL = "redacted@redacted.invalid"
# Keys of event data that may hold what a shopper wrote or who they are. Staff's own words (a
# rejection reason) and the shipment and money records stay: the shop must keep those.
PERSONAL_EVENT_KEYS = frozenset(
    {"comment", "email", "customer_email", "reason_detail", "phone", "address"}
)


class WebhookRefused(WebhookPayloadError):
    """A genuine, well-formed delivery the portal will not act on, for the reason given."""


def webhook_delivery_receive(
    *, webhook_id: str, topic: str, shop_domain: str, payload: dict
) -> WebhookDelivery | None:
    """Store a verified delivery and queue its processing; None if it was stored before.

    Shopify delivers at least once, so the same webhook id may arrive twice, even at the same
    moment; the unique webhook id decides which one is processed.
    """
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                webhook_id=webhook_id,
                topic=topic,
                shop_domain=shop_domain,
                payload=shopify_webhooks.payload_kept(topic, payload),
            )
    except IntegrityError:
        if WebhookDelivery.objects.filter(webhook_id=webhook_id).exists():
            return None
        raise
    # robust: Shopify has its answer either way; a failure here is logged with the delivery,
    # which stays "received" for staff to see, rather than turning the answer into a 500.
    transaction.on_commit(lambda: tasks.webhook_process.delay(delivery.pk), robust=True)
    return delivery


def webhook_delivery_process(*, delivery_id: int) -> WebhookDelivery:
    """Act on a stored delivery. ShopifyError propagates so the task can retry."""
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    if delivery.state == WebhookDelivery.State.PROCESSED:
        return delivery
    handler = HANDLERS.get(delivery.topic)
    if handler is None:
        logger.info("Ignored Shopify webhook %s: topic %s", delivery.webhook_id, delivery.topic)
    else:
        try:
            handler(delivery)
        except WebhookRefused as exc:
            logger.error("Refused %s webhook %s: %s", delivery.topic, delivery.webhook_id, exc)
            return _finish(delivery, WebhookDelivery.State.FAILED, f"Refused: {exc}")
        except WebhookPayloadError as exc:
            return _finish(delivery, WebhookDelivery.State.FAILED, str(exc))
        except WebhookIgnored as exc:
            logger.info("Ignored %s webhook %s: %s", delivery.topic, delivery.webhook_id, exc)
            return _finish(delivery, WebhookDelivery.State.PROCESSED, f"Ignored: {exc}")
    return _finish(delivery, WebhookDelivery.State.PROCESSED, "")


def webhook_delivery_fail(*, delivery_id: int, error: str) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    logger.error("Shopify webhook %s failed: %s", delivery.webhook_id, error)
    return _finish(delivery, WebhookDelivery.State.FAILED, error)


def _finish(delivery: WebhookDelivery, state: str, error: str) -> WebhookDelivery:
    # update(), not save(): a handler may have rewritten the payload in the meantime.
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=state, error=error, processed_at=now
    )
    delivery.state, delivery.error, delivery.processed_at = state, error, now
    return delivery


# Keeping the local order copy fresh.


def _order_changed(delivery: WebhookDelivery) -> None:
    change = shopify_webhooks.order_change(delivery.topic, delivery.payload)
    local = ShopifyOrder.objects.filter(shopify_id=change.order_id).first()
    if local is None:
        # Most of a shop's orders never see a return; fetching each would waste the API budget.
        return
    if (
        change.updated_at
        and local.shopify_updated_at
        and change.updated_at < local.shopify_updated_at
    ):
        return  # a late delivery of an older change: the copy already knows better
    refunds = (local.data or {}).get("refunds") or []
    if change.refund_id and any(refund.get("id") == change.refund_id for refund in refunds):
        return
    shopify_order_refetch(order_id=local.pk)


def _app_uninstalled(delivery: WebhookDelivery) -> None:
    logger.error(
        "The app was uninstalled from shop %s: the portal can no longer read orders or issue "
        "refunds there until the app is installed again (webhook %s).",
        delivery.shop_domain,
        delivery.webhook_id,
    )


# Privacy: Shopify's mandatory compliance topics.


def _customer_data_request(delivery: WebhookDelivery) -> None:
    asked = shopify_webhooks.customer_privacy_request(delivery.topic, delivery.payload)
    requests, orders = _customer_records(asked)
    export = personal_data_export(requests=requests, orders=orders)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        payload={**delivery.payload, "export": export}
    )
    logger.warning(
        "Shopify passed on a customer's request for their data (webhook %s): the export of "
        "%d return request(s) and %d order copy(ies) is stored with the delivery; send it to the "
        "shop owner within 30 days.",
        delivery.webhook_id,
        len(export["return_requests"]),
        len(export["orders"]),
    )


def _customer_redact(delivery: WebhookDelivery) -> None:
    asked = shopify_webhooks.customer_privacy_request(delivery.topic, delivery.payload)
    with transaction.atomic():
        requests, orders = _customer_records(asked)
        # Taken now: once erased, the requests are no longer found by the shopper's address.
        request_ids = list(requests.values_list("pk", flat=True))
        personal_data_erase(requests=requests, orders=orders)
        # Withdrawal declarations are the shop's proof and survive every other erasure (shop/redact
        # included); the customer's own erasure request is the one thing that removes the person.
        WithdrawalDeclaration.objects.filter(
            Q(order__in=orders) | Q(return_request__in=requests)
        ).update(consumer_name="", email=REDACTED_EMAIL, reason="", receipt_pdf=b"")
        exports = WebhookDelivery.objects.filter(
            topic=shopify_webhooks.CUSTOMERS_DATA_REQUEST
        ).select_for_update()
        for stored in exports:
            if _same_customer(stored.payload, asked):
                _delivery_scrub(stored)
        # Erased last, in the same transaction: a rerun after a crash still knows whom to erase.
        _delivery_scrub(WebhookDelivery.objects.select_for_update().get(pk=delivery.pk))
    # The photos leave the store once the erasure has committed; what a failing store keeps, the
    # photo sweep deletes later (returns/services/photo_deletion.py).
    photos_erase(request_ids=request_ids)


def _shop_redact(delivery: WebhookDelivery) -> None:
    """Erase every shopper, once the app really is uninstalled; recorded on every request.

    Shopify sends shop/redact 48 hours after an uninstall. Erasing everyone cannot be undone, so
    a signed body is not enough: an app/uninstalled must have come first, and Shopify itself must
    refuse the app's token now (a reinstalled app's token works again).
    """
    shopify_webhooks.shop_redact_check(delivery.payload)
    uninstalled = WebhookDelivery.objects.filter(
        topic=shopify_webhooks.APP_UNINSTALLED, shop_domain=delivery.shop_domain, pk__lt=delivery.pk
    )
    if not uninstalled.exists():
        raise WebhookRefused("no app/uninstalled was received before it")
    if not shopify_webhooks.app_access_revoked():
        raise WebhookRefused("Shopify still accepts the app's token: the app is installed")
    with transaction.atomic():
        requests = list(ReturnRequest.objects.select_for_update().order_by("pk"))
        orders = ShopifyOrder.objects.all()
        erased = {"return_requests": len(requests), "orders": orders.count()}
        personal_data_erase(requests=ReturnRequest.objects.all(), orders=orders)
        for request in requests:
            event_record(
                request=request,
                step=steps.SHOP_REDACTED,
                payload=events.ShopRedacted(webhook_id=delivery.webhook_id),
            )
        exports = WebhookDelivery.objects.filter(
            topic__in=[shopify_webhooks.CUSTOMERS_DATA_REQUEST, shopify_webhooks.CUSTOMERS_REDACT]
        ).select_for_update()
        for stored in exports:
            _delivery_scrub(stored)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            payload={**delivery.payload, "erased": erased}
        )
    photos = photos_erase(request_ids=[request.pk for request in requests])
    logger.warning(
        "shop/redact (webhook %s): the app is uninstalled and Shopify refuses its token; erased "
        "the shoppers of %d return request(s) and %d order copy(ies), and deleted %d photo(s) "
        "(%d left for the photo sweep).",
        delivery.webhook_id,
        erased["return_requests"],
        erased["orders"],
        photos.deleted,
        photos.failed,
    )


def _customer_records(asked):
    """The shopper's return requests and local order copies, by email address or order id."""
    named = Q(shopify_id__in=asked.order_ids)
    if asked.email:
        named |= Q(email__iexact=asked.email)
    orders = ShopifyOrder.objects.filter(named)
    requests = ReturnRequest.objects.filter(order__in=orders)
    if asked.email:
        requests |= ReturnRequest.objects.filter(customer_email__iexact=asked.email)
    # The order copy behind a request filed under this address is theirs too, whatever email
    # the order shows today.
    orders = ShopifyOrder.objects.filter(Q(pk__in=orders) | Q(return_requests__in=requests))
    return requests.distinct(), orders.distinct()


def _same_customer(payload: dict, asked) -> bool:
    try:
        stored = shopify_webhooks.customer_privacy_request(
            shopify_webhooks.CUSTOMERS_DATA_REQUEST, payload
        )
    except WebhookPayloadError:
        return False
    if asked.customer_id is not None and stored.customer_id == asked.customer_id:
        return True
    return bool(asked.email) and stored.email == asked.email


def _delivery_scrub(delivery: WebhookDelivery) -> None:
    """Keep a compliance delivery as the record that it happened, without the person in it."""
    payload = {key: value for key, value in delivery.payload.items() if key != "export"}
    customer = payload.get("customer")
    if isinstance(customer, dict):
        payload["customer"] = {"id": customer.get("id")}
    if payload != delivery.payload:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=payload)


def personal_data_export(*, requests, orders) -> dict:
    """Everything personal the portal holds for these requests and orders, as plain JSON."""
    return {
        "return_requests": [_request_export(request) for request in requests.order_by("pk")],
        "withdrawals": [
            {
                "order": declaration.order.name,
                "name": declaration.consumer_name,
                "email": declaration.email,
                "reason": declaration.reason,
                "items": declaration.lines,
                "received_at": declaration.received_at.isoformat(),
            }
            for declaration in WithdrawalDeclaration.objects.filter(
                Q(order__in=orders) | Q(return_request__in=requests)
            ).order_by("pk")
        ],
        "orders": [
            {
                "name": order.name,
                "email": order.email,
                "customer_locale": order.customer_locale,
                "snapshot": order.data,
            }
            for order in orders.order_by("pk")
        ],
    }


def _request_export(request: ReturnRequest) -> dict:
    return {
        "number": request.number,
        "order": request.order.name,
        "kind": request.kind,
        "reason": request.reason,
        "status": request.status,
        "language": request.locale,
        "customer_email": request.customer_email,
        "comment": request.comment,
        "rejection_reason": request.rejection_reason,
        "created_at": request.created_at.isoformat(),
        "lines": [
            {
                "title": line.title,
                "variant": line.variant_title,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": money.to_shopify(line.unit_price, line.currency),
                "currency": line.currency,
                "reason_detail": line.reason_detail,
                "received_quantity": line.received_quantity,
            }
            for line in request.lines.order_by("pk")
        ],
        "refunds": [
            {
                "amount": money.to_shopify(refund.amount, refund.currency),
                "currency": refund.currency,
                "state": refund.state,
                "created_at": refund.created_at.isoformat(),
            }
            for refund in request.refunds.order_by("pk")
        ],
        "replacements": [
            {
                "carrier": replacement.get_carrier_display(),
                "tracking_number": replacement.tracking_number,
                "shipped_on": replacement.shipped_on and replacement.shipped_on.isoformat(),
            }
            for replacement in request.replacements.order_by("pk")
        ],
        "events": [
            {"type": event.type, "time": event.created_at.isoformat(), "data": event.data}
            for event in request.events.order_by("created_at", "pk")
        ],
        # What is stored, not the pictures themselves: staff can show those on the request.
        "photos": [
            {
                "file": photo.file.name,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
                "size": photo.size,
                "added": photo.stage,
                "added_at": photo.added_at.isoformat(),
            }
            for photo in request.photos.order_by("added_at", "pk")
        ],
    }


def personal_data_erase(*, requests, orders) -> None:
    """Erase the shopper from these requests and order copies; keep the money and the items.

    Refunds, replacements, line titles, quantities and prices stay: the shop must be able to
    account for them. The shopper's address, comments and details go.
    """
    requests = ReturnRequest.objects.filter(pk__in=list(requests.values_list("pk", flat=True)))
    requests.update(customer_email=REDACTED_EMAIL, comment="")
    ReturnLine.objects.filter(request__in=requests).update(reason_detail="")
    for event in ReturnEvent.objects.filter(request__in=requests).only("pk", "data"):
        cleaned = _without_personal_keys(event.data)
        if cleaned != event.data:
            # The audit trail refuses save() so nobody rewrites history. Erasing personal data is
            # the one change the law demands, and this service alone makes it, with update().
            ReturnEvent.objects.filter(pk=event.pk).update(data=cleaned)
    for order in ShopifyOrder.objects.filter(pk__in=list(orders.values_list("pk", flat=True))):
        # Order.from_json needs every field, so personal ones are emptied, not dropped.
        personal = dict.fromkeys(("email", "note", "customer_name", "shipping_address"))
        data = {**(order.data or {}), **personal}
        ShopifyOrder.objects.filter(pk=order.pk).update(email="", customer_name="", data=data)


def _without_personal_keys(value):
    if isinstance(value, dict):
        return {
            key: "" if key in PERSONAL_EVENT_KEYS else _without_personal_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_personal_keys(item) for item in value]
    return value


HANDLERS = {
    shopify_webhooks.ORDERS_UPDATED: _order_changed,
    shopify_webhooks.REFUNDS_CREATE: _order_changed,
    shopify_webhooks.APP_UNINSTALLED: _app_uninstalled,
    shopify_webhooks.CUSTOMERS_DATA_REQUEST: _customer_data_request,
    shopify_webhooks.CUSTOMERS_REDACT: _customer_redact,
    shopify_webhooks.SHOP_REDACT: _shop_redact,
    # Staff act in Shopify's admin too: each of these has the request follow its Return.
    **dict.fromkeys(shopify_webhooks.RETURN_TOPICS, shopify_return_webhook),
    shopify_webhooks.REVERSE_FULFILLMENT_ORDERS_DISPOSE: shopify_return_webhook,
    **dict.fromkeys(shopify_webhooks.FULFILLMENT_TOPICS, fulfillment_webhook),
}
