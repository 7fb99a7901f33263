"""A request's Shopify Return follows it past approval: disposed when the parcel arrives, processed
with the refund of its items (returnProcess), closed once resolved; each part done once.

devshop plays Shopify over HTTP. `mutation_timeout` makes a mutation take longer than the portal
waits while Shopify still carries it out; `user_errors` makes Shopify refuse the next mutation.
Order #1001: two shirts at 39.95 and a lamp at 89.00; a return of both shirts.
"""

import time
from decimal import Decimal

import pytest
from django.utils import translation

from returns import services, steps, tasks
from returns.models import ReturnEvent, ReturnRequest
from returns.services.restock import RESTOCK_LOCATION_UNKNOWN
from returns.services.shopify_returns import shopify_return_sync
from returns.shopify.returns import return_close, return_get
from tests import shop

pytestmark = pytest.mark.django_db

WAREHOUSE = "gid://shopify/Location/70123456001"  # devshop's first active location
SHOP = "gid://shopify/Location/70123456002"
SHIRTS = Decimal("79.90")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """What a block queues after commit runs at its end, as a worker would run it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def the_return(devshop, name="#1001"):
    [made] = devshop.order_by_name(name).get("returns") or []
    return made


def disposed(devshop):
    """(type, quantity, location) of every disposition of the Return's units."""
    return sorted(
        (d["type"], d["quantity"], d.get("locationId"))
        for rfo in the_return(devshop)["reverseFulfillmentOrders"]
        for line in rfo["lineItems"]
        for d in line["dispositions"]
    )


def processed(devshop):
    return [
        (line["processedQuantity"], line["refundedQuantity"])
        for line in the_return(devshop)["lines"]
    ]


def refusals(request):
    return list(
        ReturnEvent.objects.filter(request=request, type=steps.SHOPIFY_RETURN_REFUSED.event_type)
    )


def last_event(request, step):
    return ReturnEvent.objects.filter(request=request, type=step.event_type).latest("pk")


def slow_shopify(devshop, settings):
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    devshop.add_fault("mutation_timeout")


def settled(condition, within=10.0):
    """Wait for devshop to finish a mutation the portal stopped waiting for."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def receive(request, staff, run, *, arrived=2, restock=True):
    line = request.lines.get()
    with run():
        services.return_receive(
            request_id=request.pk, user=staff, received={line.pk: arrived}, restock=restock
        )
    return ReturnRequest.objects.get(pk=request.pk)


def refund(request, staff, run, amount=SHIRTS, *, restock=True):
    quote = services.refund_quote(request=request)
    with run():
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal(amount),
            currency="EUR",
            restock=restock,
            notify=True,
            shopify_maximum=quote.shopify_maximum,
        )
    made.refresh_from_db()
    return made


def shopify_refunds(devshop, name="#1001"):
    return devshop.order_by_name(name)["refunds"]


# -- received: the units disposed -----------------------------------------------------------------


def test_a_parcel_received_without_approval_approves_the_return_then_disposes_each_unit(
    a_return, staff, devshop, run
):
    received = receive(a_return, staff, run, arrived=1, restock=True)

    assert the_return(devshop)["status"] == "OPEN"  # Shopify disposes only an open return
    assert disposed(devshop) == [("MISSING", 1, None), ("RESTOCKED", 1, WAREHOUSE)]
    shopify_return_sync(event_id=last_event(received, steps.RECEIVE).pk)  # twice is harmless
    assert disposed(devshop) == [("MISSING", 1, None), ("RESTOCKED", 1, WAREHOUSE)]
    assert not refusals(received)


def test_units_not_restocked_are_disposed_as_such(a_return, staff, devshop, run):
    receive(a_return, staff, run, restock=False)
    assert disposed(devshop) == [("NOT_RESTOCKED", 2, None)]


def test_the_restock_location_is_the_one_the_setting_names(a_return, staff, devshop, run, settings):
    settings.SHOPIFY_RESTOCK_LOCATION = "winkel amsterdam"  # its name, in any case; or its id
    receive(a_return, staff, run)
    assert disposed(devshop) == [("RESTOCKED", 2, SHOP)]


def test_a_disposal_whose_answer_timed_out_disposes_the_units_once(
    a_return, staff, devshop, settings, run
):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    slow_shopify(devshop, settings)
    received = receive(a_return, staff, run)
    assert settled(lambda: disposed(devshop))

    shopify_return_sync(event_id=last_event(received, steps.RECEIVE).pk)  # the retry

    assert disposed(devshop) == [("RESTOCKED", 2, WAREHOUSE)]
    assert not refusals(received)  # not refused as "more than remains": not sent again


def test_a_restock_location_the_shop_does_not_have_is_told_to_staff_by_its_setting(
    a_return, staff, devshop, run, settings
):
    settings.SHOPIFY_RESTOCK_LOCATION = "Oud magazijn"  # closed in Shopify
    received = receive(a_return, staff, run)

    assert received.status == "received" and disposed(devshop) == []
    [refused] = refusals(received)
    error = refused.data["error"]
    assert "SHOPIFY_RESTOCK_LOCATION" in error and "Oud magazijn" in error
    assert "Magazijn Utrecht" in error and "Winkel Amsterdam" in error
    with translation.override("de"):
        assert "SHOPIFY_RESTOCK_LOCATION" in str(RESTOCK_LOCATION_UNKNOWN)
        assert "Lagerort" in str(RESTOCK_LOCATION_UNKNOWN)


def step_task_refused(request, step, devshop):
    """The step's Shopify Return task run once more, Shopify refusing its next mutation."""
    devshop.add_fault("user_errors")
    tasks.shopify_return_step.apply(args=[last_event(request, step).pk])


