"""devshop's webhooks: what Shopify sends an app when one of the shop's orders changes.

Deliveries go to settings.DEVSHOP_WEBHOOK_URL (empty: none are sent), signed as Shopify signs
them: base64 HMAC-SHA256 of the raw body, keyed with the app's client secret
(SHOPIFY_CLIENT_SECRET), with Shopify's X-Shopify-* headers. Payloads are REST-shaped like
Shopify's, cut down to the fields the portal reads.

The mutation that changed the order has committed before anything is sent, and sending happens
on a background thread: a slow or absent portal never slows or fails a mutation, as with Shopify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import uuid
from datetime import UTC, datetime

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0

_pending: list[threading.Thread] = []
_pending_lock = threading.Lock()


def order_updated(order: dict) -> None:
    """After tagsAdd, orderUpdate or refundCreate changed the order."""
    _send([("orders/updated", order_payload(order))])


def refund_created(order: dict, refund: dict) -> None:
    # Shopify sends both: the refund changed the order too.
    _send(
        [
            ("orders/updated", order_payload(order)),
            ("refunds/create", refund_payload(order, refund)),
        ]
    )


def fulfillment_created(order: dict, fulfillment: dict) -> None:
    _send(
        [
            ("orders/updated", order_payload(order)),
            ("fulfillments/create", fulfillment_payload(order, fulfillment)),
        ]
    )


def fulfillment_payload(order: dict, fulfillment: dict) -> dict:
    """Shopify's REST Fulfillment, as fulfillments/create carries it."""
    tracking = fulfillment.get("trackingInfo") or []
    numbers = [t["number"] for t in tracking if t.get("number")]
    urls = [t["url"] for t in tracking if t.get("url")]
    items = {item["id"]: item for item in (order.get("lineItems") or {}).get("nodes") or []}
    return {
        "id": _legacy_id(fulfillment["id"]),
        "admin_graphql_api_id": fulfillment["id"],
        "order_id": _legacy_id(order["id"]),
        "name": fulfillment["name"],
        "status": fulfillment["status"].lower(),
        "service": "manual",
        "shipment_status": None,
        "created_at": _rest_time(fulfillment.get("createdAt")),
        "updated_at": _rest_time(fulfillment.get("updatedAt")),
        "tracking_company": tracking[0]["company"] if tracking else None,
        "tracking_number": numbers[0] if numbers else None,
        "tracking_numbers": numbers,
        "tracking_url": urls[0] if urls else None,
        "tracking_urls": urls,
        "line_items": [
            {
                "id": _legacy_id(line["lineItem"]["id"]),
                "admin_graphql_api_id": line["lineItem"]["id"],
                "variant_id": _variant_number(items.get(line["lineItem"]["id"])),
                "title": (items.get(line["lineItem"]["id"]) or {}).get("title"),
                "quantity": line["quantity"],
            }
            for line in fulfillment["fulfillmentLineItems"]["nodes"]
        ],
    }


def _variant_number(item: dict | None) -> int | None:
    variant = (item or {}).get("variant")
    return _legacy_id(variant["id"]) if variant else None


def order_payload(order: dict) -> dict:
    return {
        "id": _legacy_id(order["id"]),
        "admin_graphql_api_id": order["id"],
        "name": order["name"],
        "email": order.get("email"),
        "updated_at": _rest_time(order.get("updatedAt")),
    }


def refund_payload(order: dict, refund: dict) -> dict:
    return {
        "id": _legacy_id(refund["id"]),
        "admin_graphql_api_id": refund["id"],
        "order_id": _legacy_id(order["id"]),
        "created_at": _rest_time(refund.get("createdAt")),
    }


def signature(body: bytes, secret: str) -> str:
    """X-Shopify-Hmac-Sha256 for this body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_request(topic: str, payload: dict) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one delivery, as Shopify would send it for our shop."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(body, settings.SHOPIFY_CLIENT_SECRET),
        "X-Shopify-Shop-Domain": f"{settings.SHOPIFY_SHOP}.myshopify.com",
        "X-Shopify-API-Version": settings.SHOPIFY_API_VERSION,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": _triggered_at(),
    }
    return headers, body


def _triggered_at() -> str:
    from .store import get_store  # the shop's clock; the store is built on first use

    moment = datetime.fromtimestamp(get_store().clock.now(), UTC)
    return moment.isoformat().replace("+00:00", "Z")


def wait_for_deliveries(timeout: float = 10.0) -> None:
    """Block until every delivery started so far has been answered (or given up on)."""
    with _pending_lock:
        threads = list(_pending)
    for thread in threads:
        thread.join(timeout)


def _send(deliveries: list[tuple[str, dict]]) -> None:
    url = settings.DEVSHOP_WEBHOOK_URL
    if not url:
        return
    if not settings.SHOPIFY_CLIENT_SECRET:
        logger.warning("devshop sends no webhooks: SHOPIFY_CLIENT_SECRET, their key, is not set")
        return
    # Built here, on the mutation's thread, with the settings of the moment.
    requests = [signed_request(topic, payload) for topic, payload in deliveries]
    thread = threading.Thread(
        target=_post_all, args=(url, requests), name="devshop-webhooks", daemon=True
    )
    with _pending_lock:
        _pending[:] = [t for t in _pending if t.is_alive()]
        _pending.append(thread)
    thread.start()


def _post_all(url: str, requests: list[tuple[dict[str, str], bytes]]) -> None:
    for headers, body in requests:
        topic = headers["X-Shopify-Topic"]
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            logger.warning("devshop could not deliver %s to %s: %s", topic, url, exc)
            continue
        if response.status_code != 200:
            logger.warning(
                "devshop's %s webhook was answered %s by %s", topic, response.status_code, url
            )


def _legacy_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


def _rest_time(value: str | None) -> str | None:
    # The REST payloads write offsets ("+00:00"); GraphQL writes UTC as "Z".
    return value.replace("Z", "+00:00") if value else None


def return_changed(topic: str, order: dict, stored: dict) -> None:
    """returns/request, /approve, /decline, /cancel, /close, /reopen, /process."""
    _send([(topic, return_payload(order, stored))])


def reverse_fulfillment_order_disposed(order: dict, rfo: dict) -> None:
    _send([("reverse_fulfillment_orders/dispose", disposal_payload(order, rfo))])


def return_payload(order: dict, stored: dict) -> dict:
    decline = stored.get("decline")
    return {
        "id": _legacy_id(stored["id"]),
        "admin_graphql_api_id": stored["id"],
        "name": stored["name"],
        "status": stored["status"].lower(),
        "order": {"id": _legacy_id(order["id"]), "admin_graphql_api_id": order["id"]},
        "total_return_line_items": sum(line["quantity"] for line in stored["lines"]),
        "decline": decline and {"reason": decline["reason"].lower(), "note": decline["note"]},
    }


def disposal_payload(order: dict, rfo: dict) -> dict:
    return {
        "id": _legacy_id(rfo["id"]),
        "admin_graphql_api_id": rfo["id"],
        "order_id": _legacy_id(order["id"]),
        "dispositions": [
            {
                "reverse_fulfillment_order_line_item": {
                    "id": _legacy_id(line["id"]),
                    "admin_graphql_api_id": line["id"],
                },
                "quantity": d["quantity"],
                "type": d["type"].lower(),
                "location": d["locationId"]
                and {"id": _legacy_id(d["locationId"]), "admin_graphql_api_id": d["locationId"]},
            }
            for line in rfo["lineItems"]
            for d in line["dispositions"]
        ],
    }
