"""devshop's webhooks: signed as Shopify signs them, sent when an order changes, never in the way.

A small HTTP server stands in for the portal to catch what devshop sends; the last tests hand a
caught delivery to the portal's endpoint, and let devshop deliver to a live portal.
"""

import uuid
from datetime import datetime

import pytest

from devshop.webhooks import wait_for_deliveries
from returns import services
from returns.models import ShopifyOrder, WebhookDelivery
from returns.shopify import notes
from tests.devshop.documents import ORDER_UPDATE, TAGS_ADD
from tests.webhooks import SECRET, URL, sign

ORDER = "gid://shopify/Order/6012345601004"  # #1004 in the sample shop: a belt and a wallet
WALLET = "gid://shopify/LineItem/15012345670077"
SALE = "gid://shopify/OrderTransaction/7123456700035"
REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) { refund { id } userErrors { field message } }
}
"""
REFUND = {
    "orderId": ORDER,
    "notify": False,
    "refundLineItems": [{"lineItemId": WALLET, "quantity": 1, "restockType": "RETURN"}],
    "transactions": [
        {
            "orderId": ORDER,
            "parentId": SALE,
            "amount": "39.95",
            "gateway": "shopify_payments",
            "kind": "REFUND",
        }
    ],
}


def test_a_tag_added_sends_a_signed_orders_updated(
    gql, sample_shop, portal, settings, devshop_clock
):
    assert (
        gql(TAGS_ADD, {"id": ORDER, "tags": ["vip"]}).json()["data"]["tagsAdd"]["userErrors"] == []
    )
    wait_for_deliveries()

    [delivery] = portal
    assert delivery.topic == "orders/updated"
    assert delivery.headers["x-shopify-hmac-sha256"] == sign(delivery.body)
    assert delivery.headers["x-shopify-shop-domain"] == "test-shop.myshopify.com"
    assert delivery.headers["x-shopify-api-version"] == settings.SHOPIFY_API_VERSION
    assert delivery.headers["content-type"] == "application/json"
    uuid.UUID(delivery.headers["x-shopify-webhook-id"])
    triggered = datetime.fromisoformat(delivery.headers["x-shopify-triggered-at"])
    assert triggered.timestamp() == devshop_clock.now()
    stored = sample_shop["#1004"]
    assert delivery.payload == {
        "id": 6012345601004,
        "admin_graphql_api_id": ORDER,
        "name": "#1004",
        "email": stored["email"],
        "updated_at": delivery.payload["updated_at"],
    }
    assert datetime.fromisoformat(delivery.payload["updated_at"]).tzinfo is not None


def test_an_order_update_sends_orders_updated_with_its_own_webhook_id(gql, sample_shop, portal):
    gql(TAGS_ADD, {"id": ORDER, "tags": ["vip"]})
    gql(ORDER_UPDATE, {"input": {"id": ORDER, "note": "Ring twice"}})
    wait_for_deliveries()

    assert [d.topic for d in portal] == ["orders/updated", "orders/updated"]
    assert len({d.headers["x-shopify-webhook-id"] for d in portal}) == 2


def test_a_refund_sends_orders_updated_and_refunds_create_once(gql, sample_shop, portal):
    def refund():
        return gql(REFUND_CREATE, {"input": REFUND, "key": "k-1"}).json()["data"]["refundCreate"]

    made = refund()
    assert made["userErrors"] == []
    refund()  # the same idempotency key: Shopify changes nothing, so it sends nothing
    wait_for_deliveries()

    assert [d.topic for d in portal] == ["orders/updated", "refunds/create"]
    assert portal[1].payload == {
        "id": int(made["refund"]["id"].rsplit("/", 1)[1]),
        "admin_graphql_api_id": made["refund"]["id"],
        "order_id": 6012345601004,
        "created_at": portal[1].payload["created_at"],
    }
    assert all(d.headers["x-shopify-hmac-sha256"] == sign(d.body) for d in portal)


def test_nothing_is_sent_without_a_webhook_url(gql, sample_shop, portal, settings):
    settings.DEVSHOP_WEBHOOK_URL = ""
    gql(TAGS_ADD, {"id": ORDER, "tags": ["vip"]})
    wait_for_deliveries()
    assert portal == []


def test_a_portal_that_is_down_fails_no_mutation(gql, sample_shop, settings, devshop):
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    settings.DEVSHOP_WEBHOOK_URL = "http://127.0.0.1:9/webhooks/shopify/"  # nothing listens

    response = gql(TAGS_ADD, {"id": ORDER, "tags": ["vip"]})
    wait_for_deliveries()

    assert response.json()["data"]["tagsAdd"]["userErrors"] == []
    assert "vip" in devshop.order_by_id(ORDER)["tags"]


@pytest.mark.django_db
def test_the_portal_accepts_what_devshop_sends(
    gql, sample_shop, portal, client, django_capture_on_commit_callbacks
):
    services.shopify_order_lookup(order_number="1004", email=sample_shop["#1004"]["email"])
    gql(TAGS_ADD, {"id": ORDER, "tags": ["vip"]})
    wait_for_deliveries()
    [delivery] = portal
    headers = {n: v for n, v in delivery.headers.items() if n.startswith("x-shopify-")}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, data=delivery.body, content_type="application/json", headers=headers
        )

    assert response.status_code == 200
    assert WebhookDelivery.objects.get().state == "processed"
    assert "vip" in ShopifyOrder.objects.get(shopify_id=ORDER).data["tags"]


@pytest.mark.django_db(transaction=True)
def test_devshop_keeps_a_live_portal_up_to_date(sample_shop, live_server, settings, devshop):
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    settings.DEVSHOP_WEBHOOK_URL = live_server.url + URL
    services.shopify_order_lookup(order_number="1004", email=sample_shop["#1004"]["email"])

    # The portal's own write-back, through the production client, changes the order in Shopify.
    notes.order_tags_add(ORDER, ["return-requested"])
    wait_for_deliveries()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.state) == ("orders/updated", "processed")
    local = ShopifyOrder.objects.get(shopify_id=ORDER)
    assert "return-requested" in local.data["tags"]
    assert [e["operation_name"] for e in devshop.request_log()][-1] == "OrderGet"