def test_shopify_refusing_the_disposal_is_told_to_staff_and_the_request_stays_received(
    a_return, staff, devshop, run, django_capture_on_commit_callbacks
):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    received = receive(a_return, staff, lambda: django_capture_on_commit_callbacks())
    step_task_refused(received, steps.RECEIVE, devshop)

    assert received.status == "received" and disposed(devshop) == []
    [refused] = refusals(received)
    assert "Something went wrong" in refused.data["error"]  # Shopify's own words


# -- refunded: returnProcess ----------------------------------------------------------------------


def test_the_refund_of_a_received_return_processes_it_and_restocks_each_unit_once(
    a_return, staff, devshop, run
):
    received = receive(a_return, staff, run)
    made = refund(received, staff, run)

    assert made.state == "succeeded" and made.shopify_return_id == received.shopify_return_id
    [shopify_refund] = shopify_refunds(devshop)
    assert shopify_refund["id"] == made.shopify_refund_id
    assert str(made.idempotency_key) in shopify_refund["note"]
    assert processed(devshop) == [(2, 2)]
    # Restocked by their disposition at receipt; the refund restocks nothing again.
    assert disposed(devshop) == [("RESTOCKED", 2, WAREHOUSE)]
    assert [line["restocked"] for line in shopify_refund["refundLineItems"]["nodes"]] == [False]
    assert devshop.order_by_name("#1001")["totalRefundedSet"]["shopMoney"]["amount"] == "79.90"
    assert ReturnRequest.objects.get(pk=a_return.pk).status == "resolved"
    assert the_return(devshop)["status"] == "CLOSED"


def test_a_refund_before_the_parcel_arrives_restocks_with_the_processing_if_asked(
    a_return, staff, devshop, run
):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    refund(a_return, staff, run, restock=True)
    assert disposed(devshop) == [("RESTOCKED", 2, WAREHOUSE)] and processed(devshop) == [(2, 2)]


def test_a_refund_before_the_parcel_arrives_leaves_the_units_undisposed_without_restock(
    a_return, staff, devshop, run
):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    refund(a_return, staff, run, restock=False)
    assert disposed(devshop) == [] and processed(devshop) == [(2, 2)]


def test_a_wrong_restock_location_holds_no_money_back(a_return, staff, devshop, run, settings):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    settings.SHOPIFY_RESTOCK_LOCATION = "Oud magazijn"
    made = refund(a_return, staff, run, restock=True)

    assert made.state == "succeeded" and processed(devshop) == [(2, 2)]
    assert disposed(devshop) == []  # not restocked anywhere wrong; staff told why
    [refused] = refusals(a_return)
    assert "SHOPIFY_RESTOCK_LOCATION" in refused.data["error"]


