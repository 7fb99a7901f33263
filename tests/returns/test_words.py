"""The words shoppers and staff read: what they mean, and how letters start in each language."""

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from returns import services
from tests import shop

pytestmark = pytest.mark.django_db


def load_order(devshop, locale):
    """A shirt and a mug from the outlet (final sale): the mug can only be claimed."""
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Stoneware mug", quantity=1, price="12.50", tags=["final-sale"]),
    ]
    data = shop.order("#1001", email="anna@example.com", locale=locale, items=items)
    devshop.load_orders([data])
    return data


@pytest.fixture
def sale_order(devshop):
    return load_order(devshop, "nl")


def order_page(client, language):
    client.post(
        reverse("returns:start"),
        {"order_number": "1001", "email": "anna@example.com"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    return client.get(reverse("returns:order"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def file_request(order_data, *, locale, reason="not_satisfied"):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    return services.return_request_create(
        order=order,
        quantities={order_data["lineItems"]["nodes"][0]["id"]: 1},
        reason=reason,
        remedy="replacement" if reason == "defect" else "",
        comment="The seam tore." if reason == "defect" else "",
        locale=locale,
    )


def test_dutch_says_what_can_still_be_sent_back_and_that_final_sale_is_excluded(client, sale_order):
    html = order_page(client, "nl")
    assert "Kan nog worden teruggestuurd: 2" in html
    assert "uitgesloten van retour (eindverkoop)" in html
    assert "Nog te retourneren" not in html and "uitverkoop" not in html


def test_german_says_final_sale_items_are_excluded_from_return(client, devshop):
    load_order(devshop, "de")
    html = order_page(client, "de")
    assert "von Umtausch und Rückgabe ausgeschlossen" in html
    assert "Schlussverkauf" not in html


@pytest.mark.parametrize(
    ("locale", "opening"),
    [
        ("en", "Hello,\n\nWe have received your withdrawal"),
        ("nl", "Beste klant,\n\nWe hebben uw herroeping"),
        ("de", "Guten Tag,\n\nwir haben Ihren Widerruf"),
    ],
)
def test_the_confirmation_email_starts_as_letters_start_in_its_language(
    sale_order, django_capture_on_commit_callbacks, locale, opening
):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(sale_order, locale=locale)
    assert mail.outbox[-1].body.startswith(opening)


def test_a_german_claim_confirmation_calls_it_a_reklamation(
    sale_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(sale_order, locale="de", reason="defect")
    email = mail.outbox[-1]
    assert email.body.startswith("Guten Tag,\n\nwir haben Ihre Reklamation")
    assert "Ihre Reklamation" in email.subject


def test_the_german_link_email_goes_on_in_lowercase_after_the_greeting():
    with translation.override("de"):
        body = render_to_string(
            "emails/lookup_link.txt",
            {"order_name": "#1001", "link": "https://x/", "hours": 1, "shop_name": "Shop"},
        )
    assert body.startswith("Guten Tag,\n\njemand, vermutlich Sie,")


@pytest.mark.parametrize(
    ("language", "heading", "wrong"),
    [("nl", "Aangemeld op", "Op aangemeld"), ("de", "Angemeldet am", "Nach angemeldet")],
)
def test_the_queue_filters_read_as_headings(client, staff, language, heading, wrong):
    client.force_login(staff)
    html = client.get(
        reverse("admin:returns_returnrequest_changelist"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert heading in html and wrong not in html
    assert "By requested" not in html


def test_the_english_queue_filter_says_requested_on(client, staff):
    client.force_login(staff)
    html = client.get(
        reverse("admin:returns_returnrequest_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Requested on" in html and "By requested" not in html
