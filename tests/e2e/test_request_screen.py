"""The request's screen fits a 1280 px screen and a tablet without scrolling sideways, in Dutch and
German, with everything on it: a claim with a long comment, shipped, and a refund."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from returns import services
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-secret"


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_superuser("anne", "anne@example.com", PASSWORD)
    user.first_name, user.last_name = "Anne", "Fischer-Lüdenscheid"
    user.save()
    return user


@pytest.fixture
def shipped_claim(devshop, staff):
    """A claim on a long-named item, a replacement shipped, and a part of the money refunded."""
    items = [
        shop.line_item(
            "Wasserdichte Outdoor-Wanderjacke mit abnehmbarer Kapuze und Innenfleece",
            quantity=2,
            price="189.95",
        ),
        shop.line_item("Trinkflasche", quantity=1, price="19.00"),
    ]
    data = shop.order(
        "#1001",
        email="katharina.oberhauser-vandenberghe@example-versandhandel.de",
        locale="de",
        items=items,
        customer=("Katharina", "Oberhauser-Vandenberghe"),
        address=(
            "Hauptstraße 123, Hinterhaus, 3. Obergeschoss",
            "60313",
            "Frankfurt am Main",
            "DE",
        ),
    )
    devshop.load_orders([data])
    order = services.shopify_order_lookup(
        order_number="1001", email="katharina.oberhauser-vandenberghe@example-versandhandel.de"
    )
    jacket = data["lineItems"]["nodes"][0]["id"]
    claim = services.return_request_create(
        order=order,
        quantities={jacket: 2},
        reason="defect",
        remedy="replacement",
        comment="Der Reißverschluss ist nach zwei Wochen ausgerissen. " * 8,
        locale="de",
    )
    services.return_approve(request_id=claim.pk, user=staff)
    services.replacement_ship(
        request_id=claim.pk,
        user=staff,
        carrier="dhl",
        tracking_number="00340434161234567890123456",
        shipped_on=date.today(),
    )
    quote = services.refund_quote(request=claim)
    services.refund_request(
        request_id=claim.pk,
        user=staff,
        amount=Decimal("29.00"),
        currency="EUR",
        restock=False,
        notify=False,
        shopify_maximum=quote.shopify_maximum,
    )
    return claim


@pytest.mark.parametrize("locale", ["nl-NL", "de-DE"])
@pytest.mark.parametrize("width", [1280, 820])
def test_the_request_screen_fits_without_scrolling_sideways(
    browser, live_server, shipped_claim, locale, width, tmp_path
):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("anne")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('input[type="submit"]').click()
    page.wait_for_url("**/admin/")
    page.goto(
        live_server.url + reverse("admin:returns_returnrequest_change", args=[shipped_claim.pk])
    )

    history = page.locator(".rs-history").inner_text()
    assert "Anne Fischer-Lüdenscheid" in history
    assert "29,00\xa0EUR" in history
    assert "Katharina Oberhauser-Vandenberghe" in page.locator(".rs-customer").inner_text()
    page.screenshot(path=tmp_path / f"request-screen-{locale}-{width}.png", full_page=True)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    context.close()