def test_a_refund_of_a_request_whose_return_was_never_made_makes_opens_and_processes_it(
    shop_order, staff, devshop, run
):
    # Filed and approved with none of their tasks run (an earlier release, or a broker down).
    request = services.return_request_create(
        order=services.shopify_order_lookup(order_number="1001", email="anna@example.com"),
        quantities={shop_order["lineItems"]["nodes"][0]["id"]: 2},
        reason="not_satisfied",
        comment="",
        locale="nl",
    )
    services.return_approve(request_id=request.pk, user=staff)
    assert not devshop.order_by_name("#1001").get("returns")

    made = refund(ReturnRequest.objects.get(pk=request.pk), staff, run)

    assert made.state == "succeeded" and made.shopify_return_id
    assert the_return(devshop)["id"] == made.shopify_return_id
    # Refunded before the parcel came: the request waits for it, and its Return stays open.
    assert ReturnRequest.objects.get(pk=request.pk).status == "approved"
    assert the_return(devshop)["status"] == "OPEN" and processed(devshop) == [(2, 2)]
    line = request.lines.get()
    with run():
        services.return_receive(request_id=request.pk, user=staff, received={line.pk: 2})
    assert ReturnRequest.objects.get(pk=request.pk).status == "resolved"
    assert the_return(devshop)["status"] == "CLOSED"


def test_a_processing_whose_answer_timed_out_moves_the_money_once(
    a_return, staff, devshop, settings, run
):
    received = receive(a_return, staff, run)
    slow_shopify(devshop, settings)
    made = refund(received, staff, run)
    assert made.state == "pending"
    assert settled(lambda: shopify_refunds(devshop))  # Shopify made it; the portal never heard

    services.refund_execute(refund_id=made.pk)  # the retry looks for it by its key first

    made.refresh_from_db()
    assert made.state == "succeeded" and made.attempts == 2
    assert [r["id"] for r in shopify_refunds(devshop)] == [made.shopify_refund_id]
    assert processed(devshop) == [(2, 2)]
    assert devshop.order_by_name("#1001")["totalRefundedSet"]["shopMoney"]["amount"] == "79.90"


def test_shopify_refusing_the_processing_fails_the_refund_with_its_reason(
    a_return, staff, devshop, run
):
    received = receive(a_return, staff, run)
    devshop.add_fault("user_errors")
    made = refund(received, staff, run)

    assert made.state == "failed" and "Something went wrong" in made.error
    failed = last_event(received, steps.REFUND_FAILED)
    assert "Something went wrong" in failed.data["error"]
    assert ReturnRequest.objects.get(pk=received.pk).status == "received"
    assert shopify_refunds(devshop) == [] and processed(devshop) == [(0, 0)]
    assert the_return(devshop)["status"] == "OPEN"


def test_a_later_refund_is_an_amount_alone_by_refundcreate(a_return, staff, devshop, run):
    received = receive(a_return, staff, run)
    refund(received, staff, run, amount="50.00")
    before = len(devshop.request_log())

    later = refund(received, staff, run, amount="29.90")

    log = [entry["operation_name"] for entry in devshop.request_log()[before:]]
    assert later.state == "succeeded" and later.shopify_return_id == ""
    assert "RefundCreate" in log and "ReturnProcess" not in log
    assert processed(devshop) == [(2, 2)] and len(shopify_refunds(devshop)) == 2
    assert the_return(devshop)["status"] == "CLOSED"  # left alone


def test_a_return_shopify_will_not_open_leaves_the_refund_to_refundcreate_restocking_once(
    a_return, staff, devshop, run
):
    a_return.refresh_from_db()
    received = receive(a_return, staff, run)  # opened and disposed: restocked
    return_close(return_id=received.shopify_return_id)  # staff closed it in Shopify's admin
    made = refund(received, staff, run)

    assert made.state == "succeeded" and made.shopify_return_id == ""
    [shopify_refund] = shopify_refunds(devshop)
    # Restocked once: by the disposition, not by the refund as well.
    assert disposed(devshop) == [("RESTOCKED", 2, WAREHOUSE)]
    assert [line["restocked"] for line in shopify_refund["refundLineItems"]["nodes"]] == [False]


