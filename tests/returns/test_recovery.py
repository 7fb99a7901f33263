"""Shopify away for an hour: the work waits, then resumes, and nothing is lost or done twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from returns import services
from returns.models import Refund, ReturnEvent, WebhookDelivery

pytestmark = pytest.mark.django_db

OUTAGE = 50  # more failed requests than any task retries on its own


def an_hour_passes():
    earlier = timezone.now() - timedelta(hours=1)
    Refund.objects.update(updated_at=earlier)
    ReturnEvent.objects.filter(type="shopify.write_failed").update(created_at=earlier)


def test_work_stalled_by_an_outage_resumes_when_shopify_is_back(
    a_return, staff, devshop, django_capture_on_commit_callbacks
):
    services.return_approve(request_id=a_return.pk, user=staff)
    maximum = services.refund_quote(request=a_return).shopify_maximum

    devshop.add_fault("http_503", count=OUTAGE)
    with django_capture_on_commit_callbacks(execute=True):
        line = a_return.lines.get()
        services.return_receive(
            request_id=a_return.pk, user=staff, received={line.pk: 2}, restock=True
        )
        refund = services.refund_request(
            request_id=a_return.pk,
            user=staff,
            amount=Decimal("79.90"),
            currency="EUR",
            restock=True,
            notify=False,
            shopify_maximum=maximum,
        )
    refund.refresh_from_db()
    assert refund.state == "pending"
    assert ReturnEvent.objects.filter(type="shopify.write_failed").exists()

    while devshop.take_fault():  # Shopify is back
        pass
    an_hour_passes()
    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.stalled_work_resume()
    assert resumed["refunds"] == 1 and resumed["writes"] >= 1 and resumed["webhooks"] == 0

    refund.refresh_from_db()
    assert refund.state == "succeeded"
    order = devshop.order_by_name("#1001")
    assert len(order["refunds"]) == 1
    assert {"return-received", "return-refunded"} <= set(order["tags"])

    with django_capture_on_commit_callbacks(execute=True):
        again = services.stalled_work_resume()
    assert again == {
        "refunds": 0,
        "writes": 0,
        "webhooks": 0,
        "notes": 0,
        "returns": 0,
        "refused": 0,
    }
    assert len(devshop.order_by_name("#1001")["refunds"]) == 1


def test_recent_work_is_left_to_its_own_retries(a_return, staff, devshop):
    devshop.add_fault("http_503", count=OUTAGE)
    services.return_approve(request_id=a_return.pk, user=staff)
    assert services.stalled_work_resume() == {
        "refunds": 0,
        "writes": 0,
        "webhooks": 0,
        "notes": 0,
        "returns": 0,
        "refused": 0,
    }


def test_a_webhook_whose_task_never_ran_is_processed_by_the_sweep(
    django_capture_on_commit_callbacks,
):
    delivery = WebhookDelivery.objects.create(
        webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        topic="app/uninstalled",
        shop_domain="test-shop.myshopify.com",
        payload={},
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stalled_work_resume()["webhooks"] == 1
    delivery.refresh_from_db()
    assert delivery.state == "processed"
