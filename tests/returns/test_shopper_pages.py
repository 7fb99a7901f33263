"""The shopper's pages show only what applies to their request."""

import pytest
from django.core import mail
from django.urls import reverse

from returns import services

pytestmark = pytest.mark.django_db

ADDRESS = "Retourstraat 1"


def status_page(client, request):
    url = reverse("returns:status", args=[request.token])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def shows_return_slip(html):
    return ADDRESS in html and 'class="return-slip"' in html and "data-print" in html


def test_a_withdrawal_shows_the_return_address_and_slip_until_it_is_approved_and_after(
    client, a_return, staff
):
    assert shows_return_slip(status_page(client, a_return))
    services.return_approve(request_id=a_return.pk, user=staff)
    assert shows_return_slip(status_page(client, a_return))


def test_a_rejected_request_offers_no_return_slip_or_address(client, a_return, staff):
    services.return_reject(request_id=a_return.pk, user=staff, reason="Worn and washed.")
    html = status_page(client, a_return)
    assert "Worn and washed." in html
    assert ADDRESS not in html and 'class="return-slip"' not in html
    assert "Retourbon afdrukken" not in html


def test_a_replacement_claim_keeps_the_item_and_gets_no_address_or_slip(client, a_claim, staff):
    for html in (
        status_page(client, a_claim),
        client.get(
            reverse("returns:submitted", args=[a_claim.token]), HTTP_ACCEPT_LANGUAGE="nl"
        ).content.decode(),
    ):
        assert "U hoeft het defecte artikel niet terug te sturen" in html
        assert ADDRESS not in html and 'class="return-slip"' not in html
    assert ADDRESS not in mail.outbox[0].body
    services.return_approve(request_id=a_claim.pk, user=staff)
    assert not shows_return_slip(status_page(client, a_claim))


def test_a_repair_claim_shows_where_to_send_the_item_once_the_repair_is_accepted(
    client, shop_order, django_capture_on_commit_callbacks, staff
):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.return_request_create(
            order=order,
            quantities={shop_order["lineItems"]["nodes"][1]["id"]: 1},
            reason="defect",
            remedy="repair",
            comment="The switch is broken.",
            locale="nl",
        )
    html = status_page(client, claim)
    assert "Zodra we de reparatie hebben geaccepteerd" in html
    assert ADDRESS not in html and ADDRESS not in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=claim.pk, user=staff)
    html = status_page(client, claim)
    assert shows_return_slip(html)
    assert "Stuur het artikel naar het onderstaande adres" in html
    assert ADDRESS in mail.outbox[-1].body
