"""The returns report's figures: what came back, per month, product, SKU and reason.

Reads only. Three GROUP BY queries do the counting in the database, however many requests there
are: units returned and claimed, units sold, and refunded amounts with the time from request to
refund; Python only puts the grouped rows (months × SKUs × reasons) side by side.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone, translation

from . import money
from .models import (
    Refund,
    RefundState,
    ReturnKind,
    ReturnLine,
    ReturnReason,
    ReturnStatus,
    SalesSync,
    SoldLine,
)
from .selectors import policy_current

# The request's reason as the report groups it: the code the shopper chose from the shop's list;
# a request made before the list by its track, which the default list's codes are named after.
REASON = Coalesce(NullIf("request__reason_code", Value("")), "request__reason")


def reason_label(code: str) -> str:
    """The reason's words in the staff member's language, from the policy in force."""
    option = policy_current().reason(code)
    if option is not None:
        return option.label(translation.get_language() or "en")
    return str(dict(ReturnReason.choices).get(code, code or "–"))


def reason_codes() -> list[str]:
    return [option.code for option in policy_current().reasons]


# Requests that never became a return: nothing came back and nothing was decided about a product.
NOT_COUNTED = (ReturnStatus.CANCELLED, ReturnStatus.REJECTED)
AMOUNT = DecimalField(max_digits=15, decimal_places=3)


@dataclass(frozen=True)
class Filters:
    first_month: date  # the first day of the first month shown
    last_month: date  # the first day of the last month shown
    kind: str = ""  # "", ReturnKind.RETURN or ReturnKind.CLAIM
    search: str = ""  # part of a product title or SKU

    def bounds(self) -> tuple[datetime, datetime]:
        """From the first month's first moment to the moment after the last month, locally."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.first_month, time.min, tzinfo=zone)
        end = datetime.combine(next_month(self.last_month), time.min, tzinfo=zone)
        return start, end


@dataclass
class Row:
    month: date
    product_id: str
    sku: str
    title: str = ""
    sold: int = 0
    returned: int = 0
    claimed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    refunded: dict[str, Decimal] = field(default_factory=dict)  # per shop currency
    refund_days: float | None = None
    refunded_lines: int = 0

    @property
    def rate(self) -> float | None:
        """Units returned ÷ units sold in the same month; None when none were sold."""
        return self.returned / self.sold if self.sold else None


@dataclass
class Total:
    """A month's or a product's figures summed over the rows."""

    key: object
    title: str = ""
    sold: int = 0
    returned: int = 0
    claimed: int = 0
    refunded: dict[str, Decimal] = field(default_factory=dict)
    refund_days: float | None = None

    @property
    def rate(self) -> float | None:
        return self.returned / self.sold if self.sold else None


