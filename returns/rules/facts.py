"""What a rule knows of a request: its facts, and the policy's verdict on its items.

Read from the request, its lines and the order copy it was made from; the return period and the
guarantee are those of returns/policy.py at the moment the request was made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from ..models import ReturnKind, ReturnLine, ReturnRequest, ReturnStatus
from ..policy import (
    NOTHING_LEFT,
    ReturnPolicy,
    item_eligibility,
    period_start,
    withdrawal_blocker,
)
from ..selectors import order_snapshot, policy_current
from ..shopify.types import Order
from .language import Money


def reason_code(request: ReturnRequest) -> str:
    """The request's reason as rules read it: the code the shopper chose from the policy's list;
    for a request made before the list, its track (not_satisfied or defect)."""
    return request.reason_code or request.reason


@dataclass(frozen=True)
class RequestFacts:
    facts: dict
    # Why the policy forbids the request's items, or None when it allows them.
    policy_blocker: str | None


def request_facts(
    request: ReturnRequest,
    lines: list[ReturnLine],
    *,
    returns_this_year: int,
    policy: ReturnPolicy,
    snapshot: Order | None = None,
) -> RequestFacts:
    snapshot = snapshot or order_snapshot(request.order)
    items = {item.id: item for item in snapshot.line_items}
    is_claim = request.kind == ReturnKind.CLAIM
    within_guarantee = True
    final_sale = False
    blocker = None
    tags: set[str] = set()
    for line in lines:
        item = items.get(line.line_item_id)
        if item is None:
            blocker = blocker or str(NOTHING_LEFT)
            continue
        tags |= {tag.lower() for tag in item.product_tags}
        # The request's own units are in it already: the policy is asked of the item as if they
        # were not, at the moment it was made.
        entry = item_eligibility(snapshot, item, reserved=0, now=request.created_at, policy=policy)
        final_sale = final_sale or bool(tags & policy.final_sale_tags)
        if entry.claim_blocker:
            within_guarantee = False
        own = entry.claim_blocker if is_claim else entry.return_blocker
        if own and own != NOTHING_LEFT:
            blocker = blocker or str(own)
    facts = {
        "kind": request.kind,
        "reason": reason_code(request),
        "country": _country(snapshot),
        "total": _total(snapshot, lines, items),
        "items": sum(line.quantity for line in lines),
        "returns_this_year": returns_this_year,
        "tags": frozenset(tags),
        "within_window": not _window_ended(snapshot, request, policy),
        "within_guarantee": within_guarantee,
        "final_sale": final_sale,
        # Not a fact rules name: the engine keeps rules from rejecting a legal withdrawal.
        "withdrawal": withdrawal_blocker(snapshot, now=request.created_at, policy=policy) is None,
    }
    return RequestFacts(facts=facts, policy_blocker=blocker)


def _window_ended(snapshot: Order, request: ReturnRequest, policy: ReturnPolicy) -> bool:
    # As returns/policy.py counts it: from delivery (or shipping), the window's days to the second.
    start = period_start(snapshot)
    return start is None or request.created_at - start > timedelta(days=policy.return_window_days)


def _country(snapshot: Order) -> str:
    address = snapshot.shipping_address
    return (address.country_code or "").lower() if address else ""


def _total(snapshot: Order, lines, items) -> Money:
    """The items' value in the shop's currency, as Shopify booked it."""
    currency = snapshot.shop_currency or snapshot.currency
    amount = Decimal(0)
    for line in lines:
        item = items.get(line.line_item_id)
        price = item.unit_price if item else None
        if price is not None and price.shop is not None:
            amount += price.shop.amount * line.quantity
        else:
            amount += line.unit_price * line.quantity
    return Money(amount=amount, currency=currency)


def _returns_this_year():
    """Subquery: the same customer's other returns made in the same calendar year."""
    return Coalesce(
        Subquery(
            ReturnRequest.objects.filter(
                customer_email=OuterRef("request__customer_email"),
                kind=ReturnKind.RETURN,
                created_at__year=ExtractYear(OuterRef("request__created_at")),
                created_at__lt=OuterRef("request__created_at"),
            )
            .exclude(status=ReturnStatus.CANCELLED)
            .exclude(customer_email="")
            .order_by()
            .values("customer_email")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def requests_with_facts(*, request_ids=None, last: int | None = None, policy=None):
    """[(request, RequestFacts)] for the given requests, or the `last` made, newest first: one
    query for the requests, their orders, their lines and each customer's count of returns."""
    policy = policy or policy_current()
    wanted = ReturnRequest.objects.order_by("-created_at", "-pk")
    if request_ids is not None:
        wanted = wanted.filter(pk__in=list(request_ids))
    if last is not None:
        wanted = wanted[:last]
    rows = (
        ReturnLine.objects.filter(request__in=Subquery(wanted.values("pk")))
        .select_related("request__order")
        .annotate(returns_this_year=_returns_this_year())
        .order_by("-request__created_at", "-request_id", "pk")
    )
    grouped: dict[int, list] = defaultdict(list)
    requests, counts = {}, {}
    for line in rows:
        grouped[line.request_id].append(line)
        requests[line.request_id] = line.request
        counts[line.request_id] = line.returns_this_year
    snapshots: dict[int, Order] = {}  # an order with many requests is read once

    def snapshot_of(request):
        if request.order_id not in snapshots:
            snapshots[request.order_id] = order_snapshot(request.order)
        return snapshots[request.order_id]

    return [
        (
            requests[pk],
            request_facts(
                requests[pk],
                lines,
                returns_this_year=counts[pk],
                policy=policy,
                snapshot=snapshot_of(requests[pk]),
            ),
        )
        for pk, lines in grouped.items()
    ]


__all__ = ["RequestFacts", "reason_code", "request_facts", "requests_with_facts"]
