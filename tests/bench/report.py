"""The table the benchmark prints: each figure, its target where it has one, and whether it holds."""

from __future__ import annotations

from collections import defaultdict

from .load import CONNECTIONS
from .stack import CELERY_CONCURRENCY, GUNICORN_WORKERS

STATUS_QUERIES = 5
LOOKUP_QUERIES = 6
THROUGHPUT_RATIO = 0.50
LOOKUP_P95_MS = 50.0
DRAIN_RATIO = 0.80


class Table:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str] | str] = []
        self.ok = True

    def section(self, title: str) -> None:
        self.rows.append(title)

    def row(self, what: str, value: str, target: str = "", holds: bool | None = None) -> None:
        mark = "" if holds is None else ("yes" if holds else "NO")
        if holds is False:
            self.ok = False
        self.rows.append((what, value, target, mark))

    def render(self) -> str:
        cells = [r for r in self.rows if isinstance(r, tuple)]
        widths = [
            max(len(r[i]) for r in [*cells, ("measure", "value", "target", "holds")])
            for i in range(4)
        ]
        line = "+".join("-" * (w + 2) for w in widths)
        out = [line, _fmt(("measure", "value", "target", "holds"), widths), line]
        for r in self.rows:
            if isinstance(r, str):
                out.append(f" {r}")
            else:
                out.append(_fmt(r, widths))
        out.append(line)
        return "\n".join(out)


def _fmt(cells, widths) -> str:
    return "|".join(f" {c:<{w}} " for c, w in zip(cells, widths, strict=True))


def _shopper(step) -> bool:
    return step.flow.startswith("shopper")


def _shopper_allowance(step) -> int:
    """Shopify requests a shopper's page may make: one for a lookup of an order not stored yet."""
    return 1 if "cold" in step.name else 0


