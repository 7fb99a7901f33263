"""A Dutch staff member, in a Dutch Chromium, types amounts and dates the Dutch way."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import Refund
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dutch_page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("anne", "anne@example.com", "a-long-secret")


@pytest.fixture
def requests(devshop, staff):
    """A received return (two shirts, 79,90 EUR) and a claim for the lamp, on one order."""
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="nl", items=items)
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    shirt, lamp = (line["id"] for line in data["lineItems"]["nodes"])
    a_return = services.return_request_create(
        order=order, quantities={shirt: 2}, reason="not_satisfied", comment="", locale="nl"
    )
    line = a_return.lines.get()
    services.return_receive(request_id=a_return.pk, user=staff, received={line.pk: 2}, restock=True)
    a_claim = services.return_request_create(
        order=order,
        quantities={lamp: 1},
        reason="defect",
        remedy="repair",
        comment="Kapot.",
        locale="nl",
    )
    services.return_approve(request_id=a_claim.pk, user=staff)
    return a_return, a_claim


def log_in(page, live_server):
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("anne")
    page.locator('input[name="password"]').fill("a-long-secret")
    page.locator('input[type="submit"]').click()
    page.wait_for_url("**/admin/")


def test_a_dutch_amount_is_refunded_exactly_as_typed(dutch_page, live_server, requests):
    a_return, _claim = requests
    log_in(dutch_page, live_server)
    dutch_page.goto(
        live_server.url + reverse("admin:returns_returnrequest_refund", args=[a_return.pk])
    )
    amount = dutch_page.locator('input[name="amount"]')
    assert amount.input_value() == "79,90"
    amount.fill("29,00")
    dutch_page.get_by_role("button", name="Doorgaan").click()

    heading = dutch_page.locator("h2.refund-confirmation")
    assert heading.inner_text().replace("\xa0", " ") == (
        f"€ 29,00 voor {a_return.number} via Shopify terugbetalen?"
    )
    dutch_page.get_by_role("button", name="Ja, € 29,00 terugbetalen").click()
    dutch_page.wait_for_url("**/change/")
    assert [str(refund.amount.normalize()) for refund in Refund.objects.all()] == ["29"]


def test_a_dutch_amount_that_could_be_misread_is_refused(dutch_page, live_server, requests):
    a_return, _claim = requests
    log_in(dutch_page, live_server)
    dutch_page.goto(
        live_server.url + reverse("admin:returns_returnrequest_refund", args=[a_return.pk])
    )
    dutch_page.locator('input[name="amount"]').fill("29.00")
    dutch_page.get_by_role("button", name="Doorgaan").click()
    assert dutch_page.get_by_text(
        "Vul het bedrag in cijfers in, met “,” voor de decimalen"
    ).is_visible()
    assert not Refund.objects.exists()


def test_the_shipping_date_is_filled_in_for_a_dutch_replacement(dutch_page, live_server, requests):
    _return, a_claim = requests
    log_in(dutch_page, live_server)
    dutch_page.goto(
        live_server.url + reverse("admin:returns_returnrequest_ship", args=[a_claim.pk])
    )
    assert dutch_page.get_by_label("Verzonden op").input_value() == timezone.localdate().isoformat()
    dutch_page.locator('input[name="tracking_number"]').fill("00340434161234567890")
    dutch_page.locator('input[type="submit"]').click()
    dutch_page.wait_for_url("**/change/")
    assert a_claim.replacements.get().shipped_on == timezone.localdate()
