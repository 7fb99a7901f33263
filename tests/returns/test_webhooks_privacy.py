"""Shopify's privacy webhooks: a shopper's data exported on request, erased on request.

What the shop must keep to account for its money and goods (refunds, the returned items and
their prices) survives an erasure; what identifies the shopper or was written by them does not.
"""

from decimal import Decimal

import pytest

from returns import services
from returns.models import Refund, ReturnEvent, ReturnRequest, ShopifyOrder, WebhookDelivery
from returns.services.webhooks import REDACTED_EMAIL
from tests.factories import RefundFactory, ReturnLineFactory, ReturnRequestFactory
from tests.webhooks import SHOP

# The app secret the deliveries are signed with (tests/returns/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_secret")]

ANNA = {"id": 207119551, "email": "Anna@Example.com", "phone": "+31612345678"}


@pytest.fixture
def annas(a_return, a_claim, staff):
    """Anna's return and claim on #1001: a refund made, a comment written, a detail given."""
    RefundFactory(request=a_claim, amount=Decimal("29.00"), state=Refund.State.SUCCEEDED)
    a_claim.lines.update(reason_detail="Stopped working after a week at Keizersgracht 1")
    # An event holding what the shopper wrote (no step records one yet; erasure must not wait).
    ReturnEvent.objects.create(
        request=a_claim,
        type="returns.customer_message",
        actor=ReturnEvent.Actor.CUSTOMER,
        data={"comment": "Call me on 06-12345678", "items": [{"title": "Desk lamp"}]},
    )
    return [a_return, a_claim]


@pytest.fixture
def bobs(db):
    """Another shopper's claim, which no request about Anna may touch."""
    request = ReturnRequestFactory(customer_email="bob@example.com", comment="Bob's words")
    ReturnLineFactory(request=request, reason_detail="Bob's detail")
    return request


def order_id(request):
    return int(request.order.shopify_id.rsplit("/", 1)[1])


def test_a_data_request_exports_what_the_portal_holds_about_the_shopper(
    deliver, annas, bobs, caplog
):
    a_return, a_claim = annas
    payload = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [order_id(a_claim)],
        "customer": ANNA,
        "data_request": {"id": 9999},
    }

    assert deliver("customers/data_request", payload).status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "processed"
    export = delivery.payload["export"]
    requests = export["return_requests"]
    assert [r["number"] for r in requests] == [a_return.number, a_claim.number]
    claim = requests[1]
    assert claim["customer_email"] == "anna@example.com"
    assert claim["comment"] == "The switch is broken."
    assert claim["lines"][0]["title"] == "Desk lamp" and claim["lines"][0]["unit_price"] == "89.00"
    assert claim["refunds"][0]["amount"] == "29.00"
    assert any(e["data"].get("comment") == "Call me on 06-12345678" for e in claim["events"])
    assert [o["email"] for o in export["orders"]] == ["anna@example.com"]
    assert "Bob" not in str(export)
    assert any("send it to the shop owner" in r.getMessage() for r in caplog.records)


def test_a_redaction_erases_the_shopper_and_keeps_the_money_records(deliver, annas, bobs):
    a_return, a_claim = annas
    payload = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": ANNA,
        "orders_to_redact": [order_id(a_claim)],
    }

    assert deliver("customers/redact", payload).status_code == 200

    assert WebhookDelivery.objects.get().state == "processed"
    for request in ReturnRequest.objects.filter(pk__in=[a_return.pk, a_claim.pk]):
        assert (request.customer_email, request.comment) == (REDACTED_EMAIL, "")
        assert all(line.reason_detail == "" for line in request.lines.all())
    order = ShopifyOrder.objects.get(pk=a_claim.order_id)
    assert order.email == "" and order.data["email"] is None and order.data["note"] is None
    # The customer's name and shipping address go with the email address.
    assert order.customer_name == "" and order.data["customer_name"] is None
    assert order.data["shipping_address"] is None
    assert "Jansen" not in str(order.data) and "Keizersgracht 12" not in str(order.data)
    assert not ReturnRequest.objects.filter(order__customer_name__icontains="Jansen").exists()
    # The refund and the items it paid for stay, to the cent.
    refund = Refund.objects.get(request=a_claim)
    assert (refund.amount, refund.state) == (Decimal("29.00"), "succeeded")
    line = a_claim.lines.get()
    assert (line.title, line.quantity, line.unit_price) == ("Desk lamp", 1, Decimal("89.00"))
    message = ReturnEvent.objects.get(type="returns.customer_message")
    assert message.data == {"comment": "", "items": [{"title": "Desk lamp"}]}
    assert ReturnEvent.objects.filter(request=a_claim, type="returns.requested").exists()
    # Nobody else's data changes.
    bobs.refresh_from_db()
    assert (bobs.customer_email, bobs.comment) == ("bob@example.com", "Bob's words")
    assert bobs.lines.get().reason_detail == "Bob's detail"


