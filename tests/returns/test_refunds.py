"""Money is sacred: refunds happen through Shopify exactly once and never above what was paid."""

import time
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from returns import services
from returns.models import Refund, ReturnRequest

pytestmark = pytest.mark.django_db

SHIRTS = Decimal("79.90")  # 2 × 39.95


@pytest.fixture
def received(a_return, staff, django_capture_on_commit_callbacks):
    """Both shirts back, restocked; its Shopify Return open and disposed, so a refund of its items
    is made by returnProcess on that Return."""
    line = a_return.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_receive(
            request_id=a_return.pk, user=staff, received={line.pk: 2}, restock=True
        )
    return ReturnRequest.objects.get(pk=a_return.pk)


@pytest.fixture
def refund(received, staff, devshop, django_capture_on_commit_callbacks):
    def refund(amount, *, run=True, key=None, currency="EUR", fault=None):
        quote = services.refund_quote(request=received)
        if fault:
            devshop.add_fault(fault)
        with django_capture_on_commit_callbacks(execute=run):
            return services.refund_request(
                request_id=received.pk,
                user=staff,
                amount=Decimal(amount),
                currency=currency,
                restock=True,
                notify=False,
                shopify_maximum=quote.shopify_maximum,
                submission_key=key,
            )

    return refund


def shopify_refunds(devshop, name="#1001"):
    return devshop.order_by_name(name)["refunds"]


