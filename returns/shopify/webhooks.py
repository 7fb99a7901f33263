"""Shopify's webhooks: telling a genuine delivery from anything else, and reading its payload.

The signature is checked by shopifyapp's own verifier (base64 HMAC-SHA256 of the raw body, keyed
with the app's client secret). Everything after that trusts only what was signed: the headers are
not signed, so they are checked for shape and the shop is compared with ours.

Payloads arrive in the REST shape, which is not what the GraphQL client returns, so the portal
reads only a few ids and timestamps from them and fetches what it needs through GraphQL.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from shopify_app.verify.webhook import verify_webhook_req

from .errors import ShopifyTokenRejected
from .types import GID_PREFIX

logger = logging.getLogger(__name__)

ORDERS_UPDATED = "orders/updated"
REFUNDS_CREATE = "refunds/create"
APP_UNINSTALLED = "app/uninstalled"
CUSTOMERS_DATA_REQUEST = "customers/data_request"
CUSTOMERS_REDACT = "customers/redact"
SHOP_REDACT = "shop/redact"
# A Return changed in Shopify (staff in Shopify's admin, the customer's account, or the portal).
RETURNS_REQUEST = "returns/request"
RETURNS_APPROVE = "returns/approve"
RETURNS_DECLINE = "returns/decline"
RETURNS_CANCEL = "returns/cancel"
RETURNS_CLOSE = "returns/close"
RETURNS_REOPEN = "returns/reopen"
RETURNS_PROCESS = "returns/process"
REVERSE_FULFILLMENT_ORDERS_DISPOSE = "reverse_fulfillment_orders/dispose"
# A fulfilment made or changed in Shopify: how a replacement order's tracking number arrives.
FULFILLMENTS_CREATE = "fulfillments/create"
FULFILLMENTS_UPDATE = "fulfillments/update"
FULFILLMENT_TOPICS = (FULFILLMENTS_CREATE, FULFILLMENTS_UPDATE)
RETURN_TOPICS = (
    RETURNS_REQUEST,
    RETURNS_APPROVE,
    RETURNS_DECLINE,
    RETURNS_CANCEL,
    RETURNS_CLOSE,
    RETURNS_REOPEN,
    RETURNS_PROCESS,
)

# Shopify's header values are short and plain; anything else did not come from Shopify, and a
# value longer than its database column would fail on PostgreSQL instead of being refused.
TOPIC = re.compile(r"^(?=.{3,64}$)[a-z0-9_]+[/.][a-z0-9_]+$")  # orders/updated, customer.tags_added
WEBHOOK_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,200}\.myshopify\.com$")

# What is kept of each topic's payload. Order payloads carry the shopper's name, addresses and
# phone number; the portal needs none of it, and what it does not store it cannot leak.
KEPT_FIELDS = {
    ORDERS_UPDATED: ("id", "admin_graphql_api_id", "name", "updated_at"),
    REFUNDS_CREATE: ("id", "admin_graphql_api_id", "order_id", "created_at"),
    APP_UNINSTALLED: ("id", "myshopify_domain"),
    CUSTOMERS_DATA_REQUEST: (
        "shop_id",
        "shop_domain",
        "customer",
        "orders_requested",
        "data_request",
    ),
    CUSTOMERS_REDACT: ("shop_id", "shop_domain", "customer", "orders_to_redact"),
    SHOP_REDACT: ("shop_id", "shop_domain"),
    # Only ids: the portal reads the Return itself from Shopify (its payload may be old news).
    **{topic: ("id", "admin_graphql_api_id", "name", "status", "order") for topic in RETURN_TOPICS},
    REVERSE_FULFILLMENT_ORDERS_DISPOSE: ("id", "admin_graphql_api_id", "order_id"),
    # Its destination is the shopper's address: not kept.
    **{
        topic: (
            "id",
            "admin_graphql_api_id",
            "order_id",
            "status",
            "created_at",
            "tracking_company",
            "tracking_number",
            "tracking_numbers",
            "tracking_url",
            "tracking_urls",
        )
        for topic in FULFILLMENT_TOPICS
    },
}


# Each topic's payload, as Shopify documents it: the keys it must have (with their JSON type), and
# for the compliance topics the keys only they carry. Only the body is signed, not the topic
# header, so a signed body replayed under another topic must not pass for that topic: a
# customers/data_request body has shop_id and shop_domain too, and as shop/redact it would erase
# every shopper.
_DATA_REQUEST_ONLY = frozenset({"orders_requested", "data_request"})
_REDACT_ONLY = frozenset({"orders_to_redact"})
_COMPLIANCE_ONLY = _DATA_REQUEST_ONLY | _REDACT_ONLY | {"shop_domain"}
SHAPES: dict[str, tuple[dict[str, type], frozenset[str] | None, frozenset[str]]] = {
    # topic: (required keys and types, the only keys allowed (None: any), keys refused)
    CUSTOMERS_DATA_REQUEST: (
        {"shop_domain": str, "customer": dict, "orders_requested": list, "data_request": dict},
        None,
        _REDACT_ONLY,
    ),
    CUSTOMERS_REDACT: (
        {"shop_domain": str, "customer": dict, "orders_to_redact": list},
        None,
        _DATA_REQUEST_ONLY,
    ),
    SHOP_REDACT: (
        {"shop_id": int, "shop_domain": str},
        frozenset({"shop_id", "shop_domain"}),
        _REDACT_ONLY,
    ),
    APP_UNINSTALLED: ({"myshopify_domain": str}, None, _COMPLIANCE_ONLY),
    ORDERS_UPDATED: ({}, None, _COMPLIANCE_ONLY),
    REFUNDS_CREATE: ({}, None, _COMPLIANCE_ONLY),
    **{topic: ({}, None, _COMPLIANCE_ONLY) for topic in RETURN_TOPICS},
    REVERSE_FULFILLMENT_ORDERS_DISPOSE: ({}, None, _COMPLIANCE_ONLY),
    **{topic: ({}, None, _COMPLIANCE_ONLY) for topic in FULFILLMENT_TOPICS},
}


class WebhookRejected(Exception):
    """A request that is not a delivery the portal accepts; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WebhookPayloadError(ValueError):
    """A signed payload that lacks what its topic needs."""


