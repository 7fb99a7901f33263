"""Performance that must not drift: SQL queries per page, Shopify requests per page and per flow.

Counts, never times; the times are the benchmark's (`python3 dev.py bench`, README "Performance
and scale-out"). The limits are the targets the benchmark checks: a status page in at most 5
queries, a lookup in at most 6, a staff queue whose queries do not grow with its rows, and no
Shopify request from a shopper's page except the lookup of an order the portal has not stored.
Transaction statements count as queries: each is a round trip to the database.
"""

import re
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from returns import services, tasks, views
from returns.models import (
    Refund,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ShopifyOrder,
)
from returns.shopify import orders as shopify_orders
from returns.shopify.client import throttle_patience
from returns.shopify.errors import ShopifyThrottled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = reverse("returns:start")
ORDER = reverse("returns:order")
CHANGELIST = reverse("admin:returns_returnrequest_changelist")
INDEX = reverse("admin:index")
STATUS_QUERIES = 5
LOOKUP_QUERIES = 6


@contextmanager
def counted(devshop):
    """Queries and Shopify requests (by operation name) made inside the block.

    Counted on the way out: Django empties its query log when the next request starts.
    """
    seen = SimpleNamespace(queries=0, shopify=[])
    before = len(devshop.request_log())
    with CaptureQueriesContext(connection) as queries:
        yield seen
    seen.queries = len(queries)
    seen.shopify = [r["operation_name"] for r in devshop.request_log()[before:]]


def look_up(client):
    return client.post(START, {"order_number": "1001", "email": "anna@example.com"})


def status_url(request):
    return reverse("returns:status", args=[request.token])


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def reused_status_pages(settings):
    """Status pages reused for a minute, as production reuses them for a few seconds."""
    settings.STATUS_PAGE_CACHE_SECONDS = 60
    views.recent_status_pages.clear()
    yield views.recent_status_pages
    views.recent_status_pages.clear()


# The shopper


def test_a_lookup_asks_shopify_once_for_a_new_order_and_never_again(shop_order, devshop):
    with counted(devshop) as cold:
        assert look_up(Client()).status_code == 302
    with counted(devshop) as warm:
        assert look_up(Client()).status_code == 302
    assert cold.shopify == ["OrderFind"]
    assert warm.shopify == [] and warm.queries <= LOOKUP_QUERIES


def test_no_shopper_page_asks_shopify(shop_order, client, devshop):
    look_up(client)
    with counted(devshop) as pages:
        assert client.get(START).status_code == 200
        html = client.get(ORDER).content.decode()
        field = re.search(r'name="(quantity_\d+)"', html)[1]
        form = {field: "1", "reason": "not_satisfied", "submission_key": str(uuid.uuid4())}
        submitted = client.post(ORDER, form)
        assert submitted.status_code == 302
        assert client.get(submitted["Location"]).status_code == 200
        request = ReturnRequest.objects.get()
        assert client.get(status_url(request)).status_code == 200
        assert client.get(ORDER).status_code == 200
    assert pages.shopify == []


def test_a_status_page_takes_at_most_five_queries(a_claim, staff, client, devshop, run_tasks):
    services.return_approve(request_id=a_claim.pk, user=staff)
    with run_tasks():
        services.replacement_ship(
            request_id=a_claim.pk,
            user=staff,
            carrier="dhl",
            tracking_number="00340434161234567890",
            shipped_on=timezone.localdate(),
        )
    with counted(devshop) as page:
        html = client.get(status_url(a_claim)).content.decode()
    assert "00340434161234567890" in html
    assert page.queries <= STATUS_QUERIES and page.shopify == []


def test_a_reloaded_status_page_costs_no_query(a_return, client, devshop, reused_status_pages):
    with counted(devshop) as first:
        client.get(status_url(a_return))
    with counted(devshop) as again:
        html = Client().get(status_url(a_return)).content.decode()
    assert 0 < first.queries <= STATUS_QUERIES and again.queries == 0
    assert "R-1001-1" in html


def test_a_reused_status_page_carries_each_visitors_own_working_csrf_token(
    a_return, reused_status_pages
):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = [csrf_token(c.get(status_url(a_return)).content.decode()) for c in (first, second)]
    assert tokens[0] != tokens[1]
    switched = second.post(
        reverse("set_language"),
        {"language": "de", "next": status_url(a_return), "csrfmiddlewaretoken": tokens[1]},
    )
    assert switched.status_code == 302
    # The German page is rendered for itself, not taken from the English one.
    assert 'lang="de"' in second.get(status_url(a_return)).content.decode()


