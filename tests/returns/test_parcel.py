"""One screen per parcel, in the services: per item how many arrived, their condition and
restocking, disposed so on the Shopify Return; refunds for what arrived unless staff give a
reason; a request resolved once what arrived is refunded.

devshop plays Shopify over HTTP. Order #1001: two shirts at 39.95 and a lamp at 89.00.
"""

import uuid
from decimal import Decimal

import pytest
from django.utils import translation

from returns import services, steps
from returns.models import Refund, RefundState, ReturnRequest
from returns.services.refunds import ABOVE_ARRIVED

pytestmark = pytest.mark.django_db

WAREHOUSE = "gid://shopify/Location/70123456001"  # devshop's first active location


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def shirts_and_lamp(file_request, staff, run):
    """An approved return of both shirts and the lamp."""
    request = file_request("not_satisfied", {0: 2, 1: 1})
    with run():
        services.return_approve(request_id=request.pk, user=staff)
    return request


def lines_of(request):
    shirt, lamp = request.lines.order_by("pk")
    return shirt, lamp


def disposed(devshop):
    """(type, quantity, location) of every disposition of the Return's units."""
    [made] = devshop.order_by_name("#1001")["returns"]
    return sorted(
        (d["type"], d["quantity"], d.get("locationId"))
        for rfo in made["reverseFulfillmentOrders"]
        for line in rfo["lineItems"]
        for d in line["dispositions"]
    )


def receive_one_shirt_and_a_damaged_lamp(request, staff, run, **extra):
    shirt, lamp = lines_of(request)
    with run():
        return services.return_receive(
            request_id=request.pk,
            user=staff,
            received={shirt.pk: 1, lamp.pk: 1},
            conditions={shirt.pk: "as_new", lamp.pk: "damaged"},
            restock=True,
            **extra,
        )


def quote_and_refund(request, staff, run, amount, **extra):
    quote = services.refund_quote(request=ReturnRequest.objects.get(pk=request.pk))
    with run():
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal(amount),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
            **extra,
        )
    made.refresh_from_db()
    return made


def test_each_item_is_received_with_its_condition_and_restocked_as_new_only(
    shirts_and_lamp, staff, run, devshop
):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)

    shirt, lamp = lines_of(received)
    assert (shirt.received_quantity, shirt.condition, shirt.restock) == (1, "as_new", True)
    assert (lamp.received_quantity, lamp.condition, lamp.restock) == (1, "damaged", False)
    event = received.events.get(type=steps.RECEIVE.event_type)
    assert event.data["lines"] == [
        {
            "title": "Linen shirt",
            "received": 1,
            "quantity": 2,
            "condition": "as_new",
            "restock": True,
        },
        {
            "title": "Desk lamp",
            "received": 1,
            "quantity": 1,
            "condition": "damaged",
            "restock": False,
        },
    ]
    with translation.override("en"):
        words = steps.RECEIVE.note_text(received, steps.RECEIVE.payload.from_data(event.data))
    assert words == (
        "parcel received: 1 × Linen shirt (as new, restocked); 1 × Linen shirt missing; "
        "1 × Desk lamp (damaged, not restocked)"
    )
    with translation.override("de"):
        words = steps.RECEIVE.note_text(received, steps.RECEIVE.payload.from_data(event.data))
    assert "1 × Desk lamp (beschädigt, nicht wieder eingelagert)" in words
    # On the Shopify Return: the shirt that came restocked, the one that did not missing, the
    # damaged lamp not restocked.
    assert disposed(devshop) == [
        ("MISSING", 1, None),
        ("NOT_RESTOCKED", 1, None),
        ("RESTOCKED", 1, WAREHOUSE),
    ]


def test_receiving_twice_changes_nothing_and_disposes_once(shirts_and_lamp, staff, run, devshop):
    receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    again = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)

    assert again.status == "received"
    assert again.events.filter(type=steps.RECEIVE.event_type).count() == 1
    assert len(disposed(devshop)) == 3


def test_staff_may_restock_a_damaged_item(shirts_and_lamp, staff, run, devshop):
    _shirt, lamp = lines_of(shirts_and_lamp)
    receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run, restocks={lamp.pk: True})
    assert disposed(devshop) == [
        ("MISSING", 1, None),
        ("RESTOCKED", 1, WAREHOUSE),
        ("RESTOCKED", 1, WAREHOUSE),
    ]


