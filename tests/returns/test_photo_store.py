"""The photo store: photos saved, read back and deleted through Django's storage API, never at a
public address. Runs against this run's store: the filesystem, and in CI against S3 at moto's
server as well."""

import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.storage import storages

from returns.models import ClaimPhoto
from tests.factories import ReturnRequestFactory

from .photo_store import jpeg, on_s3, photo_add, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(db):
    return photo_add(ReturnRequestFactory(kind="claim"))


def test_a_photo_is_saved_under_a_random_name_read_back_and_deleted(photo):
    other = photo_add(photo.request)

    assert photo.file.name != other.file.name
    assert "evidence" not in photo.file.name  # the shopper's file name is not kept
    assert stored(photo.file.name)
    with ClaimPhoto.objects.get(pk=photo.pk).file.open("rb") as opened:
        assert opened.read() == jpeg()

    storages["photos"].delete(photo.file.name)
    assert not stored(photo.file.name) and stored(other.file.name)


def test_a_stored_photo_is_not_readable_without_a_signature(photo, client):
    store = storages["photos"]
    if on_s3():
        # The object's plain address in the bucket, with no signature: refused.
        signed = store.url(photo.file.name)
        parts = urlsplit(signed)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urlunsplit((*parts[:3], "", "")), timeout=5)
        assert refused.value.code == 403
        # What the store hands out is signed and expires within minutes.
        assert "X-Amz-Signature=" in parts.query and "X-Amz-Expires=300" in parts.query
        with urllib.request.urlopen(signed, timeout=5) as response:
            assert response.read() == jpeg()
    else:
        # No URL of the portal serves the photo folder: its files are not web pages.
        response = client.get("/" + store.url(photo.file.name).lstrip("/"))
        assert response.status_code == 404
        assert jpeg() not in response.content


def test_an_upload_never_replaces_a_stored_photo(photo):
    # Random names make a clash unlikely; the store makes it harmless.
    store = storages["photos"]
    assert store.get_available_name(photo.file.name) != photo.file.name
