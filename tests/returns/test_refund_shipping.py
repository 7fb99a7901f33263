"""A withdrawal from the whole order refunds the standard delivery cost too (Art. 13(1) and (2)
of Directive 2011/83/EU); a withdrawal from some items does not.

Shirts 2 × 39.95 EUR and a lamp 89.00 EUR, delivered for 4.95 EUR: 173.85 EUR paid.
"""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from returns import services
from returns.models import ReturnRequest
from returns.shopify import refunds as shopify_refunds
from returns.shopify.errors import ShopifyRejected
from returns.shopify.orders import order_get
from tests import shop

pytestmark = pytest.mark.django_db

ITEMS, SHIPPING = Decimal("168.90"), Decimal("4.95")


@pytest.fixture
def shipped_order(devshop):
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="nl", items=items)
    data["shippingLines"] = {
        "nodes": [
            {
                "id": "gid://shopify/ShippingLine/1",
                "title": "Standaard verzending",
                "code": "standard",
                "isRemoved": False,
                "originalPriceSet": shop.money("4.95"),
                "discountedPriceSet": shop.money("4.95"),
            }
        ]
    }
    paid = shop.money(f"{ITEMS + SHIPPING:.2f}")
    data["totalPriceSet"] = data["transactions"][0]["amountSet"] = paid
    devshop.load_orders([data])
    return data


def _withdraw(shipped_order, staff, capture, *, quantities=None):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with capture(execute=True):
        declaration = services.withdrawal_declare(
            order=order,
            consumer_name="Anna de Vries",
            email="anna@example.com",
            quantities=quantities,
            reason="",
            locale="nl",
            submission_key=uuid.uuid4(),
        )
        request = declaration.return_request
        services.return_receive(
            request_id=request.pk,
            user=staff,
            received={line.pk: line.quantity for line in request.lines.all()},
            restock=True,
        )
    return ReturnRequest.objects.get(pk=request.pk)


@pytest.fixture
def whole(shipped_order, staff, django_capture_on_commit_callbacks):
    return _withdraw(shipped_order, staff, django_capture_on_commit_callbacks)


def _refund(request, staff, amount, capture):
    quote = services.refund_quote(request=request)
    with capture(execute=True):
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal(amount),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    made.refresh_from_db()
    return made


def test_the_order_copy_knows_its_delivery_cost(shipped_order):
    order = order_get(shipped_order["id"])
    assert order.shipping_price.amount == SHIPPING
    assert [line.title for line in order.shipping_lines] == ["Standaard verzending"]


def test_a_whole_order_withdrawal_proposes_items_and_delivery_and_shopify_refunds_both(
    whole, staff, django_capture_on_commit_callbacks
):
    quote = services.refund_quote(request=whole)
    assert (quote.suggested, quote.maximum, quote.shipping) == (
        ITEMS + SHIPPING,
        ITEMS + SHIPPING,
        SHIPPING,
    )
    made = _refund(whole, staff, quote.suggested, django_capture_on_commit_callbacks)
    assert made.state == "succeeded" and made.shipping == SHIPPING
    order = order_get(whole.order.shopify_id)
    assert order.total_refunded.amount == ITEMS + SHIPPING
    # Shopify books the shipping as refunded: nothing of it is left to suggest.
    again = shopify_refunds.refund_suggest(whole.order.shopify_id, [], refund_shipping=True)
    assert again.shipping.amount == 0 and again.shipping_maximum.amount == 0


def test_a_refund_of_the_items_alone_gives_back_no_delivery_cost(
    whole, staff, django_capture_on_commit_callbacks
):
    made = _refund(whole, staff, ITEMS, django_capture_on_commit_callbacks)
    assert made.state == "succeeded" and made.shipping == 0
    rest = _refund(whole, staff, SHIPPING, django_capture_on_commit_callbacks)
    assert rest.state == "succeeded" and rest.shipping == SHIPPING


def test_the_cap_holds_items_and_delivery_never_above_what_was_paid(
    whole, staff, django_capture_on_commit_callbacks
):
    with pytest.raises(services.ReturnError):
        _refund(
            whole, staff, ITEMS + SHIPPING + Decimal("0.01"), django_capture_on_commit_callbacks
        )
    _refund(whole, staff, ITEMS + SHIPPING, django_capture_on_commit_callbacks)
    assert services.refund_quote(request=whole).maximum == 0


def test_a_withdrawal_from_some_items_does_not_refund_the_delivery_cost(
    shipped_order, staff, django_capture_on_commit_callbacks
):
    lamp = shipped_order["lineItems"]["nodes"][1]["id"]
    request = _withdraw(
        shipped_order, staff, django_capture_on_commit_callbacks, quantities={lamp: 1}
    )
    quote = services.refund_quote(request=request)
    assert (quote.suggested, quote.maximum, quote.shipping) == (Decimal("89.00"),) * 2 + (0,)
    with pytest.raises(services.ReturnError):
        _refund(request, staff, "93.95", django_capture_on_commit_callbacks)


def test_staff_read_that_the_delivery_cost_is_included_and_why(admin_client, whole):
    url = reverse("admin:returns_returnrequest_refund", args=[whole.pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Standardlieferkosten von 4,95 EUR" in page
    assert "Art. 13 der Richtlinie 2011/83/EU" in page


def test_shopify_refuses_more_delivery_cost_than_was_charged(shipped_order):
    order_id = shipped_order["id"]
    with pytest.raises(ShopifyRejected, match="Shipping refund amount 5.00"):
        shopify_refunds.refund_create(
            order_id=order_id,
            amount=Decimal("5.00"),
            currency="EUR",
            lines=[],
            restock=False,
            notify=False,
            note="too much shipping",
            idempotency_key=str(uuid.uuid4()),
            shipping=Decimal("5.00"),
        )
    assert order_get(order_id).total_refunded.amount == 0
