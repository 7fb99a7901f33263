"""Both ways: what staff do to a Return in Shopify's admin shows in the portal, never backwards.

devshop plays Shopify over HTTP; its signed returns/* webhooks are caught and handed to the
portal's endpoint (tests/returns/shopify_admin.py), in the order a test chooses.
"""

import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from returns import services, steps
from returns.models import ReturnRequest, WebhookDelivery
from tests.returns import shopify_admin as in_shopify

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhooks(settings, client, django_capture_on_commit_callbacks):
    caught, stop = in_shopify.webhook_catcher(settings, client, django_capture_on_commit_callbacks)
    yield caught
    stop()


@pytest.fixture
def requested(webhooks, a_return):
    """The shopper's withdrawal of 2 shirts, its Return requested in Shopify."""
    a_return.refresh_from_db()
    return a_return


def reread(request):
    return ReturnRequest.objects.get(pk=request.pk)


def event_types(request):
    return list(request.events.values_list("type", flat=True))


def shopify_calls(devshop, name):
    return [e for e in devshop.request_log() if e["operation_name"] == name]


def status_page(client, request):
    return client.get(reverse("returns:status", args=[request.token])).content.decode()


def test_an_approval_in_shopify_is_on_the_status_page_and_emails_the_shopper(
    requested, webhooks, client, devshop
):
    in_shopify.approve(requested.shopify_return_id)
    mail.outbox.clear()

    webhooks.deliver(webhooks.last("returns/approve"))

    request = reread(requested)
    assert request.status == "approved" and request.approved_at
    assert WebhookDelivery.objects.get(topic="returns/approve").state == "processed"
    event = request.events.get(type=steps.APPROVED_IN_SHOPIFY.event_type)
    assert event.customer_visible and event.actor == "system"
    page = status_page(client, request)
    assert "Status: Approved" in page and "send the items to the address below" in page
    [email] = mail.outbox
    with translation.override("nl"):
        assert email.subject == str(steps.APPROVE.email_subject) % {"number": "R-1001-1"}
        assert str(translation.gettext("Status page")) in email.body
    stored = devshop.order_by_name("#1001")
    assert "return-approved" in stored["tags"]
    assert "R-1001-1 (withdrawal): approved in Shopify [" in stored["note"]
    # The portal asked Shopify for nothing: staff's approval in Shopify is the only one.
    assert len(shopify_calls(devshop, "ReturnApprove")) == 1


def test_a_decline_in_shopify_rejects_with_shopifys_note_as_the_reason(requested, webhooks, client):
    in_shopify.decline(requested.shopify_return_id, note="Die Ware wurde getragen.")
    mail.outbox.clear()

    webhooks.deliver(webhooks.last("returns/decline"))

    request = reread(requested)
    assert (request.status, request.rejection_reason) == ("rejected", "Die Ware wurde getragen.")
    assert "Die Ware wurde getragen." in status_page(client, request)
    [email] = mail.outbox
    assert "Die Ware wurde getragen." in email.body
    assert request.events.get(type=steps.DECLINED_IN_SHOPIFY.event_type).data == {
        "reason": "Die Ware wurde getragen."
    }


def test_a_decline_without_a_note_gives_shopifys_reason_in_the_shoppers_language(
    requested, webhooks
):
    in_shopify.decline(requested.shopify_return_id, reason="RETURN_PERIOD_ENDED")

    webhooks.deliver(webhooks.last("returns/decline"))

    request = reread(requested)
    with translation.override("nl"):
        expected = str(translation.gettext("The return period has ended."))
    assert request.status == "rejected" and request.rejection_reason == expected
    assert expected != "The return period has ended."  # Dutch, as the shopper filed it


def test_a_cancellation_in_shopify_cancels_and_frees_the_items(requested, webhooks, devshop):
    in_shopify.cancel(requested.shopify_return_id)
    mail.outbox.clear()

    webhooks.deliver(webhooks.last("returns/cancel"))

    request = reread(requested)
    assert request.status == "cancelled" and request.cancelled_at
    [email] = mail.outbox
    assert "R-1001-1" in email.subject
    assert "return-cancelled" in devshop.order_by_name("#1001")["tags"]
    # The portal does not cancel again what Shopify canceled.
    assert len(shopify_calls(devshop, "ReturnCancel")) == 1


