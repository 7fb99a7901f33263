"""Dutch, German and English: the language comes from the order, the browser or the shop."""

from decimal import Decimal

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from returns import services
from returns.carriers import tracking_url
from tests import shop

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "de", "en"]


def translated(language, message):
    with translation.override(language):
        text = gettext(message)
    if language != "en":
        assert text != message, f"{message!r} has no {language} translation"
    return text


def look_up(client, devshop, locale, **headers):
    data = shop.order(
        "#1001", email="kim@example.com", locale=locale, items=[shop.line_item(price="39.95")]
    )
    devshop.load_orders([data])
    return client.post("/", {"order_number": "1001", "email": "kim@example.com"}, **headers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_start_page_follows_the_browser(client, language):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=f"{language};q=0.9").content.decode()
    assert translated(language, "Find my order") in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("header", ["", "xx-YY", "*;q=0", "de-DE;q=abc,,;", "\x00\x01"])
def test_a_strange_browser_language_falls_back_to_the_shop_default(client, settings, header):
    settings.LANGUAGE_CODE = "nl"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_order_page_speaks_the_customers_language_from_shopify(client, devshop, language):
    look_up(
        client,
        devshop,
        {"nl": "nl-NL", "de": "de", "en": "en-GB"}[language],
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = client.get("/order/").content.decode()
    assert translated(language, "Which items?") in html
    price = {"nl": "€\xa039,95", "de": "39,95\xa0€", "en": "€39.95"}[language]
    assert price in html


@pytest.mark.parametrize("locale", ["xx", "", "de_DE@<script>", "klingon-KL"])
def test_an_unknown_customer_locale_falls_back_to_the_browser(client, devshop, locale):
    look_up(client, devshop, locale, HTTP_ACCEPT_LANGUAGE="de")
    html = client.get("/order/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert translated("de", "Which items?") in html


def test_the_language_switch_keeps_the_shopper_where_they_are(client, devshop):
    look_up(client, devshop, "nl")
    response = client.post(reverse("set_language"), {"language": "de", "next": "/order/"})
    assert response["Location"] == "/order/"
    html = client.get("/order/").content.decode()
    assert translated("de", "Which items?") in html
    assert 'name="language" value="nl"' in html and 'name="language" value="en"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_later_email_uses_the_returns_language_not_the_staffs(
    a_return, staff, language, django_capture_on_commit_callbacks
):
    a_return.locale = language
    a_return.save(update_fields=["locale"])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)
    email = mail.outbox[-1]
    assert translated(language, "Hello,") in email.body
    body = email.alternatives[0][0]
    assert translated(language, "Follow your request on its status page") in body


@pytest.mark.parametrize(
    "language, expected", [("nl", "€\xa029,00"), ("de", "29,00\xa0€"), ("en", "€29.00")]
)
def test_amounts_are_written_the_way_each_language_writes_them(language, expected):
    template = Template("{% load returns_tags %}{{ amount|money:'EUR' }}")
    with translation.override(language):
        assert template.render(Context({"amount": Decimal("29.00")})) == expected


def test_tracking_links_go_to_the_carriers_site_for_the_shoppers_country():
    assert tracking_url("dhl", "123", "de").startswith("https://www.dhl.de/")
    assert "/nl-nl/" in tracking_url("dhl", "123", "nl")
    assert "de_DE" in tracking_url("dpd", "123", "de") and "nl_NL" in tracking_url(
        "dpd", "123", "nl"
    )
    assert tracking_url("other", "123", "nl") == ""
    assert tracking_url("dhl", "12 3/4", "en").endswith("12%203%2F4")