@dataclass(frozen=True)
class Delivery:
    webhook_id: str
    topic: str
    shop_domain: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class OrderChange:
    """What an orders/updated or refunds/create delivery says changed."""

    order_id: str
    # When Shopify last changed the order, if the payload says; refunds/create does not.
    updated_at: datetime | None
    refund_id: str | None


@dataclass(frozen=True)
class ReturnChange:
    """Which Return a returns/* or reverse_fulfillment_orders/dispose delivery is about.

    A disposition names its reverse fulfillment order and the order, not the Return.
    """

    return_id: str | None
    order_id: str | None
    reverse_fulfillment_order_id: str | None


@dataclass(frozen=True)
class FulfillmentChange:
    """What a fulfillments/create or fulfillments/update delivery says was shipped, and how."""

    order_id: str
    status: str
    company: str | None
    number: str | None
    url: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class CustomerPrivacyRequest:
    """A customers/data_request or customers/redact: whose data, and which of their orders."""

    customer_id: int | None
    email: str
    order_ids: tuple[str, ...]


def delivery_verify(*, method: str, url: str, headers: dict[str, str], body: bytes) -> Delivery:
    """The delivery in this request, or WebhookRejected with the status to answer."""
    secret = settings.SHOPIFY_CLIENT_SECRET
    if not secret:
        # An empty key is a key anyone can sign with.
        logger.error("SHOPIFY_CLIENT_SECRET is not set: Shopify webhooks cannot be verified")
        raise WebhookRejected(401, "no app secret is configured")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        # shopifyapp signs text as UTF-8, as Shopify does; other bytes cannot carry its signature.
        raise WebhookRejected(401, "the body is not UTF-8, so it cannot be verified") from None
    try:
        result = verify_webhook_req(
            {"method": method, "headers": dict(headers), "url": url, "body": text},
            {
                "client_id": settings.SHOPIFY_CLIENT_ID,
                "client_secret": secret,
                "old_client_secret": settings.SHOPIFY_OLD_CLIENT_SECRET or None,
            },
        )
    except (ValueError, RecursionError, TypeError):
        # shopifyapp parses the body for its log before it checks the signature, and raises on a
        # deeply nested array or a 5000-digit number; hmac.compare_digest raises on a non-ASCII
        # signature. What cannot be verified is unauthorised.
        raise WebhookRejected(401, "shopifyapp could not verify the request") from None
    if not result.ok:
        if result.log.code == "post_method_expected":
            raise WebhookRejected(405, "webhooks are POSTed")
        # shopifyapp answers a missing signature with 400; unsigned is unauthorised all the same.
        raise WebhookRejected(401, f"the signature does not verify ({result.log.code})")

    lower = {name.lower(): value for name, value in headers.items()}
    topic = _header(lower, "x-shopify-topic", TOPIC)
    webhook_id = _header(lower, "x-shopify-webhook-id", WEBHOOK_ID)
    shop_domain = _header(lower, "x-shopify-shop-domain", SHOP_DOMAIN, lowercase=True)
    if shop_domain != f"{shop_handle()}.myshopify.com":
        # The app's secret signs for every shop the app is installed on, not only ours.
        raise WebhookRejected(403, f"the delivery is for another shop ({shop_domain})")
    payload = _json_object(text)
    payload_shape_check(topic, payload)
    return Delivery(webhook_id, topic, shop_domain, payload)