def test_units_received_in_shopify_mark_the_parcel_received_once_all_are_disposed(
    requested, webhooks
):
    in_shopify.approve(requested.shopify_return_id)
    webhooks.deliver(webhooks.last("returns/approve"))
    in_shopify.dispose(requested.shopify_return_id, (1, "RESTOCKED"))
    webhooks.deliver(webhooks.last("reverse_fulfillment_orders/dispose"))
    assert reread(requested).status == "approved"  # one of the two shirts is still on its way
    mail.outbox.clear()

    in_shopify.dispose(requested.shopify_return_id, (1, "MISSING"))
    webhooks.deliver(webhooks.last("reverse_fulfillment_orders/dispose"))

    request = reread(requested)
    assert request.status == "received" and request.restock
    assert [line.received_quantity for line in request.lines.all()] == [1]  # one never came
    event = request.events.get(type=steps.RECEIVED_IN_SHOPIFY.event_type)
    assert event.data["lines"] == [{"title": "Linen shirt", "received": 1}]
    assert len(mail.outbox) == 1


def test_a_close_in_shopify_resolves_and_a_reopen_is_the_one_way_back(requested, webhooks):
    return_id = requested.shopify_return_id
    in_shopify.approve(return_id)
    in_shopify.close(return_id)
    webhooks.deliver(webhooks.last("returns/close"))
    assert reread(requested).status == "resolved"

    in_shopify.reopen(return_id)
    webhooks.deliver(webhooks.last("returns/reopen"))

    request = reread(requested)
    assert request.status == "approved" and request.resolved_at is None
    assert event_types(request).count(steps.REOPENED_IN_SHOPIFY.event_type) == 1
    # The close delivered again (another subscription's copy) does not close it again.
    webhooks.deliver(webhooks.last("returns/close"), webhook_id=str(uuid.uuid4()))
    assert reread(requested).status == "approved"


def test_a_reopened_return_whose_parcel_arrived_is_received_again(requested, webhooks):
    return_id = requested.shopify_return_id
    in_shopify.approve(return_id)
    in_shopify.dispose(return_id, (2, "NOT_RESTOCKED"))
    in_shopify.close(return_id)
    webhooks.deliver(webhooks.last("returns/close"))
    in_shopify.reopen(return_id)

    webhooks.deliver(webhooks.last("returns/reopen"))

    assert reread(requested).status == "received"


def test_out_of_order_deliveries_never_move_a_request_back(requested, webhooks):
    return_id = requested.shopify_return_id
    in_shopify.approve(return_id)
    in_shopify.close(return_id)
    mail.outbox.clear()

    webhooks.deliver(webhooks.last("returns/close"))  # the close arrives first
    after_close = event_types(reread(requested))
    webhooks.deliver(webhooks.last("returns/approve"))  # then the older approval
    webhooks.deliver(webhooks.last("returns/request"))  # and the oldest news of all

    request = reread(requested)
    assert request.status == "resolved"
    assert event_types(request) == after_close
    # Read as it is now, the close brought the approval with it, told to the shopper once.
    assert after_close.count(steps.APPROVED_IN_SHOPIFY.event_type) == 1
    assert after_close.count(steps.CLOSED_IN_SHOPIFY.event_type) == 1
    assert len(mail.outbox) == 1


def test_a_repeated_delivery_does_nothing_twice(requested, webhooks, devshop):
    in_shopify.approve(requested.shopify_return_id)
    approval = webhooks.last("returns/approve")
    webhooks.deliver(approval)
    before = (event_types(reread(requested)), len(mail.outbox), devshop.order_by_name("#1001"))

    webhooks.deliver(approval)  # the same webhook id: stored once, acted on once
    webhooks.deliver(approval, webhook_id=str(uuid.uuid4()))  # the same news, a new id

    assert WebhookDelivery.objects.filter(topic="returns/approve").count() == 2
    after = (event_types(reread(requested)), len(mail.outbox), devshop.order_by_name("#1001"))
    assert after == before


