"""The returns report: the figures of a known data set, filters, CSV, charts and permission."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from returns.report_figures import Filters, report_build
from tests import report_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
REPORT = "/admin/returns/report/"


def build(**filters):
    return report_build(Filters(first_month=OCT, last_month=NOV, **filters))


def rows_of(report):
    return {(r.month, r.title, r.sku): r for r in report.rows}


@pytest.fixture
def data(db):
    return report_data.load()


def test_figures_per_month_product_and_sku(data):
    report = build()
    rows = rows_of(report)
    shirt = rows[(OCT, "Linen shirt", "SHIRT-M")]
    # 2 + 1 withdrawn (the cancelled 3 do not count), 1 claimed, of 10 sold.
    assert (shirt.sold, shirt.returned, shirt.claimed) == (10, 3, 1)
    assert shirt.rate == pytest.approx(0.3)
    assert shirt.by_reason == {"not_satisfied": 3, "defect": 1}
    # 60.00, and 15.00 of the 20.00 refunded for a shirt and a mug (30.00 and 10.00).
    assert shirt.refunded == {"EUR": Decimal("75.00")}
    assert shirt.refund_days == pytest.approx(2.0)  # 3 days and 1 day
    mug = rows[(OCT, "Mug", "MUG")]
    assert (mug.sold, mug.returned, mug.rate, mug.refunded) == (5, 1, 0.2, {"EUR": Decimal("5.00")})
    assert mug.refund_days == pytest.approx(1.0)
    # Placed and filed just after midnight on 1 November in Amsterdam: November's.
    november = rows[(NOV, "Linen shirt", "SHIRT-M")]
    assert (november.sold, november.returned, november.rate) == (4, 1, 0.25)
    assert november.refund_days is None


def test_totals_per_month_and_product(data):
    report = build()
    months = {m.key: m for m in report.months}
    assert (months[OCT].sold, months[OCT].returned, months[OCT].claimed) == (15, 4, 1)
    assert (months[NOV].sold, months[NOV].returned, months[NOV].claimed) == (4, 1, 0)
    assert months[OCT].refunded == {"EUR": Decimal("80.00")}
    products = {p.title: p for p in report.products}
    assert products["Linen shirt"].rate == pytest.approx(4 / 14)
    assert products["Mug"].rate == pytest.approx(0.2)
    assert [p.title for p in report.products] == ["Linen shirt", "Mug"]  # highest rate first
    assert report.total.refund_days == pytest.approx((3 + 1 + 1) / 3)


def test_filters_kind_product_and_months(data):
    claims = build(kind="claim")
    shirt = rows_of(claims)[(OCT, "Linen shirt", "SHIRT-M")]
    assert (shirt.returned, shirt.claimed, shirt.refunded) == (0, 1, {})
    assert shirt.sold == 10  # units sold do not depend on the kind of request
    mugs = build(search="mug")
    assert {r.title for r in mugs.rows} == {"Mug"}
    by_sku = build(search="shirt-m")
    assert {r.title for r in by_sku.rows} == {"Linen shirt"}
    october = report_build(Filters(first_month=OCT, last_month=OCT))
    assert {r.month for r in october.rows} == {OCT}


def staff_with(client, *codenames):
    user = UserFactory(username="-".join(codenames) or "nobody")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def test_the_report_needs_its_own_permission(client, data):
    staff_with(client, "view_returnrequest")
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT + "csv/").status_code == 403
    assert REPORT not in client.get(reverse("admin:index")).content.decode()


def test_staff_with_the_permission_find_it_on_the_start_page(client, data):
    staff_with(client, "view_report")
    assert REPORT in client.get(reverse("admin:index")).content.decode()
    html = client.get(REPORT, {"first_month": "2026-10", "last_month": "2026-11"}).content.decode()
    assert "Linen shirt" in html and "SHIRT-M" in html
    assert "30.0 %" in html  # the shirt's rate in October
    assert "€75.00" in html


def test_charts_are_accessible_svg_without_inline_style_or_script(client, data):
    staff_with(client, "view_report")
    response = client.get(REPORT, {"first_month": "2026-10", "last_month": "2026-11"})
    html = response.content.decode()
    charts = re.findall(r"<svg class=\"chart .*?</svg>", html, re.DOTALL)
    assert len(charts) == 2
    for chart in charts:
        assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    assert "October 2026: 4 units returned" in charts[0]
    assert "Linen shirt: 28.6 % returned (4 of 14 sold)" in charts[1]
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # only the admin's own files
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_dutch_staff_read_the_report_in_dutch(client, data):
    staff_with(client, "view_report")
    client.cookies["django_language"] = "nl"
    html = client.get(
        REPORT, {"first_month": "2026-10", "last_month": "2026-11"}, HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "oktober 2026" in html
    assert "30,0 %" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"first_month": "2026-13"}, "Enter a month as YYYY-MM"),
        ({"first_month": "2026-11", "last_month": "2026-10"}, "must not come after"),
        ({"first_month": "2020-01", "last_month": "2026-10"}, "at most 36 months"),
    ],
)
def test_bad_filters_are_refused_with_a_message(client, data, query, message):
    staff_with(client, "view_report")
    html = client.get(REPORT, query).content.decode()
    assert message in html
    assert '<svg class="chart' not in html
    csv_answer = client.get(REPORT + "csv/", query)
    assert csv_answer["Content-Type"].startswith("text/html")


def test_csv_has_the_same_figures(client, data):
    staff_with(client, "view_report")
    response = client.get(REPORT + "csv/", {"first_month": "2026-10", "last_month": "2026-11"})
    assert response["Content-Type"] == "text/csv"
    assert "returns-report-2026-10-2026-11.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    shirt = next(r for r in rows if r["month"] == "2026-10" and r["SKU"] == "SHIRT-M")
    assert shirt["units sold"] == "10" and shirt["units returned"] == "3"
    assert shirt["return rate"] == "0.3000"
    assert shirt["refunded (EUR)"] == "75.00"
    assert shirt["reason: Not satisfied"] == "3" and shirt["reason: Defect"] == "1"
    assert shirt["average days to refund"] == "2.0"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_cannot_become_formulas(client, start):
    staff_with(client, "view_report")
    sneaky = report_data.item(
        f'{start}HYPERLINK("http://x")', "gid://shopify/Product/9", f"{start}1", 2, "5.00", 930001
    )
    from datetime import UTC, datetime

    from returns.services import shopify_order_store
    from returns.shopify.orders import order_from_graphql

    order = report_data.order_data("#3999", datetime(2026, 10, 5, tzinfo=UTC), [sneaky])
    shopify_order_store(order=order_from_graphql(order))
    response = client.get(REPORT + "csv/", {"first_month": "2026-10", "last_month": "2026-10"})
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["product"] == f'\'{start}HYPERLINK("http://x")'
    assert row["SKU"] == f"'{start}1"
    assert row["units sold"] == "2"


def test_the_migration_gives_earlier_lines_their_product_and_counts_earlier_copies_as_sold():
    import importlib

    from django.apps import apps

    from returns.models import SoldLine
    from tests.factories import ReturnLineFactory, ShopifyOrderFactory

    order = ShopifyOrderFactory()
    item = order.data["line_items"][0]
    line = ReturnLineFactory(request__order=order, line_item_id=item["id"], product_id="")
    importlib.import_module("returns.migrations.0017_report").backfill(apps, None)
    line.refresh_from_db()
    assert line.product_id == item["product_id"]
    assert line.value_share == 1
    sold = SoldLine.objects.get(line_item_id=item["id"])
    assert (sold.quantity, sold.source, sold.product_id) == (2, "portal", item["product_id"])


def test_a_request_filed_by_a_shopper_shares_its_value_over_its_lines(file_request):
    # The shirt at 39.95 and the lamp at 89.00 (tests/returns/conftest.py).
    request = file_request("not_satisfied", {0: 2, 1: 1})
    shares = {line.title: line.value_share for line in request.lines.all()}
    assert shares == {"Linen shirt": Decimal("0.473061"), "Desk lamp": Decimal("0.526939")}
    assert all(line.product_id.startswith("gid://shopify/Product/") for line in request.lines.all())
