"""What the shop sold, read from Shopify (devshop) for the return rate: the command and the task."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command

from returns import tasks
from returns.models import SalesSync, SoldLine
from returns.report_figures import Filters, report_build
from tests import report_data

pytestmark = pytest.mark.django_db

OCT = date(2026, 10, 1)


def october_shirts():
    report = report_build(Filters(first_month=OCT, last_month=OCT))
    return next(r for r in report.rows if r.sku == "SHIRT-M")


@pytest.fixture
def shop_sold_more(devshop):
    """The data set, and in the shop two more October orders the portal never saw: 20 shirts,
    and 7 shirts of an order cancelled since."""
    report_data.load(devshop)
    more = report_data.item("Linen shirt", report_data.SHIRT, "SHIRT-M", 20, "30.00", 940001)
    cancelled = report_data.item("Linen shirt", report_data.SHIRT, "SHIRT-M", 7, "30.00", 940002)
    old = report_data.item("Linen shirt", report_data.SHIRT, "SHIRT-M", 50, "30.00", 940003)
    orders = [
        report_data.order_data("#3003", datetime(2026, 10, 25, 9, tzinfo=UTC), [more]),
        {
            **report_data.order_data("#3004", datetime(2026, 10, 26, 9, tzinfo=UTC), [cancelled]),
            "cancelledAt": "2026-10-27T09:00:00Z",
        },
        report_data.order_data("#2999", datetime(2026, 8, 1, 9, tzinfo=UTC), [old]),
    ]
    devshop.load_orders(orders)


def test_the_rate_counts_what_the_portal_saw_until_shopify_is_read(shop_sold_more, capsys):
    assert october_shirts().sold == 10  # the order copy of #3001 only
    assert october_shirts().rate == pytest.approx(0.3)

    call_command("sales_sync", "--since", "2026-09-01")

    # #3001 counted once, #3003 added, the cancelled #3004 and August's #2999 not.
    assert october_shirts().sold == 30
    assert october_shirts().rate == pytest.approx(0.1)
    assert "Read 4 orders created since 2026-09-01 00:00 UTC; 4 line items stored." in (
        capsys.readouterr().out
    )
    assert SoldLine.objects.get(line_item_id__endswith="/940001").source == "shopify"
    page = report_build(Filters(first_month=OCT, last_month=OCT))
    assert page.last_sync is not None


def test_syncing_again_changes_nothing(shop_sold_more):
    call_command("sales_sync", "--since", "2026-09-01")
    call_command("sales_sync", "--since", "2026-09-01")
    assert october_shirts().sold == 30
    assert SalesSync.objects.count() == 2


def test_the_task_reads_on_from_the_last_sync(shop_sold_more, devshop):
    call_command("sales_sync", "--since", "2026-09-01")
    SalesSync.objects.update(finished_at=datetime(2026, 10, 26, tzinfo=UTC))

    # From two days before: #3002, #3003 and the cancelled #3004, which stores nothing.
    assert tasks.sales_sync.delay().get() == {"orders": 3, "lines": 2}
    assert SalesSync.objects.first().since == datetime(2026, 10, 24, tzinfo=UTC)


def test_pages_of_orders_are_all_read(devshop):
    items = [
        report_data.item("Mug", report_data.MUG, "MUG", 1, "10.00", 950000 + n) for n in range(120)
    ]
    devshop.load_orders(
        [
            report_data.order_data(f"#5{n:03}", datetime(2026, 10, 1 + n % 28, tzinfo=UTC), [item])
            for n, item in enumerate(items)
        ]
    )
    call_command("sales_sync", "--since", "2026-10-01")
    assert SoldLine.objects.filter(sku="MUG").count() == 120


def test_without_the_read_orders_scope_the_command_says_so(shop_sold_more, devshop):
    devshop.set_option("access_scopes", "read_products,read_returns")
    with pytest.raises(CommandError, match="may not read the shop's orders"):
        call_command("sales_sync")
    assert october_shirts().sold == 10
    assert tasks.sales_sync.delay().get() == {"orders": 0, "lines": 0}


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="Not a date as YYYY-MM-DD"):
        call_command("sales_sync", "--since", "26-10-01")
