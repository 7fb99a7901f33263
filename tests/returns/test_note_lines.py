"""The order note as the record: every step has its own line, written once, and none stays lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from returns import services, tasks
from returns.models import ReturnEvent, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service and the Shopify write-back it queues after commit."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def received(a_return, staff, run):
    line = a_return.lines.get()
    run(
        services.return_receive,
        request_id=a_return.pk,
        user=staff,
        received={line.pk: 2},
        restock=True,
    )
    return ReturnRequest.objects.get(pk=a_return.pk)


def refund(request, staff, run, amount):
    quote = services.refund_quote(request=request)
    return run(
        services.refund_request,
        request_id=request.pk,
        user=staff,
        amount=Decimal(amount),
        currency="EUR",
        restock=False,
        notify=False,
        shopify_maximum=quote.shopify_maximum,
    )


def note_lines(devshop, name="#1001"):
    return (devshop.order_by_name(name)["note"] or "").splitlines()


def written(event):
    return ReturnEvent.objects.get(type="shopify.written", data__event=event.pk)


def quiet_for_an_hour():
    earlier = timezone.now() - timedelta(hours=1)
    ReturnEvent.objects.filter(type__startswith="shopify.").update(created_at=earlier)


def orders_updated(devshop):
    return sum(entry["operation_name"] == "OrderNoteUpdate" for entry in devshop.request_log())


def test_two_identical_refunds_on_one_day_write_two_lines(received, staff, devshop, run):
    refund(received, staff, run, "5.00")
    refund(received, staff, run, "5.00")
    refunded = [line for line in note_lines(devshop) if "refunded 5.00 EUR" in line]
    assert len(refunded) == 2
    events = received.events.filter(type="returns.refund.succeeded").order_by("pk")
    # Each line carries the step's own number, which the audit trail shows for it.
    assert [written(e).data["note"] for e in events] == refunded
    assert refunded[0].endswith(f"[{events[0].pk}]") and refunded[1].endswith(f"[{events[1].pk}]")


def test_a_step_sent_again_after_shopify_lost_the_answer_is_written_once(
    a_return, staff, devshop, run
):
    # Shopify changes the note but its answer never arrives: the write is recorded as failed.
    devshop.set_option("timeout_seconds", 1.0)
    devshop.add_fault("mutation_timeout")
    with override_settings(SHOPIFY_TIMEOUT=0.5):
        run(services.return_approve, request_id=a_return.pk, user=staff)
    approved = a_return.events.get(type="returns.approved")
    assert a_return.events.filter(type="shopify.write_failed", data__event=approved.pk).exists()

    # The sweep sends it again, and a redelivered task runs it a third time.
    quiet_for_an_hour()
    with override_settings(SHOPIFY_TIMEOUT=3.0):
        run(services.stalled_work_resume)
        tasks.shopify_order_write_back(approved.pk)
    assert sum(line.endswith(f"[{approved.pk}]") for line in note_lines(devshop)) == 1
    assert a_return.events.filter(type="shopify.written", data__event=approved.pk).count() == 1


def test_the_sweep_puts_back_a_recorded_line_lost_from_the_note(
    a_return, staff, devshop, run, shop_order
):
    before = devshop.order_by_name("#1001")["note"]
    run(services.return_approve, request_id=a_return.pk, user=staff)
    approved_line = written(a_return.events.get(type="returns.approved")).data["note"]
    assert approved_line in note_lines(devshop)

    # Staff had the order open in Shopify since before the approval, and save their note now:
    # Shopify keeps their whole note, without the portal's line.
    devshop.update_order(
        shop_order["id"], lambda order: {**order, "note": before + "\nCustomer called"}
    )
    assert approved_line not in note_lines(devshop)

    quiet_for_an_hour()
    resumed = run(services.stalled_work_resume)
    assert resumed["notes"] == 1
    lines = note_lines(devshop)
    assert lines[: len(before.splitlines()) + 1] == [*before.splitlines(), "Customer called"]
    assert lines.count(approved_line) == 1
    repaired = a_return.events.get(type="shopify.note_repaired")
    assert repaired.data["note"] == approved_line

    # The note is whole now: the next sweep reads no note and writes nothing.
    updates = orders_updated(devshop)
    assert run(services.stalled_work_resume)["notes"] == 0
    assert orders_updated(devshop) == updates


def test_the_sweep_leaves_a_whole_note_alone(a_return, staff, devshop, run):
    run(services.return_approve, request_id=a_return.pk, user=staff)
    updates = orders_updated(devshop)
    quiet_for_an_hour()
    assert run(services.stalled_work_resume)["notes"] == 1  # read and compared
    assert orders_updated(devshop) == updates
    assert not ReturnEvent.objects.filter(type="shopify.note_repaired").exists()


def test_the_sweep_counts_lines_an_older_release_wrote_without_a_number(
    a_return, staff, devshop, run, shop_order
):
    """Lines written before steps carried their number are recognised by their text, each once."""
    day = timezone.localdate().isoformat()
    old = f"{day} R-1001-1: refunded 5.00 EUR"
    for _ in range(2):
        step = ReturnEvent.objects.create(
            request=a_return,
            type="returns.refund.succeeded",
            actor="staff",
            data={"amount": "5.00", "currency": "EUR"},
        )
        ReturnEvent.objects.create(
            request=a_return,
            type="shopify.written",
            actor="system",
            data={"event": step.pk, "note": old, "tags": ["return-refunded"]},
        )
    devshop.update_order(shop_order["id"], lambda order: {**order, "note": f"Gift wrap\n{old}"})
    quiet_for_an_hour()
    run(services.stalled_work_resume)
    lines = note_lines(devshop)
    assert lines.count(old) == 1 and sum(line.startswith(old + " [") for line in lines) == 1


def test_a_reason_over_several_lines_is_one_note_line(a_return, staff, devshop, run):
    run(
        services.return_reject,
        request_id=a_return.pk,
        user=staff,
        reason="Worn.\nWashed, too.",
    )
    rejected = a_return.events.get(type="returns.rejected")
    assert note_lines(devshop)[-1].endswith(f"rejected: Worn. Washed, too. [{rejected.pk}]")
