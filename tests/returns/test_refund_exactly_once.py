"""A refund is sent by one attempt at a time, and a refusal is believed only once Shopify's refunds
on the order show that no attempt made it: a late success is recorded, counted and flagged.

Two ways a refund is made, each proven here: the first refund of a request with a Shopify Return
(its items) by returnProcess on that Return, a later one (an amount alone) by refundCreate with
its idempotency key. devshop plays Shopify over HTTP: `mutation_timeout` makes the mutation take
longer than the portal waits (the refund is still made; refundCreate's key stays in progress
meanwhile), `user_errors` makes Shopify refuse the next mutation.
"""

import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import Refund, ReturnEvent, ReturnRequest
from returns.services.refund_guards import RefundInFlight
from returns.shopify.errors import ShopifyUnavailable

pytestmark = pytest.mark.django_db

SHIRTS = Decimal("79.90")
EARLIER = Decimal("10.00")


@pytest.fixture
def received(a_return, staff, django_capture_on_commit_callbacks):
    line = a_return.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_receive(
            request_id=a_return.pk, user=staff, received={line.pk: 2}, restock=True
        )
    return ReturnRequest.objects.get(pk=a_return.pk)


@pytest.fixture
def later(received, staff, django_capture_on_commit_callbacks):
    """The request refunded 10.00 for its items already: a further refund is an amount alone,
    made by refundCreate."""
    request_refund(received, staff, str(EARLIER), capture=django_capture_on_commit_callbacks)
    return received


@pytest.fixture(params=["by returnProcess", "by refundCreate"])
def refundable(request, received):
    """The request, its next refund made one way, then the other."""
    if request.param == "by refundCreate":
        request.getfixturevalue("later")
    return received


def request_refund(received, staff, amount, run=True, capture=None):
    quote = services.refund_quote(request=received)
    with capture(execute=run):
        return services.refund_request(
            request_id=received.pk,
            user=staff,
            amount=Decimal(amount),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )


def shopify_refunds(devshop):
    return devshop.order_by_name("#1001")["refunds"]


def keyed(devshop, refund):
    """Shopify's refunds made for this refund (by its key, in their note)."""
    return [r["id"] for r in shopify_refunds(devshop) if str(refund.idempotency_key) in r["note"]]


def landed(devshop, count=1, within=10.0):
    """Wait for devshop to finish a refund the portal stopped waiting for."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if len(shopify_refunds(devshop)) >= count:
            return True
        time.sleep(0.05)
    return False


def before(devshop):
    return len(shopify_refunds(devshop))


def test_a_late_success_after_a_refusal_is_recorded_counted_and_flagged(
    later, staff, devshop, settings, django_capture_on_commit_callbacks, client
):
    """The issue's story: attempt A slow at Shopify, attempt B refused, then A succeeds."""
    received = later
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 3)
    devshop.add_fault("mutation_timeout")
    refund = request_refund(
        received, staff, "53.88", capture=django_capture_on_commit_callbacks
    )  # attempt A: the portal gives up waiting, Shopify carries on
    refund.refresh_from_db()
    assert refund.state == "pending"

    devshop.add_fault("user_errors")
    services.refund_execute(refund_id=refund.pk)  # attempt B, refused
    refund.refresh_from_db()
    assert refund.state == "failed"  # Shopify holds no refund with its key yet

    assert landed(devshop, 2)  # A went through after all
    quote = services.refund_quote(request=received)  # staff open the refund form again

    refund.refresh_from_db()
    assert refund.state == "succeeded" and refund.late_success_at is not None
    assert keyed(devshop, refund) == [refund.shopify_refund_id]
    assert quote.maximum == SHIRTS - EARLIER - Decimal("53.88")  # the 53.88 counts
    flagged = ReturnEvent.objects.get(type="returns.refund.succeeded_after_failure")
    assert flagged.data["refund"] == refund.pk
    client.force_login(staff)
    listed = client.get(reverse("admin:returns_refund_changelist") + "?attention=late")
    assert listed.context["cl"].result_count == 1


