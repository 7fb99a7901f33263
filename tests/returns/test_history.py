"""A request's history in words: every kind of event reads as a sentence, never as its data."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from returns import events, history, steps
from returns.models import ReturnEvent
from tests.factories import ReturnRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_kind_of_event_data_has_its_words():
    assert {step.payload for step in steps.STEPS} <= set(history.DESCRIBE)


def record(request, step, payload=None, **fields):
    return ReturnEvent.objects.create(
        request=request,
        type=step.event_type,
        actor=step.actor,
        data=payload.to_data() if payload else {},
        **fields,
    )


def test_each_line_says_who_did_what_in_the_staff_members_language():
    request = ReturnRequestFactory()
    clerk = UserFactory(username="piet", first_name="Piet", last_name="Visser")
    record(request, steps.APPROVE, user=clerk)
    shipped = events.ReplacementShipped(
        replacement=1,
        carrier="PostNL",
        tracking_number="3SABCD1234567",
        tracking_url="",
        shipped_on=date(2026, 12, 12),
    )
    record(request, steps.SHIP, shipped, user=clerk)
    failed = events.RefundMoved(
        refund=1, amount=Decimal("1234.5"), currency="EUR", error="Not enough money"
    )
    record(request, steps.REFUND_FAILED, failed)
    ReturnEvent.objects.create(request=request, type="returns.gone", actor="system", data={"x": 1})

    with translation.override("nl"):
        lines = [(line.who, line.what, line.detail) for line in history.request_history(request)]

    assert lines == [
        ("Piet Visser (medewerker)", "Goedgekeurd", ""),
        ("Piet Visser (medewerker)", "Vervangend product verzonden", lines[1][2]),
        ("Systeem", "Terugbetaling door Shopify geweigerd", "1.234,50\xa0EUR: Not enough money"),
        ("Systeem", "Update", ""),
    ]
    assert lines[1][2] == "PostNL 3SABCD1234567, verzonden op 12 december 2026"


def test_a_step_shopify_took_says_so():
    request = ReturnRequestFactory()
    approved = record(request, steps.APPROVE, user=UserFactory())
    written = events.ShopifyWritten(event=approved.pk, note="R-1-1: approved", tags=("a",))
    record(request, steps.SHOPIFY_WRITTEN, written)
    record(request, steps.APPROVED_IN_SHOPIFY)

    with translation.override("de"):
        lines = history.request_history(request)

    # The write-back is said on the line of the step it wrote, not on a line of its own.
    assert [line.shopify for line in lines] == [
        "in der Shopify-Bestellung vermerkt",
        "in Shopify erledigt",
    ]
    assert len(lines) == 2
