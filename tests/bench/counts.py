"""SQL queries per page and Shopify requests per page and per flow, measured in this process.

Pages are requested through Django's test client against the benchmark's PostgreSQL database and
the devshop server, so they run the same code as under gunicorn. Tasks a page queues are caught
instead of being sent to the broker and run afterwards, one by one, so each page's own cost and the
cost of the background work it causes are counted apart. Every Shopify request is kept with its
operation name and cost as devshop logged it, so the report shows what each flow asked of Shopify
(orders, notes, refunds, the Returns API) whatever the code asks, without naming it here.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from celery.app.task import Task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from devshop.fulfillments import order_fulfil
from devshop.store import get_store
from devshop.webhooks import fulfillment_payload
from returns import todo, views
from returns.models import (
    Refund,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ShopifyOrder,
)
from tests import shop
from tests.webhooks import shopify_headers

EMAIL = "anna.jansen@example.com"
TRANSACTION = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def browser() -> Client:
    return Client(SERVER_NAME="127.0.0.1")  # a host the settings allow


@dataclass
class Step:
    flow: str
    name: str
    queries: int = 0
    transaction: int = 0  # of the queries: BEGIN, COMMIT, SAVEPOINT, RELEASE
    status: int = 0
    shopify: int = 0
    cost: int = 0
    tasks: list[str] = field(default_factory=list)
    task_shopify: int = 0
    task_cost: int = 0
    task_queries: int = 0
    # Shopify operation -> [requests, points], the page's and its tasks' together.
    operations: dict[str, list[int]] = field(default_factory=dict)

    def count(self, entries: list[dict]) -> tuple[int, int]:
        for entry in entries:
            seen = self.operations.setdefault(entry["operation_name"] or "?", [0, 0])
            seen[0] += 1
            seen[1] += entry["cost"] or 0
        return len(entries), sum(entry["cost"] or 0 for entry in entries)


@contextmanager
def captured_tasks():
    """Task.delay()/apply_async() record the call instead of sending it."""
    queued: list[tuple[Task, tuple, dict]] = []
    original = Task.apply_async

    def capture(self, args=None, kwargs=None, **options):
        queued.append((self, tuple(args or ()), dict(kwargs or {})))

    Task.apply_async = capture
    try:
        yield queued
    finally:
        Task.apply_async = original


class Meter:
    def __init__(self):
        self.store = get_store()
        self.steps: list[Step] = []

    def _log_mark(self) -> int:
        return len(self.store.request_log())

    def _since(self, mark: int) -> list[dict]:
        return self.store.request_log()[mark:]

    def page(self, flow: str, name: str, call):
        """Run one request; then the tasks it queued, and the tasks those queued, and so on."""
        step = Step(flow, name)
        mark = self._log_mark()
        with captured_tasks() as queued, CaptureQueriesContext(connection) as queries:
            response = call()
        step.queries, step.status = len(queries), response.status_code
        step.transaction = sum(
            q["sql"].split(" ", 1)[0] in TRANSACTION for q in queries.captured_queries
        )
        step.shopify, step.cost = step.count(self._since(mark))
        mark = self._log_mark()
        task_queries = 0
        while queued:
            task, args, kwargs = queued.pop(0)
            step.tasks.append(task.name.rsplit(".", 1)[-1])
            with captured_tasks() as more, CaptureQueriesContext(connection) as queries:
                task.apply(args=args, kwargs=kwargs, throw=True)
            task_queries += len(queries)
            queued.extend(more)
        step.task_shopify, step.task_cost = step.count(self._since(mark))
        step.task_queries = task_queries
        self.steps.append(step)
        return response


def shopper_flow(meter: Meter) -> str:
    """Look up, choose, submit, come back: returns the status page's URL."""
    flow = "shopper"
    client = browser()
    start = reverse("returns:start")
    meter.page(flow, "start page", lambda: client.get(start))
    lookup = {"order_number": "1001", "email": EMAIL}
    response = meter.page(flow, "lookup, cold (no local copy)", lambda: client.post(start, lookup))
    assert response.status_code == 302, response.status_code
    order = reverse("returns:order")
    response = meter.page(flow, "order page", lambda: client.get(order))
    ids = re.findall(r'name="(quantity_\d+)"', response.content.decode())
    form = {ids[0]: "2", "reason": "not_satisfied", "comment": "", "submission_key": uuid.uuid4()}
    response = meter.page(flow, "submit", lambda: client.post(order, form))
    assert response.status_code == 302, response.content.decode()[:2000]
    submitted = response["Location"]
    meter.page(flow, "submitted page", lambda: client.get(submitted))
    status = submitted.removesuffix("submitted/")
    meter.page(flow, "status page", lambda: client.get(status))
    meter.page(flow, "status page, reloaded (reused)", lambda: client.get(status))
    again = browser()
    meter.page(flow, "lookup, warm (fresh local copy)", lambda: again.post(start, lookup))
    meter.page(flow, "order page, again", lambda: again.get(order))
    return status