def test_a_refusal_is_not_believed_when_shopify_made_the_refund(
    refundable, staff, devshop, settings, django_capture_on_commit_callbacks
):
    made_before = before(devshop)
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    devshop.add_fault("mutation_timeout")
    refund = request_refund(refundable, staff, "29.00", capture=django_capture_on_commit_callbacks)
    assert landed(devshop, made_before + 1)
    devshop.add_fault("user_errors")

    services.refund_execute(refund_id=refund.pk)

    refund.refresh_from_db()
    assert refund.state == "succeeded" and refund.late_success_at is None
    assert keyed(devshop, refund) == [refund.shopify_refund_id]
    assert len(shopify_refunds(devshop)) == made_before + 1
    assert not ReturnEvent.objects.filter(type="returns.refund.failed").exists()


def test_a_retry_while_shopify_still_works_on_the_first_attempt_waits_for_it(
    later, staff, devshop, settings, django_capture_on_commit_callbacks
):
    """Shopify answers "This request is currently in progress, please try again.": no refusal."""
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 3)
    devshop.add_fault("mutation_timeout")
    refund = request_refund(later, staff, "29.00", capture=django_capture_on_commit_callbacks)

    with pytest.raises(ShopifyUnavailable):
        services.refund_execute(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.state == "pending" and "still carrying out" in refund.error

    assert landed(devshop, 2)
    services.refund_execute(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert keyed(devshop, refund) == [refund.shopify_refund_id]
    assert len(shopify_refunds(devshop)) == 2


def test_a_refund_carries_its_return_number_and_key_in_shopifys_note(
    refundable, staff, devshop, django_capture_on_commit_callbacks
):
    refund = request_refund(refundable, staff, "10.00", capture=django_capture_on_commit_callbacks)
    made = shopify_refunds(devshop)[-1]
    assert made["note"] == f"{refundable.number} · {refund.idempotency_key}"


def lease_held(refund, seconds=60):
    Refund.objects.filter(pk=refund.pk).update(
        lease_token=uuid.uuid4(), lease_expires_at=timezone.now() + timedelta(seconds=seconds)
    )


def test_an_attempt_in_flight_keeps_every_other_attempt_out_until_its_lease_ends(
    received, staff, devshop, django_capture_on_commit_callbacks, client
):
    refund = request_refund(
        received, staff, "10.00", run=False, capture=django_capture_on_commit_callbacks
    )
    lease_held(refund)  # a worker is sending it right now
    Refund.objects.filter(pk=refund.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    with pytest.raises(RefundInFlight):
        services.refund_execute(refund_id=refund.pk)
    with django_capture_on_commit_callbacks(execute=True):
        swept = services.stalled_work_resume()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:returns_refund_changelist"),
            {"action": "retry_pending", "_selected_action": [refund.pk]},
        )

    assert swept["refunds"] == 0
    assert shopify_refunds(devshop) == [] and Refund.objects.get().attempts == 0

    # The worker was killed: its lease runs out, and the next attempt sends the refund.
    Refund.objects.filter(pk=refund.pk).update(lease_expires_at=timezone.now())
    services.refund_execute(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.state == "succeeded" and refund.lease_expires_at is None
    assert len(shopify_refunds(devshop)) == 1


def test_a_retry_after_shopify_forgot_the_key_finds_the_refund_instead_of_making_another(
    refundable, staff, devshop, settings, django_capture_on_commit_callbacks
):
    made_before = before(devshop)
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    devshop.add_fault("mutation_timeout")
    refund = request_refund(refundable, staff, "29.00", capture=django_capture_on_commit_callbacks)
    assert landed(devshop, made_before + 1)
    # A day later: Shopify no longer remembers the key, and would refund again.
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(hours=25))
    devshop.set_option("idempotency_key_retention_seconds", 0)

    services.refund_execute(refund_id=refund.pk)

    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert keyed(devshop, refund) == [refund.shopify_refund_id]
    assert len(shopify_refunds(devshop)) == made_before + 1


def test_a_late_success_reported_by_shopifys_webhook_is_recorded(
    later, staff, devshop, settings, django_capture_on_commit_callbacks
):
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 3)
    devshop.add_fault("mutation_timeout")
    refund = request_refund(later, staff, "53.88", capture=django_capture_on_commit_callbacks)
    devshop.add_fault("user_errors")
    services.refund_execute(refund_id=refund.pk)
    assert landed(devshop, 2)

    services.shopify_order_refetch(order_id=later.order_id)  # what refunds/create leads to

    refund.refresh_from_db()
    assert refund.state == "succeeded" and refund.late_success_at is not None
