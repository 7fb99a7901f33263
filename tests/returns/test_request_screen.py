"""The request's screen in the back office: what staff read there, in their own language."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import ReturnRequest
from tests.factories import UserFactory
from tests.webhooks import SHOP

pytestmark = pytest.mark.django_db

RAW_EVENT_TYPE = re.compile(r"\b(returns|shopify|email|photos|privacy|withdrawal)\.[a-z_.]+\b")


def change(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


def words(html: str) -> str:
    """The page as a reader sees it: no tags, single spaces."""
    body = html.split('id="content"', 1)[-1]
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).replace(" :", ":")


@pytest.fixture
def clerk(db):
    """A staff member with a name, who may do everything."""
    return UserFactory(username="anna", first_name="Anna", last_name="de Vries", is_superuser=True)


@pytest.fixture
def refunded(a_return, clerk, django_capture_on_commit_callbacks):
    """A return approved by Anna de Vries and refunded 29.00 EUR, Shopify having confirmed it."""
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=clerk)
    quote = services.refund_quote(request=a_return)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_request(
            request_id=a_return.pk,
            user=clerk,
            amount=Decimal("29.00"),
            currency="EUR",
            restock=False,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    return a_return


def screen(client, user, request, language):
    client.force_login(user)
    response = client.get(change(request), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_screen_shows_the_customer_the_order_and_the_items(refunded, clerk, client):
    html = screen(client, clerk, refunded, "en")
    text = words(html)

    assert "Anna Jansen" in text
    assert "Keizersgracht 12" in text and "1015 CS Amsterdam" in text
    assert "anna@example.com" in text
    order_id = refunded.order.shopify_id.rsplit("/", 1)[1]
    assert f'href="https://admin.shopify.com/store/test-shop/orders/{order_id}"' in html
    assert "Linen shirt" in text and "39.95" in text
    assert "Withdrawal R-1001-1" in text


@pytest.mark.parametrize(
    ("language", "approved", "refunded_line"),
    [
        (
            "nl",
            "Anna de Vries (medewerker): Goedgekeurd",
            "Systeem: Terugbetaald 29,00 EUR — bevestigd door Shopify",
        ),
        (
            "de",
            "Anna de Vries (Mitarbeiter): Genehmigt",
            "System: Erstattet 29,00 EUR — von Shopify bestätigt",
        ),
    ],
)
def test_the_history_reads_in_the_staff_members_language(
    refunded, clerk, client, language, approved, refunded_line
):
    text = words(screen(client, clerk, refunded, language))

    assert approved in text
    assert refunded_line in text
    assert "Anna Jansen (" in text  # the shopper filed it
    assert not RAW_EVENT_TYPE.search(text), RAW_EVENT_TYPE.search(text)
    assert "{" not in text.split("Anna Jansen", 1)[1]  # no event data as JSON


def test_the_history_says_when_in_words(refunded, clerk, client):
    text = words(screen(client, clerk, refunded, "de"))
    created = timezone.localtime(refunded.created_at)
    months = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
    # As German writes a date: "2. Dezember 2026".
    assert f"{created.day}. {months.split()[created.month - 1]} {created.year}" in text


def test_buttons_only_for_the_steps_the_staff_member_may_take(a_return, client):
    receiver = UserFactory(username="warehouse")
    receiver.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_returnrequest", "receive_return"])
    )
    html = screen(client, receiver, a_return, "en")

    receive = reverse("admin:returns_returnrequest_receive", args=[a_return.pk])
    approve = reverse("admin:returns_returnrequest_approve", args=[a_return.pk])
    assert receive in html and approve not in html
    assert "Anna Jansen" in html  # the whole screen, but for the buttons


def test_staff_without_the_view_permission_are_refused(a_return, client):
    client.force_login(UserFactory(username="intern", is_staff=True))
    assert client.get(change(a_return)).status_code == 403


def test_a_redacted_customer_shows_as_redacted(a_return, clerk, client, deliver):
    payload = {"shop_domain": SHOP, "customer": {"id": 207119551, "email": "anna@example.com"}}
    assert deliver("customers/redact", {**payload, "orders_to_redact": []}).status_code == 200
    ReturnRequest.objects.get(pk=a_return.pk)

    for language, word in (("en", "redacted"), ("nl", "verwijderd"), ("de", "gelöscht")):
        text = words(screen(client, clerk, a_return, language))
        assert word in text
        assert "Anna Jansen" not in text and "Keizersgracht" not in text
        assert "anna@example.com" not in text
