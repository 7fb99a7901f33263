"""Staff see a claim's photos on its screen, and ask the shopper for more; the shopper adds them
on the status page through the emailed link."""

import re
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from returns import services, steps
from returns.models import ClaimPhoto, ReturnEvent, ReturnRequest
from tests import photo_files
from tests.factories import UserFactory
from tests.returns.photo_flow import (
    ORDER,
    claim_form,
    jpeg,
    load_order,
    look_up,
    stored_files,
    stored_image,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(devshop):
    return load_order(devshop)


@pytest.fixture
def claim(client, order):
    look_up(client)
    client.post(ORDER, claim_form(order, photos=[jpeg("crack.jpg", width=900, height=600)]))
    return ReturnRequest.objects.get()


def staff_client(*codenames, superuser=False):
    user = UserFactory(username="-".join(codenames) or "root", is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    browser = Client()
    browser.force_login(user)
    return browser, user


def change_url(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


def admin_photo_urls(html, request):
    prefix = re.escape(f"/admin/returns/returnrequest/{request.pk}/photos/")
    pairs = re.findall(rf'<a href="({prefix}[^"]+/)"[^>]*><img src="({prefix}[^"]+/)"', html)
    return [url for full, thumbnail in pairs for url in (thumbnail, full)]


def test_staff_who_may_view_requests_see_thumbnails_and_full_size(claim):
    browser, _ = staff_client("view_returnrequest")

    html = browser.get(change_url(claim)).content.decode()

    thumbnail, full = admin_photo_urls(html, claim)
    assert "Photos from the shopper" in html and "With the claim" in html
    small, large = browser.get(thumbnail), browser.get(full)
    for response in (small, large):
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith('inline; filename="R-1001-1-')
    assert b"".join(large.streaming_content)[:2] == b"\xff\xd8"
    assert len(small.content) < ClaimPhoto.objects.get().size


def test_staff_without_the_view_permission_see_no_photo(claim):
    viewer, _ = staff_client("view_returnrequest")
    urls = admin_photo_urls(viewer.get(change_url(claim)).content.decode(), claim)
    stranger, _ = staff_client("receive_return")

    assert stranger.get(change_url(claim)).status_code == 403
    assert all(stranger.get(url).status_code == 403 for url in urls)
    # Not logged in at all: the admin's login page.
    assert Client().get(urls[0]).status_code == 302


def test_a_staff_photo_link_expires_and_is_bound_to_its_request(claim, order, monkeypatch):
    browser, _ = staff_client("view_returnrequest")
    thumbnail = admin_photo_urls(browser.get(change_url(claim)).content.decode(), claim)[0]
    signed = thumbnail.rstrip("/").rsplit("/", 1)[1]
    other = ReturnRequest.objects.create(
        order=claim.order, sequence=2, number="R-1001-2", kind="claim", reason="defect",
        locale="en", customer_email="anna@example.com",
    )  # fmt: skip

    moved = reverse("admin:returns_returnrequest_photo", args=[other.pk, signed])
    assert browser.get(moved).status_code == 404
    shopper_route = reverse("returns:photo", args=[claim.token, signed])
    assert Client().get(shopper_route).status_code == 404  # staff links are not shopper links

    later = time.time() + 3601
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))
    expired = browser.get(thumbnail)
    assert expired.status_code == 404 and "Open the request's screen again" in (
        expired.content.decode()
    )


def test_a_withdrawal_has_no_photo_part_and_no_ask_button(client, order):
    look_up(client)
    client.post(ORDER, claim_form(order, reason="not_satisfied", comment="", lamp=0, shirt=1))
    withdrawal = ReturnRequest.objects.get()
    browser, _ = staff_client(superuser=True)

    html = browser.get(change_url(withdrawal)).content.decode()

    assert "Photos from the shopper" not in html and "Ask for more photos" not in html
    ask = reverse("admin:returns_returnrequest_photos_ask", args=[withdrawal.pk])
    browser.post(ask, {"message": "Show the box"})
    assert not ReturnEvent.objects.filter(type=steps.PHOTOS_ASK.event_type).exists()


def ask_for_photos(claim, message, django_capture_on_commit_callbacks):
    browser, _ = staff_client("view_returnrequest", "approve_return")
    html = browser.get(change_url(claim)).content.decode()
    ask = reverse("admin:returns_returnrequest_photos_ask", args=[claim.pk])
    assert ask in html  # the button
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(ask, {"message": message})
    assert response.status_code == 302
    return browser


def test_staff_ask_for_more_photos_and_the_shopper_adds_them_from_the_email(
    claim, django_capture_on_commit_callbacks, devshop
):
    mail.outbox.clear()
    browser = ask_for_photos(
        claim, "Please show the crack near the base.", django_capture_on_commit_callbacks
    )

    [email] = mail.outbox
    assert email.to == ["anna@example.com"] and "please send us more photos" in email.subject
    assert "Please show the crack near the base." in email.body
    [link] = re.findall(r"https?://\S+/r/[\w-]+/", email.body)
    assert "more photos of the defect asked for" in devshop.order_by_name("#1001")["note"]

    # The shopper follows the link: the message, and a form to add photos.
    shopper = Client()
    link = link.removeprefix(settings.PORTAL_URL)
    status = shopper.get(link).content.decode()
    assert "Please show the crack near the base." in status
    assert 'type="file"' in status and "More photos asked for" in status
    action = reverse("returns:photos_add", args=[claim.token])
    assert f'action="{action}"' in status

    with django_capture_on_commit_callbacks(execute=True):
        sent = shopper.post(action, {"photos": [jpeg("base.jpg", width=500, height=500)]})

    assert sent.status_code == 302 and sent["Location"] == link
    added = claim.photos.get(stage="requested")
    assert stored_image(added).size == (500, 500)
    after = shopper.get(link).content.decode()
    assert 'type="file"' not in after and "Photos added" in after
    assert len(re.findall(r"<img src=\"/r/", after)) == 2
    # Staff see both, and the Shopify order's note says where.
    assert len(admin_photo_urls(browser.get(change_url(claim)).content.decode(), claim)) == 4
    note = devshop.order_by_name("#1001")["note"]
    assert (
        f"photos added in the portal (1): http://127.0.0.1:8000/admin/returns/returnrequest/{claim.pk}/change/"
        in note
    )


def test_asking_twice_before_the_shopper_answers_sends_one_email(
    claim, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    _, staff = staff_client("view_returnrequest", "approve_return")
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.claim_photos_ask(request_id=claim.pk, user=staff, message="More, please.")
    assert len(mail.outbox) == 1
    assert ReturnEvent.objects.filter(type=steps.PHOTOS_ASK.event_type).count() == 1


def test_a_refused_file_on_the_status_page_is_named_and_nothing_is_kept(
    claim, django_capture_on_commit_callbacks
):
    ask_for_photos(claim, "", django_capture_on_commit_callbacks)
    before = stored_files()
    action = reverse("returns:photos_add", args=[claim.token])

    response = Client().post(
        action,
        {"photos": [jpeg("ok.jpg"), photo_files.upload("scan.jpg", photo_files.pdf_named_jpg())]},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "“scan.jpg” is not a photo we can read" in html and 'type="file"' in html
    assert stored_files() == before and claim.photos.count() == 1


def test_six_photos_on_the_status_page_are_refused(claim, django_capture_on_commit_callbacks):
    ask_for_photos(claim, "", django_capture_on_commit_callbacks)
    photos = [jpeg(f"p{n}.jpg", width=32, height=32) for n in range(6)]
    response = Client().post(reverse("returns:photos_add", args=[claim.token]), {"photos": photos})
    assert "at most 5 photos at a time; you chose 6" in response.content.decode()
    assert claim.photos.count() == 1


def test_photos_sent_to_a_claim_nobody_asked_are_refused(claim):
    response = Client().post(
        reverse("returns:photos_add", args=[claim.token]), {"photos": [jpeg()]}
    )
    assert response.status_code == 400
    assert "No more photos are needed for R-1001-1." in response.content.decode()
    assert claim.photos.count() == 1


def test_photos_sent_to_a_withdrawal_are_refused(client, order):
    look_up(client)
    client.post(ORDER, claim_form(order, reason="not_satisfied", comment="", lamp=0, shirt=1))
    withdrawal = ReturnRequest.objects.get()
    before = stored_files()

    response = Client().post(
        reverse("returns:photos_add", args=[withdrawal.token]), {"photos": [jpeg()]}
    )

    assert response.status_code == 400
    assert "Photos can be sent with a defect claim only" in response.content.decode()
    assert stored_files() == before and not ClaimPhoto.objects.exists()


def test_photos_sent_under_an_unknown_status_link_are_a_404(db):
    response = Client().post(reverse("returns:photos_add", args=["nope"]), {"photos": [jpeg()]})
    assert response.status_code == 404
