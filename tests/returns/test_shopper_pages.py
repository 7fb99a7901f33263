"""The shopper's pages show only what applies to their request."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import ReturnRequest
from returns.policy import guarantee_last_day
from tests import shop

pytestmark = pytest.mark.django_db

ADDRESS = "Retourstraat 1"


def status_page(client, request):
    url = reverse("returns:status", args=[request.token])
    return client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def shows_return_slip(html):
    return ADDRESS in html and 'class="return-slip"' in html and "data-print" in html


def test_a_withdrawal_shows_the_return_address_and_slip_until_it_is_approved_and_after(
    client, a_return, staff
):
    assert shows_return_slip(status_page(client, a_return))
    services.return_approve(request_id=a_return.pk, user=staff)
    assert shows_return_slip(status_page(client, a_return))


def test_a_rejected_request_offers_no_return_slip_or_address(client, a_return, staff):
    services.return_reject(request_id=a_return.pk, user=staff, reason="Worn and washed.")
    html = status_page(client, a_return)
    assert "Worn and washed." in html
    assert ADDRESS not in html and 'class="return-slip"' not in html
    assert "Retourbon afdrukken" not in html


def test_a_replacement_claim_keeps_the_item_and_gets_no_address_or_slip(client, a_claim, staff):
    for html in (
        status_page(client, a_claim),
        client.get(
            reverse("returns:submitted", args=[a_claim.token]), HTTP_ACCEPT_LANGUAGE="nl"
        ).content.decode(),
    ):
        assert "U hoeft het defecte artikel niet terug te sturen" in html
        assert ADDRESS not in html and 'class="return-slip"' not in html
    assert ADDRESS not in mail.outbox[0].body
    services.return_approve(request_id=a_claim.pk, user=staff)
    assert not shows_return_slip(status_page(client, a_claim))


def test_a_repair_claim_shows_where_to_send_the_item_once_the_repair_is_accepted(
    client, shop_order, django_capture_on_commit_callbacks, staff
):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        claim = services.return_request_create(
            order=order,
            quantities={shop_order["lineItems"]["nodes"][1]["id"]: 1},
            reason="defect",
            remedy="repair",
            comment="The switch is broken.",
            locale="nl",
        )
    html = status_page(client, claim)
    assert "Zodra we de reparatie hebben geaccepteerd" in html
    assert ADDRESS not in html and ADDRESS not in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=claim.pk, user=staff)
    html = status_page(client, claim)
    assert shows_return_slip(html)
    assert "Stuur het artikel naar het onderstaande adres" in html
    assert ADDRESS in mail.outbox[-1].body


MONTHS = {
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
}


def written_date(language, day):
    month = MONTHS[language].split()[day.month - 1]
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


@pytest.mark.parametrize("language", ["nl", "de", "en"])
def test_the_status_page_writes_dates_as_the_language_does(client, a_return, language):
    received = timezone.localtime(a_return.events.get(type="returns.requested").created_at)
    url = reverse("returns:status", args=[a_return.token])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"{written_date(language, received)} {received:%H:%M}" in html or (
        f"{written_date(language, received)}, {received:%H:%M}" in html
    )


@pytest.mark.parametrize("language", ["nl", "de", "en"])
def test_a_passed_guarantee_names_its_last_day_as_the_language_writes_it(client, devshop, language):
    items = [shop.line_item("Linen shirt", quantity=1, price="39.95")]
    data = shop.order(
        "#1001",
        email="anna@example.com",
        locale=language,
        items=items,
        shipped_days_ago=802,
        delivered_days_ago=800,
    )
    devshop.load_orders([data])
    client.post(reverse("returns:start"), {"order_number": "1001", "email": "anna@example.com"})
    html = client.get(reverse("returns:order")).content.decode()
    last_day = guarantee_last_day(timezone.now() - timedelta(days=800), years=2)
    assert written_date(language, last_day) in html


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [
        ("nl", "Pagina niet gevonden", "Terug naar de startpagina"),
        ("de", "Seite nicht gefunden", "Zurück zur Startseite"),
        ("en", "Page not found", "Back to the start page"),
    ],
)
def test_a_mistyped_status_link_gets_a_translated_page_in_the_portals_layout(
    client, a_return, settings, language, heading, back
):
    settings.DEBUG = False
    mistyped = reverse("returns:status", args=[a_return.token[:-1]])
    response = client.get(mistyped, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html and f'<h1 class="h2">{heading}</h1>' in html
    assert back in html and 'id="withdraw-link"' in html and settings.SHOP_NAME in html
    assert "noindex" in html


def look_up_order(client, devshop, language, number="1001", cancelled=False, **order):
    items = [shop.line_item("Linen shirt", quantity=2, price="39.95")]
    data = shop.order(f"#{number}", email="anna@example.com", locale=language, items=items, **order)
    if cancelled:
        data["cancelledAt"] = "2026-11-30T10:00:00Z"
    devshop.load_orders([data])
    client.post(reverse("returns:start"), {"order_number": number, "email": "anna@example.com"})
    return data


def quantity_name(data, index=0):
    return "quantity_" + data["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("language", "heading", "comment_label", "too_many"),
    [
        ("nl", "Controleer het volgende:", "Opmerking", "hoogstens 2"),
        ("de", "Bitte korrigieren Sie Folgendes:", "Kommentar", "kleiner oder gleich 2"),
    ],
)
def test_form_errors_are_listed_at_the_top_with_links_to_their_fields(
    client, devshop, language, heading, comment_label, too_many
):
    data = look_up_order(client, devshop, language)
    field = quantity_name(data)
    response = client.post(
        reverse("returns:order"),
        {
            "reason": "defect",
            "remedy": "replacement",
            "comment": "",
            "submission_key": str(uuid.uuid4()),
            field: 5,
        },
    )
    html = response.content.decode()
    summary = html[html.index('class="alert alert-danger error-summary"') :]
    summary = summary[: summary.index("</div>")]
    form_start = html.index("<form")
    assert form_start < html.index("error-summary") < html.index(f'name="{field}"')
    assert heading in summary
    assert f'href="#id_{field}" class="alert-link">Linen shirt</a>:' in summary
    assert too_many in summary
    assert f'href="#id_comment" class="alert-link">{comment_label}</a>:' in summary
    assert f'id="id_{field}"' in html and 'id="id_comment"' in html


def test_a_missing_choice_links_to_its_first_option(client, devshop):
    data = look_up_order(client, devshop, "nl")
    html = client.post(
        reverse("returns:order"),
        {"submission_key": str(uuid.uuid4()), quantity_name(data): 1},
    ).content.decode()
    assert 'href="#id_reason_0" class="alert-link">Wat wilt u doen?</a>:' in html
    assert 'id="id_reason_0"' in html


def order_page_after(client, devshop, language, **order):
    look_up_order(client, devshop, language, **order)
    return client.get(reverse("returns:order")).content.decode()


@pytest.mark.parametrize(
    ("order", "nl_reason", "de_reason"),
    [
        (
            {"financial_status": "PENDING"},
            "nog niet betaald",
            "noch nicht bezahlt",
        ),
        (
            {"shipped_days_ago": None, "delivered_days_ago": None},
            "Er is nog niets uit deze bestelling verzonden.",
            "Aus dieser Bestellung wurde noch nichts versendet.",
        ),
        (
            {"shipped_days_ago": 802, "delivered_days_ago": 800},
            "wettelijke garantie voor dit artikel",
            "gesetzliche Gewährleistungsfrist für diesen Artikel",
        ),
    ],
)
def test_an_order_that_cannot_be_returned_says_why_instead_of_showing_the_form(
    client, devshop, order, nl_reason, de_reason
):
    for number, language, heading, reason in (
        ("1001", "nl", "Uit deze bestelling kan niets meer worden teruggestuurd", nl_reason),
        ("1002", "de", "Aus dieser Bestellung kann nichts zurückgesendet", de_reason),
    ):
        html = order_page_after(client, devshop, language, number=number, **order)
        closed = html[html.index('id="order-closed"') :]
        assert heading in closed and reason in closed[: closed.index("</div>")]
        assert '<form method="post" action="/order/"' not in html
        assert "quantity_" not in html
        client.cookies.clear()


def test_a_cancelled_order_says_so_and_files_nothing_when_posted_to(client, devshop):
    data = look_up_order(client, devshop, "de", cancelled=True)
    html = client.get(reverse("returns:order")).content.decode()
    assert "Diese Bestellung wurde storniert." in html and "quantity_" not in html
    response = client.post(
        reverse("returns:order"),
        {"reason": "not_satisfied", "submission_key": str(uuid.uuid4()), quantity_name(data): 1},
    )
    assert "Diese Bestellung wurde storniert." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_an_order_with_something_left_still_shows_the_form(client, devshop):
    html = order_page_after(client, devshop, "nl")
    assert 'id="order-closed"' not in html and "Kan nog worden teruggestuurd: 2" in html


def test_a_form_sent_again_after_it_took_every_unit_shows_the_request_it_made(client, devshop):
    data = look_up_order(client, devshop, "nl")
    form = {"reason": "not_satisfied", "submission_key": str(uuid.uuid4()), quantity_name(data): 2}
    first = client.post(reverse("returns:order"), form)
    again = client.post(reverse("returns:order"), form, follow=True)
    assert again.redirect_chain == [(first["Location"], 302)]
    html = again.content.decode()
    assert "Wij hebben uw herroeping ontvangen" in html and "R-1001-1" in html
    assert "Controleer het volgende" not in html and 'id="order-closed"' not in html
    assert ReturnRequest.objects.count() == 1


def test_an_older_orders_form_sent_again_shows_the_request_it_made(client, devshop):
    first = look_up_order(client, devshop, "nl")
    form = {"reason": "not_satisfied", "submission_key": str(uuid.uuid4()), quantity_name(first): 2}
    made = client.post(reverse("returns:order"), form)
    look_up_order(client, devshop, "nl", number="1002")
    # Back to the first order's form in the browser's history, and send it again.
    again = client.post(reverse("returns:order"), form)
    assert again["Location"] == made["Location"]
    assert ReturnRequest.objects.count() == 1
