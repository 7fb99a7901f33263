"""shop/redact erases every shopper, so it acts only when the app really was uninstalled.

Only a delivery's body is signed, not its topic header: every topic's payload must have that
topic's shape, or a captured compliance body could be replayed as another topic.
"""

import json

import pytest

from returns.models import ReturnEvent, ReturnRequest, WebhookDelivery
from returns.services.webhooks import REDACTED_EMAIL
from tests.webhooks import SHOP

# The app secret the deliveries are signed with (tests/returns/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_secret")]

ANNA = {"id": 207119551, "email": "anna@example.com", "phone": "+31612345678"}
DATA_REQUEST = {
    "shop_id": 954889,
    "shop_domain": SHOP,
    "orders_requested": [],
    "customer": ANNA,
    "data_request": {"id": 9999},
}
REDACT = {"shop_id": 954889, "shop_domain": SHOP, "customer": ANNA, "orders_to_redact": []}
SHOP_REDACT = {"shop_id": 954889, "shop_domain": SHOP}
UNINSTALLED = {"id": 954889, "name": "Test Shop", "myshopify_domain": SHOP, "domain": SHOP}


@pytest.fixture
def shoppers(a_return, a_claim):
    return [a_return, a_claim]


def nobody_erased():
    return REDACTED_EMAIL not in ReturnRequest.objects.values_list("customer_email", flat=True)


def test_a_data_request_replayed_as_shop_redact_erases_nobody(deliver, shoppers, devshop):
    # The attack: a signed customers/data_request body, resent under the shop/redact topic with
    # a new webhook id. Even after a real uninstall it must not pass for a shop/redact.
    body = json.dumps(DATA_REQUEST).encode()
    assert deliver("customers/data_request", body=body).status_code == 200
    deliver("app/uninstalled", UNINSTALLED)
    devshop.app_uninstall()

    replay = deliver("shop/redact", body=body)

    assert replay.status_code == 400
    assert nobody_erased()
    assert not WebhookDelivery.objects.filter(topic="shop/redact").exists()


@pytest.mark.parametrize(
    "topic, payload",
    [
        ("shop/redact", REDACT),
        ("customers/redact", DATA_REQUEST),
        ("customers/data_request", REDACT),
        ("app/uninstalled", SHOP_REDACT),
        ("orders/updated", DATA_REQUEST),
        ("refunds/create", REDACT),
        ("shop/redact", {"shop_domain": SHOP}),
        ("shop/redact", {**SHOP_REDACT, "shop_id": "954889"}),
    ],
)
def test_a_payload_of_another_shape_than_its_topic_is_refused(deliver, shoppers, topic, payload):
    assert deliver(topic, payload).status_code == 400
    assert not WebhookDelivery.objects.exists()
    assert nobody_erased()


def test_shop_redact_without_an_uninstall_before_it_erases_nobody(deliver, shoppers, devshop):
    devshop.app_uninstall()
    assert deliver("shop/redact", SHOP_REDACT).status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "app/uninstalled" in delivery.error
    assert nobody_erased()


def test_shop_redact_while_shopify_still_accepts_the_app_erases_nobody(
    deliver, shoppers, devshop, caplog
):
    deliver("app/uninstalled", UNINSTALLED)
    asked_before = len(devshop.request_log())

    deliver("shop/redact", SHOP_REDACT)

    delivery = WebhookDelivery.objects.get(topic="shop/redact")
    assert delivery.state == "failed" and "still accepts" in delivery.error
    assert len(devshop.request_log()) == asked_before + 1  # Shopify itself was asked
    assert nobody_erased()
    assert any("Refused shop/redact" in r.getMessage() for r in caplog.records)


def test_shop_redact_after_a_real_uninstall_erases_every_shopper_and_is_recorded(
    deliver, shoppers, devshop
):
    deliver("app/uninstalled", UNINSTALLED)
    devshop.app_uninstall()

    assert deliver("shop/redact", SHOP_REDACT).status_code == 200

    delivery = WebhookDelivery.objects.get(topic="shop/redact")
    assert delivery.state == "processed"
    assert delivery.payload["erased"] == {"return_requests": 2, "orders": 1}
    assert set(ReturnRequest.objects.values_list("customer_email", flat=True)) == {REDACTED_EMAIL}
    for request in shoppers:
        event = ReturnEvent.objects.get(request=request, type="privacy.shop_redacted")
        assert event.actor == "system"
        assert event.data["webhook_id"] == delivery.webhook_id
