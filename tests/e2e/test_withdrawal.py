"""The withdrawal function in a real browser, in Dutch and German: the button on the start page
and the status page, both steps, the receipt with its time and PDF, an unshipped order's
cancellation, and the refusal after the period."""

import re

import pytest
from django.core import mail

from returns import services
from returns.models import ReturnRequest, WithdrawalDeclaration
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "nl": {
        "button": "Overeenkomst hier herroepen",
        "name": "Uw naam",
        "order": "Bestelnummer",
        "email": "E-mailadres",
        "continue": "Doorgaan",
        "confirm": "Herroeping bevestigen",
        "done": "Herroeping ontvangen",
        "received": "Ontvangen op",
        "cancel": "annuleren",
    },
    "de": {
        "button": "Vertrag widerrufen",
        "name": "Ihr Name",
        "order": "Bestellnummer",
        "email": "E-Mail-Adresse",
        "continue": "Weiter",
        "confirm": "Widerruf bestätigen",
        "done": "Widerruf eingegangen",
        "received": "Eingegangen am",
        "cancel": "stornieren",
    },
}


@pytest.fixture
def localized(browser):
    contexts = []

    def open_page(language):
        context = browser.new_context(locale=language, viewport={"width": 390, "height": 844})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def load(devshop, language, **dates):
    email = f"kunde.{language}@example.org"
    items = [shop.line_item("Merino scarf", quantity=2, price="49.00")]
    devshop.load_orders([shop.order("#1042", email=email, locale=language, items=items, **dates)])
    return email


def declare(page, words, email, reason=""):
    page.get_by_label(words["name"]).fill("Lena Becker")
    page.get_by_label(words["order"]).fill("1042")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url("**/withdraw/order/")
    if reason:
        page.locator("textarea[name=reason]").fill(reason)
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url("**/withdraw/confirm/")
    page.get_by_role("button", name=words["confirm"]).click()
    page.wait_for_url("**/withdraw/done/**")


@pytest.mark.parametrize("language", ["nl", "de"])
def test_withdrawal_from_the_start_page_without_a_reason(localized, live_server, devshop, language):
    words = WORDS[language]
    email = load(devshop, language)
    page = localized(language)
    page.goto(live_server.url)
    page.get_by_role("link", name=words["button"]).click()
    declare(page, words, email)

    assert page.get_by_role("heading", name=words["done"]).is_visible()
    shown = page.locator("#received-at").inner_text()
    assert re.search(r"\d{2}:\d{2}:\d{2} CES?T \(UTC\+0[12]:00\)", shown)
    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.reason == "" and declaration.locale == language
    (receipt,) = mail.outbox
    assert words["received"] in receipt.body and shown in receipt.body
    (filename, pdf, kind) = receipt.attachments[0]
    assert kind == "application/pdf" and pdf.startswith(b"%PDF")


@pytest.mark.parametrize("language", ["nl", "de"])
def test_withdrawal_from_the_status_page_of_a_return(localized, live_server, devshop, language):
    words = WORDS[language]
    email = load(devshop, language)
    order = services.shopify_order_lookup(order_number="1042", email=email)
    scarf = devshop.order_by_name("#1042")["lineItems"]["nodes"][0]["id"]
    request = services.return_request_create(
        order=order,
        quantities={scarf: 1},
        reason="not_satisfied",
        comment="",
        locale=language,
    )
    page = localized(language)
    page.goto(f"{live_server.url}/r/{request.token}/")
    page.get_by_role("link", name=words["button"]).click()
    # The status page hands on the order number.
    assert page.get_by_label(words["order"]).input_value() == "#1042"
    declare(page, words, email, reason="Zu groß")
    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.reason == "Zu groß"
    assert [line["quantity"] for line in declaration.lines] == [1]


@pytest.mark.parametrize("language", ["nl", "de"])
def test_an_unshipped_order_is_cancelled(localized, live_server, devshop, settings, language):
    settings.WITHDRAWAL_CANCEL_AUTOMATICALLY = True
    words = WORDS[language]
    email = load(devshop, language, shipped_days_ago=None)
    page = localized(language)
    page.goto(f"{live_server.url}/withdraw/")
    declare(page, words, email)
    assert page.get_by_text(words["cancel"]).first.is_visible()
    assert ReturnRequest.objects.get().status == "resolved"
    assert devshop.order_by_name("#1042")["cancelledAt"]


@pytest.mark.parametrize("language", ["nl", "de"])
def test_refused_after_the_period(localized, live_server, devshop, settings, language):
    settings.RETURN_WINDOW_DAYS = 14
    words = WORDS[language]
    email = load(devshop, language, shipped_days_ago=40, delivered_days_ago=38)
    page = localized(language)
    page.goto(f"{live_server.url}/withdraw/")
    page.get_by_label(words["name"]).fill("Lena Becker")
    page.get_by_label(words["order"]).fill("1042")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["continue"]).click()
    refusal = page.locator("#withdrawal-refused").inner_text()
    assert "14" in refusal
    assert not WithdrawalDeclaration.objects.exists()
