"""The shopper's flow through the Django test client, against devshop over HTTP."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from returns.models import ReturnRequest, ShopifyOrder
from tests import shop

pytestmark = pytest.mark.django_db

START = reverse("returns:start")
ORDER = reverse("returns:order")


@pytest.fixture
def order(devshop):
    shirt = shop.line_item("Linen shirt", quantity=2, price="39.95")
    mug = shop.line_item("Stoneware mug", quantity=1, price="12.50", tags=["final-sale"])
    data = shop.order("#1001", email="Anna.Jansen@example.com", locale="en", items=[shirt, mug])
    devshop.load_orders([data])
    return data


def graphql_requests(devshop):
    return len(devshop.request_log())


def look_up(client, number="1001", email="anna.jansen@example.com"):
    return client.post(START, {"order_number": number, "email": email})


def page_shape(html, *typed):
    """The page without its CSRF token and without the values the shopper typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    for value in typed:
        html = html.replace(f'value="{value}"', 'value=""')
    return html


def item_id(order_data, index):
    return order_data["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]


def submit(
    client, order_data, quantities, reason="not_satisfied", comment="", key=None, remedy=None
):
    if remedy is None:
        remedy = "replacement" if reason == "defect" else ""
    form = {
        "reason": reason,
        "remedy": remedy,
        "comment": comment,
        "submission_key": str(key or uuid.uuid4()),
    }
    for index, quantity in quantities.items():
        form[f"quantity_{item_id(order_data, index)}"] = quantity
    return client.post(ORDER, form)


def test_the_start_page_explains_itself_and_asks_for_number_and_email(client, settings):
    response = client.get(START)
    html = response.content.decode()
    assert response.status_code == 200
    assert settings.SHOP_NAME in html
    assert 'name="order_number"' in html and 'name="email"' in html


def test_the_link_from_the_order_email_prefills_the_form(client):
    html = client.get(START, {"order": "1001", "email": "a@b.nl"}).content.decode()
    assert 'value="1001"' in html and 'value="a@b.nl"' in html


@pytest.mark.parametrize("number", ["1001", "#1001", " # 1001 ", "10 01"])
def test_the_order_number_is_accepted_in_the_ways_people_type_it(client, order, number):
    response = look_up(client, number, "  ANNA.jansen@Example.com ")
    assert response.status_code == 302 and response["Location"] == ORDER


def test_unknown_order_and_wrong_email_get_the_same_answer(client, order):
    unknown = look_up(client, "9999", "anna.jansen@example.com")
    wrong_email = look_up(client, "1001", "someone@example.com")
    assert unknown.status_code == wrong_email.status_code == 200
    typed = ("9999", "1001", "anna.jansen@example.com", "someone@example.com")
    assert page_shape(unknown.content.decode(), *typed) == page_shape(
        wrong_email.content.decode(), *typed
    )
    assert "could not find an order" in unknown.content.decode()


def test_a_lookup_asks_shopify_once_when_the_copy_is_missing_and_never_when_fresh(
    client, order, devshop
):
    look_up(client)
    assert graphql_requests(devshop) == 1
    look_up(client)
    look_up(client, "1001", "wrong@example.com")
    assert graphql_requests(devshop) == 1


def test_a_stale_copy_is_fetched_again(client, order, devshop, settings):
    look_up(client)
    settings.ORDER_COPY_MAX_AGE = -1
    look_up(client)
    assert graphql_requests(devshop) == 2


def test_shopify_down_during_lookup_gives_a_clear_message(client, order, devshop):
    devshop.add_fault("http_503", count=5)
    response = look_up(client)
    assert response.status_code == 503
    assert "try again in a few minutes" in response.content.decode()


def test_the_order_page_needs_a_lookup_first(client):
    assert client.get(ORDER)["Location"] == START


def test_the_order_page_lists_every_item_with_what_can_still_be_returned(client, order, devshop):
    look_up(client)
    before = graphql_requests(devshop)
    html = client.get(ORDER).content.decode()
    assert "Linen shirt" in html and "Stoneware mug" in html
    assert f'name="quantity_{item_id(order, 0)}"' in html
    assert "Can still be returned: 2" in html
    assert "final sale" in html
    assert graphql_requests(devshop) == before


def test_a_return_is_filed_confirmed_mailed_and_written_to_shopify(
    client, order, devshop, django_capture_on_commit_callbacks
):
    look_up(client)
    before = graphql_requests(devshop)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(client, order, {0: 2})
    request = ReturnRequest.objects.get()
    assert response["Location"] == reverse("returns:submitted", args=[request.token])
    assert graphql_requests(devshop) == before
    assert (request.number, request.kind, request.status) == ("R-1001-1", "return", "requested")
    assert [(line.title, line.quantity) for line in request.lines.all()] == [("Linen shirt", 2)]

    confirmation = client.get(response["Location"]).content.decode()
    assert "R-1001-1" in confirmation and "Retourstraat 1" in confirmation
    assert reverse("returns:status", args=[request.token]) in confirmation
    assert graphql_requests(devshop) == before

    for callback in callbacks:
        callback()
    email = mail.outbox[0]
    assert email.to == ["anna.jansen@example.com"] and "R-1001-1" in email.subject
    assert "\n" not in email.subject
    assert request.token in email.body and email.alternatives[0][1] == "text/html"
    stored = devshop.order_by_name("#1001")
    assert "return-requested" in stored["tags"]
    assert "R-1001-1" in stored["note"] and "Linen shirt" in stored["note"]


def test_writing_back_twice_adds_the_note_line_once(client, order, devshop):
    look_up(client)
    submit(client, order, {0: 1})
    from returns.tasks import shopify_order_write_back

    event = ReturnRequest.objects.get().events.get(type="returns.requested")
    shopify_order_write_back.delay(event.pk)
    shopify_order_write_back.delay(event.pk)
    assert devshop.order_by_name("#1001")["note"].count("R-1001-1") == 1


def test_a_defect_claim_needs_a_description(client, order):
    look_up(client)
    response = submit(client, order, {0: 1}, reason="defect", comment="  ")
    assert "describe what is wrong" in response.content.decode()
    assert not ReturnRequest.objects.exists()
    submit(client, order, {0: 1}, reason="defect", comment="The seam tore on first wash.")
    assert ReturnRequest.objects.get().kind == "claim"


def test_final_sale_items_can_be_claimed_but_not_returned(client, order):
    look_up(client)
    response = submit(client, order, {1: 1}, reason="not_satisfied")
    assert "final sale" in response.content.decode()
    assert not ReturnRequest.objects.exists()
    submit(client, order, {1: 1}, reason="defect", comment="Cracked glaze.")
    assert ReturnRequest.objects.get().kind == "claim"


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("-1", "greater than or equal to 0"),
        ("999", "less than or equal to 2"),
        ("abc", "Enter a whole number"),
        ("0", "Choose at least one item"),
        ("", "Choose at least one item"),
    ],
)
def test_bad_quantities_are_explained_and_nothing_is_saved(client, order, quantity, message):
    look_up(client)
    response = submit(client, order, {0: quantity})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    "form, message",
    [
        ({"quantity_123456789": "1"}, "not part of this order"),
        ({"reason": "refund_me"}, "Select a valid choice"),
        ({"comment": "<script>alert(1)</script>"}, "plain text"),
        ({"comment": "x" * 2001}, "at most 2000 characters"),
        ({"submission_key": "not-a-uuid"}, "form has expired"),
    ],
)
def test_hostile_input_is_explained_and_nothing_is_saved(client, order, form, message):
    look_up(client)
    data = {
        "reason": "not_satisfied",
        "comment": "",
        "submission_key": str(uuid.uuid4()),
        f"quantity_{item_id(order, 0)}": "1",
        **form,
    }
    response = client.post(ORDER, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_submitting_the_same_form_twice_files_one_request(client, order):
    look_up(client)
    key = uuid.uuid4()
    first = submit(client, order, {0: 1}, key=key)
    second = submit(client, order, {0: 1}, key=key)
    assert first["Location"] == second["Location"]
    assert ReturnRequest.objects.count() == 1


def test_a_second_tab_cannot_file_the_same_items_again(client, order):
    look_up(client)
    submit(client, order, {0: 2})
    response = submit(client, order, {0: 2})
    assert response.status_code == 200
    assert ReturnRequest.objects.count() == 1
    assert "R-1001-1" in response.content.decode()


def test_the_remaining_units_can_be_returned_in_a_second_request(client, order):
    look_up(client)
    submit(client, order, {0: 1})
    submit(client, order, {0: 1})
    assert list(ReturnRequest.objects.values_list("number", flat=True).order_by("sequence")) == [
        "R-1001-1",
        "R-1001-2",
    ]


def test_the_status_page_tells_the_shopper_where_things_stand(client, order, devshop):
    look_up(client)
    submit(client, order, {0: 1})
    request = ReturnRequest.objects.get()
    before = graphql_requests(devshop)
    response = client.get(reverse("returns:status", args=[request.token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Withdrawal R-1001-1" in html and "Order #1001" in html
    assert "We have received your withdrawal. Please send" in html
    assert "Request received" in html and "Linen shirt" in html and "Retourstraat 1" in html
    assert 'class="return-slip"' in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert graphql_requests(devshop) == before


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 300])
def test_a_wrong_status_token_is_a_plain_404(client, token):
    assert client.get(reverse("returns:status", args=[token])).status_code == 404


def test_the_local_copy_keeps_the_customer_email_for_matching(client, order):
    look_up(client)
    assert ShopifyOrder.objects.get().email == "anna.jansen@example.com"


def test_a_copy_stored_by_an_older_release_is_fetched_again(client, order, devshop):
    look_up(client)
    stored = ShopifyOrder.objects.get()
    del stored.data["currency"]
    stored.save()
    assert look_up(client).status_code == 302
    assert len(devshop.request_log()) == 2
    assert client.get(ORDER).status_code == 200


def test_a_unit_replaced_under_a_claim_cannot_be_claimed_or_returned_again(client, order):
    """Shopify never hears of a replacement, so its refundable quantity still counts the unit."""
    from datetime import date

    from returns import services
    from tests.factories import UserFactory

    staff = UserFactory(username="anne", is_superuser=True)
    look_up(client)
    submit(client, order, {0: 2}, reason="defect", comment="Both seams split.")
    claim = ReturnRequest.objects.get()
    services.return_approve(request_id=claim.pk, user=staff)
    services.replacement_ship(
        request_id=claim.pk,
        user=staff,
        carrier="dhl",
        tracking_number="00340434161234567890",
        shipped_on=date.today(),
    )

    look_up(client)
    page = client.get(ORDER).content.decode()
    again = submit(client, order, {0: 1}, reason="defect", comment="A seam split again.")
    returned = submit(client, order, {0: 1})

    assert ReturnRequest.objects.count() == 1
    assert again.status_code == returned.status_code == 200
    assert "already been refunded, replaced or are in a return" in page


@pytest.mark.parametrize("path", ["/r/%00/", "/r/a%00b/submitted/", "/r/%C3%B1/"])
def test_a_status_link_with_characters_no_token_has_is_a_plain_404(client, path):
    # On PostgreSQL a NUL reaching the query was an unauthenticated 500.
    assert client.get(path).status_code == 404
