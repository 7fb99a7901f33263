"""Claim photos are gone when they must be: with the shopper's personal data (customers/redact,
shop/redact) and PHOTOS_RETENTION_DAYS after their request was closed; listed (not sent) in a
data export. Each runs against this run's photo store: the filesystem, and in CI S3 as well."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.celery import app
from returns.models import ClaimPhoto, ReturnEvent, ReturnKind, ReturnRequest, WebhookDelivery
from returns.services.photo_deletion import photos_sweep
from returns.services.webhooks import REDACTED_EMAIL
from tests.factories import ReturnRequestFactory
from tests.webhooks import SHOP

from .photo_store import photo_add, stored, unreachable_store

# The app secret the deliveries are signed with (tests/returns/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_secret")]

ANNA = {"id": 207119551, "email": "anna@example.com", "phone": "+31612345678"}
REDACT = {"shop_id": 954889, "shop_domain": SHOP, "customer": ANNA, "orders_to_redact": []}
UNINSTALLED = {"id": 954889, "name": "Test Shop", "myshopify_domain": SHOP, "domain": SHOP}
ERASED = "photos.deleted_with_personal_data"
EXPIRED = "photos.deleted_after_retention"


@pytest.fixture
def annas_photos(a_claim):
    return [photo_add(a_claim), photo_add(a_claim, color=(20, 200, 20))]


@pytest.fixture
def bobs_photo(db):
    claim = ReturnRequestFactory(kind=ReturnKind.CLAIM, customer_email="bob@example.com")
    return photo_add(claim)


def names(photos):
    return [photo.file.name for photo in photos]


def closed(status, *, days_ago, **fields):
    """A claim with one photo, closed (resolved, rejected, cancelled) this many days ago."""
    when = timezone.now() - timedelta(days=days_ago)
    claim = ReturnRequestFactory(kind=ReturnKind.CLAIM, status=status, **{f"{status}_at": when})
    return photo_add(claim)


def trail(request, event_type):
    return list(ReturnEvent.objects.filter(request=request, type=event_type))


# Erasure -------------------------------------------------------------------------------------


def test_customers_redact_deletes_the_shoppers_photos_from_the_store(
    deliver, annas_photos, bobs_photo
):
    claim = annas_photos[0].request
    assert all(stored(name) for name in names(annas_photos))

    assert deliver("customers/redact", REDACT).status_code == 200

    assert WebhookDelivery.objects.get().state == "processed"
    assert not any(stored(name) for name in names(annas_photos))
    assert not claim.photos.exists()
    (event,) = trail(claim, ERASED)
    assert event.data == {"photos": 2, "days": None}
    assert event.actor == "system" and not event.customer_visible
    # Another shopper's evidence stays.
    assert stored(bobs_photo.file.name) and ClaimPhoto.objects.filter(pk=bobs_photo.pk).exists()


def test_customers_redact_twice_is_harmless(deliver, annas_photos):
    deliver("customers/redact", REDACT)
    deliver("customers/redact", REDACT)  # Shopify sent it again, with a new webhook id

    claim = annas_photos[0].request
    assert not claim.photos.exists()
    assert len(trail(claim, ERASED)) == 1
    assert photos_sweep() == {"deleted": 0, "failed": 0}


def test_shop_redact_deletes_every_photo_of_the_shop(deliver, devshop, annas_photos, bobs_photo):
    deliver("app/uninstalled", UNINSTALLED)
    devshop.app_uninstall()

    deliver("shop/redact", {"shop_id": 954889, "shop_domain": SHOP})

    assert WebhookDelivery.objects.get(topic="shop/redact").state == "processed"
    photos = [*annas_photos, bobs_photo]
    assert not any(stored(name) for name in names(photos))
    assert not ClaimPhoto.objects.exists()
    assert sorted(e.data["photos"] for e in ReturnEvent.objects.filter(type=ERASED)) == [1, 2]


def test_an_erasure_goes_ahead_while_the_store_fails_and_the_sweep_deletes_the_photos_later(
    deliver, annas_photos, monkeypatch, tmp_path, caplog
):
    field = ClaimPhoto._meta.get_field("file")
    working = field.storage
    monkeypatch.setattr(field, "storage", unreachable_store(tmp_path))

    assert deliver("customers/redact", REDACT).status_code == 200

    claim = ReturnRequest.objects.get(pk=annas_photos[0].request_id)
    assert claim.customer_email == REDACTED_EMAIL  # the person is erased all the same
    assert claim.photos.count() == 2 and not trail(claim, ERASED)
    assert "Could not delete photo" in caplog.text and "tried again" in caplog.text

    monkeypatch.setattr(field, "storage", working)  # the store is back
    assert photos_sweep() == {"deleted": 2, "failed": 0}
    assert not any(stored(name) for name in names(annas_photos))
    assert not claim.photos.exists()
    assert [e.data for e in trail(claim, ERASED)] == [{"photos": 2, "days": None}]


def test_a_data_request_lists_the_photos_without_their_pictures(deliver, annas_photos):
    payload = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [],
        "customer": ANNA,
        "data_request": {"id": 9999},
    }

    deliver("customers/data_request", payload)

    export = WebhookDelivery.objects.get().payload["export"]
    claim = next(
        r for r in export["return_requests"] if r["number"] == annas_photos[0].request.number
    )
    assert [p["file"] for p in claim["photos"]] == names(annas_photos)
    first = claim["photos"][0]
    assert first["content_type"] == "image/jpeg" and (first["width"], first["height"]) == (64, 48)
    assert first["size"] == annas_photos[0].size and first["added"] == "claim"
    assert all(stored(name) for name in names(annas_photos))  # an export deletes nothing


# Retention ------------------------------------------------------------------------------------


def test_the_sweep_deletes_photos_of_requests_closed_longer_ago_than_the_retention(settings):
    settings.PHOTOS_RETENTION_DAYS = 180
    old = [closed(status, days_ago=181) for status in ("resolved", "rejected", "cancelled")]
    recent = closed("resolved", days_ago=179)
    # Open for a long time, still being decided: its evidence stays.
    still_open = photo_add(
        ReturnRequestFactory(
            kind=ReturnKind.CLAIM,
            status="approved",
            approved_at=timezone.now() - timedelta(days=400),
        )
    )
    ReturnRequest.objects.filter(pk=still_open.request_id).update(
        created_at=timezone.now() - timedelta(days=400)
    )

    assert photos_sweep() == {"deleted": 3, "failed": 0}

    assert not any(stored(name) for name in names(old))
    assert not ClaimPhoto.objects.filter(pk__in=[photo.pk for photo in old]).exists()
    for photo in old:
        (event,) = trail(photo.request, EXPIRED)
        assert event.data == {"photos": 1, "days": 180}
        assert event.actor == "system" and not event.customer_visible
    for kept in (recent, still_open):
        assert stored(kept.file.name) and ClaimPhoto.objects.filter(pk=kept.pk).exists()
        assert not trail(kept.request, EXPIRED)


def test_the_retention_is_a_setting(settings):
    photo = closed("resolved", days_ago=40)
    settings.PHOTOS_RETENTION_DAYS = 60
    assert photos_sweep()["deleted"] == 0 and stored(photo.file.name)

    settings.PHOTOS_RETENTION_DAYS = 30
    assert photos_sweep()["deleted"] == 1 and not stored(photo.file.name)


def test_a_reopened_request_keeps_its_photos():
    # Reopened in Shopify: resolved no longer, so resolved_at no longer counts.
    photo = closed("resolved", days_ago=365)
    ReturnRequest.objects.filter(pk=photo.request_id).update(status="received")

    assert photos_sweep()["deleted"] == 0
    assert stored(photo.file.name)


def test_the_sweep_twice_deletes_once():
    photo = closed("rejected", days_ago=200)

    assert photos_sweep()["deleted"] == 1
    assert photos_sweep() == {"deleted": 0, "failed": 0}
    assert len(trail(photo.request, EXPIRED)) == 1


def test_a_store_error_keeps_the_photo_for_the_next_sweep(monkeypatch, tmp_path, caplog):
    photo = closed("resolved", days_ago=200)
    field = ClaimPhoto._meta.get_field("file")
    working = field.storage
    monkeypatch.setattr(field, "storage", unreachable_store(tmp_path))

    assert photos_sweep() == {"deleted": 0, "failed": 1}

    assert ClaimPhoto.objects.filter(pk=photo.pk).exists() and stored(photo.file.name)
    assert not trail(photo.request, EXPIRED)  # nothing recorded that did not happen
    assert photo.request.number in caplog.text and "tried again on the next sweep" in caplog.text

    monkeypatch.setattr(field, "storage", working)
    assert photos_sweep() == {"deleted": 1, "failed": 0}
    assert not stored(photo.file.name)
    assert len(trail(photo.request, EXPIRED)) == 1


def test_a_photo_whose_file_is_already_gone_is_deleted_all_the_same():
    # A sweep that deleted the file and then crashed before its transaction committed.
    photo = closed("cancelled", days_ago=200)
    photo.file.storage.delete(photo.file.name)

    assert photos_sweep() == {"deleted": 1, "failed": 0}
    assert not ClaimPhoto.objects.filter(pk=photo.pk).exists()


def test_celery_beat_runs_the_photo_sweep(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "returns.tasks.photos_sweep" in schedule
    photo = closed("resolved", days_ago=200)

    result = app.tasks["returns.tasks.photos_sweep"].delay()

    assert result.get() == {"deleted": 1, "failed": 0}
    assert not stored(photo.file.name)
