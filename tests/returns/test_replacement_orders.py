"""A claim's replacement made as a Shopify order, shipped when Shopify's webhook says so."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from returns import services, steps, tasks
from returns.models import Replacement, ReturnRequest, WebhookDelivery
from returns.shopify.errors import ShopifyError
from tests.returns.replacement_flow import warehouse_ships

pytestmark = pytest.mark.django_db

TRACKING = {"company": "DHL", "number": "00340434161234567890"}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def approved_claim(a_claim, staff, run):
    run(services.return_approve, request_id=a_claim.pk, user=staff)
    return ReturnRequest.objects.get(pk=a_claim.pk)


def replacement_orders(devshop):
    return [o for o in devshop.orders() if "return-replacement" in o["tags"]]


def test_staff_have_the_replacement_made_as_a_shopify_order_at_no_charge(
    approved_claim, staff, devshop, run, shop_order
):
    assert steps.REPLACEMENT_ORDER in steps.steps_offered(approved_claim, staff)
    replacement = run(services.replacement_order_create, request_id=approved_claim.pk, user=staff)
    replacement.refresh_from_db()
    [order] = replacement_orders(devshop)
    assert replacement.shopify_order_name == order["name"] == "#1002"
    assert replacement.state == Replacement.State.ORDERED
    assert order["tags"] == ["return-replacement", "R-1001-1"]
    assert "R-1001-1" in order["note"]
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "0.00"
    lamp = shop_order["lineItems"]["nodes"][1]
    assert [(i["variant"], i["quantity"]) for i in order["lineItems"]["nodes"]] == [
        (lamp["variant"], 1)
    ]
    assert order["email"] == "anna@example.com"
    # Nothing has been shipped yet: the claim stays open, and says so on the status page.
    approved_claim.refresh_from_db()
    assert approved_claim.status == "approved"
    assert "replacement-ordered" in devshop.order_by_name("#1001")["tags"]
    assert steps.REPLACEMENT_ORDER not in steps.steps_offered(approved_claim, staff)


def test_asking_twice_makes_one_order(approved_claim, staff, devshop, run):
    first = run(services.replacement_order_create, request_id=approved_claim.pk, user=staff)
    second = run(services.replacement_order_create, request_id=approved_claim.pk, user=staff)
    services.replacement_order_place(replacement_id=first.pk)
    assert first.pk == second.pk
    assert len(devshop.documents("DraftOrder")) == 1
    assert len(replacement_orders(devshop)) == 1


def test_a_returns_claim_cannot_get_a_replacement_order(a_return, staff, run):
    run(services.return_approve, request_id=a_return.pk, user=staff)
    with pytest.raises(services.ReturnError):
        services.replacement_order_create(request_id=a_return.pk, user=staff)
    assert not Replacement.objects.exists()


def test_answers_lost_after_shopify_acted_never_make_two_orders(
    approved_claim, staff, devshop, run
):
    # draftOrderCreate makes the draft, but its answer never arrives: the task gives up (there is
    # no broker to retry on here) and staff see why.
    replacement = services.replacement_order_create(request_id=approved_claim.pk, user=staff)
    devshop.set_option("timeout_seconds", 1.0)
    devshop.add_fault("mutation_timeout")
    with override_settings(SHOPIFY_TIMEOUT=0.5):
        tasks.replacement_order_place.apply(args=[replacement.pk])
    assert approved_claim.events.filter(type="returns.replacement_order_failed").exists()
    assert len(devshop.documents("DraftOrder")) == 1
    assert replacement_orders(devshop) == []

    # Tried again, the draft is found by its tags; now draftOrderComplete's answer is lost.
    devshop.add_fault("mutation_timeout")
    with override_settings(SHOPIFY_TIMEOUT=0.5), pytest.raises(ShopifyError):
        services.replacement_order_place(replacement_id=replacement.pk)
    assert len(replacement_orders(devshop)) == 1

    # And again (a worker redelivering the task): the completed draft is left as it is.
    with override_settings(SHOPIFY_TIMEOUT=5.0):
        services.replacement_order_place(replacement_id=replacement.pk)
        services.replacement_order_place(replacement_id=replacement.pk)
    assert len(devshop.documents("DraftOrder")) == 1
    assert len(replacement_orders(devshop)) == 1
    replacement.refresh_from_db()
    assert replacement.shopify_order_name == "#1002"


@pytest.fixture
def ordered(approved_claim, staff, run):
    replacement = run(services.replacement_order_create, request_id=approved_claim.pk, user=staff)
    replacement.refresh_from_db()
    mail.outbox.clear()
    return replacement


def test_the_tracking_number_arrives_by_webhook_and_reaches_the_shopper(
    ordered, devshop, devshop_server, deliver, client
):
    payload = warehouse_ships(devshop_server, devshop, ordered.shopify_order_name, TRACKING)
    assert deliver("fulfillments/create", payload).status_code == 200

    ordered.refresh_from_db()
    assert ordered.state == Replacement.State.SHIPPED
    assert (ordered.carrier, ordered.tracking_number) == ("dhl", "00340434161234567890")
    assert "00340434161234567890" in ordered.tracking_url
    request = ordered.request
    request.refresh_from_db()
    assert request.status == "resolved"
    assert "replacement-shipped" in devshop.order_by_name("#1001")["tags"]
    assert any(
        "DHL 00340434161234567890" in line
        for line in devshop.order_by_name("#1001")["note"].splitlines()
    )
    [email] = mail.outbox
    assert "00340434161234567890" in email.body
    page = client.get(reverse("returns:status", args=[request.token]))
    assert "00340434161234567890" in page.content.decode()

    # Shopify delivers again, and sends fulfillments/update: nothing happens twice.
    deliver("fulfillments/create", payload)
    deliver("fulfillments/update", payload)
    assert len(mail.outbox) == 1
    assert request.events.filter(type="shopify.replacement_fulfilled").count() == 1


def test_a_fulfilment_without_a_number_ships_and_a_later_update_fills_it_in(
    ordered, devshop, devshop_server, deliver
):
    payload = warehouse_ships(devshop_server, devshop, ordered.shopify_order_name, None)
    deliver("fulfillments/create", payload)
    ordered.refresh_from_db()
    assert ordered.state == Replacement.State.SHIPPED and ordered.tracking_number == ""
    assert len(mail.outbox) == 1

    updated = {**payload, "tracking_company": "PostNL", "tracking_number": "3SABCD1234567"}
    deliver("fulfillments/update", updated)
    ordered.refresh_from_db()
    assert (ordered.carrier, ordered.tracking_number) == ("postnl", "3SABCD1234567")


def test_a_fulfilment_of_any_other_order_is_ignored(ordered, deliver, shop_order):
    payload = {
        "id": 1,
        "order_id": int(shop_order["id"].rsplit("/", 1)[-1]),
        "status": "success",
        "tracking_company": "DHL",
        "tracking_number": "1234",
    }
    deliver("fulfillments/create", payload)
    delivery = WebhookDelivery.objects.get(topic="fulfillments/create")
    assert delivery.state == "processed" and delivery.error.startswith("Ignored")
    ordered.refresh_from_db()
    assert ordered.state == Replacement.State.ORDERED


def test_staff_create_the_order_from_the_claims_screen_or_log_one_sent_otherwise(
    approved_claim, client, staff, devshop, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    change = reverse("admin:returns_returnrequest_change", args=[approved_claim.pk])
    url = reverse("admin:returns_returnrequest_replacement_order", args=[approved_claim.pk])
    assert url in client.get(change).content.decode()
    page = client.get(url).content.decode()
    assert "Create the order in Shopify" in page
    assert reverse("admin:returns_returnrequest_ship", args=[approved_claim.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert len(replacement_orders(devshop)) == 1
    status = client.get(reverse("returns:status", args=[approved_claim.token])).content.decode()
    assert "replacement-preparing" in status
    # The step is taken: its button is gone, and the screen says it cannot be taken again.
    assert url not in client.get(change).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(replacement_orders(devshop)) == 1


def test_staff_try_again_after_shopify_refused_the_order(approved_claim, staff, devshop, run):
    replacement = services.replacement_order_create(request_id=approved_claim.pk, user=staff)
    devshop.add_fault("user_errors")  # the draft order is refused
    tasks.replacement_order_place.apply(args=[replacement.pk])
    assert approved_claim.events.filter(type="returns.replacement_order_failed").exists()
    assert replacement_orders(devshop) == []
    assert steps.REPLACEMENT_ORDER in steps.steps_offered(approved_claim, staff)

    again = run(services.replacement_order_create, request_id=approved_claim.pk, user=staff)
    assert again.pk == replacement.pk
    assert len(replacement_orders(devshop)) == 1
    assert steps.REPLACEMENT_ORDER not in steps.steps_offered(approved_claim, staff)
    assert Replacement.objects.filter(request=approved_claim).count() == 1


def test_a_shoppers_data_export_lists_a_replacement_not_shipped_yet(ordered):
    from returns.models import ShopifyOrder

    exported = services.personal_data_export(
        requests=ReturnRequest.objects.all(), orders=ShopifyOrder.objects.all()
    )
    [replacement] = exported["return_requests"][0]["replacements"]
    assert replacement["shipped_on"] is None


def test_a_claim_whose_order_shopify_made_leaves_the_replacements_to_ship(ordered):
    from returns.todo import todo_list

    replacements = todo_list("replacements").requests()
    assert not replacements.filter(pk=ordered.request_id).exists()
    Replacement.objects.filter(pk=ordered.pk).update(shopify_order_id="")  # not made (yet)
    assert replacements.filter(pk=ordered.request_id).exists()