def staff_flow(meter: Meter, admin: Client) -> None:
    """The return of two shirts from the shopper flow, from the to-do list: approve, one of the two
    arrives, the refund Shopify computes for that one, the next request of the list."""
    flow = "staff: return, 1 of 2 arrived"
    req = ReturnRequest.objects.get(order__name="#1001")
    todo_list = "?todo=expected"
    change = reverse("admin:returns_returnrequest_change", args=[req.pk])
    step_url = lambda step: (  # noqa: E731
        reverse(f"admin:returns_returnrequest_{step}", args=[req.pk]) + todo_list
    )
    meter.page(flow, "request screen", lambda: admin.get(change))
    meter.page(flow, "approve", lambda: admin.post(step_url("approve")))
    line = req.lines.get()
    assert line.quantity == 2
    received = {
        f"received_{line.pk}": "1",
        f"condition_{line.pk}": "as_new",
        f"restock_{line.pk}": "on",
    }
    response = meter.page(
        flow, "mark 1 of 2 received", lambda: admin.post(step_url("receive"), received)
    )
    assert response.status_code == 302 and "/refund/" in response["Location"], response
    refund = response["Location"]
    response = meter.page(
        flow, "refund of what arrived (Shopify's suggestion)", lambda: admin.get(refund)
    )
    # One shirt, not two (written as the staff member's language writes it).
    assert re.search(r'name="amount" value="39[.,]95"', response.content.decode()), "not 39.95"
    amount = {"amount": "39.95", "currency": "EUR", "restock": "on"}
    meter.page(flow, "refund amount", lambda: admin.post(refund, amount))
    confirm = {**amount, "confirm": "1", "submission_key": str(uuid.uuid4())}
    response = meter.page(
        flow, "refund confirmed, next request", lambda: admin.post(refund, confirm)
    )
    assert response.status_code == 302, response.status_code
    req.refresh_from_db()
    assert req.status == ReturnStatus.RESOLVED and req.refunds.get().state == "succeeded"


def _claim(number: int) -> ReturnRequest:
    """A claim filed for the lamp (its tasks run, unmetered)."""
    client = browser()
    client.post(reverse("returns:start"), {"order_number": "1001", "email": EMAIL})
    html = client.get(reverse("returns:order")).content.decode()
    lamp = re.findall(r'name="(quantity_\d+)"', html)[-1]
    form = {
        lamp: "1",
        "reason": "defect",
        "remedy": "replacement",
        "comment": "Broken.",
        "submission_key": uuid.uuid4(),
    }
    with captured_tasks() as queued:
        client.post(reverse("returns:order"), form)
    for task, args, kwargs in queued:
        with captured_tasks():
            task.apply(args=args, kwargs=kwargs, throw=True)
    return ReturnRequest.objects.filter(order__name="#1001", kind="claim").order_by("pk")[number]


def claim_flow(meter: Meter, admin: Client) -> None:
    """A claim for the lamp: approve, the replacement made as a Shopify order, shipped when the
    warehouse's fulfilment reaches the portal as fulfillments/create."""
    claim = _claim(0)
    flow = "staff: claim, replacement order"
    step_url = lambda step: reverse(f"admin:returns_returnrequest_{step}", args=[claim.pk])  # noqa: E731
    meter.page(flow, "approve", lambda: admin.post(step_url("approve")))
    meter.page(flow, "replacement order page", lambda: admin.get(step_url("replacement_order")))
    meter.page(flow, "create replacement order", lambda: admin.post(step_url("replacement_order")))
    replacement = claim.replacements.get()
    assert replacement.shopify_order_id, "Shopify made no replacement order"
    # The warehouse fulfils it in Shopify; Shopify tells the portal (sent here by the benchmark).
    store = get_store()
    order_fulfil(
        store, replacement.shopify_order_name, company="DHL", number="00340434161234567890"
    )
    order = store.order_by_name(replacement.shopify_order_name)
    body = json.dumps(fulfillment_payload(order, order["fulfillments"][-1])).encode()
    headers = shopify_headers(
        "fulfillments/create",
        body,
        shop_domain=f"{settings.SHOPIFY_SHOP}.myshopify.com",
        secret=settings.SHOPIFY_CLIENT_SECRET,
    )
    webhook = reverse("returns:shopify_webhook")
    meter.page(
        flow,
        "fulfillments/create delivered",
        lambda: browser().post(
            webhook, data=body, content_type="application/json", headers=headers
        ),
    )
    claim.refresh_from_db()
    assert claim.status == ReturnStatus.RESOLVED, claim.status


