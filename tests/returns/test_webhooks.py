"""Shopify's webhooks: only signed deliveries for our shop count, each once, never a 500."""

import json
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from returns import services
from returns.models import ShopifyOrder, WebhookDelivery
from tests import shop
from tests.webhooks import SHOP, URL, shopify_headers, sign

# The app secret the deliveries are signed with (tests/returns/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_secret")]


@pytest.fixture
def local_copy(shop_order):
    """The portal's copy of #1001, as a shopper's lookup stores it."""
    return services.shopify_order_lookup(order_number="1001", email="anna@example.com")


def order_payload(order, **changes):
    return {
        "id": int(order["id"].rsplit("/", 1)[1]),
        "admin_graphql_api_id": order["id"],
        "name": order["name"],
        "email": order["email"],
        "updated_at": order["updatedAt"],
        "customer": {"first_name": "Anna", "phone": "+31 6 12345678"},
        **changes,
    }


def shopify_calls(devshop):
    return [entry["operation_name"] for entry in devshop.request_log()]


def tag_in_shopify(devshop, order, tag):
    """Change the order in Shopify (devshop), as staff would in the Shopify admin."""
    return devshop.update_order(order["id"], lambda o: {**o, "tags": [*o["tags"], tag]})


# Keeping the local copy fresh.


def test_orders_updated_refreshes_the_local_copy_with_one_query(
    deliver, local_copy, shop_order, devshop
):
    changed = tag_in_shopify(devshop, shop_order, "vip")
    calls = shopify_calls(devshop)

    response = deliver("orders/updated", order_payload(changed))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.topic, delivery.state, delivery.shop_domain) == (
        "orders/updated",
        "processed",
        SHOP,
    )
    assert shopify_calls(devshop) == [*calls, "OrderGet"]
    assert "vip" in ShopifyOrder.objects.get(pk=local_copy.pk).data["tags"]
    # The shopper's name and phone number in Shopify's payload are not kept.
    assert "customer" not in delivery.payload and "email" not in delivery.payload


def test_a_repeated_delivery_is_acknowledged_and_processed_once(
    deliver, local_copy, shop_order, devshop
):
    changed = tag_in_shopify(devshop, shop_order, "vip")
    calls = shopify_calls(devshop)
    webhook_id = str(uuid.uuid4())

    first = deliver("orders/updated", order_payload(changed), webhook_id=webhook_id)
    second = deliver("orders/updated", order_payload(changed), webhook_id=webhook_id)

    assert (first.status_code, second.status_code) == (200, 200)
    assert WebhookDelivery.objects.count() == 1
    assert shopify_calls(devshop) == [*calls, "OrderGet"]


def test_a_delivery_stored_by_a_concurrent_request_is_not_stored_again(
    deliver, local_copy, shop_order, devshop
):
    # The other request won the race: its row exists, so this one hits the unique webhook id.
    WebhookDelivery.objects.create(
        webhook_id="raced", topic="orders/updated", shop_domain=SHOP, payload={}
    )
    calls = shopify_calls(devshop)

    response = deliver("orders/updated", order_payload(shop_order), webhook_id="raced")

    assert response.status_code == 200
    assert WebhookDelivery.objects.count() == 1
    assert shopify_calls(devshop) == calls


def test_an_older_delivery_does_not_overwrite_newer_data(deliver, local_copy, shop_order, devshop):
    changed = tag_in_shopify(devshop, shop_order, "vip")
    older = (local_copy.shopify_updated_at - timedelta(hours=1)).isoformat()
    calls = shopify_calls(devshop)

    deliver("orders/updated", order_payload(changed, updated_at=older))

    assert WebhookDelivery.objects.get().state == "processed"
    assert shopify_calls(devshop) == calls
    assert ShopifyOrder.objects.get(pk=local_copy.pk).data == local_copy.data


def test_an_order_the_portal_never_saw_is_ignored_without_asking_shopify(
    deliver, shop_order, devshop
):
    deliver("orders/updated", order_payload(shop_order))

    assert WebhookDelivery.objects.get().state == "processed"
    assert shopify_calls(devshop) == []
    assert not ShopifyOrder.objects.exists()


def test_refunds_create_refreshes_the_order_once_per_refund(deliver, local_copy, devshop):
    refund = {
        "id": "gid://shopify/Refund/990001",
        "createdAt": "2026-11-27T10:00:00Z",
        "note": None,
        "totalRefundedSet": shop.money("39.95"),
        "refundLineItems": {"nodes": []},
        "transactions": {"nodes": []},
    }
    devshop.update_order(local_copy.shopify_id, lambda o: {**o, "refunds": [refund]})
    payload = {
        "id": 990001,
        "order_id": local_copy.data and int(local_copy.shopify_id.rsplit("/", 1)[1]),
    }
    calls = shopify_calls(devshop)

    deliver("refunds/create", payload)
    deliver("refunds/create", payload)  # another subscription's delivery of the same refund

    assert shopify_calls(devshop) == [*calls, "OrderGet"]
    refunds = ShopifyOrder.objects.get(pk=local_copy.pk).data["refunds"]
    assert [r["id"] for r in refunds] == [refund["id"]]
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["processed"] * 2


def test_shopify_failing_during_processing_is_recorded_not_a_500(
    deliver, local_copy, shop_order, devshop
):
    devshop.add_fault("http_500")

    response = deliver("orders/updated", order_payload(shop_order, updated_at=None))

    assert response.status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "HTTP 500" in delivery.error


