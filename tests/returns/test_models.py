"""The database refuses data that would make a return or a refund dishonest."""

import base64
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from returns.models import ReturnEvent, ReturnLine
from tests.factories import (
    RefundFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    ShopifyOrderFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_return_numbers_are_unique():
    first = ReturnRequestFactory()
    refused(ReturnRequestFactory, number=first.number)


def test_one_sequence_number_per_order():
    first = ReturnRequestFactory()
    refused(ReturnRequestFactory, order=first.order, sequence=first.sequence, number="R-other")


def test_status_tokens_are_random_unique_and_at_least_128_bits():
    tokens = {ReturnRequestFactory().token for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    refused(ReturnRequestFactory, token=tokens.pop())


def test_an_unknown_status_is_refused():
    refused(ReturnRequestFactory, status="lost")


@pytest.mark.parametrize("quantity", [0, -1])
def test_line_quantities_must_be_positive(quantity):
    refused(ReturnLineFactory, quantity=quantity)


def test_line_prices_cannot_be_negative():
    refused(ReturnLineFactory, unit_price=Decimal("-0.01"))


def test_received_quantity_cannot_exceed_the_returned_quantity():
    line = ReturnLineFactory(quantity=2)
    line.received_quantity = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_an_item_appears_once_per_request():
    line = ReturnLineFactory()
    refused(ReturnLineFactory, request=line.request, line_item_id=line.line_item_id)
    assert ReturnLine.objects.count() == 1


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5.00")])
def test_refund_amounts_must_be_positive(amount):
    refused(RefundFactory, amount=amount)


def test_every_refund_gets_its_own_idempotency_key():
    first, second = RefundFactory(), RefundFactory()
    assert first.idempotency_key and first.idempotency_key != second.idempotency_key
    refused(RefundFactory, idempotency_key=first.idempotency_key)


def test_a_shopify_refund_is_recorded_once():
    RefundFactory(shopify_refund_id="gid://shopify/Refund/1")
    refused(RefundFactory, shopify_refund_id="gid://shopify/Refund/1")
    RefundFactory(shopify_refund_id="")
    RefundFactory(shopify_refund_id="")


def test_order_names_are_unique():
    order = ShopifyOrderFactory()
    refused(ShopifyOrderFactory, name=order.name)


def test_events_cannot_be_edited_or_deleted():
    request = ReturnRequestFactory()
    event = ReturnEvent.objects.create(request=request, type="returns.requested", actor="customer")
    event.type = "returns.approved"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert ReturnEvent.objects.get().type == "returns.requested"


def test_the_factorys_order_snapshot_reads_back_as_the_portal_reads_it():
    from returns.selectors import order_snapshot

    snapshot = order_snapshot(ShopifyOrderFactory(name="#2999", email="a@example.com"))

    assert snapshot.name == "#2999"
    assert snapshot.email == "a@example.com"
    assert [line.title for line in snapshot.line_items] == ["Linen shirt"]
