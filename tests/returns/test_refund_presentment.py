"""A EUR shop's order paid in Swiss francs: refunded in francs, shown to the shopper in francs,
to staff in francs with Shopify's booking in euros beside it, and never above what was paid in
either currency.

Shirts 2 × 39.95 EUR and a lamp 89.00 EUR, sold at 0.96 CHF to the euro: 2 × 38.35 CHF and
85.44 CHF, 162.14 CHF paid, booked as 168.90 EUR.
"""

import json
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from returns import money, services
from returns.models import Refund, ReturnRequest
from returns.shopify import refunds as shopify_refunds
from returns.shopify.orders import order_get
from returns.shopify.types import Money, Order
from tests import shop

pytestmark = pytest.mark.django_db

RATE = Decimal("0.96")
SHIRTS_CHF, SHIRTS_EUR = Decimal("76.70"), Decimal("79.90")
LAMP_CHF = Decimal("85.44")


@pytest.fixture
def swiss_order(devshop):
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="nl", items=items)
    data = shop.presented_in(data, "CHF", RATE)
    devshop.load_orders([data])
    return data


def _file_return(swiss_order, staff, index, quantity, capture):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    line_id = swiss_order["lineItems"]["nodes"][index]["id"]
    with capture(execute=True):
        request = services.return_request_create(
            order=order,
            quantities={line_id: quantity},
            reason="not_satisfied",
            comment="",
            locale="nl",
        )
        line = request.lines.get()
        services.return_receive(
            request_id=request.pk, user=staff, received={line.pk: quantity}, restock=True
        )
    return ReturnRequest.objects.get(pk=request.pk)


@pytest.fixture
def shirts(swiss_order, staff, django_capture_on_commit_callbacks):
    """A return of both shirts, received."""
    return _file_return(swiss_order, staff, 0, 2, django_capture_on_commit_callbacks)


def refund(request, staff, amount, capture, *, currency="CHF", shopify_maximum=None):
    quote = services.refund_quote(request=request)
    with capture(execute=True):
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal(amount),
            currency=currency,
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum if shopify_maximum is None else shopify_maximum,
        )
    made.refresh_from_db()
    return made


def bags(devshop, key="totalRefundedSet"):
    order = devshop.order_by_name("#1001")
    return {kind: (value["amount"], value["currencyCode"]) for kind, value in order[key].items()}


def test_the_order_is_read_in_the_customers_currency_with_the_shops_beside_it(swiss_order):
    order = order_get(swiss_order["id"])

    assert (order.currency, order.shop_currency) == ("CHF", "EUR")
    assert order.total_price == Money(
        Decimal("162.14"), "CHF", shop=Money(Decimal("168.90"), "EUR")
    )
    assert order.line_items[0].unit_price.amount == Decimal("38.35")
    # The local copy keeps both and reads back the same.
    assert Order.from_json(json.loads(json.dumps(order.to_json()))) == order


def test_the_quote_is_in_francs_with_shopifys_booking_in_euros(shirts):
    quote = services.refund_quote(request=shirts)

    assert (quote.suggested, quote.maximum, quote.currency) == (SHIRTS_CHF, SHIRTS_CHF, "CHF")
    assert quote.suggested_money.shop == Money(SHIRTS_EUR, "EUR")
    assert shirts.lines.get().currency == "CHF"


def test_a_full_refund_is_made_in_francs_and_tells_the_shopper_in_francs(
    shirts, staff, devshop, client, django_capture_on_commit_callbacks
):
    made = refund(shirts, staff, "76.70", django_capture_on_commit_callbacks)

    assert (made.state, made.amount, made.currency) == ("succeeded", SHIRTS_CHF, "CHF")
    (shopify_refund,) = devshop.order_by_name("#1001")["refunds"]
    assert shopify_refund["totalRefundedSet"] == {
        "presentmentMoney": {"amount": "76.70", "currencyCode": "CHF"},
        "shopMoney": {"amount": "79.90", "currencyCode": "EUR"},
    }
    # Shopify's booking in euros, recorded from its answer.
    assert (made.shop_amount, made.shop_currency) == (SHIRTS_EUR, "EUR")
    # The shopper's email (in their Dutch) and status page say francs, never euros.
    email = mail.outbox[-1].body
    assert money.format_amount(SHIRTS_CHF, "CHF", language="nl") in email
    assert "EUR" not in email and "€" not in email
    page = client.get(reverse("returns:status", args=[shirts.token])).content.decode()
    assert money.format_amount(SHIRTS_CHF, "CHF", language="en") in page
    assert "€" not in page