def test_a_reused_status_page_shows_a_change_once_its_seconds_are_up(
    a_return, staff, client, settings, reused_status_pages
):
    settings.STATUS_PAGE_CACHE_SECONDS = 0.2
    client.get(status_url(a_return))
    services.return_reject(request_id=a_return.pk, user=staff, reason="Worn and washed.")
    time.sleep(0.3)
    assert "Worn and washed." in client.get(status_url(a_return)).content.decode()


def test_an_unknown_status_link_is_not_remembered(client, reused_status_pages):
    assert client.get(reverse("returns:status", args=["x" * 43])).status_code == 404
    assert len(reused_status_pages._pages) == 0


# Staff


def requests_in_bulk(count):
    """`count` requests with a line each, every third refunded, in a few inserts."""
    start = ShopifyOrder.objects.count()
    orders = ShopifyOrder.objects.bulk_create(
        ShopifyOrder(
            shopify_id=f"gid://shopify/Order/{80_000_000 + start + i}",
            name=f"#B{start + i}",
            email=f"bulk{start + i}@example.com",
            currency="EUR",
            data={},
            fetched_at=timezone.now(),
        )
        for i in range(count)
    )
    requests = ReturnRequest.objects.bulk_create(
        ReturnRequest(
            order=order,
            sequence=1,
            number=f"R-{order.name[1:]}-1",
            kind="return",
            reason="not_satisfied",
            status=ReturnStatus.RESOLVED,
            locale="nl",
            customer_email=order.email,
        )
        for order in orders
    )
    if connection.vendor == "sqlite":  # bulk_create returns no ids on SQLite before 3.35
        requests = list(ReturnRequest.objects.filter(order__in=orders))
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
        for r in requests[::3]
    )


def queue_queries(client):
    client.get(CHANGELIST)  # content types and permissions are cached after the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


def test_the_queue_costs_as_many_queries_for_1000_requests_as_for_10(admin_client):
    requests_in_bulk(10)
    few = queue_queries(admin_client)
    requests_in_bulk(990)
    assert queue_queries(admin_client) == few