def committed_meanwhile(devshop, name="#1001"):
    """Wait for devshop to finish the request the client gave up on; True once it refunded."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if shopify_refunds(devshop, name):
            return True
        time.sleep(0.05)
    return False


def test_the_quote_comes_from_shopify_for_the_returned_items(received):
    quote = services.refund_quote(request=received)
    assert (quote.suggested, quote.maximum, quote.currency) == (SHIRTS, SHIRTS, "EUR")


def test_a_partial_refund_moves_the_money_and_tells_everyone(refund, received, devshop, client):
    made = refund("29.00")
    made.refresh_from_db()
    assert made.state == "succeeded" and made.shopify_refund_id
    refunds = shopify_refunds(devshop)
    assert len(refunds) == 1
    assert refunds[0]["totalRefundedSet"]["shopMoney"]["amount"] in ("29.0", "29.00")
    order = devshop.order_by_name("#1001")
    assert "return-refunded" in order["tags"] and "refunded 29.00 EUR" in order["note"]
    assert ReturnRequest.objects.get(pk=received.pk).status == "resolved"
    # The email goes out in the shopper's Dutch; the page follows the browser (English here).
    assert "€\xa029,00" in mail.outbox[-1].body
    assert "€29.00" in client.get(reverse("returns:status", args=[received.token])).content.decode()


def test_a_refund_above_the_maximum_is_refused(refund, devshop):
    with pytest.raises(services.ReturnError) as refused:
        refund("79.91")
    assert "79.90" in str(refused.value.message)
    assert not Refund.objects.exists() and shopify_refunds(devshop) == []


def test_two_refunds_together_above_the_maximum_are_refused(refund, devshop):
    refund("50.00")
    with pytest.raises(services.ReturnError):
        refund("29.91")
    refund("29.90")
    assert [r["totalRefundedSet"]["shopMoney"]["amount"] for r in shopify_refunds(devshop)]
    assert sum(Refund.objects.values_list("amount", flat=True)) == SHIRTS


def test_a_pending_refund_counts_against_the_maximum(refund, devshop):
    refund("79.90", run=False)
    with pytest.raises(services.ReturnError):
        refund("0.01", run=False)
    assert Refund.objects.get().state == "pending"


@pytest.mark.parametrize("amount", ["0", "-5.00", "29.001", "NaN"])
def test_impossible_amounts_are_refused(refund, amount, devshop):
    with pytest.raises(services.ReturnError):
        refund(amount)
    assert not Refund.objects.exists() and shopify_refunds(devshop) == []


def test_a_refund_in_another_currency_is_refused(refund):
    with pytest.raises(services.ReturnError) as refused:
        refund("10.00", currency="USD")
    assert "EUR" in str(refused.value.message)


def test_the_same_confirmation_twice_refunds_once(refund, devshop):
    key = uuid.uuid4()
    first, second = refund("10.00", key=key), refund("10.00", key=key)
    assert first.pk == second.pk
    assert len(shopify_refunds(devshop)) == 1


def test_shopifys_refusal_leaves_a_visible_failed_refund(refund, devshop):
    made = refund("10.00", fault="user_errors")
    made.refresh_from_db()
    assert made.state == "failed" and made.error
    assert shopify_refunds(devshop) == []


@pytest.mark.parametrize("fault", ["http_503", "throttled", "http_429"])
def test_an_outage_leaves_the_refund_pending_and_a_retry_completes_it(refund, devshop, fault):
    made = refund("10.00", fault=fault)
    made.refresh_from_db()
    assert made.state == "pending" and made.error and made.attempts == 1
    services.refund_execute(refund_id=made.pk)
    made.refresh_from_db()
    assert made.state == "succeeded" and made.attempts == 2
    assert len(shopify_refunds(devshop)) == 1


def test_a_timeout_after_shopify_refunded_still_ends_with_one_refund(refund, devshop, settings):
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    made = refund("10.00", fault="mutation_timeout")
    made.refresh_from_db()
    assert made.state == "pending"
    assert committed_meanwhile(devshop)  # Shopify made the refund; we never heard back
    services.refund_execute(refund_id=made.pk)
    made.refresh_from_db()
    assert made.state == "succeeded"
    assert len(shopify_refunds(devshop)) == 1


def test_running_a_finished_refund_again_does_nothing(refund, devshop):
    made = refund("10.00")
    services.refund_execute(refund_id=made.pk)
    assert len(shopify_refunds(devshop)) == 1
    assert Refund.objects.get().attempts == 1


def test_a_requested_return_cannot_be_refunded_yet(a_return, staff):
    with pytest.raises(services.ReturnError):
        services.refund_request(
            request_id=a_return.pk,
            user=staff,
            amount=Decimal("10.00"),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=SHIRTS,
        )


def test_the_refund_screen_confirms_amount_and_currency_before_money_moves(
    received, client, staff, devshop, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("admin:returns_returnrequest_refund", args=[received.pk])
    form = client.get(url).content.decode()
    assert 'value="79.90"' in form
    review = client.post(url, {"amount": "29.00", "currency": "EUR", "restock": "on"})
    assert "Refund <strong>€29.00</strong>" in review.content.decode()
    assert shopify_refunds(devshop) == []
    key = review.context["form"].initial["submission_key"]
    data = {"amount": "29.00", "currency": "EUR", "restock": "True", "notify": "False"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**data, "submission_key": key, "confirm": "1"})
        client.post(url, {**data, "submission_key": key, "confirm": "1"})
    assert len(shopify_refunds(devshop)) == 1


@pytest.mark.parametrize(
    "amount, currency, message",
    [
        ("0", "EUR", "greater than 0"),
        ("-1", "EUR", "without a sign"),
        ("29.001", "EUR", "at most 2 decimals"),
        ("80.00", "EUR", "At most 79.90 EUR"),
        ("10.00", "USD", "paid in EUR"),
        ("abc", "EUR", "Enter the amount in digits"),
    ],
)
def test_bad_refund_amounts_get_a_clear_message(
    received, client, staff, devshop, amount, currency, message
):
    client.force_login(staff)
    url = reverse("admin:returns_returnrequest_refund", args=[received.pk])
    response = client.post(url, {"amount": amount, "currency": currency})
    assert message in response.content.decode()
    assert not Refund.objects.exists() and shopify_refunds(devshop) == []


def test_shopify_down_when_the_refund_form_opens_is_explained(received, client, staff, devshop):
    client.force_login(staff)
    devshop.add_fault("http_503")
    response = client.get(
        reverse("admin:returns_returnrequest_refund", args=[received.pk]), follow=True
    )
    assert "could not be asked" in response.content.decode()


def test_a_timeout_on_an_order_paid_twice_still_ends_with_one_refund(
    devshop, staff, settings, django_capture_on_commit_callbacks
):
    """Gift card and card: the split over both payments is planned once and resent unchanged."""
    from tests import shop

    data = shop.order(
        "#1077", email="tim@example.com", items=[shop.line_item(quantity=2, price="39.95")]
    )
    card = data["transactions"][0]
    card["amountSet"] = shop.money("59.90")
    gift_card = {
        **card,
        "id": card["id"] + "1",
        "gateway": "gift_card",
        "amountSet": shop.money("20.00"),
    }
    data["transactions"] = [gift_card, card]
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1077", email="tim@example.com")
    line_id = data["lineItems"]["nodes"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        request = services.return_request_create(
            order=order, quantities={line_id: 2}, reason="not_satisfied", comment="", locale="en"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=request.pk, user=staff)
    quote = services.refund_quote(request=request)
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal("79.90"),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
        devshop.add_fault("mutation_timeout")
    made.refresh_from_db()
    assert made.state == "pending" and len(made.transactions) == 2
    assert committed_meanwhile(devshop, "#1077")
    services.refund_execute(refund_id=made.pk)
    made.refresh_from_db()
    assert made.state == "succeeded"
    assert len(devshop.order_by_name("#1077")["refunds"]) == 1