def test_a_payload_without_an_order_id_fails_visibly(deliver):
    assert deliver("orders/updated", {"name": "#1001"}).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "no order id" in delivery.error


def test_app_uninstalled_is_recorded_and_logged_as_an_error(deliver, caplog):
    response = deliver("app/uninstalled", {"id": 548380009, "myshopify_domain": SHOP})

    assert response.status_code == 200
    assert WebhookDelivery.objects.get().state == "processed"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("uninstalled from shop test-shop.myshopify.com" in e for e in errors)


def test_a_topic_the_portal_does_not_handle_is_stored_and_left_alone(deliver, devshop):
    assert deliver("products/update", {"id": 1, "title": "Shirt"}).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.payload) == ("processed", {})
    assert shopify_calls(devshop) == []


# Refusing everything else.


def test_an_unsigned_delivery_is_refused_and_changes_nothing(
    deliver, local_copy, shop_order, devshop
):
    calls = shopify_calls(devshop)
    response = deliver(
        "orders/updated", order_payload(shop_order), headers={"X-Shopify-Hmac-Sha256": None}
    )
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists() and shopify_calls(devshop) == calls


def test_a_delivery_signed_with_another_secret_is_refused(deliver, shop_order):
    response = deliver("orders/updated", order_payload(shop_order), secret="someone-elses")
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_tampered_body_is_refused(client, shop_order):
    body = json.dumps(order_payload(shop_order)).encode()
    headers = shopify_headers("orders/updated", body)
    tampered = body.replace(b"#1001", b"#1002")
    response = client.post(URL, data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_without_a_configured_secret_nothing_is_accepted(deliver, settings, shop_order):
    settings.SHOPIFY_CLIENT_SECRET = ""
    # With an empty key anyone could sign; the portal must not take that as a signature.
    response = deliver("orders/updated", order_payload(shop_order), secret="")
    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()


def test_a_delivery_for_another_shop_is_refused(deliver, shop_order):
    response = deliver(
        "orders/updated", order_payload(shop_order), shop_domain="other-shop.myshopify.com"
    )
    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"id": NaN}', b""])
def test_a_signed_body_that_is_not_a_json_object_is_a_bad_request(deliver, body):
    assert deliver("orders/updated", body=body).status_code == 400
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "header", ["X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Shop-Domain"]
)
def test_a_delivery_missing_a_required_header_is_a_bad_request(deliver, shop_order, header):
    response = deliver("orders/updated", order_payload(shop_order), headers={header: None})
    assert response.status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_a_webhook_id_too_long_to_store_is_a_bad_request(deliver, shop_order):
    response = deliver("orders/updated", order_payload(shop_order), webhook_id="x" * 129)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "signature"),
    [
        (b"[" * 100_000, "bm9wZQ=="),  # too deep for json.loads
        (b"1" * 5000, "bm9wZQ=="),  # too many digits for int()
        (b"{}", "\u00e9t\u00e9"),  # hmac.compare_digest refuses non-ASCII text
        (b"\xff\xfe{}", "bm9wZQ=="),  # not UTF-8
    ],
)
def test_requests_that_trip_up_the_verifier_are_unauthorised(deliver, body, signature):
    response = deliver("orders/updated", body=body, headers={"X-Shopify-Hmac-Sha256": signature})
    assert response.status_code == 401


def test_a_signed_body_too_deep_to_parse_is_refused_not_a_500(deliver):
    assert deliver("orders/updated", body=b'{"a":' * 5000 + b"1" + b"}" * 5000).status_code in (
        400,
        401,
    )
    assert not WebhookDelivery.objects.exists()


def test_only_post_is_answered(client):
    assert client.get(URL).status_code == 405


FUZZ = hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
header_values = st.one_of(
    st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=80),
    st.sampled_from(["", " ", "x" * 300, "orders/updated ", "TEST-SHOP.myshopify.com"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
# Mostly what Shopify's payloads hold, with the wrong types and values in them.
payloads = st.fixed_dictionaries(
    {},
    optional={
        key: st.one_of(json_values, st.integers(min_value=0), st.just("2026-11-27T10:00:00Z"))
        for key in ("id", "order_id", "updated_at", "customer", "orders_to_redact", "order")
    },
)
bodies = st.one_of(
    payloads.map(lambda value: json.dumps(value).encode()),
    payloads.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 3000, b"9" * 5000, b'{"id": 1e999}', b'{"id": "\\u0000"}']),
)
topics = st.sampled_from(
    [
        "orders/updated",
        "refunds/create",
        "app/uninstalled",
        "customers/data_request",
        "customers/redact",
        "shop/redact",
        "returns/approve",
        "reverse_fulfillment_orders/dispose",
    ]
)


@FUZZ
@given(
    body=bodies,
    topic=st.one_of(topics, topics, topics, header_values),
    webhook_id=st.one_of(st.uuids().map(str), st.uuids().map(str), header_values),
    shop_domain=st.one_of(st.just(SHOP), st.just(SHOP), header_values),
    signature=st.one_of(st.none(), st.none(), header_values),
)
def test_no_input_makes_the_endpoint_fail(
    client,
    shop_order,
    django_capture_on_commit_callbacks,
    body,
    topic,
    webhook_id,
    shop_domain,
    signature,
):
    services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    signed = signature is None
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Hmac-Sha256": sign(body) if signed else signature,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code in (200, 400, 401, 403)
    if not signed:
        assert response.status_code == 401
