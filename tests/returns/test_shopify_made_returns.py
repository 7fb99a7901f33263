"""Returns and refunds made in Shopify's admin: in the portal's queue, and counted, never twice.

#1001 (tests/returns/conftest.py): two linen shirts at 39.95 and a desk lamp at 89.00, paid with
one SALE. devshop plays Shopify over HTTP; its webhooks reach the portal as Shopify's would.
"""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from devshop.returns_flow import admin_return_create
from returns import services, steps
from returns.errors import ReturnError
from returns.models import Refund, ReturnRequest, ShopifyOrder, WebhookDelivery
from returns.shopify import refunds as shopify_refunds
from returns.shopify import returns as shopify_returns
from tests.returns import shopify_admin as in_shopify

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:returns_returnrequest_changelist")


@pytest.fixture
def webhooks(settings, client, django_capture_on_commit_callbacks):
    caught, stop = in_shopify.webhook_catcher(settings, client, django_capture_on_commit_callbacks)
    yield caught
    stop()


def made_by_staff_in_shopify(devshop, order, line_index, quantity):
    """A Return staff make in Shopify's admin (open at once), as for a customer who phoned."""
    line_item = order["lineItems"]["nodes"][line_index]["id"]
    [line] = [
        line
        for line in shopify_returns.returnable_lines(order["id"])
        if line.line_item_id == line_item
    ]
    return admin_return_create(
        devshop, order_id=order["id"], lines=[(line.fulfillment_line_item_id, quantity)]
    )


def opened(webhooks, a_return):
    """The shopper's withdrawal of two shirts, approved in Shopify."""
    a_return.refresh_from_db()
    in_shopify.approve(a_return.shopify_return_id)
    webhooks.deliver(webhooks.last("returns/approve"))
    return a_return


# A Return made in Shopify.


def test_a_return_made_in_shopifys_admin_joins_the_queue_as_made_in_shopify(
    shop_order, webhooks, devshop, admin_client
):
    made = made_by_staff_in_shopify(devshop, shop_order, 1, 1)

    webhooks.deliver(webhooks.last("returns/approve"))

    request = ReturnRequest.objects.get()
    assert request.made_in_shopify and request.shopify_return_id == made["id"]
    assert (request.number, request.status, request.kind) == ("R-1001-1", "approved", "return")
    assert [(line.title, line.quantity, line.unit_price) for line in request.lines.all()] == [
        ("Desk lamp", 1, Decimal("89.000"))
    ]
    assert (request.customer_email, request.locale) == ("anna@example.com", "nl")
    assert ShopifyOrder.objects.get().name == "#1001"  # the order's copy, fetched for it
    assert [e.type for e in request.events.all()][:2] == [
        steps.MADE_IN_SHOPIFY.event_type,
        steps.APPROVED_IN_SHOPIFY.event_type,
    ]
    # Not thanked for a request they never made here; told it is approved, with its status page.
    [email] = mail.outbox
    assert "R-1001-1" in email.subject and request.token in email.body
    # In the queue, for staff to see where it came from.
    queue = admin_client.get(CHANGELIST).content.decode()
    [row] = [row for row in re.findall(r"<tr.*?</tr>", queue, re.S) if "R-1001-1" in row]
    assert "R-1001-1" in row and 'alt="True"' in row and "Made in Shopify" in queue
    only_shopify = admin_client.get(CHANGELIST, {"made_in_shopify__exact": "1"}).content.decode()
    assert "R-1001-1" in only_shopify
    assert (
        "R-1001-1"
        not in admin_client.get(CHANGELIST, {"made_in_shopify__exact": "0"}).content.decode()
    )
    screen = admin_client.get(reverse("admin:returns_returnrequest_change", args=[request.pk]))
    assert re.search(
        r'class="rs-made-in-shopify"><dt>Made</dt><dd>in Shopify(&#x27;|.)s admin</dd>',
        screen.content.decode(),
    )
    assert "return-requested" in devshop.order_by_name("#1001")["tags"]


def test_a_return_the_customer_asked_shopify_for_is_a_claim_when_the_item_is_defective(
    shop_order, webhooks, client
):
    in_shopify.customer_request(shop_order, 1, 1, note="Der Schalter klemmt.")

    webhooks.deliver(webhooks.last("returns/request"))

    request = ReturnRequest.objects.get()
    assert (request.kind, request.reason, request.status) == ("claim", "defect", "requested")
    assert request.lines.get().reason_detail == "Der Schalter klemmt."
    assert mail.outbox == []  # Shopify acknowledged it; the portal adds nothing yet
    # The same units are held: the shopper cannot file them again through the portal.
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    lamp = shop_order["lineItems"]["nodes"][1]["id"]
    with pytest.raises(ReturnError):
        services.return_request_create(
            order=order,
            quantities={lamp: 1},
            reason="defect",
            remedy="repair",
            comment="Kaputt",
            locale="de",
        )


def test_any_other_reason_from_shopify_is_a_withdrawal(shop_order, webhooks):
    changed_mind = "gid://shopify/ReturnReasonDefinition/9"
    in_shopify.customer_request(shop_order, 0, 2, reason=changed_mind)

    webhooks.deliver(webhooks.last("returns/request"))

    assert ReturnRequest.objects.get().kind == "return"


