"""`manage.py shopify_returns_backfill`: requests made before each request was a Shopify Return get
theirs, brought up to where they are; run twice, it sends nothing the second time.

"Before" is played by taking each step without running what it queues after commit (so no task
made a Return), and by a refund made by refundCreate with its plan stored, as an earlier release
left it.
"""

import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from returns import services, steps
from returns.models import Refund, ReturnEvent, ReturnRequest
from returns.shopify import refunds as shopify_refunds
from tests import shop

pytestmark = pytest.mark.django_db

WAREHOUSE = "gid://shopify/Location/70123456001"


@pytest.fixture
def before_returns(devshop, staff, django_capture_on_commit_callbacks):
    """Five requests of an earlier release, none a Shopify Return: received (one shirt of two)
    and refunded with restocking by refundCreate; approved; rejected; cancelled by the shopper;
    and a withdrawal from an order not shipped yet."""
    shirt, lamp = shop.line_item("Linen shirt", quantity=2), shop.line_item("Lamp", price="89.00")
    mug = shop.line_item("Mug", quantity=1, price="12.00")
    devshop.load_orders(
        [
            shop.order("#1001", email="anna@example.com", items=[shirt, lamp]),
            shop.order("#1002", email="bert@example.com", items=[mug]),
            shop.order("#1003", email="cees@example.com", shipped_days_ago=None),
            shop.order("#1004", email="dirk@example.com"),
        ]
    )

    def lookup(number, email):
        return services.shopify_order_lookup(order_number=number, email=email)

    def filed(number, email, item, quantity):
        return services.return_request_create(
            order=lookup(number, email),
            quantities={item["id"]: quantity},
            reason="not_satisfied",
            comment="",
            locale="nl",
        )

    with django_capture_on_commit_callbacks(execute=False):  # no task runs: no Return
        refunded = filed("1001", "anna@example.com", shirt, 2)
        services.return_receive(
            request_id=refunded.pk,
            user=staff,
            received={refunded.lines.get().pk: 1},
            restock=True,
        )
        quote = services.refund_quote(request=refunded)
        refund = services.refund_request(
            request_id=refunded.pk,
            user=staff,
            amount=Decimal("39.95"),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
        plan = shopify_refunds.refund_plan(
            refunded.order.shopify_id, amount=refund.amount, currency="EUR"
        )
        Refund.objects.filter(pk=refund.pk).update(transactions=plan)
        services.refund_execute(refund_id=refund.pk)  # by refundCreate, restocking the shirt
        approved = filed("1001", "anna@example.com", lamp, 1)
        services.return_approve(request_id=approved.pk, user=staff)
        rejected = filed("1002", "bert@example.com", mug, 1)
        services.return_reject(request_id=rejected.pk, user=staff, reason="Used")
        cancelled = filed(
            "1004", "dirk@example.com", devshop.order_by_name("#1004")["lineItems"]["nodes"][0], 1
        )
        services.return_cancel(request_id=cancelled.pk)
        withdrawn = services.withdrawal_declare(
            order=lookup("1003", "cees@example.com"),
            consumer_name="Cees",
            email="cees@example.com",
            quantities=None,
            reason="",
            locale="nl",
            submission_key=uuid.uuid4(),
        ).return_request
    assert Refund.objects.get().state == "succeeded"
    assert not any(devshop.order_by_name(n).get("returns") for n in ("#1001", "#1002"))
    return refunded, approved, rejected, cancelled, withdrawn


def backfill(*args):
    out = StringIO()
    call_command("shopify_returns_backfill", *args, stdout=out)
    return out.getvalue()


def returns_of(devshop, name):
    return devshop.order_by_name(name).get("returns") or []


def mutations(devshop, since):
    return [
        entry["operation_name"]
        for entry in devshop.request_log()[since:]
        if entry["operation_name"].startswith(("Return", "Reverse"))
        and entry["operation_name"] != "ReturnGet"
        and entry["operation_name"] != "ReturnableFulfillments"
    ]


def test_each_earlier_request_gets_its_return_up_to_where_it_is_and_twice_is_harmless(
    before_returns, devshop
):
    refunded, approved, rejected, cancelled, withdrawn = before_returns

    out = backfill()

    assert (
        f"{refunded.number} (resolved): requested, approved, disposed (1 missing), processed 1"
        in out
    )
    assert f"{approved.number} (approved): requested, approved\n" in out
    assert f"{rejected.number} (rejected): requested, declined\n" in out
    assert f"{cancelled.number} (cancelled): skipped" in out
    assert f"{withdrawn.number} (requested): skipped" in out
    assert "5 requests: 3 brought up to date, 0 already up to date, 2 skipped, 0 refused" in out
    shirts, lamp = returns_of(devshop, "#1001")
    assert shirts["status"] == "CLOSED" and lamp["status"] == "OPEN"
    # Processed, but the money moved once: by the earlier refundCreate, no refund added.
    assert [line["processedQuantity"] for line in shirts["lines"]] == [1]
    assert shirts["refundIds"] == [] and len(devshop.order_by_name("#1001")["refunds"]) == 1
    # Restocked once: the refund put the arrived shirt back; its disposition does not again.
    dispositions = [
        d
        for rfo in shirts["reverseFulfillmentOrders"]
        for li in rfo["lineItems"]
        for d in li["dispositions"]
    ]
    assert [(d["type"], d["quantity"]) for d in dispositions] == [("MISSING", 1)]
    [declined] = returns_of(devshop, "#1002")
    assert declined["status"] == "DECLINED" and declined["decline"]["note"] == "Used"
    assert returns_of(devshop, "#1003") == [] and returns_of(devshop, "#1004") == []
    for request in (refunded, approved, rejected):
        request.refresh_from_db()
        assert request.shopify_return_id

    since = len(devshop.request_log())
    again = backfill()
    everything = backfill("--all")

    assert "2 requests: 0 brought up to date, 0 already up to date, 2 skipped" in again
    assert f"{refunded.number} (resolved): already up to date, nothing sent" in everything
    assert "5 requests: 0 brought up to date, 3 already up to date, 2 skipped" in everything
    assert mutations(devshop, since) == []
    assert len(devshop.order_by_name("#1001")["refunds"]) == 1


def test_a_refusal_is_reported_and_recorded_and_the_others_go_on(before_returns, devshop):
    refunded, approved, rejected, *_ = before_returns
    devshop.add_fault("user_errors")  # Shopify refuses the first request's returnRequest

    with pytest.raises(CommandError, match="1 request"):
        call_command("shopify_returns_backfill", stdout=(out := StringIO()))

    assert (
        f"{refunded.number} (resolved): refused by Shopify, recorded on its history"
        in out.getvalue()
    )
    assert "2 brought up to date" in out.getvalue() and "1 refused" in out.getvalue()
    [refused] = ReturnEvent.objects.filter(
        request=refunded, type=steps.SHOPIFY_RETURN_REFUSED.event_type
    )
    assert "Something went wrong" in refused.data["error"]
    assert ReturnRequest.objects.get(pk=refunded.pk).status == "resolved"
    assert returns_of(devshop, "#1002")[0]["status"] == "DECLINED"

    out = backfill(refunded.number)  # once dealt with, that one again

    assert f"{refunded.number} (resolved): requested, approved" in out
    assert sorted(r["status"] for r in returns_of(devshop, "#1001")) == ["CLOSED", "OPEN"]
