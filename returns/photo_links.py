"""Links to a claim's photos: signed, expiring, and good for one audience only.

A photo has no address of its own. Each link carries the photo's id, its request's id and the
size asked for, signed with the site's secret and the time it was made (TimestampSigner); it
stops working PHOTO_LINK_MAX_AGE seconds later. Shoppers' links (under the status link) and
staff's (in the admin, behind the view permission) are signed with different salts, so neither
opens the other's route.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import ClaimPhoto, ReturnRequest

SHOPPER_SALT = "returns.photos.shopper"
STAFF_SALT = "returns.photos.staff"
# Sizes a link may ask for: the longest side of a thumbnail, or the kept photo itself.
THUMBNAIL = "thumb"
FULL = "full"
THUMBNAIL_SIDE = 320


@dataclass(frozen=True)
class PhotoLink:
    photo: ClaimPhoto
    thumbnail_url: str
    full_url: str


@dataclass(frozen=True)
class Signed:
    photo_id: int
    request_id: int
    size: str


def _sign(photo: ClaimPhoto, size: str, salt: str) -> str:
    value = {"p": photo.pk, "r": photo.request_id, "s": size}
    return signing.TimestampSigner(salt=salt).sign_object(value)


def unsign(signed: str, *, salt: str) -> Signed | None:
    """What a link names, or None if it is not one we made, was changed, or has expired."""
    try:
        value = signing.TimestampSigner(salt=salt).unsign_object(
            signed, max_age=settings.PHOTO_LINK_MAX_AGE
        )
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        return None
    try:
        found = Signed(photo_id=int(value["p"]), request_id=int(value["r"]), size=value["s"])
    except (KeyError, TypeError, ValueError):
        return None
    return found if found.size in (THUMBNAIL, FULL) else None


def shopper_links(request: ReturnRequest, photos) -> list[PhotoLink]:
    def url(photo, size):
        return reverse("returns:photo", args=[request.token, _sign(photo, size, SHOPPER_SALT)])

    return [PhotoLink(photo, url(photo, THUMBNAIL), url(photo, FULL)) for photo in photos]


def staff_links(request: ReturnRequest, photos) -> list[PhotoLink]:
    def url(photo, size):
        return reverse(
            "admin:returns_returnrequest_photo",
            args=[request.pk, _sign(photo, size, STAFF_SALT)],
        )

    return [PhotoLink(photo, url(photo, THUMBNAIL), url(photo, FULL)) for photo in photos]


def admin_url(request: ReturnRequest) -> str:
    """The request's screen in the admin, as a full address for staff reading Shopify."""
    path = reverse("admin:returns_returnrequest_change", args=[request.pk])
    return settings.PORTAL_URL.rstrip("/") + path
