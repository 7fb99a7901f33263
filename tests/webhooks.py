"""Deliveries as Shopify sends them, for the tests of the portal's webhook endpoint."""

import base64
import hashlib
import hmac
import json
import uuid

SECRET = "test-app-secret"
SHOP = "test-shop.myshopify.com"
URL = "/webhooks/shopify/"


def sign(body: bytes, secret: str = SECRET) -> str:
    """X-Shopify-Hmac-Sha256 as Shopify computes it: base64 of HMAC-SHA256 over the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(topic, body, *, webhook_id=None, shop_domain=SHOP, secret=SECRET):
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Triggered-At": "2026-11-27T10:00:00.123456Z",
    }


def deliverer(client, capture_on_commit):
    """deliver(topic, payload, ...): POST a signed delivery and run what it queued.

    `body` replaces the JSON of `payload`; `headers` overrides Shopify's (None drops one); the
    rest (webhook_id, shop_domain, secret) shapes the signing.
    """

    def deliver(topic, payload=None, *, body=None, headers=None, **signing):
        body = json.dumps(payload).encode() if body is None else body
        sent = {**shopify_headers(topic, body, **signing), **(headers or {})}
        sent = {name: value for name, value in sent.items() if value is not None}
        with capture_on_commit(execute=True):
            return client.post(URL, data=body, content_type="application/json", headers=sent)

    return deliver