# -- resolved: closed -----------------------------------------------------------------------------


def test_a_claim_resolved_by_a_replacement_closes_its_return(a_claim, staff, devshop, run):
    with run():
        services.return_approve(request_id=a_claim.pk, user=staff)
        services.replacement_ship(
            request_id=a_claim.pk,
            user=staff,
            carrier="dhl",
            tracking_number="00340434161234567890",
            shipped_on=a_claim.created_at.date(),
        )
    assert the_return(devshop)["status"] == "CLOSED"
    assert not refusals(a_claim)


def test_a_close_whose_answer_timed_out_is_not_sent_twice(a_claim, staff, devshop, settings, run):
    with run():
        services.return_approve(request_id=a_claim.pk, user=staff)
    slow_shopify(devshop, settings)
    with run():
        services.replacement_ship(
            request_id=a_claim.pk,
            user=staff,
            carrier="dhl",
            tracking_number="00340434161234567890",
            shipped_on=a_claim.created_at.date(),
        )
    assert settled(lambda: the_return(devshop)["status"] == "CLOSED")

    shopify_return_sync(event_id=last_event(a_claim, steps.SHIP).pk)

    assert not refusals(a_claim)  # not refused as "only open returns can be closed"
    assert the_return(devshop)["status"] == "CLOSED"


def test_shopify_refusing_the_close_is_told_to_staff_and_the_request_stays_resolved(
    a_claim, staff, devshop, run
):
    with run():
        services.return_approve(request_id=a_claim.pk, user=staff)
    services.replacement_ship(  # its tasks not run yet
        request_id=a_claim.pk,
        user=staff,
        carrier="dhl",
        tracking_number="00340434161234567890",
        shipped_on=a_claim.created_at.date(),
    )
    step_task_refused(a_claim, steps.SHIP, devshop)
    [refused] = refusals(a_claim)
    assert "Something went wrong" in refused.data["error"]
    assert ReturnRequest.objects.get(pk=a_claim.pk).status == "resolved"
    assert the_return(devshop)["status"] == "OPEN"


def test_a_return_staff_closed_in_shopify_is_left_alone(a_return, staff, devshop, run):
    received = receive(a_return, staff, run)
    return_close(return_id=received.shopify_return_id)
    refund(received, staff, run)
    assert not refusals(received)
    assert return_get(received.shopify_return_id).status == "CLOSED"


def test_a_rejection_after_approval_cancels_the_open_return(a_return, staff, devshop, run):
    with run():
        services.return_approve(request_id=a_return.pk, user=staff)
    with run():
        services.return_reject(request_id=a_return.pk, user=staff, reason="Worn")
    assert the_return(devshop)["status"] == "CANCELED" and not refusals(a_return)


# -- a withdrawal before shipping: no Return ------------------------------------------------------


def test_a_withdrawal_answered_by_cancelling_the_order_has_no_return_and_no_refusal(
    devshop, staff, run
):
    import uuid

    devshop.load_orders([shop.order("#1001", email="anna@example.com", shipped_days_ago=None)])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with run():
        declaration = services.withdrawal_declare(
            order=order,
            consumer_name="Anna de Vries",
            email="anna@example.com",
            quantities=None,
            reason="",
            locale="nl",
            submission_key=uuid.uuid4(),
        )
    request = declaration.return_request
    with run():
        services.withdrawal_order_cancel(request_id=request.pk, user=staff)

    request.refresh_from_db()
    assert request.status == "resolved" and request.shopify_return_id == ""
    assert devshop.order_by_name("#1001").get("returns") in (None, [])
    assert not refusals(request)
    operations = {entry["operation_name"] for entry in devshop.request_log()}
    assert not operations & {"ReturnRequest", "ReturnableFulfillments", "OrderReturns"}
