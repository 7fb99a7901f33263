"""A shopper returning an item under a policy with a return shipping fee sees the fee and the
refund to expect in their language before sending, and the request keeps exactly that fee."""

from decimal import Decimal

import pytest

from returns.models import ReturnRequest
from returns.policy import ReturnPolicy
from tests import shop
from tests.returns import fee_shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(devshop, monkeypatch):
    policy = fee_shop.fee_policy(ReturnPolicy.from_settings(), shipping=fee_shop.flat("5.95"))
    fee_shop.policy_in_force(monkeypatch, policy)
    items = [shop.line_item("Wollschal", quantity=2, price="49.00")]
    data = shop.order("#1077", email="lena.becker@example.org", locale="de", items=items)
    devshop.load_orders([data])
    return data


def test_the_return_shipping_fee_is_shown_before_sending_and_kept_as_shown(
    page, live_server, order
):
    page.goto(f"{live_server.url}/?order=1077&email=lena.becker@example.org")
    page.get_by_role("button", name="Find my order").click()
    page.wait_for_url("**/order/")
    line_id = order["lineItems"]["nodes"][0]["id"].rsplit("/", 1)[1]
    page.locator(f'input[name="quantity_{line_id}"]').fill("1")
    page.locator('input[name="reason"][value="not_satisfied"]').check()
    page.locator('form[action$="/order/"] button[type=submit]').click()

    fees = page.locator("#return-fees")
    fees.wait_for()
    assert "Rückversand" in page.locator("#fee-shipping").inner_text()
    assert "5,95\xa0€" in page.locator("#fee-shipping").inner_text()
    assert "43,05\xa0€" in page.locator("#expected-refund").inner_text()
    assert not ReturnRequest.objects.exists()

    page.locator("#confirm-return").click()
    page.wait_for_url("**/submitted/")
    request = ReturnRequest.objects.get()
    assert (request.return_shipping_fee, request.fee_currency) == (Decimal("5.95"), "EUR")