def claim_by_hand_flow(meter: Meter, admin: Client) -> None:
    """A second claim for the lamp, its replacement sent outside Shopify and logged by hand."""
    claim = _claim(1)
    flow = "staff: claim, replacement logged by hand"
    approve = reverse("admin:returns_returnrequest_approve", args=[claim.pk])
    meter.page(flow, "approve", lambda: admin.post(approve))
    ship = reverse("admin:returns_returnrequest_ship", args=[claim.pk])
    shipped = {
        "carrier": "dhl",
        "tracking_number": "00340434161234567891",
        "shipped_on": timezone.localdate().isoformat(),
    }
    meter.page(flow, "ship replacement", lambda: admin.post(ship, shipped))


def cancellation_flow(meter: Meter) -> None:
    """A shopper files a withdrawal for the second shirt, then cancels it from the status page."""
    flow = "shopper: cancellation"
    client = browser()
    start = reverse("returns:start")
    lookup = {"order_number": "1001", "email": EMAIL}
    meter.page(flow, "lookup, warm", lambda: client.post(start, lookup))
    order = reverse("returns:order")
    response = meter.page(flow, "order page", lambda: client.get(order))
    shirt = re.findall(r'name="(quantity_\d+)"', response.content.decode())[0]
    form = {shirt: "1", "reason": "not_satisfied", "comment": "", "submission_key": uuid.uuid4()}
    response = meter.page(flow, "submit", lambda: client.post(order, form))
    assert response.status_code == 302, response.status_code
    status = response["Location"].removesuffix("submitted/")
    meter.page(flow, "status page", lambda: client.get(status))
    cancel = f"{status}cancel/"
    meter.page(flow, "cancel: confirmation page", lambda: client.get(cancel))
    response = meter.page(flow, "cancel", lambda: client.post(cancel))
    assert response.status_code in (200, 302), response.status_code
    cancelled = ReturnRequest.objects.filter(order__name="#1001", status=ReturnStatus.CANCELLED)
    assert cancelled.count() == 1


def rejection_flow(meter: Meter, admin: Client) -> None:
    """The second shirt filed again (its tasks run, unmetered); staff reject it."""
    client = browser()
    client.post(reverse("returns:start"), {"order_number": "1001", "email": EMAIL})
    html = client.get(reverse("returns:order")).content.decode()
    shirt = re.findall(r'name="(quantity_\d+)"', html)[0]
    form = {shirt: "1", "reason": "not_satisfied", "comment": "", "submission_key": uuid.uuid4()}
    with captured_tasks() as queued:
        client.post(reverse("returns:order"), form)
    for task, args, kwargs in queued:
        with captured_tasks():
            task.apply(args=args, kwargs=kwargs, throw=True)
    req = ReturnRequest.objects.get(order__name="#1001", status=ReturnStatus.REQUESTED)
    flow = "staff: rejection"
    change = reverse("admin:returns_returnrequest_change", args=[req.pk])
    meter.page(flow, "change view", lambda: admin.get(change))
    reject = reverse("admin:returns_returnrequest_reject", args=[req.pk])
    meter.page(flow, "reject form", lambda: admin.get(reject))
    response = meter.page(flow, "reject", lambda: admin.post(reject, {"reason": "Worn."}))
    assert response.status_code == 302, response.status_code
    req.refresh_from_db()
    assert req.status == ReturnStatus.REJECTED


def changelist_queries(admin: Client, rows: int) -> tuple[int, float]:
    """Queries for the queue's first page with `rows` requests, and its median time in ms."""
    seed_requests(rows - ReturnRequest.objects.count())
    url = reverse("admin:returns_returnrequest_changelist")
    admin.get(url)  # warm: content types, permissions caches
    with CaptureQueriesContext(connection) as queries:
        response = admin.get(url)
    assert response.status_code == 200
    count = len(queries)  # now: Django empties its query log when the next request starts
    times = []
    for _ in range(7):
        started = time.perf_counter()
        admin.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return count, statistics.median(times)