def test_partial_refunds_are_capped_in_francs(
    shirts, staff, devshop, django_capture_on_commit_callbacks
):
    refund(shirts, staff, "30.00", django_capture_on_commit_callbacks)

    quote = services.refund_quote(request=shirts)
    assert quote.maximum == Decimal("46.70")
    with translation.override("en"), pytest.raises(services.ReturnError) as refused:
        refund(shirts, staff, "46.71", django_capture_on_commit_callbacks)
    assert "46.70 CHF" in str(refused.value.message)

    rest = refund(shirts, staff, "46.70", django_capture_on_commit_callbacks)
    assert rest.state == "succeeded"
    assert bags(devshop)["presentmentMoney"] == ("76.70", "CHF")
    # Each refund's euros as Shopify booked them; together never more than the shirts' euros.
    made = Refund.objects.filter(request=shirts, state="succeeded")
    assert sum(r.shop_amount for r in made) == Decimal(bags(devshop)["shopMoney"][0])
    assert Decimal(bags(devshop)["shopMoney"][0]) <= SHIRTS_EUR


def test_a_refund_in_the_shops_currency_is_refused_before_shopify_is_asked(
    shirts, staff, devshop, django_capture_on_commit_callbacks
):
    with pytest.raises(services.ReturnError):
        refund(shirts, staff, "10.00", django_capture_on_commit_callbacks, currency="EUR")

    assert not Refund.objects.exists()
    assert devshop.order_by_name("#1001")["refunds"] == []


def test_an_amount_above_what_shopify_allows_never_moves_money(
    shirts, staff, devshop, django_capture_on_commit_callbacks
):
    # A hostile (or stale) form claiming Shopify allows more than it does: the portal's own cap
    # on the request's items stops it, and Shopify's cap in francs stops what gets past that.
    with pytest.raises(services.ReturnError):
        refund(
            shirts,
            staff,
            "80.00",
            django_capture_on_commit_callbacks,
            shopify_maximum=Decimal("1000.00"),
        )
    shopify_refunds.refund_create(
        order_id=shirts.order.shopify_id,
        amount=Decimal("100.00"),
        currency="CHF",
        lines=[],
        restock=False,
        notify=False,
        note="elsewhere",
        idempotency_key="made-in-shopify-admin",
    )
    # Only 62.14 CHF is left in Shopify; the form's stale maximum says 162.14.
    made = refund(
        shirts,
        staff,
        "76.70",
        django_capture_on_commit_callbacks,
        shopify_maximum=Decimal("162.14"),
    )

    assert made.state == "failed" and "62.14 CHF" in made.error
    assert bags(devshop)["presentmentMoney"] == ("100.00", "CHF")


def test_a_partly_refunded_order_offers_only_what_is_left_in_francs(
    swiss_order, staff, devshop, django_capture_on_commit_callbacks
):
    lamp = _file_return(swiss_order, staff, 1, 1, django_capture_on_commit_callbacks)
    refund(lamp, staff, "85.44", django_capture_on_commit_callbacks)
    shirts = _file_return(swiss_order, staff, 0, 2, django_capture_on_commit_callbacks)

    quote = services.refund_quote(request=shirts)
    assert (quote.shopify_maximum, quote.maximum) == (SHIRTS_CHF, SHIRTS_CHF)
    made = refund(shirts, staff, "76.70", django_capture_on_commit_callbacks)

    assert made.state == "succeeded"
    # Everything refunded: exactly what was paid, in francs and in the shop's euros.
    assert bags(devshop) == {
        "presentmentMoney": ("162.14", "CHF"),
        "shopMoney": ("168.90", "EUR"),
    }
    assert services.refund_quote(request=shirts).maximum == 0


def test_staff_see_francs_and_shopifys_euros(
    shirts, staff, client, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("admin:returns_returnrequest_refund", args=[shirts.pk])

    form = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "76.70\xa0CHF (≈ 79.90\xa0EUR in the shop’s currency)" in form.replace("&#x27;", "’")

    review = client.post(url, {"amount": "30.00", "currency": "CHF"}, HTTP_ACCEPT_LANGUAGE="en")
    html = review.content.decode()
    assert "CHF\xa030.00" in html
    assert "about 31.25\xa0EUR in the shop" in html

    refund(shirts, staff, "30.00", django_capture_on_commit_callbacks)
    change = client.get(
        reverse("admin:returns_returnrequest_change", args=[shirts.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "162.14\xa0CHF (≈ 168.90\xa0EUR in the shop" in change
    made = Refund.objects.get(request=shirts)
    assert money.format_with_code(made.shop_amount, "EUR") in change


def test_a_request_filed_in_the_shops_currency_is_refunded_in_the_customers(
    shirts, staff, django_capture_on_commit_callbacks
):
    # As stored before the portal read orders in the customer's currency: euros throughout.
    shirts.order.__class__.objects.filter(pk=shirts.order_id).update(currency="EUR")
    shirts.lines.update(currency="EUR", unit_price=Decimal("39.95"))
    shirts = ReturnRequest.objects.get(pk=shirts.pk)

    quote = services.refund_quote(request=shirts)

    # The order's copy is read again, and the shirts count at what was paid for them in francs.
    assert (quote.currency, quote.maximum) == ("CHF", SHIRTS_CHF)
    made = refund(shirts, staff, "76.70", django_capture_on_commit_callbacks)
    assert (made.state, made.currency) == ("succeeded", "CHF")
