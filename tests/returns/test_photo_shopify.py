"""The Shopify Return of a claim with photos tells staff in Shopify where to see them."""

import pytest

from returns.models import ReturnRequest
from returns.shopify.returns import CUSTOMER_NOTE_MAX
from tests.returns.photo_flow import ORDER, claim_form, jpeg, load_order, look_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(devshop):
    return load_order(devshop)


def file_claim(client, order, django_capture_on_commit_callbacks, **form):
    look_up(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ORDER, claim_form(order, **form))
    assert response.status_code == 302
    return ReturnRequest.objects.get()


def customer_note(devshop):
    [made] = devshop.order_by_name("#1001")["returns"]
    [line] = made["lines"]
    return line["customerNote"]


def admin_link(claim):
    return f"http://127.0.0.1:8000/admin/returns/returnrequest/{claim.pk}/change/"


def test_the_returns_note_says_photos_are_in_the_portal_with_the_link(
    client, order, devshop, django_capture_on_commit_callbacks
):
    claim = file_claim(client, order, django_capture_on_commit_callbacks, photos=[jpeg(), jpeg()])

    assert customer_note(devshop) == (
        f"The switch is broken.\n2 photos in the returns portal: {admin_link(claim)}"
    )


def test_a_long_comment_is_cut_so_the_photo_line_stays_whole(
    client, order, devshop, django_capture_on_commit_callbacks
):
    comment = "The lamp flickers, then goes dark. " * 50  # 1,750 characters
    claim = file_claim(
        client, order, django_capture_on_commit_callbacks, photos=[jpeg()], comment=comment
    )

    note = customer_note(devshop)
    assert len(note) <= CUSTOMER_NOTE_MAX
    assert note.endswith(f"…\n1 photo in the returns portal: {admin_link(claim)}")
    assert note.startswith("The lamp flickers, then goes dark. The lamp")
    assert claim.comment == comment.strip()  # the portal keeps every word


def test_the_line_is_in_the_shops_language(
    client, order, devshop, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "de"
    claim = file_claim(client, order, django_capture_on_commit_callbacks, photos=[jpeg()])

    assert customer_note(devshop).endswith(f"1 Foto im Retourenportal: {admin_link(claim)}")


def test_a_claim_without_photos_keeps_the_comment_alone(
    client, order, devshop, django_capture_on_commit_callbacks
):
    file_claim(client, order, django_capture_on_commit_callbacks)
    assert customer_note(devshop) == "The switch is broken."
