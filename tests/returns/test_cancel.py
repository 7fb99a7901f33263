"""The shopper cancels a request nobody has acted on yet, from its status page."""

import pytest
from django.core import mail
from django.urls import reverse

from returns import services
from returns.models import ReturnRequest
from returns.selectors import reserved_quantities

pytestmark = pytest.mark.django_db


def status_url(request):
    return reverse("returns:status", args=[request.token])


def cancel_url(request):
    return reverse("returns:cancel", args=[request.token])


@pytest.fixture
def cancel(client, django_capture_on_commit_callbacks):
    def cancel(request):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(cancel_url(request))

    return cancel


def test_a_shopper_cancels_after_confirming_and_shopify_and_the_inbox_hear_of_it(
    a_return, client, cancel, devshop
):
    status = client.get(status_url(a_return)).content.decode()
    assert cancel_url(a_return) in status

    confirmation = client.get(cancel_url(a_return))
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "R-1001-1" in html and 'method="post"' in html
    assert ReturnRequest.objects.get().status == "requested"  # opening the page changes nothing

    response = cancel(a_return)
    assert response.status_code == 302 and response["Location"] == status_url(a_return)
    request = ReturnRequest.objects.get()
    assert request.status == "cancelled" and request.cancelled_at
    event = request.events.get(type="returns.cancelled")
    assert event.actor == "customer" and event.customer_visible

    page = client.get(status_url(a_return)).content.decode()
    assert "This request was cancelled." in page and cancel_url(a_return) not in page
    stored = devshop.order_by_name("#1001")
    assert "return-cancelled" in stored["tags"]
    assert "R-1001-1 (withdrawal): cancelled by the shopper [" in stored["note"].splitlines()[-1]
    # In the language the shopper filed it in (Dutch).
    assert mail.outbox[-1].subject == "Uw aanvraag R-1001-1 is geannuleerd"
    assert "U hoeft niets terug te sturen." in mail.outbox[-1].body
    # The items are free to be returned again.
    assert reserved_quantities(request.order) == {}


def test_cancelling_twice_is_harmless(a_return, cancel, devshop):
    cancel(a_return)
    cancel(a_return)
    request = ReturnRequest.objects.get()
    assert request.events.filter(type="returns.cancelled").count() == 1
    assert sum("cancelled" in line for line in devshop.order_by_name("#1001")["note"].splitlines())
    assert [m.subject for m in mail.outbox].count(mail.outbox[-1].subject) == 1


def test_once_staff_acted_the_shopper_cannot_cancel(a_return, client, cancel, staff):
    services.return_approve(request_id=a_return.pk, user=staff)
    assert cancel_url(a_return) not in client.get(status_url(a_return)).content.decode()
    response = cancel(a_return)
    assert response.status_code == 302
    assert ReturnRequest.objects.get().status == "approved"
    assert not ReturnRequest.objects.get().events.filter(type="returns.cancelled").exists()
    # The confirmation page for a request that can no longer be cancelled leads back.
    assert client.get(cancel_url(a_return)).status_code == 302


def test_the_cancel_page_of_an_unknown_link_is_a_plain_404(client):
    assert client.get(reverse("returns:cancel", args=["x" * 43])).status_code == 404
    assert client.post(reverse("returns:cancel", args=["x" * 43])).status_code == 404