def spread_over_the_todo_lists():
    """Every status and a failed write-back among the bulk requests, so each list has rows."""
    pks = list(ReturnRequest.objects.order_by("pk").values_list("pk", flat=True))
    for i, status in enumerate(["requested", "approved", "received"]):
        ReturnRequest.objects.filter(pk__in=pks[i::4]).update(status=status)
    ReturnRequest.objects.filter(pk__in=pks[2::8]).update(kind="claim", remedy="replacement")
    ReturnEvent.objects.bulk_create(
        ReturnEvent(request_id=pk, type="shopify.write_failed", actor="system", data={"event": pk})
        for pk in pks[::5]
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ReturnEvent.objects.filter(type="shopify.write_failed").update(created_at=an_hour_ago)


def start_page(client):
    client.get(INDEX)  # content types and permissions are cached after the first view
    with CaptureQueriesContext(connection) as queries:
        html = client.get(INDEX).content.decode()
    counts = [int(n) for n in re.findall(r'class="todo-count">(\d+)<', html)]
    return len(queries), counts


def test_the_start_pages_counts_cost_as_many_queries_for_1000_requests_as_for_10(admin_client):
    requests_in_bulk(10)
    spread_over_the_todo_lists()
    few, counted_few = start_page(admin_client)
    requests_in_bulk(990)
    spread_over_the_todo_lists()
    many, counted_many = start_page(admin_client)
    assert len(counted_many) == 6 and all(counted_many)
    assert counted_many != counted_few  # the counts grew; the queries did not
    assert many == few


def test_a_request_screen_costs_as_many_queries_however_long_its_history(
    a_return, staff, admin_client
):
    url = reverse("admin:returns_returnrequest_change", args=[a_return.pk])
    admin_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(url)
    short = len(queries)
    for n in range(10):
        user = UserFactory(username=f"clerk{n}")
        ReturnEvent.objects.create(request=a_return, type="returns.note", actor="staff", user=user)
        Refund.objects.create(
            request=a_return, amount=Decimal("1.00"), currency="EUR", requested_by=user
        )
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    assert len(queries) == short


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what a block queues after commit (tasks run in-process in the tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_each_staff_step_asks_shopify_only_what_it_needs(
    a_return, admin_client, devshop, run_tasks
):
    def step(name):
        return reverse(f"admin:returns_returnrequest_{name}", args=[a_return.pk])

    line = a_return.lines.get()
    with counted(devshop) as approve, run_tasks():
        admin_client.post(step("approve"))
    with counted(devshop) as receive, run_tasks():
        admin_client.post(step("receive"), {f"received_{line.pk}": "2", f"restock_{line.pk}": "on"})
    with counted(devshop) as form:
        admin_client.get(step("refund"))
    confirm = {"amount": "29.00", "currency": "EUR", "confirm": "1"}
    with counted(devshop) as refund, run_tasks():
        admin_client.post(step("refund"), {**confirm, "submission_key": str(uuid.uuid4())})
    write_back = ["OrderNote", "OrderNoteUpdate", "OrderTagsAdd"]
    # Each step also moves the Shopify Return: read it first (its mutations take no idempotency
    # key), then send what is missing: the approval; the dispositions, at the restock location
    # (the shop's locations read for it).
    assert approve.shopify == [*write_back, "ReturnGet", "ReturnApprove"]
    assert receive.shopify == [
        *write_back,
        "ReturnGet",
        "ShopReturnSetup",
        "ReverseFulfillmentOrderDispose",
    ]
    assert form.shopify == ["RefundSuggest"]
    # Shopify's live suggestion; the refund: the Return read (nothing left to catch up), the
    # payments to refund, then returnProcess with the refund; the note and tag; the Return read
    # and closed; and the order fetched again so shopper pages show what is left.
    assert sorted(refund.shopify) == sorted(
        [
            "RefundSuggest",
            "ReturnGet",
            "RefundPayments",
            "ReturnProcess",
            *write_back,
            "ReturnGet",
            "ReturnClose",
            "OrderGet",
        ]
    )


# Shopify's rate limit


def test_a_throttled_task_waits_for_the_bucket_and_asks_just_once_more(
    a_return, devshop, staff, run_tasks, shopify_waits
):
    with run_tasks():
        services.return_approve(request_id=a_return.pk, user=staff)
    quote = services.refund_quote(request=a_return)
    refund = services.refund_request(
        request_id=a_return.pk,
        user=staff,
        amount=Decimal("10.00"),
        currency="EUR",
        restock=False,
        notify=False,
        shopify_maximum=quote.shopify_maximum,
    )
    # An empty bucket refilled at 20 points a second: the first request is throttled and the
    # worker waits (on devshop's clock) until the bucket holds its cost.
    devshop.set_option("restore_rate", 20)
    devshop.set_bucket(0)
    before = len(devshop.request_log())
    worker_task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with tasks.task_patience(worker_task):  # what a Shopify task does in a worker
        services.refund_execute(refund_id=refund.pk)
    refund.refresh_from_db()
    log = [(r["operation_name"], r["outcome"]) for r in devshop.request_log()[before:]]
    assert refund.state == "succeeded" and refund.attempts == 1
    assert shopify_waits  # it waited, in the task, for the bucket
    assert log[0] == ("ReturnGet", "throttled")
    assert [entry for entry in log if entry[1] == "ok"] == [
        ("ReturnGet", "ok"),
        ("RefundPayments", "ok"),
        ("ReturnProcess", "ok"),
    ]
    assert not refund.request.events.filter(type="returns.refund.attempt_failed").exists()


def test_a_web_request_is_never_kept_waiting_by_a_throttle(shop_order, devshop, shopify_waits):
    devshop.set_bucket(0)
    with pytest.raises(ShopifyThrottled):
        shopify_orders.order_find_by_name("#1001")
    assert shopify_waits == []
    eager_task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    with tasks.task_patience(eager_task), pytest.raises(ShopifyThrottled):
        shopify_orders.order_find_by_name("#1001")  # a task run inside the web request


def test_patience_runs_out(shop_order, devshop, shopify_waits):
    devshop.set_option("restore_rate", 1)  # the order search would wait minutes
    devshop.set_bucket(0)
    with throttle_patience(0.5), pytest.raises(ShopifyThrottled):
        shopify_orders.order_find_by_name("#1001")
    assert shopify_waits == []