def page_queries(admin: Client, url: str) -> int:
    admin.get(url)  # warm: content types, permissions caches
    with CaptureQueriesContext(connection) as queries:
        response = admin.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def staff_pages(admin: Client, request: ReturnRequest) -> dict[str, int]:
    """Queries for the to-do start page, each to-do list's queue and a request's screen."""
    queue = reverse("admin:returns_returnrequest_changelist")
    pages = {"to-do start page": page_queries(admin, reverse("admin:index"))}
    for listed in todo.LISTS:
        pages[f"to-do list {listed.key}"] = page_queries(admin, f"{queue}?todo={listed.key}")
    screen = reverse("admin:returns_returnrequest_change", args=[request.pk])
    pages["request screen"] = page_queries(admin, screen)
    return pages


def seed_requests(count: int, *, prefix: str = "Q") -> list[ReturnRequest]:
    """`count` more requests, each with a line and its events, every third refunded, in a few bulk
    inserts."""

    if count <= 0:
        return []
    base = ShopifyOrder.objects.count()
    now = timezone.now()
    orders = ShopifyOrder.objects.bulk_create(
        ShopifyOrder(
            shopify_id=f"gid://shopify/Order/{90_000_000 + base + i}",
            name=f"#{prefix}{base + i}",
            email=f"shopper{base + i}@example.com",
            currency="EUR",
            data={},
            fetched_at=now,
        )
        for i in range(count)
    )
    requests = ReturnRequest.objects.bulk_create(
        ReturnRequest(
            order=order,
            sequence=1,
            number=f"R-{order.name.lstrip('#')}-1",
            kind="return",
            reason="not_satisfied",
            status=ReturnStatus.RESOLVED if i % 3 == 0 else ReturnStatus.REQUESTED,
            locale="nl",
            customer_email=order.email,
        )
        for i, order in enumerate(orders)
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            request=r,
            line_item_id=f"gid://shopify/LineItem/{r.pk}",
            title="Linen shirt",
            quantity=1,
            unit_price=Decimal("39.95"),
            currency="EUR",
        )
        for r in requests
    )
    Refund.objects.bulk_create(
        Refund(request=r, amount=Decimal("39.95"), currency="EUR", state="succeeded")
        for i, r in enumerate(requests)
        if i % 3 == 0
    )
    ReturnEvent.objects.bulk_create(
        ReturnEvent(request=r, type=kind, actor=actor, customer_visible=True)
        for r in requests
        for kind, actor in (
            (("returns.requested", "customer"), ("returns.refund.succeeded", "system"))
            if r.status == ReturnStatus.RESOLVED
            else (("returns.requested", "customer"),)
        )
    )
    return requests


def measure() -> dict:
    """Every count the benchmark reports; needs an empty database and a running devshop."""
    from django.contrib.auth import get_user_model

    store = get_store()
    store.reset()
    cache.clear()  # the benchmark's own cache: nothing remembered from an earlier run
    items = [
        shop.line_item("Linen shirt", quantity=3, price="39.95"),
        shop.line_item("Desk lamp", quantity=2, price="89.00"),
    ]
    store.load_orders([shop.order("#1001", email=EMAIL, locale="en", items=items)])
    meter = Meter()
    status_url = shopper_flow(meter)
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
    admin = browser()
    admin.force_login(user)
    staff_flow(meter, admin)
    claim_flow(meter, admin)
    claim_by_hand_flow(meter, admin)
    cancellation_flow(meter)
    rejection_flow(meter, admin)
    # Status pages with everything on them, rendered afresh: a refunded return, a shipped claim.
    views.recent_status_pages.clear()
    meter.page("shopper", "status page, refunded return", lambda: browser().get(status_url))
    claim = ReturnRequest.objects.filter(order__name="#1001", kind="claim").order_by("pk")[0]
    claim_url = reverse("returns:status", args=[claim.token])
    meter.page("shopper", "status page, shipped claim", lambda: browser().get(claim_url))
    few = changelist_queries(admin, 10)
    few_pages = staff_pages(admin, claim)
    many = changelist_queries(admin, 1000)
    many_pages = staff_pages(admin, claim)
    return {
        "steps": meter.steps,
        "changelist": (few, many),
        "staff_pages": (few_pages, many_pages),
        "status_url": status_url,
    }