def test_a_return_made_and_canceled_in_shopify_before_the_portal_heard_is_ignored(
    shop_order, webhooks, devshop
):
    made = made_by_staff_in_shopify(devshop, shop_order, 1, 1)
    in_shopify.cancel(made["id"])

    webhooks.deliver(webhooks.last("returns/approve"))

    delivery = WebhookDelivery.objects.get(topic="returns/approve")
    assert delivery.state == "processed" and delivery.error.startswith("Ignored:")
    assert not ReturnRequest.objects.exists()


def test_a_return_made_in_shopify_is_made_once_however_often_it_is_delivered(
    shop_order, webhooks, devshop
):
    made_by_staff_in_shopify(devshop, shop_order, 1, 1)
    approval = webhooks.last("returns/approve")

    webhooks.deliver(approval)
    webhooks.deliver(approval, webhook_id="another-subscription")

    assert ReturnRequest.objects.count() == 1


def test_the_portals_steps_on_a_return_made_in_shopify_reach_shopify(
    shop_order, webhooks, devshop, staff, django_capture_on_commit_callbacks
):
    in_shopify.customer_request(shop_order, 0, 1)
    webhooks.deliver(webhooks.last("returns/request"))
    request = ReturnRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_reject(request_id=request.pk, user=staff, reason="Gedragen")

    [stored] = devshop.order_by_name("#1001")["returns"]
    assert stored["status"] == "DECLINED" and stored["decline"]["note"] == "Gedragen"


# Refunds made in Shopify.


def test_a_refund_made_in_shopify_counts_and_the_portal_cannot_refund_those_units_again(
    a_return, webhooks, shop_order, staff, client
):
    request = opened(webhooks, a_return)
    in_shopify.process_with_refund(request.shopify_return_id, shop_order, "79.90")
    mail.outbox.clear()

    webhooks.deliver(webhooks.last("returns/process"))

    request.refresh_from_db()
    # Refunded before its parcel arrived: the request waits for the parcel.
    assert request.status == "approved"
    [refund] = Refund.objects.all()
    assert (refund.state, refund.made_in_shopify, refund.amount, refund.currency) == (
        "succeeded",
        True,
        Decimal("79.900"),
        "EUR",
    )
    [made] = shopify_returns.return_get(request.shopify_return_id).refund_ids
    assert refund.shopify_refund_id == made
    assert refund.lines == [
        {"line_item_id": shop_order["lineItems"]["nodes"][0]["id"], "quantity": 2}
    ]
    [email] = mail.outbox
    assert "79,90" in email.body
    assert "79.90" in client.get(reverse("returns:status", args=[request.token])).content.decode()
    # The portal offers nothing more for the request, and refuses to refund it again.
    quote = services.refund_quote(request=request)
    assert quote.maximum == 0
    with pytest.raises(ReturnError):
        services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=Decimal("10.00"),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )


def test_a_partial_refund_in_shopify_leaves_only_the_rest_to_refund(a_return, webhooks, shop_order):
    request = opened(webhooks, a_return)
    in_shopify.process_with_refund(request.shopify_return_id, shop_order, "39.95", quantity=1)

    webhooks.deliver(webhooks.last("returns/process"))

    request.refresh_from_db()
    assert services.refund_quote(request=request).maximum == Decimal("39.95")


def test_a_refund_made_in_shopify_is_recorded_once_whatever_arrives_again(
    a_return, webhooks, shop_order
):
    request = opened(webhooks, a_return)
    in_shopify.process_with_refund(request.shopify_return_id, shop_order, "79.90")
    in_shopify.close(request.shopify_return_id)
    process = webhooks.last("returns/process")

    webhooks.deliver(webhooks.last("returns/close"))  # the close first: it reads the refund too
    webhooks.deliver(process)
    webhooks.deliver(process, webhook_id="once-more")

    assert Refund.objects.count() == 1
    events = list(request.events.values_list("type", flat=True))
    assert events.count(steps.REFUNDED_IN_SHOPIFY.event_type) == 1


def test_the_portals_own_refund_coming_back_as_a_webhook_is_not_recorded_again(
    a_return, webhooks, shop_order, staff
):
    request = opened(webhooks, a_return)
    # The portal asked for a refund; its task sends it with returnProcess, the note naming the
    # refund's key, and Shopify's webhook arrives before the task has recorded Shopify's answer.
    pending = services.refund_request(
        request_id=request.pk,
        user=staff,
        amount=Decimal("79.90"),
        currency="EUR",
        restock=False,
        notify=False,
        shopify_maximum=Decimal("168.90"),
    )
    note = shopify_refunds.refund_note(request.number, str(pending.idempotency_key))
    in_shopify.process_with_refund(request.shopify_return_id, shop_order, "79.90", note=note)

    webhooks.deliver(webhooks.last("returns/process"))

    assert list(Refund.objects.values_list("pk", "state")) == [(pending.pk, "pending")]
    assert steps.REFUNDED_IN_SHOPIFY.event_type not in request.events.values_list("type", flat=True)
