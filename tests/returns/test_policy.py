"""Each eligibility rule on its own, over plain order snapshots."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from returns import policy
from returns.policy import ReturnPolicy, item_eligibility, order_eligibility
from returns.shopify.types import Fulfillment, LineItem, Money, Order, OrderRefund, RefundLine

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RULES = ReturnPolicy(
    return_window_days=30, guarantee_years=2, final_sale_tags=frozenset({"final-sale"})
)


def euro(amount):
    return Money(Decimal(amount), "EUR")


def line(n=1, quantity=2, refundable=None, tags=()):
    return LineItem(
        id=f"gid://shopify/LineItem/{n}",
        title=f"Item {n}",
        variant_title=None,
        sku=None,
        quantity=quantity,
        current_quantity=quantity,
        refundable_quantity=quantity if refundable is None else refundable,
        unit_price=euro("39.95"),
        original_unit_price=euro("39.95"),
        image_url=None,
        image_alt=None,
        product_id=None,
        product_tags=tuple(tags),
    )


def shipped(days_ago, delivered_days_ago=None):
    return Fulfillment(
        id="gid://shopify/Fulfillment/1",
        status="SUCCESS",
        display_status="FULFILLED",
        created_at=NOW - timedelta(days=days_ago),
        in_transit_at=None,
        delivered_at=None
        if delivered_days_ago is None
        else NOW - timedelta(days=delivered_days_ago),
    )


def order(*items, fulfillments=(), financial_status="PAID", **changes):
    base = Order(
        id="gid://shopify/Order/1",
        name="#1001",
        email="anna@example.com",
        created_at=NOW - timedelta(days=20),
        processed_at=NOW - timedelta(days=20),
        updated_at=NOW - timedelta(days=1),
        cancelled_at=None,
        closed=False,
        customer_locale="nl",
        financial_status=financial_status,
        fulfillment_status="FULFILLED",
        currency="EUR",
        note=None,
        tags=(),
        total_price=euro("79.90"),
        total_refunded=euro("0.00"),
        line_items=items or (line(),),
        fulfillments=tuple(fulfillments),
        transactions=(),
        refunds=(),
    )
    return replace(base, **changes)


def check(an_order, item=None, reserved=0):
    item = item or an_order.line_items[0]
    return item_eligibility(an_order, item, reserved=reserved, now=NOW, policy=RULES)


def test_a_delivered_paid_order_within_the_window_can_be_returned_and_claimed():
    result = check(order(fulfillments=[shipped(12, delivered_days_ago=10)]))
    assert (result.returnable, result.claimable) == (2, 2)
    assert result.return_blocker is None and result.claim_blocker is None


@pytest.mark.parametrize("status", ["PENDING", "AUTHORIZED", "REFUNDED", "VOIDED", None])
def test_an_unpaid_order_cannot_be_returned(status):
    result = check(order(fulfillments=[shipped(5)], financial_status=status))
    assert result.returnable == result.claimable == 0
    assert result.return_blocker == policy.NOT_PAID


def test_an_order_that_was_not_shipped_cannot_be_returned():
    result = check(order(fulfillments=[]))
    assert result.returnable == result.claimable == 0
    assert result.return_blocker == policy.NOT_SHIPPED


def test_a_cancelled_fulfillment_does_not_count_as_shipped():
    cancelled = replace(shipped(5), status="CANCELLED")
    assert check(order(fulfillments=[cancelled])).return_blocker == policy.NOT_SHIPPED


def test_a_cancelled_order_cannot_be_returned():
    result = check(order(fulfillments=[shipped(5)], cancelled_at=NOW - timedelta(days=1)))
    assert result.return_blocker == policy.CANCELLED


def test_the_return_window_counts_from_delivery():
    # Shipped 40 days ago but delivered 29 days ago: still inside 30 days.
    assert check(order(fulfillments=[shipped(40, delivered_days_ago=29)])).returnable == 2
    closed = check(order(fulfillments=[shipped(40, delivered_days_ago=31)]))
    assert closed.returnable == 0
    assert "30" in str(closed.return_blocker)
    assert closed.claimable == 2


def test_without_a_delivery_date_the_window_counts_from_shipping():
    assert check(order(fulfillments=[shipped(29)])).returnable == 2
    assert check(order(fulfillments=[shipped(31)])).returnable == 0


def test_the_window_length_comes_from_the_policy():
    an_order = order(fulfillments=[shipped(40, delivered_days_ago=40)])
    longer = ReturnPolicy(return_window_days=60)
    item = an_order.line_items[0]
    assert item_eligibility(an_order, item, reserved=0, now=NOW, policy=longer).returnable == 2


def test_defects_can_be_claimed_until_the_guarantee_ends():
    assert check(order(fulfillments=[shipped(730, delivered_days_ago=729)])).claimable == 2
    expired = check(order(fulfillments=[shipped(800, delivered_days_ago=731)]))
    assert expired.claimable == 0
    # Delivered 731 days before 27 November 2026: on 26 November 2024.
    assert expired.claim_blocker == (
        "The legal guarantee period for this item (2 years from delivery) ended on 26 November 2026."
    )


def test_the_guarantee_runs_two_calendar_years_across_a_leap_day():
    # Delivered on 1 December 2023: 2024 has a 29 February, so 1 December 2025 is day 731; the
    # law's two years still include it, and end with it.
    delivered = datetime(2023, 12, 1, 10, 0, tzinfo=UTC)
    days_ago = (NOW - delivered) / timedelta(days=1)
    an_order = order(fulfillments=[shipped(days_ago, delivered_days_ago=days_ago)])
    item = an_order.line_items[0]
    last_day = datetime(2025, 12, 1, 20, 0, tzinfo=UTC)
    assert item_eligibility(an_order, item, reserved=0, now=last_day, policy=RULES).claimable == 2
    day_after = datetime(2025, 12, 2, 9, 0, tzinfo=UTC)
    late = item_eligibility(an_order, item, reserved=0, now=day_after, policy=RULES)
    assert late.claimable == 0
    assert "ended on 1 December 2025" in late.claim_blocker


def test_a_delivery_on_a_leap_day_is_guaranteed_until_28_february():
    delivered = datetime(2024, 2, 29, 10, 0, tzinfo=UTC)
    assert policy.guarantee_last_day(delivered, years=2).isoformat() == "2026-02-28"


def test_final_sale_items_can_be_claimed_but_not_returned():
    item = line(tags=["Final-Sale", "summer"])
    result = check(order(item, fulfillments=[shipped(5, 3)]))
    assert result.returnable == 0
    assert result.return_blocker == policy.FINAL_SALE
    assert result.claimable == 2


def test_quantities_never_exceed_what_is_left():
    item = line(quantity=3, refundable=2)
    result = check(order(item, fulfillments=[shipped(5, 3)]), reserved=1)
    assert result.returnable == result.claimable == 1


def test_an_item_fully_refunded_or_in_a_return_is_shown_with_its_reason():
    item = line(quantity=2, refundable=2)
    result = check(order(item, fulfillments=[shipped(5, 3)]), reserved=2)
    assert result.returnable == result.claimable == 0
    assert result.return_blocker == result.claim_blocker == policy.NOTHING_LEFT


def test_refunded_units_are_counted_from_shopify_refunds():
    item = line(quantity=3, refundable=2)
    refund = OrderRefund(
        id="gid://shopify/Refund/1",
        created_at=NOW,
        note=None,
        total=euro("39.95"),
        lines=(
            RefundLine(line_item_id=item.id, quantity=1, restocked=True, subtotal=euro("39.95")),
        ),
    )
    result = check(order(item, fulfillments=[shipped(5, 3)], refunds=(refund,)))
    assert result.refunded == 1


def test_every_item_of_the_order_is_listed_even_when_ineligible():
    items = (line(1), line(2, tags=["final-sale"]), line(3, refundable=0))
    an_order = order(*items, fulfillments=[shipped(5, 3)])
    result = order_eligibility(an_order, reserved={}, now=NOW, policy=RULES)
    assert [r.item.id for r in result] == [i.id for i in items]
    assert [r.returnable for r in result] == [2, 0, 0]


def test_the_policy_reads_the_shops_settings(settings):
    settings.RETURN_WINDOW_DAYS = 14
    settings.GUARANTEE_YEARS = 3
    settings.FINAL_SALE_TAGS = ["Outlet"]
    assert ReturnPolicy.from_settings() == ReturnPolicy(14, 3, frozenset({"outlet"}))