def test_an_unknown_condition_is_refused_and_nothing_is_received(shirts_and_lamp, staff):
    shirt, _lamp = lines_of(shirts_and_lamp)
    with pytest.raises(services.ReturnError):
        services.return_receive(
            request_id=shirts_and_lamp.pk,
            user=staff,
            received={shirt.pk: 1},
            conditions={shirt.pk: "like new-ish"},
        )
    assert ReturnRequest.objects.get(pk=shirts_and_lamp.pk).status == "approved"
    assert shirt.__class__.objects.get(pk=shirt.pk).received_quantity is None


def test_shopify_suggests_the_refund_of_what_arrived(shirts_and_lamp, staff, run):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    quote = services.refund_quote(request=received)
    # One shirt and the lamp arrived: 39.95 + 89.00; the missing shirt only with a reason.
    assert quote.suggested == Decimal("128.95") and quote.maximum == Decimal("128.95")
    assert quote.maximum_override == Decimal("168.90") and quote.overridable


def test_units_that_did_not_arrive_are_not_refunded_without_a_reason(shirts_and_lamp, staff, run):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    for reason in ("", "   "):
        with pytest.raises(services.ReturnError) as refused:
            quote_and_refund(received, staff, run, "168.90", override_reason=reason)
        assert refused.value.message == ABOVE_ARRIVED % {"maximum": "128.95", "currency": "EUR"}
    assert not Refund.objects.exists()


def test_with_a_reason_the_missing_units_are_refunded_and_the_reason_recorded(
    shirts_and_lamp, staff, run, devshop
):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    reason = "Lost by the carrier; carrier pays us back"
    made = quote_and_refund(received, staff, run, "168.90", override_reason=reason)

    assert made.state == "succeeded" and made.override_reason == reason
    asked = received.events.get(type=steps.REFUND.event_type)
    done = received.events.get(type=steps.REFUND_SUCCEEDED.event_type)
    assert asked.data["override_reason"] == done.data["override_reason"] == reason
    note = devshop.order_by_name("#1001")["note"]
    assert f"; inclusief niet-aangekomen stuks: {reason}" in note or (
        f"; includes units that did not arrive: {reason}" in note
    )
    assert ReturnRequest.objects.get(pk=received.pk).status == "resolved"


def test_a_reason_is_kept_only_where_the_refund_goes_past_what_arrived(shirts_and_lamp, staff, run):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    made = quote_and_refund(received, staff, run, "100.00", override_reason="Just in case")
    assert made.override_reason == ""
    event = received.events.get(type=steps.REFUND.event_type)
    assert "override_reason" not in event.data


def test_the_same_override_sent_twice_refunds_once(shirts_and_lamp, staff, run):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    key = uuid.uuid4()
    for _ in range(2):
        quote_and_refund(
            received, staff, run, "168.90", override_reason="Carrier lost it", submission_key=key
        )
    assert Refund.objects.count() == 1


def test_a_refund_before_the_parcel_arrived_leaves_it_approved_until_it_comes(
    shirts_and_lamp, staff, run
):
    made = quote_and_refund(shirts_and_lamp, staff, run, "168.90")
    assert made.state == "succeeded"
    assert ReturnRequest.objects.get(pk=shirts_and_lamp.pk).status == "approved"

    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    assert received.status == "resolved" and received.resolved_at is not None


def test_a_refund_of_fewer_units_than_arrived_leaves_the_request_received(
    shirts_and_lamp, staff, run
):
    received = receive_one_shirt_and_a_damaged_lamp(shirts_and_lamp, staff, run)
    shirt, lamp = lines_of(received)
    # As a refund made in Shopify for the shirt alone is recorded (made_in_shopify).
    Refund.objects.create(
        request=received,
        amount=Decimal("39.95"),
        currency="EUR",
        state=RefundState.SUCCEEDED,
        made_in_shopify=True,
        lines=[{"line_item_id": shirt.line_item_id, "quantity": 1}],
    )
    assert not steps.arrived_refunded(received)
    assert not steps.REFUND_SUCCEEDED.allowed(received)
    Refund.objects.create(
        request=received,
        amount=Decimal("50.00"),
        currency="EUR",
        state=RefundState.SUCCEEDED,
        made_in_shopify=True,
        lines=[{"line_item_id": lamp.line_item_id, "quantity": 1}],
    )
    assert steps.REFUND_SUCCEEDED.allowed(received)
