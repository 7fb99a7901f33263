"""One screen per parcel, in the back office: receiving leads straight into the refund of what
arrived; units that did not arrive are refunded only with a reason; the shopper is told why the
refund is less. Order #1001: two shirts at 39.95 and a lamp at 89.00; a return of both shirts.
"""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from returns import services
from returns.models import Refund, ReturnRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(step, request, todo=""):
    path = reverse(f"admin:returns_returnrequest_{step}", args=[request.pk])
    return f"{path}?todo={todo}" if todo else path


@pytest.fixture
def approved(a_return, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)
    return a_return


@pytest.fixture
def warehouse(client):
    user = UserFactory(username="wim")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_returnrequest", "receive_return"])
    )
    client.force_login(user)
    return client


def receive_one(client, request, *, todo="expected", condition="as_new"):
    line = request.lines.get()
    return client.post(
        url("receive", request, todo),
        {f"received_{line.pk}": "1", f"condition_{line.pk}": condition, f"restock_{line.pk}": "on"},
    )


def test_the_receive_screen_asks_per_item_what_arrived(approved, admin_client):
    line = approved.lines.get()
    html = admin_client.get(url("receive", approved)).content.decode()
    assert f'name="received_{line.pk}"' in html and f'name="restock_{line.pk}"' in html
    assert 'value="as_new"' in html and 'value="damaged"' in html
    assert "portal/receive.js" in html


def test_receiving_leads_straight_into_the_refund_of_what_arrived(
    approved, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = receive_one(admin_client, approved)
    assert response.status_code == 302
    assert response["Location"] == url("refund", approved, "expected")

    page = admin_client.get(response["Location"]).content.decode()
    assert "1 of 2 items arrived." in page and "1 missing" in page
    assert 'value="39.95"' in page  # Shopify's suggestion for the one shirt that arrived
    assert 'name="override"' in page and 'name="override_reason"' in page


def test_staff_who_may_only_receive_go_on_to_the_next_parcel(
    approved, warehouse, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = receive_one(warehouse, approved)
    assert response.status_code == 302
    assert reverse("admin:returns_returnrequest_next") in response["Location"]
    assert ReturnRequest.objects.get(pk=approved.pk).status == "received"


def test_receiving_twice_is_harmless(approved, admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive_one(admin_client, approved)
        receive_one(admin_client, approved, condition="damaged")
    line = approved.lines.get()
    assert (line.received_quantity, line.condition) == (1, "as_new")


def test_more_than_arrived_needs_the_override_and_a_reason(
    approved, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive_one(admin_client, approved)
    refund = url("refund", approved)
    page = admin_client.post(refund, {"amount": "79.90", "currency": "EUR"}).content.decode()
    assert "Not every item arrived: at most 39.95 EUR" in page
    page = admin_client.post(
        refund, {"amount": "79.90", "currency": "EUR", "override": "on"}
    ).content.decode()
    assert "Say why items that did not arrive are refunded." in page
    page = admin_client.post(
        refund,
        {"amount": "79.90", "currency": "EUR", "override": "on", "override_reason": "Lost"},
    ).content.decode()
    assert "refund-confirmation" in page and "Reason: Lost" in page
    assert not Refund.objects.exists()


def test_a_forged_confirmation_cannot_refund_what_did_not_arrive(
    approved, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive_one(admin_client, approved)
    forged = {
        "amount": "79.90",
        "currency": "EUR",
        "confirm": "1",
        "submission_key": str(uuid.uuid4()),
    }
    for extra in ({}, {"override": "True"}, {"override": "True", "override_reason": " "}):
        response = admin_client.post(url("refund", approved), {**forged, **extra})
        assert response.status_code == 200
    assert not Refund.objects.exists()
    # The service says no too, whatever a form lets through.
    quote = services.refund_quote(request=ReturnRequest.objects.get(pk=approved.pk))
    with pytest.raises(services.ReturnError):
        services.refund_request(
            request_id=approved.pk,
            user=None,
            amount=quote.maximum_override,
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    assert not Refund.objects.exists()


def test_the_shopper_is_told_the_refund_is_for_what_arrived(
    approved, admin_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive_one(admin_client, approved)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url("refund", approved),
            {
                "amount": "39.95",
                "currency": "EUR",
                "confirm": "1",
                "submission_key": str(uuid.uuid4()),
            },
        )
    request = ReturnRequest.objects.get(pk=approved.pk)
    assert request.status == "resolved"
    [email] = mail.outbox
    dutch = (
        "Van de 2 artikelen is er 1 aangekomen; de terugbetaling is voor het artikel dat is "
        "aangekomen."
    )
    assert dutch in email.body  # the request's language
    status = reverse("returns:status", args=[request.token])
    assert dutch in client.get(status, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = "1 of 2 items arrived; the refund is for the item that arrived."
    assert english in client.get(status, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_shopper_is_told_a_damaged_item_is_refunded_for_less(
    approved, staff, client, django_capture_on_commit_callbacks
):
    line = approved.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_receive(
            request_id=approved.pk,
            user=staff,
            received={line.pk: 2},
            conditions={line.pk: "damaged"},
        )
    quote = services.refund_quote(request=ReturnRequest.objects.get(pk=approved.pk))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_request(
            request_id=approved.pk,
            user=staff,
            amount=quote.suggested - 20,
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    [email] = mail.outbox
    words = (
        "2 artikelen zijn beschadigd aangekomen; daarom is de terugbetaling lager dan hun prijs."
    )
    assert words in email.body
    assert "aangekomen; de terugbetaling is voor" not in email.body  # everything arrived


def test_a_full_refund_of_what_was_asked_says_nothing_more(
    approved, staff, django_capture_on_commit_callbacks
):
    line = approved.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_receive(request_id=approved.pk, user=staff, received={line.pk: 2})
    quote = services.refund_quote(request=ReturnRequest.objects.get(pk=approved.pk))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_request(
            request_id=approved.pk,
            user=staff,
            amount=quote.suggested,
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    [email] = mail.outbox
    assert "aangekomen" not in email.body
