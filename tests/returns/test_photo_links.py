"""A claim's photos reach the shopper only through their status link and a signed link that
expires; every other way in is a 404 page in the shopper's language, never a 500."""

import re
import time
from types import SimpleNamespace

import pytest
from django.core import signing
from django.urls import reverse

from returns import photo_links
from returns.models import ClaimPhoto, ReturnRequest
from tests import photo_files
from tests.returns.photo_flow import ORDER, claim_form, jpeg, load_order, look_up

pytestmark = pytest.mark.django_db

GONE = "This photo cannot be shown"


@pytest.fixture
def order(devshop):
    return load_order(devshop)


@pytest.fixture
def claim(client, order):
    look_up(client)
    photos = [jpeg("one.jpg", width=1200, height=900), jpeg("two.jpg")]
    client.post(ORDER, claim_form(order, photos=photos))
    return ReturnRequest.objects.get()


def status_page(client, request):
    return client.get(reverse("returns:status", args=[request.token])).content.decode()


def photo_urls(html, token):
    """Each photo's thumbnail and full-size link, in that order, photo by photo."""
    pairs = re.findall(
        rf'<a href="(/r/{re.escape(token)}/photos/[^"]+/)"[^>]*><img src="([^"]+)"', html
    )
    return [url for full, thumbnail in pairs for url in (thumbnail, full)]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_status_page_shows_the_shoppers_photos_through_signed_links(client, claim):
    html = status_page(client, claim)
    urls = photo_urls(html, claim.token)
    assert "Your photos" in html
    # A thumbnail and a full-size link for each photo, none naming the stored file.
    assert len(urls) == 4 and len(set(urls)) == 4
    assert not any(photo.file.name in html for photo in claim.photos.all())
    assert "/media/" not in html


def test_a_photo_link_sends_the_photo_privately(client, claim):
    thumbnail, full = photo_urls(status_page(client, claim), claim.token)[:2]

    small, large = client.get(thumbnail), client.get(full)

    for response in (small, large):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert re.fullmatch(
            r'inline; filename="R-1001-1-[0-9a-f]{8}\.jpg"', response["Content-Disposition"]
        )
    photo = claim.photos.first()
    small, large = body(small), body(large)
    with photo.file.storage.open(photo.file.name) as stored:
        assert large == stored.read()
    assert small.startswith(b"\xff\xd8") and len(small) < len(large)


def test_a_link_stops_working_when_it_expires(client, claim, monkeypatch, settings):
    [url] = photo_urls(status_page(client, claim), claim.token)[:1]
    assert client.get(url).status_code == 200

    later = time.time() + settings.PHOTO_LINK_MAX_AGE + 1
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))

    response = client.get(url)
    assert response.status_code == 404 and GONE in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        lambda signed: "garbage",
        lambda signed: signed[:-1] + ("A" if signed[-1] != "A" else "B"),  # tampered
        lambda signed: "x" * 5000,
        lambda signed: "%00",
        lambda signed: signed.replace(":", "", 1),
    ],
    ids=["wrong", "tampered", "long", "nul", "mangled"],
)
def test_a_wrong_or_tampered_link_is_a_404_page(client, claim, change):
    url = photo_urls(status_page(client, claim), claim.token)[0]
    signed = url.rstrip("/").rsplit("/", 1)[1]

    response = client.get(reverse("returns:photo", args=[claim.token, change(signed)]))

    assert response.status_code == 404 and GONE in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_a_photo_is_not_shown_under_another_requests_status_link(client, claim, order):
    other = claim_form(order, lamp=0, shirt=1, comment="A seam came open.")
    client.post(ORDER, other)
    second = ReturnRequest.objects.exclude(pk=claim.pk).get()
    signed = photo_urls(status_page(client, claim), claim.token)[0].rstrip("/").rsplit("/", 1)[1]

    response = client.get(reverse("returns:photo", args=[second.token, signed]))

    assert response.status_code == 404


def test_a_staff_link_does_not_open_the_shoppers_route(client, claim):
    photo = claim.photos.first()
    staff_signed = photo_links.staff_links(claim, [photo])[0].full_url.rstrip("/").rsplit("/")[-1]
    assert client.get(reverse("returns:photo", args=[claim.token, staff_signed])).status_code == 404


def test_a_deleted_photo_is_gone_not_an_error(client, claim):
    url = photo_urls(status_page(client, claim), claim.token)[1]
    photo = claim.photos.first()
    photo.file.storage.delete(photo.file.name)
    assert client.get(url).status_code == 404
    ClaimPhoto.objects.filter(pk=photo.pk).delete()
    assert client.get(url).status_code == 404


def test_the_404_page_speaks_the_shoppers_language(client, claim, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    response = client.get(reverse("returns:photo", args=[claim.token, "garbage"]))
    assert response.status_code == 404
    assert "Dieses Foto kann nicht angezeigt werden" in response.content.decode()


def test_a_withdrawals_status_page_has_no_photos(client, order):
    look_up(client)
    client.post(ORDER, claim_form(order, reason="not_satisfied", comment="", lamp=0, shirt=1))
    html = status_page(client, ReturnRequest.objects.get())
    assert "Your photos" not in html and 'type="file"' not in html


def test_a_heic_photo_is_shown_as_jpeg(client, order):
    look_up(client)
    heic = photo_files.upload("IMG_0042.HEIC", photo_files.heic(), "image/heic")
    client.post(ORDER, claim_form(order, photos=[heic]))
    claim = ReturnRequest.objects.get()
    full = photo_urls(status_page(client, claim), claim.token)[1]
    assert client.get(full)["Content-Type"] == "image/jpeg"