def test_a_redaction_also_erases_the_shoppers_export_and_address(deliver, annas):
    request = {"shop_domain": SHOP, "customer": ANNA, "orders_requested": [], "data_request": {}}
    deliver("customers/data_request", request)
    deliver("customers/redact", {"shop_domain": SHOP, "customer": ANNA, "orders_to_redact": []})

    for delivery in WebhookDelivery.objects.all():
        assert "export" not in delivery.payload
        assert delivery.payload["customer"] == {"id": ANNA["id"]}
        assert "anna" not in str(delivery.payload).lower()


def test_a_redaction_twice_is_harmless(deliver, annas):
    payload = {"shop_domain": SHOP, "customer": ANNA, "orders_to_redact": []}
    deliver("customers/redact", payload)
    deliver("customers/redact", payload)

    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["processed"] * 2
    assert set(ReturnRequest.objects.values_list("customer_email", flat=True)) == {REDACTED_EMAIL}
    delivery = WebhookDelivery.objects.first()
    assert services.webhook_delivery_process(delivery_id=delivery.pk).state == "processed"


def test_a_redaction_by_order_alone_finds_the_requests_on_it(deliver, annas):
    a_return, a_claim = annas
    payload = {"shop_domain": SHOP, "customer": {"id": 1}, "orders_to_redact": [order_id(a_claim)]}
    deliver("customers/redact", payload)
    assert set(ReturnRequest.objects.values_list("customer_email", flat=True)) == {REDACTED_EMAIL}


def test_shop_redact_erases_every_shopper(deliver, annas, bobs, devshop):
    # After an uninstall only (tests/returns/test_webhooks_shop_redact.py).
    deliver("app/uninstalled", {"id": 954889, "myshopify_domain": SHOP})
    devshop.app_uninstall()
    assert deliver("shop/redact", {"shop_id": 954889, "shop_domain": SHOP}).status_code == 200

    assert WebhookDelivery.objects.get(topic="shop/redact").state == "processed"
    assert set(ReturnRequest.objects.values_list("customer_email", flat=True)) == {REDACTED_EMAIL}
    assert set(ReturnRequest.objects.values_list("comment", flat=True)) == {""}
    assert set(ShopifyOrder.objects.values_list("email", flat=True)) == {""}
    assert set(ShopifyOrder.objects.values_list("customer_name", flat=True)) == {""}
    assert all(
        order.data.get("shipping_address") is None and "Jansen" not in str(order.data)
        for order in ShopifyOrder.objects.all()
    )
    assert Refund.objects.get().amount == Decimal("29.00")


def test_a_privacy_request_naming_nobody_fails_visibly(deliver, annas):
    deliver("customers/redact", {"shop_domain": SHOP, "customer": {}, "orders_to_redact": []})
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and "neither an email address nor orders" in delivery.error
    assert REDACTED_EMAIL not in ReturnRequest.objects.values_list("customer_email", flat=True)


def test_privacy_webhooks_with_a_wrong_signature_are_unauthorised(deliver, annas):
    payload = {"shop_domain": SHOP, "customer": ANNA, "orders_to_redact": []}
    assert deliver("customers/redact", payload, secret="forged").status_code == 401
    assert not WebhookDelivery.objects.exists()
    assert REDACTED_EMAIL not in ReturnRequest.objects.values_list("customer_email", flat=True)


def test_an_order_delivery_resent_as_a_redaction_erases_nothing(deliver, annas):
    # Only the body is signed: a captured orders/updated (which names its customer) must not
    # work as a customers/redact when someone swaps the topic header.
    order_body = {"id": 7000001, "name": "#1001", "customer": ANNA, "email": ANNA["email"]}
    assert deliver("customers/redact", order_body).status_code == 400

    assert not WebhookDelivery.objects.exists()
    assert REDACTED_EMAIL not in ReturnRequest.objects.values_list("customer_email", flat=True)


def test_a_shop_redaction_whose_body_names_another_shop_erases_nothing(deliver, annas):
    deliver("shop/redact", {"shop_id": 1, "shop_domain": "other-shop.myshopify.com"})
    assert deliver("shop/redact", {"shop_id": 1}).status_code == 400

    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed"]
    assert REDACTED_EMAIL not in ReturnRequest.objects.values_list("customer_email", flat=True)
