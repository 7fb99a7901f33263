"""Staff type amounts and dates in their own language and get exactly what they typed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import Refund, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(a_return, staff):
    line = a_return.lines.get()
    services.return_receive(request_id=a_return.pk, user=staff, received={line.pk: 2}, restock=True)
    return ReturnRequest.objects.get(pk=a_return.pk)


def refund_url(request):
    return reverse("admin:returns_returnrequest_refund", args=[request.pk])


def amount_input(html):
    return re.search(r'<input[^>]*name="amount"[^>]*>', html).group(0)


@pytest.mark.parametrize(
    "language, typed, shown, sent",
    [
        ("nl", "29,00", "€\xa029,00", "29.00"),
        ("nl", "2,5", "€\xa02,50", "2.50"),
        ("de", "29,00", "29,00\xa0€", "29.00"),
        ("de", "2,5", "2,50\xa0€", "2.50"),
        ("en", "29.00", "€29.00", "29.00"),
        ("en", "2.5", "€2.50", "2.50"),
    ],
)
def test_an_amount_typed_with_the_languages_decimal_separator_is_confirmed_exactly(
    received, client, staff, language, typed, shown, sent
):
    client.force_login(staff)
    review = client.post(
        refund_url(received), {"amount": typed, "currency": "EUR"}, HTTP_ACCEPT_LANGUAGE=language
    )
    html = review.content.decode()
    assert f"<strong>{shown}</strong>" in html
    assert f'value="{sent}"' in amount_input(html)


@pytest.mark.parametrize(
    "language, typed, message",
    [
        ("nl", "1_0", "Vul het bedrag in cijfers in, met “,” voor de decimalen, bijv. 29,00."),
        ("nl", "29.00", "Vul het bedrag in cijfers in, met “,” voor de decimalen, bijv. 29,00."),
        (
            "de",
            "1.234",
            "„1.234“ kann auf zwei Arten gelesen werden. Schreiben Sie 1234 oder 1,234.",
        ),
        (
            "de",
            "1e1",
            "Bitte geben Sie den Betrag in Ziffern ein, mit „,“ vor den Nachkommastellen",
        ),
        ("de", "2,555", "Beträge in EUR haben höchstens 2 Nachkommastellen, z. B. 29,00."),
        ("en", "29,00", "Enter the amount in digits, with “.” before the decimals, e.g. 29.00."),
        ("en", "NaN", "Enter the amount in digits"),
        ("en", "Infinity", "Enter the amount in digits"),
    ],
)
def test_an_amount_that_could_be_misread_is_refused_in_the_staff_language(
    received, client, staff, devshop, language, typed, message
):
    client.force_login(staff)
    response = client.post(
        refund_url(received), {"amount": typed, "currency": "EUR"}, HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert message in html
    assert "submission_key" not in html
    assert not Refund.objects.exists()


@pytest.mark.parametrize("language, value", [("nl", "79,90"), ("de", "79,90"), ("en", "79.90")])
def test_the_amount_field_is_a_text_input_for_decimals_filled_in_the_staff_language(
    received, client, staff, language, value
):
    client.force_login(staff)
    html = client.get(refund_url(received), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    field = amount_input(html)
    assert 'type="text"' in field and 'inputmode="decimal"' in field
    assert f'value="{value}"' in field


def test_the_confirmation_refunds_what_was_confirmed_whatever_the_language(
    received, client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    review = client.post(
        refund_url(received), {"amount": "29,00", "currency": "EUR"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    key = review.context["form"].initial["submission_key"]
    data = {"amount": "29.00", "currency": "EUR", "submission_key": key, "confirm": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(refund_url(received), data, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(refund.amount.normalize()) for refund in Refund.objects.all()] == ["29"]


def test_a_confirmation_sent_back_shows_the_amount_in_the_staff_language(received, client, staff):
    """Refused at the confirmation (too much by now): the first step again, in Dutch figures."""
    client.force_login(staff)
    data = {"amount": "80.00", "currency": "EUR", "submission_key": "0" * 32, "confirm": "1"}
    html = client.post(refund_url(received), data, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'value="80,00"' in amount_input(html)
    assert "Er kan nog maximaal 79,90 EUR worden terugbetaald." in html


@pytest.mark.parametrize("language", ["nl", "de", "en"])
def test_the_shipping_date_is_filled_in_with_today_in_every_language(
    a_claim, client, staff, language
):
    client.force_login(staff)
    url = reverse("admin:returns_returnrequest_ship", args=[a_claim.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    field = re.search(r'<input[^>]*name="shipped_on"[^>]*>', html).group(0)
    assert 'type="date"' in field
    assert f'value="{timezone.localdate().isoformat()}"' in field


@pytest.mark.parametrize("language", ["nl", "de"])
def test_a_replacement_is_logged_with_the_date_the_browser_sends(a_claim, client, staff, language):
    client.force_login(staff)
    services.return_approve(request_id=a_claim.pk, user=staff)
    url = reverse("admin:returns_returnrequest_ship", args=[a_claim.pk])
    today = timezone.localdate()
    data = {"carrier": "dhl", "tracking_number": "00340434161234567890", "shipped_on": str(today)}
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    assert ReturnRequest.objects.get(pk=a_claim.pk).replacements.get().shipped_on == today
