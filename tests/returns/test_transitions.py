"""Staff transitions: each does its job once, is harmless twice, and refuses the wrong status."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from returns import services
from returns.models import ReturnEvent, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the Shopify write-back and emails it queues after commit."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def fresh(request):
    return ReturnRequest.objects.get(pk=request.pk)


def note_lines(devshop):
    return devshop.order_by_name("#1001")["note"].splitlines()


def test_approving_tells_shopify_and_the_shopper(a_return, staff, devshop, run):
    run(services.return_approve, request_id=a_return.pk, user=staff)
    request = fresh(a_return)
    assert request.status == "approved" and request.approved_at
    event = request.events.get(type="returns.approved")
    assert event.user == staff and event.customer_visible
    stored = devshop.order_by_name("#1001")
    assert {"return-requested", "return-approved"} <= set(stored["tags"])
    assert note_lines(devshop)[0] == "Gift wrap"
    today = timezone.localdate().isoformat()
    assert note_lines(devshop)[-1] == f"{today} R-1001-1 (withdrawal): approved [{event.pk}]"
    assert "R-1001-1" in mail.outbox[-1].subject


def test_approving_twice_is_harmless(a_return, staff, devshop, run):
    run(services.return_approve, request_id=a_return.pk, user=staff)
    run(services.return_approve, request_id=a_return.pk, user=staff)
    assert fresh(a_return).events.filter(type="returns.approved").count() == 1
    assert sum("R-1001-1" in line for line in note_lines(devshop)) == 2  # requested + approved
    assert len(mail.outbox) == 2  # requested + approved


def test_a_rejected_request_cannot_be_approved(a_return, staff, run):
    run(services.return_reject, request_id=a_return.pk, user=staff, reason="Worn and washed.")
    with pytest.raises(services.ReturnError):
        services.return_approve(request_id=a_return.pk, user=staff)
    assert fresh(a_return).status == "rejected"


def test_rejecting_needs_a_reason_the_shopper_sees(a_return, staff, client, run):
    with pytest.raises(services.ReturnError):
        services.return_reject(request_id=a_return.pk, user=staff, reason="   ")
    assert fresh(a_return).status == "requested"
    run(services.return_reject, request_id=a_return.pk, user=staff, reason="Worn and washed.")
    html = client.get(f"/r/{a_return.token}/").content.decode()
    assert "Worn and washed." in html
    assert "Worn and washed." in mail.outbox[-1].body


def test_receiving_records_what_arrived_and_the_restock_choice(a_return, staff, devshop, run):
    line = a_return.lines.get()
    run(
        services.return_receive,
        request_id=a_return.pk,
        user=staff,
        received={line.pk: 1},
        restock=True,
    )
    request = fresh(a_return)
    assert request.status == "received" and request.restock
    assert request.lines.get().received_quantity == 1
    assert "return-received" in devshop.order_by_name("#1001")["tags"]
    assert "1 × Linen shirt" in note_lines(devshop)[-1]


@pytest.mark.parametrize("received", [{0: 3}, {0: -1}, {0: 0}])
def test_impossible_received_quantities_change_nothing(a_return, staff, received):
    line = a_return.lines.get()
    with pytest.raises(services.ReturnError):
        services.return_receive(
            request_id=a_return.pk, user=staff, received={line.pk: received[0]}, restock=False
        )
    assert fresh(a_return).status == "requested"
    assert a_return.lines.get().received_quantity is None


def test_receiving_twice_is_harmless(a_return, staff, run):
    line = a_return.lines.get()
    for _ in range(2):
        run(
            services.return_receive,
            request_id=a_return.pk,
            user=staff,
            received={line.pk: 2},
            restock=False,
        )
    assert fresh(a_return).events.filter(type="returns.received").count() == 1


def test_a_replacement_resolves_the_claim_with_a_tracking_link(
    a_claim, staff, devshop, client, run
):
    run(services.return_approve, request_id=a_claim.pk, user=staff)
    shipped_on = timezone.localdate() - timedelta(days=1)
    replacement = run(
        services.replacement_ship,
        request_id=a_claim.pk,
        user=staff,
        carrier="dhl",
        tracking_number="00340434161234567890",
        shipped_on=shipped_on,
    )
    assert fresh(a_claim).status == "resolved"
    assert "00340434161234567890" in replacement.tracking_url
    assert "replacement-shipped" in devshop.order_by_name("#1001")["tags"]
    assert note_lines(devshop)[-1].endswith(
        f"R-1001-1 (legal guarantee): Desk lamp defective, replacement shipped on {shipped_on.isoformat()}, "
        f"DHL 00340434161234567890 [{a_claim.events.get(type='returns.replacement_shipped').pk}]"
    )
    html = client.get(f"/r/{a_claim.token}/").content.decode()
    assert replacement.tracking_url.replace("&", "&amp;") in html
    assert replacement.tracking_url in mail.outbox[-1].body


def test_shipping_the_same_replacement_twice_is_harmless(a_claim, staff, run):
    run(services.return_approve, request_id=a_claim.pk, user=staff)
    for _ in range(2):
        run(
            services.replacement_ship,
            request_id=a_claim.pk,
            user=staff,
            carrier="postnl",
            tracking_number="3SABCD1234567",
            shipped_on=timezone.localdate(),
        )
    assert fresh(a_claim).replacements.count() == 1
    assert fresh(a_claim).events.filter(type="returns.replacement_shipped").count() == 1


@pytest.mark.parametrize("tracking", ["", "   ", "x" * 500])
def test_a_bad_tracking_number_is_refused(a_claim, staff, tracking):
    services.return_approve(request_id=a_claim.pk, user=staff)
    with pytest.raises(services.ReturnError):
        services.replacement_ship(
            request_id=a_claim.pk,
            user=staff,
            carrier="dhl",
            tracking_number=tracking,
            shipped_on=timezone.localdate(),
        )
    assert fresh(a_claim).replacements.count() == 0


def test_returns_get_no_replacements(a_return, staff):
    services.return_approve(request_id=a_return.pk, user=staff)
    with pytest.raises(services.ReturnError):
        services.replacement_ship(
            request_id=a_return.pk,
            user=staff,
            carrier="dhl",
            tracking_number="123",
            shipped_on=timezone.localdate(),
        )


def test_every_step_is_in_the_audit_trail_with_its_actor(a_claim, staff, run):
    run(services.return_approve, request_id=a_claim.pk, user=staff)
    types = list(fresh(a_claim).events.values_list("type", "actor"))
    assert ("returns.requested", "customer") in types
    assert ("returns.approved", "staff") in types
    assert ("shopify.written", "system") in types
    assert ("email.sent", "system") in types
    assert ReturnEvent.objects.filter(request=a_claim, type="shopify.written").count() == 2


def test_a_note_edited_in_shopify_between_steps_is_kept(a_return, staff, devshop, run, shop_order):
    run(services.return_approve, request_id=a_return.pk, user=staff)

    def staff_edit(order):
        return {
            **order,
            "note": order["note"] + "\nCalled the customer: parcel comes Friday",
            "tags": [*order["tags"], "vip"],
        }

    devshop.update_order(shop_order["id"], staff_edit)
    line = a_return.lines.get()
    run(
        services.return_receive,
        request_id=a_return.pk,
        user=staff,
        received={line.pk: 2},
        restock=False,
    )
    stored = devshop.order_by_name("#1001")
    lines = stored["note"].splitlines()
    assert lines[0] == "Gift wrap"
    assert "Called the customer: parcel comes Friday" in lines
    received = a_return.events.get(type="returns.received")
    assert lines[-1].endswith(
        f"R-1001-1 (withdrawal): parcel received: 2 × Linen shirt (as new, not restocked) "
        f"[{received.pk}]"
    )
    assert {"vip", "return-requested", "return-approved", "return-received"} <= set(stored["tags"])


def test_shopify_down_during_write_back_leaves_a_visible_trace(a_return, staff, devshop, run):
    devshop.add_fault("http_503", count=3)
    run(services.return_approve, request_id=a_return.pk, user=staff)
    request = fresh(a_return)
    assert request.status == "approved"
    failure = request.events.get(type="shopify.write_failed")
    assert "503" in failure.data["error"]
    assert "return-approved" not in devshop.order_by_name("#1001")["tags"]


def test_no_email_goes_to_a_shopper_whose_address_was_erased(a_return, staff, run):
    from returns.services.webhooks import REDACTED_EMAIL

    ReturnRequest.objects.filter(pk=a_return.pk).update(customer_email=REDACTED_EMAIL)
    sent = len(mail.outbox)
    run(services.return_approve, request_id=a_return.pk, user=staff)
    assert len(mail.outbox) == sent
    assert fresh(a_return).status == "approved"
