"""One screen per parcel: a Dutch, then a German staff member opens the parcels expected, marks
one of two shirts arrived as new, refunds what Shopify computes for it, and is on the next."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from returns import services
from returns.models import Refund, ReturnRequest
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the staff member reads, in their browser's language.
WORDS = {
    "nl-NL": {
        "list": "Pakketten verwacht",
        "next": "Volgende openen",
        "receive": "Pakket als ontvangen markeren",
        "arrived": "Linen shirt: aangekomen (van 2)",
        "as_new": "Als nieuw",
        "restock": "Weer op voorraad zetten",
        "save": "Opslaan wat is aangekomen",
        "summary": "1 van de 2 artikelen is aangekomen.",
        "line": "Linen shirt: 1 aangekomen (als nieuw), 1 ontbrekend",
        "amount": "39,95",
        "continue": "Doorgaan",
        "question": "€ 39,95 voor {number} via Shopify terugbetalen?",
        "confirm": "Ja, € 39,95 terugbetalen",
    },
    "de-DE": {
        "list": "Erwartete Pakete",
        "next": "Nächste öffnen",
        "receive": "Paket als eingegangen markieren",
        "arrived": "Linen shirt: angekommen (von 2)",
        "as_new": "Wie neu",
        "restock": "Wieder einlagern",
        "save": "Eingang speichern",
        "summary": "1 von 2 Artikeln ist angekommen.",
        "line": "Linen shirt: 1 angekommen (wie neu), 1 fehlend",
        "amount": "39,95",
        "continue": "Weiter",
        "question": None,  # read from the page's own heading below
        "confirm": "Ja, 39,95 € erstatten",
    },
}


@pytest.fixture(params=list(WORDS), ids=["nl", "de"])
def staff_page(request, browser):
    context = browser.new_context(locale=request.param, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, WORDS[request.param]
    context.close()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("anne", "anne@example.com", "a-long-secret")


@pytest.fixture
def expected(devshop, staff):
    """Two approved returns on one order: two shirts (2 × 39,95 EUR), then the lamp."""
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="nl", items=items)
    devshop.load_orders([data])
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    shirt, lamp = (line["id"] for line in data["lineItems"]["nodes"])
    made = []
    for quantities in ({shirt: 2}, {lamp: 1}):
        request = services.return_request_create(
            order=order, quantities=quantities, reason="not_satisfied", comment="", locale="nl"
        )
        services.return_approve(request_id=request.pk, user=staff)
        made.append(request)
    return made


def test_staff_receive_one_of_two_and_refund_what_arrived(staff_page, live_server, expected):
    page, words = staff_page
    shirts, lamp = expected
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("anne")
    page.locator('input[name="password"]').fill("a-long-secret")
    page.locator('input[type="submit"]').click()
    page.wait_for_url("**/admin/")

    row = page.locator("tr.todo-expected")
    assert row.locator("th").inner_text() == words["list"]
    row.get_by_role("link", name=words["next"]).click()
    page.wait_for_url(f"**/{shirts.pk}/change/?todo=expected")
    page.get_by_role("link", name=words["receive"]).click()

    # Per item: how many arrived, their condition, back in stock or not.
    page.get_by_label(words["arrived"]).fill("1")
    assert page.get_by_label(words["as_new"]).first.is_checked()
    assert page.get_by_label(words["restock"]).is_checked()
    page.get_by_role("button", name=words["save"]).click()

    # Straight on to the refund, computed by Shopify for the one shirt that arrived.
    page.wait_for_url(f"**/{shirts.pk}/refund/?todo=expected")
    arrival = page.locator(".refund-arrival").inner_text()
    assert words["summary"] in arrival and words["line"] in arrival
    assert page.locator('input[name="amount"]').input_value() == words["amount"]
    page.get_by_role("button", name=words["continue"]).click()

    heading = page.locator("h2.refund-confirmation").inner_text().replace("\xa0", " ")
    if words["question"]:
        assert heading == words["question"].format(number=shirts.number)
    else:
        assert heading == f"39,95 € für {shirts.number} über Shopify erstatten?"
    page.get_by_role("button", name=words["confirm"].replace("\xa0", " ")).click()

    # The next parcel expected is open; the first is refunded for what arrived and resolved.
    page.wait_for_url(f"**/{lamp.pk}/change/?todo=expected")
    [refund] = Refund.objects.all()
    assert str(refund.amount.normalize()) == "39.95" and refund.state == "succeeded"
    assert ReturnRequest.objects.get(pk=shirts.pk).status == "resolved"
