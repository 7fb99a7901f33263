"""How long the returns report takes over 100,000 requests: `python -m tests.bench.report_timing`.

Loads 100,000 requests into PostgreSQL (12 months, 40 products of 3 SKUs each, one line in five
with a second item, three in five refunded, a sixth of them claims) and 400,000 sold line items,
then times the report's figures, its admin page (charts and tables) and its CSV, each the best of
three after one warm-up run. Target: each under 2 s.

Run on its own it creates, and drops, a database of its own (BENCH_DATABASE_URL with the name
`returns_report_bench` unless BENCH_REPORT_DATABASE says another); `python3 dev.py bench` runs it
in its own database after the other figures (tests/bench/run.py).
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit

REQUESTS = int(os.environ.get("BENCH_REPORT_REQUESTS", "100000"))
SOLD_LINES = 4 * REQUESTS
PRODUCTS = 40
TARGET_SECONDS = 2.0
BATCH = 5000


def seed(count: int = REQUESTS) -> None:
    """`count` requests with their lines and refunds, and what was sold, in bulk inserts; the
    dates spread over the last 365 days with one UPDATE each."""
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from returns.models import (
        Refund,
        RefundState,
        ReturnLine,
        ReturnRequest,
        ReturnStatus,
        ShopifyOrder,
        SoldLine,
    )

    now = timezone.now()
    statuses = [ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RESOLVED] * 3
    statuses.append(ReturnStatus.CANCELLED)

    def product(i):
        return f"gid://shopify/Product/{100 + i % PRODUCTS}", f"Product {i % PRODUCTS:02}"

    for start in range(0, count, BATCH):
        span = range(start, min(start + BATCH, count))
        orders = ShopifyOrder.objects.bulk_create(
            ShopifyOrder(
                shopify_id=f"gid://shopify/Order/{80_000_000 + i}",
                name=f"#B{i}",
                email=f"b{i}@example.com",
                currency="EUR",
                data={},
                fetched_at=now,
            )
            for i in span
        )
        requests = ReturnRequest.objects.bulk_create(
            ReturnRequest(
                order=order,
                sequence=1,
                number=f"R-B{i}-1",
                kind="claim" if i % 6 == 0 else "return",
                reason="defect" if i % 6 == 0 else "not_satisfied",
                status=statuses[i % len(statuses)],
                locale="nl",
                customer_email=order.email,
            )
            for i, order in zip(span, orders, strict=True)
        )
        lines = []
        for i, request in zip(span, requests, strict=True):
            for extra in (0, 1) if i % 5 == 0 else (0,):
                product_id, title = product(i + extra * 7)
                lines.append(
                    ReturnLine(
                        request=request,
                        line_item_id=f"gid://shopify/LineItem/{request.pk}-{extra}",
                        title=title,
                        sku=f"SKU-{(i + extra * 7) % PRODUCTS:02}-{i % 3}",
                        product_id=product_id,
                        value_share=Decimal("0.5") if i % 5 == 0 else Decimal(1),
                        quantity=1 + i % 2,
                        unit_price=Decimal("29.95"),
                        currency="EUR",
                    )
                )
        ReturnLine.objects.bulk_create(lines)
        Refund.objects.bulk_create(
            Refund(
                request=request,
                amount=Decimal("29.95"),
                currency="EUR",
                state=RefundState.SUCCEEDED,
                succeeded_at=now,
            )
            for i, request in zip(span, requests, strict=True)
            if i % 5 < 3
        )
    for start in range(0, SOLD_LINES, BATCH):
        SoldLine.objects.bulk_create(
            SoldLine(
                line_item_id=f"gid://shopify/LineItem/sold-{i}",
                order_shopify_id=f"gid://shopify/Order/{70_000_000 + i // 2}",
                product_id=product(i)[0],
                title=product(i)[1],
                sku=f"SKU-{i % PRODUCTS:02}-{i % 3}",
                quantity=1 + i % 3,
                ordered_at=now,
                source="shopify",
            )
            for i in range(start, min(start + BATCH, SOLD_LINES))
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE returns_returnrequest SET created_at = now() - (id % 365) * interval '1 day'"
        )
        cursor.execute(
            "UPDATE returns_refund f SET succeeded_at = r.created_at + (r.id % 12) * interval "
            "'1 day' FROM returns_returnrequest r WHERE r.id = f.request_id"
        )
        cursor.execute(
            "UPDATE returns_soldline SET ordered_at = now() - (id % 365) * interval '1 day'"
        )
        cursor.execute("ANALYZE")


def _best(run) -> tuple[float, object]:
    run()  # warm-up: imports, template caches, the database's own caches
    times, result = [], None
    for _ in range(3):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure() -> dict:
    """Seed the requests and time the report; the database is the one Django is set up with."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from returns.admin_report import ReportFilterForm
    from returns.report_figures import report_build

    started = time.perf_counter()
    seed()
    seeded = time.perf_counter() - started
    form = ReportFilterForm({})
    form.is_valid()
    filters = form.cleaned_data["filters"]
    user = get_user_model().objects.create_superuser("report-bench", "r@example.com", "x" * 20)
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    def page():
        response = client.get("/admin/returns/report/", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    def export():
        response = client.get("/admin/returns/report/csv/", secure=True)
        assert response.status_code == 200, response.status_code
        return response

    figures, report = _best(lambda: report_build(filters))
    page_seconds, _ = _best(page)
    csv_seconds, csv_response = _best(export)
    return {
        "requests": REQUESTS,
        "seeded": seeded,
        "rows": len(report.rows),
        "figures": figures,
        "page": page_seconds,
        "csv": csv_seconds,
        "csv_lines": csv_response.content.count(b"\n"),
    }


def rows(table, measured: dict) -> None:
    """The figures as rows of the benchmark's table (tests/bench/report.py)."""
    table.section(
        f"returns report over {measured['requests']:,} requests, 12 months "
        f"({measured['rows']:,} rows; seeded in {measured['seeded']:.0f} s)"
    )
    target = f"< {TARGET_SECONDS:g} s"
    for name, key in (("figures (3 GROUP BY queries)", "figures"), ("admin page", "page")):
        seconds = measured[key]
        table.row(f"report: {name}", f"{seconds * 1000:.0f} ms", target, seconds < TARGET_SECONDS)
    table.row(
        f"report: CSV ({measured['csv_lines']:,} lines)",
        f"{measured['csv'] * 1000:.0f} ms",
        target,
        measured["csv"] < TARGET_SECONDS,
    )


def main() -> int:
    from .report import Table
    from .stack import DATABASE_URL

    url = urlsplit(DATABASE_URL)
    name = os.environ.get("BENCH_REPORT_DATABASE", "returns_report_bench")
    os.environ["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _database(url, name, create=True)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        measured = measure()
        from django.db import connections

        connections.close_all()
    finally:
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            _database(url, name, create=False)
    table = Table()
    rows(table, measured)
    print(table.render())
    return 0 if table.ok else 1


def _database(url, name: str, *, create: bool) -> None:
    import psycopg

    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
