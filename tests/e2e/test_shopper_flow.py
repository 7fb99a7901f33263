"""A shopper files a defect claim and a not-satisfied return in a real browser, on a phone-sized
screen, from the start page to the status page."""

import pytest

from returns.models import ReturnRequest
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(devshop):
    items = [
        shop.line_item("Merino scarf", quantity=2, price="49.00"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1042", email="lena.becker@example.org", locale="en", items=items)
    devshop.load_orders([data])
    return data


def quantity_field(page, order, index):
    line_id = order["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]
    return page.locator(f'input[name="quantity_{line_id}"]')


def find_order(page, live_server):
    page.goto(f"{live_server.url}/?order=1042&email=lena.becker@example.org")
    page.get_by_role("button", name="Find my order").click()
    page.wait_for_url("**/order/")


def test_a_defect_claim_from_start_to_status_page(page, live_server, order):
    find_order(page, live_server)
    quantity_field(page, order, 1).fill("1")
    page.get_by_label("It is defective").check()
    page.get_by_label("Send me a replacement").check()
    page.get_by_label("Comment").fill("The switch stopped working after a week.")
    page.get_by_role("button", name="Send my request").click()

    page.wait_for_url("**/submitted/")
    assert page.get_by_role("heading", name="Your guarantee claim has been filed").is_visible()
    assert page.get_by_text("R-1042-1").first.is_visible()
    page.get_by_role("link", name="Follow your request on its status page").click()

    assert page.get_by_role("heading", name="Guarantee claim R-1042-1").is_visible()
    assert page.get_by_text("We have received your claim").is_visible()
    assert page.get_by_text("Desk lamp").first.is_visible()
    assert ReturnRequest.objects.get().kind == "claim"


def test_a_return_by_keyboard_from_start_to_status_page(page, live_server, order):
    find_order(page, live_server)
    quantity_field(page, order, 0).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.get_by_label("I am not satisfied").check()
    page.get_by_label("Comment").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.wait_for_url("**/submitted/")
    assert page.get_by_role("heading", name="We have received your withdrawal").is_visible()
    assert page.get_by_text("Retourstraat 1").is_visible()
    page.get_by_role("link", name="Follow your request on its status page").click()
    assert page.get_by_role("heading", name="Withdrawal R-1042-1").is_visible()
    request = ReturnRequest.objects.get()
    assert [(line.title, line.quantity) for line in request.lines.all()] == [("Merino scarf", 2)]


def test_a_wrong_email_gets_a_clear_message_in_the_browser(page, live_server, order):
    page.goto(live_server.url)
    page.get_by_label("Order number").fill("#1042")
    page.get_by_label("Email address").fill("not.lena@example.org")
    page.get_by_role("button", name="Find my order").click()
    assert page.get_by_text("We could not find an order").is_visible()
