"""Staff type a decision rule, see what it would have decided, save it, and a new request is
approved by it, in Shopify too."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from returns import services
from returns.models import ReturnStatus
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RULE = 'kind == "return" and within_window and total < 100 EUR and returns_this_year < 3'


@pytest.fixture
def order(devshop):
    items = [
        shop.line_item("Linen shirt", quantity=3, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="189.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="en", items=items)
    devshop.load_orders([data])
    return data


def file(order, index, quantity=1):
    local = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    return services.return_request_create(
        order=local,
        quantities={order["lineItems"]["nodes"][index]["id"]: quantity},
        reason="not_satisfied",
        comment="",
        locale="en",
    )


def test_staff_preview_a_rule_save_it_and_it_approves_a_new_request(
    browser, live_server, devshop, order, staff_login
):
    shirt, lamp = file(order, 0), file(order, 1)  # made before the rule: a person decides
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    staff_login(page, live_server)

    page.goto(live_server.url + reverse("admin:returns_decisionrule_add"))
    page.locator("#id_text").fill("total < 100")
    page.locator("#id_decision").select_option("approve")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("is an amount of money")).to_be_visible()

    page.locator("#id_text").fill(RULE)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".rules-preview")
    expect(preview).to_contain_text("1 approved, 0 rejected, 1 to review")
    assert preview.locator(f"tr:has-text('{shirt.number}')").inner_text().count("approved") == 1
    assert "review" in preview.locator(f"tr:has-text('{lamp.number}')").inner_text()
    shirt.refresh_from_db()
    assert shirt.status == ReturnStatus.REQUESTED  # the preview changed nothing

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    new = file(order, 0)
    new.refresh_from_db()
    assert new.status == ReturnStatus.APPROVED
    returns = devshop.order_by_name("#1001")["returns"]
    assert [r["status"] for r in returns][-1] == "OPEN"

    page.goto(live_server.url + reverse("admin:returns_returnrequest_change", args=[new.pk]))
    expect(page.get_by_text("Approved automatically by rule 1:").first).to_be_visible()
    context.close()