def shop_handle() -> str:
    shop = (settings.SHOPIFY_SHOP or "").strip().lower()
    shop = shop.removeprefix("https://").removeprefix("http://").rstrip("/")
    return shop.removesuffix(".myshopify.com")


def _header(headers: dict[str, str], name: str, shape: re.Pattern, lowercase=False) -> str:
    value = (headers.get(name) or "").strip()
    if lowercase:
        value = value.lower()
    if not shape.fullmatch(value):
        raise WebhookRejected(400, f"the {name} header is missing or malformed")
    return value


def _json_object(text: str) -> dict[str, Any]:
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    def finite(number: str) -> float:
        # 1e999 parses as infinity, which no JSON column will store.
        value = float(number)
        if not math.isfinite(value):
            raise ValueError(f"{number} is too large")
        return value

    try:
        payload = json.loads(text, parse_constant=refuse, parse_float=finite)
    except (ValueError, RecursionError):
        raise WebhookRejected(400, "the body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookRejected(400, "the body is not a JSON object")
    return payload


def payload_shape_check(topic: str, payload: dict[str, Any]) -> None:
    """WebhookRejected(400) unless the payload has the shape of its topic's payloads."""
    if topic not in SHAPES:
        return
    required, allowed, refused = SHAPES[topic]
    for key, kind in required.items():
        value = payload.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise WebhookRejected(400, f"a {topic} payload needs {key} ({kind.__name__})")
    extra = (set(payload) - allowed) if allowed is not None else (set(payload) & refused)
    if extra:
        raise WebhookRejected(
            400, f"a {topic} payload has no {', '.join(sorted(extra))}: another topic's body"
        )


def app_access_revoked(*, client=None) -> bool:
    """Whether Shopify refuses the app's token for our shop, as it does once the app is uninstalled.

    A real request, one order's id: the strongest sign the portal can get. Not knowing (Shopify
    unavailable or throttling) raises, which is not a yes.
    """
    from .orders import orders_readable

    try:
        orders_readable(client=client)
    except ShopifyTokenRejected:
        return True
    return False


# Reading payloads.


def payload_kept(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The part of a payload worth storing: what processing its topic reads, nothing more."""
    kept = {key: payload[key] for key in KEPT_FIELDS.get(topic, ()) if key in payload}
    if isinstance(kept.get("customer"), dict):
        kept["customer"] = {k: v for k, v in kept["customer"].items() if k in ("id", "email")}
    if isinstance(kept.get("order"), dict):
        kept["order"] = {
            k: v for k, v in kept["order"].items() if k in ("id", "admin_graphql_api_id")
        }
    return kept


def order_change(topic: str, payload: dict[str, Any]) -> OrderChange:
    if topic == REFUNDS_CREATE:
        return OrderChange(
            order_id=_gid("Order", payload.get("order_id")),
            updated_at=None,
            refund_id=_gid("Refund", payload.get("id"), required=False),
        )
    order_id = payload.get("id")
    if order_id is None:
        order_id = payload.get("admin_graphql_api_id")
    return OrderChange(
        order_id=_gid("Order", order_id),
        updated_at=_aware_datetime(payload.get("updated_at")),
        refund_id=None,
    )


def fulfillment_change(payload: dict[str, Any]) -> FulfillmentChange:
    """The order, status and first tracking number of a REST Fulfillment payload."""

    def text(value: Any) -> str | None:
        return value.strip() if isinstance(value, str) and value.strip() else None

    def first(single: str, many: str) -> str | None:
        values = payload.get(many)
        listed = [text(v) for v in values if text(v)] if isinstance(values, list) else []
        return text(payload.get(single)) or (listed[0] if listed else None)

    return FulfillmentChange(
        order_id=_gid("Order", payload.get("order_id")),
        status=(text(payload.get("status")) or "").lower(),
        company=text(payload.get("tracking_company")),
        number=first("tracking_number", "tracking_numbers"),
        url=first("tracking_url", "tracking_urls"),
        created_at=_aware_datetime(payload.get("created_at")),
    )


def return_change(topic: str, payload: dict[str, Any]) -> ReturnChange:
    """The Return (or, for a disposition, the order and reverse fulfillment order) a delivery names;
    WebhookPayloadError when it names none."""
    if topic == REVERSE_FULFILLMENT_ORDERS_DISPOSE:
        return ReturnChange(
            return_id=None,
            order_id=_gid("Order", payload.get("order_id")),
            reverse_fulfillment_order_id=_gid("ReverseFulfillmentOrder", _id_of(payload)),
        )
    order = payload.get("order")
    return ReturnChange(
        return_id=_gid("Return", _id_of(payload)),
        order_id=_gid("Order", _id_of(order), required=False) if isinstance(order, dict) else None,
        reverse_fulfillment_order_id=None,
    )


def _id_of(payload: dict[str, Any]) -> Any:
    # The GID where there is one; a number alone otherwise.
    value = payload.get("admin_graphql_api_id")
    return value if isinstance(value, str) and value.startswith(GID_PREFIX) else payload.get("id")


def customer_privacy_request(topic: str, payload: dict[str, Any]) -> CustomerPrivacyRequest:
    _check_shop(payload)
    # Only the body is signed, so a captured order delivery (which names its customer too) could
    # be resent under this topic; each compliance payload carries a list no order payload has.
    list_key = "orders_requested" if topic == CUSTOMERS_DATA_REQUEST else "orders_to_redact"
    ids = payload.get(list_key)
    if not isinstance(ids, list):
        raise WebhookPayloadError(f"The payload has no {list_key} list.")
    customer = payload.get("customer")
    if not isinstance(customer, dict):
        raise WebhookPayloadError("The payload names no customer.")
    email = customer.get("email")
    email = email.strip().lower() if isinstance(email, str) else ""
    customer_id = customer.get("id")
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        customer_id = None
    order_ids = tuple(_gid("Order", order_id) for order_id in ids)
    if not email and not order_ids:
        raise WebhookPayloadError("The payload names neither an email address nor orders.")
    return CustomerPrivacyRequest(customer_id=customer_id, email=email, order_ids=order_ids)


def shop_redact_check(payload: dict[str, Any]) -> None:
    """Erasing every shopper needs the signed body itself to name our shop."""
    if "shop_domain" not in payload:
        raise WebhookPayloadError("The payload names no shop.")
    _check_shop(payload)


def _check_shop(payload: dict[str, Any]) -> None:
    # Unlike the X-Shopify-Shop-Domain header, the body's shop_domain is signed.
    if "shop_domain" in payload and payload["shop_domain"] != f"{shop_handle()}.myshopify.com":
        raise WebhookPayloadError("The payload is for another shop.")


def _gid(kind: str, value: Any, *, required: bool = True) -> str | None:
    """gid://shopify/<kind>/<id> from a REST id (a number) or a GID of that kind."""
    prefix = f"{GID_PREFIX}{kind}/"
    if isinstance(value, str) and value.startswith(prefix):
        value = value.removeprefix(prefix)
    if isinstance(value, bool) or value is None:
        value = ""
    value = str(value).strip()
    if value.isascii() and value.isdigit() and len(value) <= 20:
        return prefix + value
    if required:
        raise WebhookPayloadError(f"The payload has no {kind.lower()} id.")
    return None


def _aware_datetime(value: Any) -> datetime | None:
    # Unknown is safe: the order is fetched and shopify_order_store keeps the newer snapshot.
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None
