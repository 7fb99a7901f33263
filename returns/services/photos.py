"""Photos of a claim's defect: kept with the claim, asked for again by staff, added by the shopper.

The files reaching these services are already checked and re-encoded (returns/photos.py). A
photo's file is written to storage inside the transaction that creates its row; if that
transaction fails, the files it wrote are deleted again, so neither a row without its file nor a
file without its row is left behind.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import events, steps
from ..models import ClaimPhoto, PhotoStage, ReturnKind, ReturnRequest
from ..photos import CheckedPhoto
from .common import ReturnError, step_record

logger = logging.getLogger(__name__)

TOO_MANY_PHOTOS = _("You can send at most %(limit)s photos at a time; you chose %(count)s.")
PHOTO_REQUIRED = _("Please add at least one photo of the defect.")
NO_PHOTOS_CHOSEN = _("Choose at least one photo to send.")
MESSAGE_TOO_LONG = _("The message to the shopper has at most 1000 characters.")
MESSAGE_MAX = 1000


def photos_allowed(*, kind: str, count: int, with_claim: bool = True) -> None:
    """Raise ReturnError unless `count` photos may be sent with a request of this kind."""
    if count and kind != ReturnKind.CLAIM:
        raise ReturnError(steps.PHOTOS_CLAIMS_ONLY)
    if count > settings.CLAIM_PHOTOS_MAX:
        raise ReturnError(TOO_MANY_PHOTOS % {"limit": settings.CLAIM_PHOTOS_MAX, "count": count})
    if kind == ReturnKind.CLAIM and not count:
        if not with_claim:
            raise ReturnError(NO_PHOTOS_CHOSEN)
        if settings.CLAIM_PHOTOS_REQUIRED:
            raise ReturnError(PHOTO_REQUIRED)


@contextmanager
def photo_files_undone_on_failure() -> Iterator[list[str]]:
    """Collects the names of files written; deletes them if the block (a transaction) fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = ClaimPhoto._meta.get_field("file").storage
        for name in written:
            try:
                storage.delete(name)
            except Exception:  # the transaction's own error is the one to report
                logger.exception("Could not delete the photo file %s after a failure", name)
        raise


def photos_store(
    *, request: ReturnRequest, photos: Sequence[CheckedPhoto], stage: str, written: list[str]
) -> list[ClaimPhoto]:
    """Write each photo's file and its row; the caller holds the transaction and `written`."""
    stored = []
    for checked in photos:
        if not isinstance(checked, CheckedPhoto):
            raise TypeError(f"photos must be checked first (returns.photos), not {checked!r}")
        photo = ClaimPhoto(
            request=request,
            content_type=checked.content_type,
            width=checked.width,
            height=checked.height,
            size=checked.size,
            stage=stage,
        )
        # The name given is ignored: ClaimPhoto names every file by a random id.
        photo.file.save("photo", ContentFile(checked.content), save=False)
        written.append(photo.file.name)
        photo.save()
        stored.append(photo)
    return stored


def _locked(request_id: int) -> ReturnRequest:
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=request_id)
    )


def claim_photos_ask(*, request_id: int, user, message: str = "") -> ReturnRequest:
    """Ask the shopper for more photos; they are emailed a link to the status page. Asking again
    before they answered changes nothing."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ReturnError(MESSAGE_TOO_LONG)
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind == ReturnKind.CLAIM and steps.photos_wanted(request):
            return request
        steps.PHOTOS_ASK.check(request)
        step_record(
            request=request,
            step=steps.PHOTOS_ASK,
            user=user,
            payload=events.PhotosAsked(message=message),
        )
    return request


def claim_photos_add(*, request_id: int, photos: Sequence[CheckedPhoto]) -> list[ClaimPhoto]:
    """The shopper's further photos, sent from the status page after staff asked for them."""
    with photo_files_undone_on_failure() as written, transaction.atomic():
        request = _locked(request_id)
        steps.PHOTOS_ADD.check(request)
        photos_allowed(kind=request.kind, count=len(photos), with_claim=False)
        stored = photos_store(
            request=request, photos=photos, stage=PhotoStage.REQUESTED, written=written
        )
        step_record(
            request=request, step=steps.PHOTOS_ADD, payload=events.PhotosAdded(count=len(stored))
        )
    return stored