def render(measured: dict, loads: dict, drained, *, cpus: int | None) -> tuple[str, bool]:
    t = Table()
    steps = measured["steps"]

    t.section("SQL queries per page, PostgreSQL (of which BEGIN/COMMIT/SAVEPOINT), HTTP status")
    for s in steps:
        target, holds = "", None
        if s.name.startswith("status page"):
            target, holds = f"<= {STATUS_QUERIES}", s.queries <= STATUS_QUERIES
        elif s.name.startswith("lookup, warm"):
            target, holds = f"<= {LOOKUP_QUERIES}", s.queries <= LOOKUP_QUERIES
        elif s.name.startswith("lookup, cold"):
            target = "stores the order"
        value = f"{s.queries} ({s.transaction}), {s.status}"
        t.row(f"{s.flow}: {s.name}", value, target, holds)
    (few, few_ms), (many, many_ms) = measured["changelist"]
    t.row("staff: admin changelist, 10 requests", f"{few}, {few_ms:.0f} ms (in-process)")
    t.row(
        "staff: admin changelist, 1,000 requests",
        f"{many}, {many_ms:.0f} ms (in-process)",
        f"= {few} queries",
        many == few,
    )

    t.section("SQL queries of the staff's pages, 10 requests / 1,000 requests")
    few_pages, many_pages = measured["staff_pages"]
    for page, few_count in few_pages.items():
        many_count = many_pages[page]
        t.row(f"staff: {page}", f"{few_count} / {many_count}", "the same", many_count == few_count)

    t.section("Shopify requests (cost in points) in the page / in the tasks it queues")
    for s in steps:
        target, holds = "", None
        if _shopper(s):
            wanted = _shopper_allowance(s)
            target, holds = f"{wanted} in the page", s.shopify == wanted
        tasks = f" [{', '.join(sorted(set(s.tasks)))}]" if s.tasks else ""
        value = f"{s.shopify} ({s.cost}) / {s.task_shopify} ({s.task_cost}){tasks}"
        t.row(f"{s.flow}: {s.name}", value, target, holds)
    shoppers = [s for s in steps if _shopper(s)]
    asking = [s for s in shoppers if s.shopify != _shopper_allowance(s)]
    t.row(
        "shopper pages asking Shopify (a cold lookup: once)",
        f"{len(asking)} of {len(shoppers)} pages; "
        f"{sum(s.shopify for s in shoppers)} requests in all",
        "0 pages",
        not asking,
    )

    t.section("Shopify requests and cost per flow, pages and their tasks, by operation")
    totals = defaultdict(lambda: [0, 0, 0, 0])
    operations = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for s in steps:
        total = totals[s.flow]
        total[0] += s.shopify
        total[1] += s.cost
        total[2] += s.task_shopify
        total[3] += s.task_cost
        for name, (n, cost) in s.operations.items():
            operations[s.flow][name][0] += n
            operations[s.flow][name][1] += cost
    for flow, (n, cost, tn, tcost) in totals.items():
        t.row(
            f"flow total, {flow}",
            f"{n + tn} requests, {cost + tcost} points ({n} in pages, {tn} in tasks)",
        )
        for name, (count, points) in sorted(operations[flow].items()):
            t.row(f"  {flow}: {name}", f"{count} requests, {points} points")

    t.section(
        f"gunicorn {GUNICORN_WORKERS} workers + 1 Celery worker, PostgreSQL + Redis, "
        f"{CONNECTIONS} connections, {loads['bare'].tool}, {cpus} CPUs"
    )
    bare_rps = (loads["bare"].rps + loads["bare2"].rps) / 2
    runs = (
        ("bare", "bare view (tiny template)"),
        ("status", "status page (one page, reloaded)"),
        ("first", f"status page, first visits ({loads['first_visits']:,} pages)"),
        ("lookup", "lookup, warm (POST, 302)"),
        ("bare2", "bare view, again"),
    )
    for name, label in runs:
        r = loads[name]
        t.row(
            f"{label}: requests/s",
            f"{r.rps:.0f} ({r.requests} in {r.seconds:.1f} s, {r.errors} errors)",
            "no errors",
            r.errors == 0,
        )
        if name.startswith("bare"):
            continue
        target, holds = "", None
        if name == "lookup":
            target, holds = f"p95 < {LOOKUP_P95_MS:g} ms", r.p95_ms < LOOKUP_P95_MS
        t.row(f"{label}: p50 / p95", f"{r.p50_ms:.1f} / {r.p95_ms:.1f} ms", target, holds)
    ratio = loads["status"].rps / bare_rps if bare_rps else 0
    t.row(
        "status page / bare view throughput",
        f"{ratio:.0%}",
        f">= {THROUGHPUT_RATIO:.0%}",
        ratio >= THROUGHPUT_RATIO,
    )
    first = loads["first"].rps / bare_rps if bare_rps else 0
    t.row("status page, first visits / bare view throughput", f"{first:.0%}")

    d = drained
    t.section(
        f"refunds of returns with a Shopify Return: {d.refunds} queued, 1 Celery worker "
        f"({CELERY_CONCURRENCY} processes), devshop at 100 points/s, bucket empty at the start"
    )
    t.row("drain time", f"{d.seconds:.1f} s")
    t.row(
        "bound: the refund tasks' requests' cost / restore rate",
        f"{d.bound:.1f} s ({d.cost} points, {d.cost / d.refunds:.1f} per refund)",
    )
    t.row("bound / drain time", f"{d.ratio:.0%}", f">= {DRAIN_RATIO:.0%}", d.ratio >= DRAIN_RATIO)
    requests = sum(d.requests.values())
    t.row(
        "requests per refund (answers of any kind)",
        f"{requests / d.refunds:.1f} ({requests} requests, {d.throttled} of them THROTTLED)",
    )
    for operation in sorted({op for op, _ in d.requests}):
        answers = ", ".join(
            f"{n} {outcome}" for (op, outcome), n in sorted(d.requests.items()) if op == operation
        )
        t.row(f"devshop answers to {operation}", answers)
    t.row(
        "THROTTLED answers, none lost",
        f"{d.throttled} throttled; {d.succeeded} succeeded, {d.pending} pending, {d.failed} failed",
        f"{d.refunds} succeeded",
        d.succeeded == d.refunds,
    )
    t.row(
        "no refund twice (devshop vs Refund rows)",
        f"{d.shopify_refunds} refunds in devshop, {d.duplicates} twice, {d.mismatched} mismatched",
        f"{d.refunds}, 0, 0",
        d.shopify_refunds == d.refunds and not d.duplicates and not d.mismatched,
    )
    t.row(
        "one Shopify Return per request, none refunded twice",
        f"{d.shopify_returns} Returns, {d.returns_twice} extra, {d.overrefunded_returns} "
        f"over-refunded; {d.refunds_on_returns} refunds made through their Return",
        f"{d.refunds}, 0, 0",
        d.shopify_returns == d.refunds and not d.returns_twice and not d.overrefunded_returns,
    )
    t.row("most attempts by one refund", str(d.max_attempts))
    t.row(
        "follow-ups parked (write-backs, refreshes, emails, Return steps)",
        f"{d.parked} tasks, not timed",
    )
    return t.render(), t.ok
