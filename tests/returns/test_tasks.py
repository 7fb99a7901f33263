"""Shopify tasks under redelivery: a broker hands a task out again when a worker died before it
acknowledged it, so every Shopify write task runs twice here and Shopify must end up the same."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from returns import order_note, services, tasks, writeback
from returns.models import Refund, ReturnEvent, WebhookDelivery
from returns.shopify import notes
from returns.shopify.errors import ShopifyThrottled, ShopifyUnavailable
from tests import shop

pytestmark = pytest.mark.django_db


def lines_of(devshop, number):
    return [line for line in devshop.order_by_name("#1001")["note"].splitlines() if number in line]


def test_the_write_back_run_twice_writes_one_line_and_one_tag(a_return, staff, devshop):
    services.return_approve(request_id=a_return.pk, user=staff)  # nothing queued: no commit hook
    event = a_return.events.get(type="returns.approved")

    tasks.shopify_order_write_back.delay(event.pk)
    tasks.shopify_order_write_back.delay(event.pk)

    today = timezone.localdate().isoformat()
    assert lines_of(devshop, "approved") == [
        f"{today} R-1001-1 (withdrawal): approved [{event.pk}]"
    ]
    assert devshop.order_by_name("#1001")["tags"].count("return-approved") == 1
    written = ReturnEvent.objects.filter(type="shopify.written", data__event=event.pk)
    assert written.count() == 1


def test_a_write_back_redelivered_after_it_reached_shopify_adds_nothing(a_return, staff, devshop):
    services.return_approve(request_id=a_return.pk, user=staff)
    event = a_return.events.get(type="returns.approved")
    # The first delivery wrote the line, then its worker died before recording it.
    line = order_note.step_line(writeback.note_line(event), event.pk)
    notes.order_note_set(a_return.order.shopify_id, line)

    tasks.shopify_order_write_back.delay(event.pk)

    assert len(lines_of(devshop, "approved")) == 1
    assert "return-approved" in devshop.order_by_name("#1001")["tags"]


def pending(request, staff, amount):
    quote = services.refund_quote(request=request)
    return services.refund_request(
        request_id=request.pk,
        user=staff,
        amount=Decimal(amount),
        currency="EUR",
        restock=False,
        notify=False,
        shopify_maximum=quote.shopify_maximum,
    )  # the task is queued after commit, which never comes here


@pytest.fixture
def approved(a_return, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # its Shopify Return opened
        services.return_approve(request_id=a_return.pk, user=staff)
    return a_return


def made_for(devshop, refund):
    key = str(refund.idempotency_key)
    return [r["id"] for r in devshop.order_by_name("#1001")["refunds"] if key in r["note"]]


def test_a_refund_whose_answer_was_lost_is_made_once_when_the_task_runs_again(
    approved, staff, devshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the items refunded already
        pending(approved, staff, "10.00")
    later = pending(approved, staff, "29.00")  # an amount alone: refundCreate, with its key
    devshop.add_fault("mutation_timeout")  # Shopify makes the refund; its answer never arrives
    tasks.refund_process.delay(later.pk)
    assert Refund.objects.get(pk=later.pk).state == "pending"
    # Redelivered while Shopify still works on the first: told to try again, nothing doubled.
    tasks.refund_process.delay(later.pk)
    assert Refund.objects.get(pk=later.pk).state == "pending"
    assert shop.refunds_landed(devshop, "#1001", count=2)

    tasks.refund_process.delay(later.pk)
    tasks.refund_process.delay(later.pk)

    refund = Refund.objects.get(pk=later.pk)
    assert refund.state == "succeeded" and len(devshop.order_by_name("#1001")["refunds"]) == 2
    assert made_for(devshop, refund) == [refund.shopify_refund_id]
    succeeded = refund.request.events.filter(type="returns.refund.succeeded")
    assert succeeded.filter(data__refund=refund.pk).count() == 1


def test_a_return_process_whose_answer_was_lost_is_made_once_when_the_task_runs_again(
    approved, staff, devshop
):
    first = pending(approved, staff, "29.00")  # its items: returnProcess on the Return
    devshop.add_fault("mutation_timeout")  # Shopify processes and refunds; no answer arrives
    tasks.refund_process.delay(first.pk)
    assert Refund.objects.get(pk=first.pk).state == "pending"
    assert shop.refunds_landed(devshop, "#1001", count=1)

    tasks.refund_process.delay(first.pk)  # redelivered: finds it by its key, sends nothing
    tasks.refund_process.delay(first.pk)

    refund = Refund.objects.get(pk=first.pk)
    assert refund.state == "succeeded" and refund.shopify_return_id
    assert [r["id"] for r in devshop.order_by_name("#1001")["refunds"]] == [
        refund.shopify_refund_id
    ]
    [shopify_return] = devshop.order_by_name("#1001")["returns"]
    assert [line["processedQuantity"] for line in shopify_return["lines"]] == [2]
    assert refund.request.events.filter(type="returns.refund.succeeded").count() == 1


def test_refreshing_an_order_twice_leaves_one_current_copy(a_return, devshop):
    devshop.update_order(a_return.order.shopify_id, lambda o: {**o, "tags": [*o["tags"], "vip"]})
    tasks.shopify_order_refresh.delay(a_return.order_id)
    tasks.shopify_order_refresh.delay(a_return.order_id)
    a_return.order.refresh_from_db()
    assert "vip" in a_return.order.data["tags"]


def test_a_webhook_delivery_processed_twice_is_acted_on_once(a_return, devshop):
    order = devshop.order_by_name("#1001")
    delivery = services.webhook_delivery_receive(
        webhook_id=str(uuid.uuid4()),
        topic="orders/updated",
        shop_domain="test-shop.myshopify.com",
        payload={"admin_graphql_api_id": order["id"], "updated_at": order["updatedAt"]},
    )
    before = len(devshop.request_log())
    tasks.webhook_process.delay(delivery.pk)
    tasks.webhook_process.delay(delivery.pk)
    assert WebhookDelivery.objects.get().state == "processed"
    assert len(devshop.request_log()) - before <= 1  # the second run asks Shopify nothing


def test_the_backoff_never_comes_sooner_than_shopify_asked():
    throttled = ShopifyThrottled("busy", retry_after=120.0)
    assert all(tasks.backoff(retries, throttled) >= 120 for retries in range(4))
    down = ShopifyUnavailable("down")
    assert 5 <= tasks.backoff(0, down) < 8
    assert 900 <= tasks.backoff(20, down) < 903  # bounded


def test_every_shopify_task_shares_the_one_base():
    for task in (
        tasks.shopify_order_write_back,
        tasks.refund_process,
        tasks.shopify_order_refresh,
        tasks.webhook_process,
    ):
        assert isinstance(task._get_current_object(), tasks.ShopifyTask), task.name
        assert task.name == f"returns.tasks.{task.name.rsplit('.', 1)[1]}"
        assert task.acks_late and task.max_retries in (3, tasks.MAX_RETRIES)