@dataclass
class Report:
    filters: Filters
    rows: list[Row]
    months: list[Total]
    products: list[Total]
    reasons: list[str]
    total: Total
    last_sync: SalesSync | None


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_range(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _month(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _search(prefix: str, search: str) -> Q:
    if not search:
        return Q()
    return Q(**{f"{prefix}title__icontains": search}) | Q(**{f"{prefix}sku__icontains": search})


def returned_units(filters: Filters):
    """Units per month filed, product, SKU, kind and reason."""
    start, end = filters.bounds()
    lines = ReturnLine.objects.filter(
        _search("", filters.search),
        request__created_at__gte=start,
        request__created_at__lt=end,
    ).exclude(request__status__in=NOT_COUNTED)
    if filters.kind:
        lines = lines.filter(request__kind=filters.kind)
    return (
        lines.annotate(month=TruncMonth("request__created_at"), reason=REASON)
        .values("month", "product_id", "sku", "request__kind", "reason")
        .annotate(units=Sum("quantity"), name=Max("title"))
        .order_by()
    )


def sold_units(filters: Filters):
    start, end = filters.bounds()
    return (
        SoldLine.objects.filter(
            _search("", filters.search), ordered_at__gte=start, ordered_at__lt=end
        )
        .annotate(month=TruncMonth("ordered_at"))
        .values("month", "product_id", "sku")
        .annotate(units=Sum("quantity"), name=Max("title"))
        .order_by()
    )


def refunded_amounts(filters: Filters):
    """Succeeded refunds in the shop's currency, per month refunded, product and SKU, with the
    time from request to refund; a refund is shared over its request's lines by what each line
    was worth (ReturnLine.value_share, stored when the request is filed: no subquery per row)."""
    start, end = filters.bounds()
    refunds = Refund.objects.annotate(refunded_on=Coalesce("succeeded_at", "created_at")).filter(
        _search("request__lines__", filters.search),
        state=RefundState.SUCCEEDED,
        refunded_on__gte=start,
        refunded_on__lt=end,
    )
    if filters.kind:
        refunds = refunds.filter(request__kind=filters.kind)
    return (
        refunds.annotate(
            month=TruncMonth("refunded_on"),
            product_id=F("request__lines__product_id"),
            sku=F("request__lines__sku"),
            shop_currency_code=Case(
                When(shop_amount__isnull=False, then=F("shop_currency")),
                default=F("currency"),
                output_field=CharField(),
            ),
            share=ExpressionWrapper(
                Coalesce("shop_amount", "amount") * F("request__lines__value_share"),
                output_field=AMOUNT,
            ),
        )
        .values("month", "product_id", "sku", "shop_currency_code")
        .annotate(
            amount=Sum("share", output_field=AMOUNT),
            name=Max("request__lines__title"),
            waited_total=Sum(
                ExpressionWrapper(
                    F("refunded_on") - F("request__created_at"), output_field=DurationField()
                )
            ),
            waited_count=Count("pk"),
        )
        .order_by()
    )


def report_build(filters: Filters) -> Report:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The planner's cost estimates for these few GROUP BY queries pass jit_above_cost,
            # and compiling them takes longer than running them (half a second of 1.4 s over
            # 100,000 requests, tests/bench/report_timing.py); and their sorts fit in memory
            # with a little more than the default 4 MB, instead of spilling to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '32MB'")
        return _report_build(filters)


def _report_build(filters: Filters) -> Report:
    rows: dict[tuple, Row] = {}

    def row(values) -> Row:
        key = (_month(values["month"]), values["product_id"] or "", values["sku"] or "")
        if key not in rows:
            rows[key] = Row(month=key[0], product_id=key[1], sku=key[2])
        found = rows[key]
        found.title = found.title or values["name"] or ""
        return found

    waited: dict[tuple, list] = defaultdict(lambda: [timedelta(0), 0])
    for values in returned_units(filters):
        found = row(values)
        units = values["units"] or 0
        if values["request__kind"] == ReturnKind.CLAIM:
            found.claimed += units
        else:
            found.returned += units
        reason = values["reason"] or ""
        found.by_reason[reason] = found.by_reason.get(reason, 0) + units
    for values in sold_units(filters):
        row(values).sold += values["units"] or 0
    for values in refunded_amounts(filters):
        if values["amount"] is None:
            continue
        found = row(values)
        currency = values["shop_currency_code"]
        found.refunded[currency] = found.refunded.get(currency, Decimal(0)) + values["amount"]
        total = waited[(found.month, found.product_id, found.sku)]
        total[0] += _duration(values["waited_total"])
        total[1] += values["waited_count"]
    for key, (total, count) in waited.items():
        rows[key].refund_days = total.total_seconds() / 86400 / count
        rows[key].refunded_lines = count
    ordered = sorted(rows.values(), key=lambda r: (r.month, r.title.casefold(), r.sku))
    for found in ordered:
        found.refunded = {
            c: a.quantize(money.quantum(c)) for c, a in sorted(found.refunded.items())
        }
    return Report(
        filters=filters,
        rows=ordered,
        months=_totals(
            ordered, lambda r: r.month, month_range(filters.first_month, filters.last_month)
        ),
        products=sorted(
            _totals(ordered, lambda r: r.product_id or f"sku:{r.sku}:{r.title}"),
            key=lambda t: (-(t.rate or 0), -t.returned, t.title.casefold()),
        ),
        reasons=[code for code in reason_codes() if any(code in r.by_reason for r in ordered)]
        + sorted({c for r in ordered for c in r.by_reason} - set(reason_codes())),
        total=_totals(ordered, lambda r: None)[0] if ordered else Total(key=None),
        last_sync=SalesSync.objects.first(),
    )


def _totals(rows: list[Row], key, keys=()) -> list[Total]:
    totals = {k: Total(key=k) for k in keys}
    waited: dict = defaultdict(lambda: [0.0, 0])
    for found in rows:
        total = totals.setdefault(key(found), Total(key=key(found)))
        total.title = total.title or found.title
        total.sold += found.sold
        total.returned += found.returned
        total.claimed += found.claimed
        for currency, amount in found.refunded.items():
            total.refunded[currency] = total.refunded.get(currency, Decimal(0)) + amount
        if found.refund_days is not None:
            waited[key(found)][0] += found.refund_days * found.refunded_lines
            waited[key(found)][1] += found.refunded_lines
    for k, (days, count) in waited.items():
        totals[k].refund_days = days / count
    return list(totals.values())


def _duration(value) -> timedelta:
    # SQLite hands back microseconds where PostgreSQL hands back an interval.
    if value is None:
        return timedelta(0)
    if isinstance(value, timedelta):
        return value
    return timedelta(microseconds=int(value))
