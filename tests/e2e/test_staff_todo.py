"""A German staff member works through the requests to decide from the start page, by keyboard."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from returns import services
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def german_page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("anne", "anne@example.com", "a-long-secret")


@pytest.fixture
def three_new(devshop, staff):
    """Three requests to decide on one order, filed one after the other."""
    items = [shop.line_item("Leinenhemd", quantity=3, price="39.95")]
    data = shop.order("#1001", email="anna@example.com", locale="de", items=items)
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    shirt = data["lineItems"]["nodes"][0]["id"]
    return [
        services.return_request_create(
            order=order, quantities={shirt: 1}, reason="not_satisfied", comment="", locale="de"
        )
        for _ in range(3)
    ]


def test_staff_decide_one_request_after_the_other(german_page, live_server, three_new, staff):
    first, second, third = three_new
    page = german_page
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("anne")
    page.locator('input[name="password"]').fill("a-long-secret")
    page.locator('input[type="submit"]').click()
    page.wait_for_url("**/admin/")
    row = page.locator("tr.todo-decide")
    assert row.locator("th").inner_text() == "Zu entscheiden"
    assert row.locator(".todo-count").inner_text() == "3"
    row.get_by_role("link", name="Nächste öffnen").click()
    page.wait_for_url(f"**/{first.pk}/change/?todo=decide")
    page.get_by_role("button", name="Genehmigen").click()
    # Approved, and the next request to decide is open.
    page.wait_for_url(f"**/{second.pk}/change/?todo=decide")
    assert f"{first.number} genehmigt." in page.locator(".messagelist").inner_text()
    # The key N skips to the one after.
    page.keyboard.press("n")
    page.wait_for_url(f"**/{third.pk}/change/?todo=decide")
    page.goto(live_server.url + reverse("admin:index"))
    assert page.locator("tr.todo-decide .todo-count").inner_text() == "2"
