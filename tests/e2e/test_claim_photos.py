"""A shopper adds photos to a defect claim on a phone-sized screen: two chosen, one removed in the
preview, the other on the status page."""

import pytest

from returns.models import ClaimPhoto, ReturnRequest
from tests import photo_files, shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order(devshop):
    items = [shop.line_item("Desk lamp", quantity=1, price="89.00")]
    data = shop.order("#1044", email="lena.becker@example.org", locale="en", items=items)
    devshop.load_orders([data])
    return data


def test_two_photos_chosen_one_removed_one_on_the_status_page(page, live_server, order):
    refused = []  # what the Content-Security-Policy blocked, as Chromium reports it
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    page.goto(f"{live_server.url}/?order=1044&email=lena.becker@example.org")
    page.get_by_role("button", name="Find my order").click()
    page.wait_for_url("**/order/")
    line_id = order["lineItems"]["nodes"][0]["id"].rsplit("/", 1)[1]
    page.locator(f'input[name="quantity_{line_id}"]').fill("1")
    page.get_by_label("It is defective").check()
    page.get_by_label("Send me a replacement").check()
    page.get_by_label("Comment").fill("The shade cracked.")

    page.get_by_label("Photos of the defect").set_input_files(
        [
            {
                "name": "blurry.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_files.photo(800, 600, "gray"),
            },
            {
                "name": "crack.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_files.photo(600, 800, "red"),
            },
        ]
    )
    previews = page.locator(".photo-preview")
    previews.nth(1).locator("img[src^='data:']").wait_for()
    assert previews.count() == 2 and page.get_by_text("2 of 5 photos chosen").is_visible()

    page.get_by_role("button", name="Remove: blurry.jpg").click()

    assert previews.count() == 1 and page.get_by_text("crack.jpg").is_visible()
    assert page.get_by_text("1 of 5 photos chosen").is_visible()
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/submitted/")
    page.get_by_role("link", name="Follow your request on its status page").click()

    assert page.get_by_role("heading", name="Your photos").is_visible()
    photo = page.get_by_role("img", name="Photo 1")
    photo.wait_for()
    assert page.get_by_role("img", name="Photo 2").count() == 0
    # The thumbnail loaded through its signed link, under the page's Content-Security-Policy.
    # Waited for: on a busy machine the page is shown before the photo has arrived.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle(), timeout=10_000
    )
    [kept] = ClaimPhoto.objects.filter(request=ReturnRequest.objects.get())
    assert (kept.width, kept.height) == (600, 800)
    assert not refused, refused
