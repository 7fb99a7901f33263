"""The withdrawal function: two steps, one declaration, one receipt with its PDF, what follows."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from returns import services
from returns.models import ReturnRequest, ReturnStatus, WithdrawalDeclaration
from tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(name, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse(f"returns:{name}"), data)

    return post


def identify(post, order="1001", email="anna@example.com", name="Anna de Vries"):
    return post("withdraw", {"consumer_name": name, "order_number": order, "email": email})


def withdraw_whole(post, reason=""):
    identify(post)
    post("withdraw_choose", {"scope": "whole", "reason": reason})


def confirm(client, post):
    page = client.get(reverse("returns:withdraw_confirm")).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return post("withdraw_confirm", {"submission_key": key}), key


def test_every_shopper_page_links_the_withdrawal_function(client, a_return):
    for url in (reverse("returns:start"), reverse("returns:status", args=[a_return.token])):
        html = client.get(url).content.decode()
        assert 'id="withdraw-link"' in html and reverse("returns:withdraw") in html


def test_a_whole_order_withdrawal_without_reason_gives_one_declaration_and_a_receipt_with_pdf(
    client, post, shop_order
):
    withdraw_whole(post)
    response, key = confirm(client, post)
    assert response.status_code == 302

    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.whole_order and declaration.reason == ""
    assert declaration.received_at.microsecond == 0
    assert [(line["title"], line["quantity"]) for line in declaration.lines] == [
        ("Linen shirt", 2),
        ("Desk lamp", 1),
    ]
    request = declaration.return_request
    assert request.kind == "return" and request.status == ReturnStatus.REQUESTED
    # One email: the receipt (no separate "return registered" email), in Dutch, with its PDF.
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["anna@example.com"]
    assert "herroeping" in receipt.subject.lower()
    assert re.search(r"\d{2}:\d{2}:\d{2} CES?T \(UTC\+0[12]:00\)", receipt.body)
    assert "#1001" in receipt.body and "Linen shirt" in receipt.body
    ((name, pdf, kind),) = receipt.attachments
    assert kind == "application/pdf" and pdf.startswith(b"%PDF")
    assert receipt.extra_headers["Message-ID"] == declaration.receipt_message_id
    declaration.refresh_from_db()
    assert bytes(declaration.receipt_pdf) == pdf

    # A double click on the confirmation: the same declaration, no second receipt.
    again = post("withdraw_confirm", {"submission_key": key})
    assert again.status_code == 302 and again.url == response.url
    assert WithdrawalDeclaration.objects.count() == 1 and len(mail.outbox) == 1


def test_some_items_with_a_reason(client, post, shop_order):
    identify(post)
    lamp = shop_order["lineItems"]["nodes"][1]["id"].rsplit("/", 1)[1]
    post("withdraw_choose", {"scope": "some", f"quantity_{lamp}": "1", "reason": "Te groot"})
    confirm(client, post)
    declaration = WithdrawalDeclaration.objects.get()
    assert not declaration.whole_order and declaration.reason == "Te groot"
    assert [line["title"] for line in declaration.lines] == ["Desk lamp"]


def test_an_unknown_order_is_refused_with_the_lookup_message(post):
    response = identify(post, order="9999")
    assert response.status_code == 200
    assert "We konden geen bestelling vinden" in response.content.decode() or (
        "could not find" in response.content.decode()
    )
    assert not WithdrawalDeclaration.objects.exists()


def test_items_already_withdrawn_cannot_be_withdrawn_again(client, post, shop_order):
    withdraw_whole(post)
    confirm(client, post)
    identify(post)
    page = client.get(reverse("returns:withdraw_choose")).content.decode()
    assert 'id="withdrawal-refused"' in page
    assert WithdrawalDeclaration.objects.count() == 1


def test_refunded_items_cannot_be_withdrawn_from(devshop, post, client):
    items = [shop.line_item("Linen shirt", quantity=1, refundable=0)]
    devshop.load_orders([shop.order("#1001", email="anna@example.com", items=items)])
    identify(post)
    page = client.get(reverse("returns:withdraw_choose")).content.decode()
    assert 'id="withdrawal-refused"' in page


def test_refused_after_the_period_with_the_reason(devshop, post, client, settings):
    settings.RETURN_WINDOW_DAYS = 14
    order = shop.order(
        "#1001", email="anna@example.com", shipped_days_ago=40, delivered_days_ago=38
    )
    devshop.load_orders([order])
    identify(post)
    page = client.get(reverse("returns:withdraw_choose")).content.decode()
    assert 'id="withdrawal-refused"' in page and "14" in page


def test_an_unshipped_order_is_cancelled_in_shopify_by_staff(
    devshop, post, client, staff, django_capture_on_commit_callbacks
):
    order = shop.order("#1001", email="anna@example.com", shipped_days_ago=None)
    devshop.load_orders([order])
    withdraw_whole(post)
    confirm(client, post)
    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.outcome == "cancellation"
    assert "niets terug te sturen" in mail.outbox[0].body or "terugsturen" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        services.withdrawal_order_cancel(request_id=declaration.return_request_id, user=staff)
    request = ReturnRequest.objects.get()
    assert request.status == ReturnStatus.RESOLVED
    cancelled = devshop.order_by_name("#1001")
    assert cancelled["cancelledAt"] and cancelled["displayFinancialStatus"] == "REFUNDED"
    # Twice is harmless.
    services.withdrawal_order_cancel(request_id=request.pk, user=staff)
    assert len(devshop.order_by_name("#1001")["refunds"]) == 1


def test_the_declaration_is_never_edited(post, client, shop_order):
    withdraw_whole(post)
    confirm(client, post)
    declaration = WithdrawalDeclaration.objects.get()
    declaration.reason = "changed"
    with pytest.raises(ValueError):
        declaration.save()
    with pytest.raises(ValueError):
        declaration.delete()


def test_a_name_is_required_but_no_account(post):
    response = identify(post, name="")
    assert response.status_code == 200 and not WithdrawalDeclaration.objects.exists()


def test_staff_download_the_receipt_pdf(admin_client, post, client, shop_order):
    withdraw_whole(post)
    confirm(client, post)
    declaration = WithdrawalDeclaration.objects.get()
    page = admin_client.get(
        reverse("admin:returns_withdrawaldeclaration_change", args=[declaration.pk])
    )
    assert page.status_code == 200
    pdf = admin_client.get(
        reverse("admin:returns_withdrawaldeclaration_pdf", args=[declaration.pk])
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_declare_twice_with_one_key_is_one_declaration(
    shop_order, django_capture_on_commit_callbacks
):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.withdrawal_declare(
            order=order,
            consumer_name="Anna",
            email="anna@example.com",
            quantities=None,
            reason="",
            locale="de",
            submission_key=key,
        )
    second = services.withdrawal_declare(
        order=order,
        consumer_name="Anna",
        email="anna@example.com",
        quantities=None,
        reason="",
        locale="de",
        submission_key=key,
    )
    assert first.pk == second.pk and len(mail.outbox) == 1
    assert "Widerruf" in mail.outbox[0].subject


def _declared(post, client):
    withdraw_whole(post, reason="Te groot")
    confirm(client, post)
    return WithdrawalDeclaration.objects.get()


def test_a_customers_redact_erases_the_person_from_the_declaration(
    post, client, shop_order, settings, django_capture_on_commit_callbacks
):
    from tests.returns.test_webhooks_privacy import ANNA
    from tests.webhooks import SECRET, SHOP, deliverer

    settings.SHOPIFY_CLIENT_SECRET = SECRET
    declaration = _declared(post, client)
    deliver = deliverer(client, django_capture_on_commit_callbacks)
    payload = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": {**ANNA, "email": "anna@example.com"},
        "orders_to_redact": [int(shop_order["id"].rsplit("/", 1)[1])],
    }
    assert deliver("customers/redact", payload).status_code == 200
    declaration.refresh_from_db()
    assert declaration.consumer_name == "" and declaration.reason == ""
    assert declaration.email.endswith(".invalid") and not bytes(declaration.receipt_pdf)
    # What was declared, and when, stays: the items and the time.
    assert declaration.lines and declaration.received_at
