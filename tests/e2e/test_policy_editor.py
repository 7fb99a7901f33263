"""A staff member gives winter items 60 days in the policy editor; a shopper returns one on day 45."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from returns.models import PolicyVersion, ReturnRequest
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def policy_editor(db):
    user = get_user_model().objects.create_user(
        "petra", "petra@example.com", "a-long-secret", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="change_policy"))
    return user


@pytest.fixture
def winter_order(devshop):
    items = [
        shop.line_item("Wool coat", quantity=1, price="189.00", tags=("winter",)),
        shop.line_item("Linen shirt", quantity=1, price="39.95"),
    ]
    data = shop.order(
        "#1050",
        email="lena.becker@example.org",
        locale="en",
        items=items,
        shipped_days_ago=46,
        delivered_days_ago=45,
    )
    devshop.load_orders([data])
    return data


def quantity_field(page, order, index):
    line_id = order["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]
    return page.locator(f'input[name="quantity_{line_id}"]')


def test_a_winter_tag_given_60_days_lets_a_shopper_return_a_coat_on_day_45(
    page, live_server, policy_editor, winter_order
):
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("petra")
    page.locator('input[name="password"]').fill("a-long-secret")
    page.locator('input[type="submit"]').click()
    page.goto(live_server.url + reverse("admin:returns_policyversion_add"))
    assert page.locator('input[name="return_window_days"]').input_value() == "30"
    page.locator('select[name="scopes-0-kind"]').select_option("tag")
    page.locator('input[name="scopes-0-value"]').fill("winter")
    page.locator('input[name="scopes-0-return_window_days"]').fill("60")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as a new version").click()

    assert page.get_by_text("The return policy was saved as version").is_visible()
    assert page.get_by_text("scope added: tag winter 60 d").is_visible()
    assert PolicyVersion.objects.get().created_by == policy_editor

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/?order=1050&email=lena.becker@example.org")
    page.get_by_role("button", name="Find my order").click()
    page.wait_for_url("**/order/")
    assert page.get_by_text("The 30-day return period for this item has ended.").is_visible()
    quantity_field(page, winter_order, 0).fill("1")
    page.get_by_label("I am not satisfied").check()
    page.get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/submitted/")
    request = ReturnRequest.objects.get()
    assert [line.title for line in request.lines.all()] == ["Wool coat"]
    assert request.policy_version == PolicyVersion.objects.get()
