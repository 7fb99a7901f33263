"""A refund rush: 500 pending refunds of returns queued at once, drained by the Celery worker.

Each refund belongs to a received return request that has its Shopify Return (open, made in
devshop as Shopify's admin makes one), so the refund task takes whatever path the portal takes for
a return's units (`refundCreate`, or Shopify's return processing) and the drain measures that.
devshop throttles like a Standard plan (bucket of 2000 points, 100 points a second restored).
The bucket starts empty, as it is in the middle of a rush, so the fastest any client could drain
the queue is the points the refund tasks' requests cost (every request devshop logged meanwhile,
whatever its operation), divided by the restore rate: the bound. The follow-ups a settled refund
queues (write-backs, order refreshes, emails, steps on the Return) are parked, not run.

Checked afterwards against devshop's own state: every refund succeeded, each order has exactly
one refund in Shopify, the one the Refund row names, for its amount; each request has one Return,
and no Return holds more refunds, or refunded units, than it should.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from devshop import returns_flow
from devshop.returns import fulfillment_line_items
from devshop.store import get_store
from returns.models import Refund, ReturnLine, ReturnRequest, ReturnStatus, ShopifyOrder
from returns.shopify.orders import order_from_graphql
from returns.tasks import refund_process
from tests import shop

REFUNDS = 500
RESTORE_RATE = 100.0
BUCKET_SIZE = 2000.0


@dataclass
class DrainResult:
    refunds: int
    seconds: float
    cost: int
    bound: float
    requests: Counter
    succeeded: int
    failed: int
    pending: int
    shopify_refunds: int
    duplicates: int
    mismatched: int
    max_attempts: int
    parked: int
    shopify_returns: int
    returns_twice: int
    refunds_on_returns: int
    overrefunded_returns: int

    @property
    def ratio(self) -> float:
        return self.bound / self.seconds if self.seconds else 0.0

    @property
    def throttled(self) -> int:
        return sum(n for (_, outcome), n in self.requests.items() if outcome == "throttled")


def seed(count: int = REFUNDS) -> list[int]:
    """`count` orders in devshop and their local copies, each with a received return that has its
    Shopify Return, and a pending refund of its one item: what refund_request leaves behind, minus
    the task it queues."""
    store = get_store()
    store.reset()
    docs = [
        shop.order(
            f"#{5001 + i}",
            email=f"rush{i}@example.com",
            items=[shop.line_item("Wool scarf", quantity=1, price="39.95")],
        )
        for i in range(count)
    ]
    store.load_orders(docs)
    now = timezone.now()
    snapshots = [order_from_graphql(doc) for doc in docs]
    orders = ShopifyOrder.objects.bulk_create(
        ShopifyOrder(
            shopify_id=o.id,
            name=o.name,
            email=o.email,
            currency=o.currency,
            data=o.to_json(),
            shopify_updated_at=o.updated_at,
            fetched_at=now,
        )
        for o in snapshots
    )
    made = [_shopify_return(store, doc) for doc in docs]
    requests = ReturnRequest.objects.bulk_create(
        ReturnRequest(
            order=order,
            sequence=1,
            number=f"R-{order.name.lstrip('#')}-1",
            kind="return",
            reason="not_satisfied",
            status=ReturnStatus.RECEIVED,
            locale="nl",
            customer_email=order.email,
            received_at=now,
            shopify_return_id=shopify_return["id"],
        )
        for order, shopify_return in zip(orders, made, strict=True)
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            request=r,
            line_item_id=doc["lineItems"]["nodes"][0]["id"],
            title="Wool scarf",
            quantity=1,
            received_quantity=1,
            unit_price=Decimal("39.95"),
            currency="EUR",
        )
        for r, doc in zip(requests, docs, strict=True)
    )
    refunds = Refund.objects.bulk_create(
        Refund(
            request=r,
            amount=Decimal("39.95"),
            currency="EUR",
            restock=False,
            notify_customer=False,
            lines=[{"line_item_id": doc["lineItems"]["nodes"][0]["id"], "quantity": 1}],
        )
        for r, doc in zip(requests, docs, strict=True)
    )
    store.set_option("bucket_size", BUCKET_SIZE)
    store.set_option("restore_rate", RESTORE_RATE)
    return [r.pk for r in refunds]


def _shopify_return(store, doc: dict) -> dict:
    """The order's one unit in a Return, open (approved), as staff make one in Shopify's admin."""
    order = store.order_by_id(doc["id"])
    [fli] = [fli for lines in fulfillment_line_items(order).values() for fli in lines]
    return returns_flow.admin_return_create(store, order_id=doc["id"], lines=[(fli["id"], 1)])


def drain(refund_ids: list[int], *, stack, timeout: float = 900) -> DrainResult:
    store = get_store()
    before = len(store.request_log())
    store.set_bucket(0)  # mid-rush: nothing saved up
    started = time.time()
    for refund_id in refund_ids:
        refund_process.delay(refund_id)
    refunds = Refund.objects.filter(pk__in=refund_ids)
    deadline = time.monotonic() + timeout
    while refunds.filter(state="pending").exists() and time.monotonic() < deadline:
        stack.check_alive()
        time.sleep(0.25)
    finished = refunds.aggregate(last=Max("updated_at"))["last"].timestamp()
    # Every request the refund tasks made, whatever it was: nothing else talks to devshop now.
    log = store.request_log()[before:]
    cost = sum(r["cost"] or 0 for r in log)
    return DrainResult(
        refunds=len(refund_ids),
        seconds=finished - started,
        cost=cost,
        bound=cost / RESTORE_RATE,
        requests=Counter((r["operation_name"], r["outcome"]) for r in log),
        **_verify(refund_ids),
        parked=_parked(),
    )


def _verify(refund_ids: list[int]) -> dict:
    """Compare the Refund rows with the refunds devshop made, order by order."""
    rows = list(Refund.objects.filter(pk__in=refund_ids).select_related("request__order"))
    states = Counter(r.state for r in rows)
    orders = {o["id"]: o for o in get_store().orders()}
    in_shopify = {gid: o.get("refunds") or [] for gid, o in orders.items()}
    mismatched = duplicates = made = 0
    returns = returns_twice = on_returns = overrefunded = 0
    for row in rows:
        held = orders.get(row.request.order.shopify_id, {}).get("returns") or []
        returns += len(held)
        returns_twice += max(0, len(held) - 1)
        for shopify_return in held:
            on_returns += len(shopify_return["refundIds"])
            overrefunded += len(shopify_return["refundIds"]) > 1 or any(
                line["refundedQuantity"] > line["quantity"] for line in shopify_return["lines"]
            )
        made_here = in_shopify.get(row.request.order.shopify_id, [])
        made += len(made_here)
        duplicates += max(0, len(made_here) - 1)
        ids = {r["id"] for r in made_here}
        amounts = {Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in made_here}
        if row.state == "succeeded" and (ids != {row.shopify_refund_id} or amounts != {row.amount}):
            mismatched += 1
    return {
        "succeeded": states["succeeded"],
        "failed": states["failed"],
        "pending": states["pending"],
        "shopify_refunds": made,
        "duplicates": duplicates,
        "mismatched": mismatched,
        "max_attempts": max((r.attempts for r in rows), default=0),
        "shopify_returns": returns,
        "returns_twice": returns_twice,
        "refunds_on_returns": on_returns,
        "overrefunded_returns": overrefunded,
    }


def _parked() -> int:
    """Follow-up tasks (write-backs, order refreshes, emails) waiting on the parked queue."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        return client.llen(settings.BENCH_PARKED_QUEUE)
    finally:
        client.delete(settings.BENCH_PARKED_QUEUE)
        client.close()
