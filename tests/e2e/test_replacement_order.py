"""Staff have a claim's replacement made as a Shopify order; the warehouse fulfils it in Shopify,
and its tracking number reaches the staff screen, the status page and the shopper's email by
Shopify's webhook, without anyone typing it."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from devshop.webhooks import wait_for_deliveries
from returns import services
from returns.models import ReturnRequest
from tests import shop
from tests.returns.replacement_flow import warehouse_ships
from tests.webhooks import SECRET, URL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = "00340434161234567890"


def made_in_shopify(devshop, within=15.0):
    """The replacement orders in devshop, waiting until there is one or `within` seconds pass."""
    deadline = time.monotonic() + within
    while True:
        made = [o for o in devshop.orders() if "return-replacement" in o["tags"]]
        if made or time.monotonic() > deadline:
            return made
        time.sleep(0.1)


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("anne", "anne@example.com", "a-long-secret")


@pytest.fixture
def approved_claim(devshop, staff):
    items = [shop.line_item("Desk lamp", quantity=1, price="89.00", variant="Black")]
    data = shop.order("#1001", email="anna@example.com", locale="en", items=items)
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    claim = services.return_request_create(
        order=order,
        quantities={items[0]["id"]: 1},
        reason="defect",
        remedy="replacement",
        comment="The switch is broken.",
        locale="en",
    )
    services.return_approve(request_id=claim.pk, user=staff)
    return claim


def test_the_replacement_order_ships_with_its_tracking_number_arriving_by_webhook(
    wide_page, page, live_server, approved_claim, devshop, devshop_server, settings
):
    # devshop, playing Shopify, sends its webhooks to this portal.
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    settings.DEVSHOP_WEBHOOK_URL = live_server.url + URL
    staff_page = wide_page
    staff_page.goto(live_server.url + reverse("admin:login"))
    staff_page.locator('input[name="username"]').fill("anne")
    staff_page.locator('input[name="password"]').fill("a-long-secret")
    staff_page.locator('input[type="submit"]').click()
    staff_page.wait_for_url("**/admin/")
    change = live_server.url + reverse(
        "admin:returns_returnrequest_change", args=[approved_claim.pk]
    )
    staff_page.goto(change)
    staff_page.get_by_role("link", name="Create replacement order in Shopify").click()
    # Staff may still log one sent outside Shopify instead.
    assert staff_page.get_by_role("link", name="Sent outside Shopify?").is_visible()
    staff_page.get_by_role("button", name="Create the order in Shopify").click()
    staff_page.wait_for_url(f"**/{approved_claim.pk}/change/")
    assert "being made in Shopify" in staff_page.locator(".messagelist").inner_text()

    # The order is in Shopify, at no charge, tagged with the return number (on a busy machine,
    # Shopify may take a moment longer to make it than the page takes to show).
    [order] = made_in_shopify(devshop)
    assert order["name"] == "#1002" and "R-1001-1" in order["tags"]
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "0.00"
    staff_page.reload()
    assert "#1002" in staff_page.locator(".rs-replacements").inner_text()

    status_url = live_server.url + reverse("returns:status", args=[approved_claim.token])
    page.goto(status_url)
    assert "being prepared" in page.locator("#status-now").locator("..").inner_text()

    # The warehouse fulfils #1002 in Shopify with a DHL tracking number; Shopify tells the portal.
    mail.outbox.clear()
    warehouse_ships(devshop_server, devshop, "#1002", {"company": "DHL", "number": NUMBER})
    wait_for_deliveries()

    staff_page.reload()
    assert NUMBER in staff_page.locator(".rs-replacements").inner_text()
    page.goto(status_url)
    assert NUMBER in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Track the parcel").is_visible()
    assert ReturnRequest.objects.get(pk=approved_claim.pk).status == "resolved"
    [email] = mail.outbox
    assert email.to == ["anna@example.com"]
    assert "on its way" in email.subject and NUMBER in email.body