def test_the_portals_own_steps_come_back_as_webhooks_that_change_nothing(
    requested, webhooks, staff, devshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=requested.pk, user=staff)
    before = event_types(reread(requested))

    webhooks.deliver(webhooks.last("returns/request"))
    webhooks.deliver(webhooks.last("returns/approve"))

    assert event_types(reread(requested)) == before
    assert ReturnRequest.objects.count() == 1


def test_the_portals_request_whose_return_id_is_not_stored_yet_is_not_taken_for_another(
    requested, webhooks
):
    return_id = requested.shopify_return_id
    # Shopify's webhook overtook the answer to the portal's returnRequest.
    ReturnRequest.objects.filter(pk=requested.pk).update(shopify_return_id="")

    webhooks.deliver(webhooks.last("returns/request"))

    assert ReturnRequest.objects.get().shopify_return_id == return_id
    assert not ReturnRequest.objects.filter(made_in_shopify=True).exists()


def test_a_portal_approval_after_shopifys_own_sends_nothing_to_shopify(
    requested, webhooks, staff, devshop, django_capture_on_commit_callbacks
):
    in_shopify.approve(requested.shopify_return_id)  # its webhook is still on its way

    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=requested.pk, user=staff)
    webhooks.deliver(webhooks.last("returns/approve"))

    request = reread(requested)
    assert request.status == "approved"
    assert len(shopify_calls(devshop, "ReturnApprove")) == 1  # staff's in Shopify only
    assert steps.SHOPIFY_RETURN_REFUSED.event_type not in event_types(request)
    assert steps.APPROVED_IN_SHOPIFY.event_type not in event_types(request)


# What cannot be acted on: recorded with the reason, never a 500.


def test_a_return_shopify_does_not_have_is_recorded_as_failed(deliver):
    payload = {"id": 999, "admin_graphql_api_id": "gid://shopify/Return/999", "status": "open"}

    assert deliver("returns/approve", payload).status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.error == "Shopify has no Return gid://shopify/Return/999."


@pytest.mark.parametrize(
    ("topic", "payload", "error"),
    [
        ("returns/close", {"name": "#1001-R1"}, "no return id"),
        ("returns/approve", {"id": "gid://shopify/Order/5", "order": "x"}, "no return id"),
        ("returns/process", {"id": True}, "no return id"),
        ("reverse_fulfillment_orders/dispose", {"id": 5}, "no order id"),
        ("reverse_fulfillment_orders/dispose", {"order_id": 5, "id": [1]}, "id"),
    ],
)
def test_a_malformed_return_payload_fails_visibly(deliver, topic, payload, error):
    assert deliver(topic, payload).status_code == 200

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and error in delivery.error
    assert not ReturnRequest.objects.exists()


def test_a_disposition_of_an_unknown_reverse_fulfillment_order_fails_visibly(deliver, shop_order):
    order_id = int(shop_order["id"].rsplit("/", 1)[1])

    deliver("reverse_fulfillment_orders/dispose", {"id": 4242, "order_id": order_id})

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert "no Return with reverse fulfillment order" in delivery.error


def test_a_compliance_body_resent_as_a_return_topic_is_refused(deliver):
    body = {"shop_domain": "test-shop.myshopify.com", "orders_to_redact": [1], "id": 1}
    assert deliver("returns/cancel", body).status_code == 400
    assert not WebhookDelivery.objects.exists()


def test_shopify_failing_while_reading_the_return_is_recorded_not_a_500(
    requested, webhooks, devshop
):
    in_shopify.approve(requested.shopify_return_id)
    devshop.add_fault("http_500")

    webhooks.deliver(webhooks.last("returns/approve"))

    delivery = WebhookDelivery.objects.get(topic="returns/approve")
    assert delivery.state == "failed" and "HTTP 500" in delivery.error
    assert reread(requested).status == "requested"
