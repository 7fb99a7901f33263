"""Deleting claim photos when they must go: with the shopper's personal data, and a while after
their request was closed (PHOTOS_RETENTION_DAYS).

A photo's files are deleted from the photo store first and its row only after that, so a row
never outlives its file unnoticed: when the store fails, the photo stays listed, the error is
logged, and the next sweep (Celery beat, hourly) tries again. A file already gone counts as
deleted, so running any of this twice, or after a crash halfway, does no harm.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .. import events, steps
from ..models import ClaimPhoto, ReturnRequest, ReturnStatus
from .common import event_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotosDeleted:
    deleted: int = 0
    failed: int = 0

    def __add__(self, other: "PhotosDeleted") -> "PhotosDeleted":
        return PhotosDeleted(self.deleted + other.deleted, self.failed + other.failed)


def request_photos_delete(
    *, request_id: int, step: steps.Step, days: int | None = None
) -> PhotosDeleted:
    """Delete every photo of one request, recording how many went as `step` on its trail."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=request_id)
        gone, failed = [], 0
        for photo in request.photos.order_by("pk"):
            if _files_delete(photo, request=request):
                gone.append(photo.pk)
            else:
                failed += 1
        if gone:
            ClaimPhoto.objects.filter(pk__in=gone).delete()
            event_record(
                request=request,
                step=step,
                payload=events.PhotosDeleted(photos=len(gone), days=days),
            )
    return PhotosDeleted(deleted=len(gone), failed=failed)


def photos_erase(*, request_ids) -> PhotosDeleted:
    """The photos of requests whose shopper was just erased (customers/redact, shop/redact).

    Called after the erasure has committed: a store that fails here leaves the photos to the
    sweep, which finds them by the erased address."""
    total = PhotosDeleted()
    for request_id in _with_photos(ReturnRequest.objects.filter(pk__in=list(request_ids))):
        total += request_photos_delete(request_id=request_id, step=steps.PHOTOS_ERASED)
    return total


def photos_sweep(*, now=None) -> dict[str, int]:
    """Celery beat's sweep: photos of erased shoppers still in the store, and photos of requests
    closed more than PHOTOS_RETENTION_DAYS ago. Open requests keep theirs, however old."""
    from .webhooks import REDACTED_EMAIL

    erased = _with_photos(ReturnRequest.objects.filter(customer_email=REDACTED_EMAIL))
    total = photos_erase(request_ids=erased)
    days = settings.PHOTOS_RETENTION_DAYS
    for request_id in _with_photos(photos_expired(now=now)):
        total += request_photos_delete(request_id=request_id, step=steps.PHOTOS_EXPIRED, days=days)
    if total.failed:
        logger.warning(
            "The photo sweep deleted %d photo(s); %d could not be deleted from the photo store "
            "and are tried again on the next sweep.",
            total.deleted,
            total.failed,
        )
    return {"deleted": total.deleted, "failed": total.failed}


def photos_expired(*, now=None):
    """Requests resolved, rejected or cancelled more than PHOTOS_RETENTION_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PHOTOS_RETENTION_DAYS)
    return ReturnRequest.objects.filter(
        Q(status=ReturnStatus.RESOLVED, resolved_at__lt=cutoff)
        | Q(status=ReturnStatus.REJECTED, rejected_at__lt=cutoff)
        | Q(status=ReturnStatus.CANCELLED, cancelled_at__lt=cutoff)
    )


def _with_photos(requests) -> list[int]:
    return list(
        requests.filter(photos__isnull=False).distinct().order_by("pk").values_list("pk", flat=True)
    )


def _files_delete(photo: ClaimPhoto, *, request: ReturnRequest) -> bool:
    """Delete each file the photo has (the image, and any other file kept with it) from its
    store; False, logged, if the store failed: the photo is kept for the next try."""
    for field in photo._meta.get_fields():
        if not isinstance(field, models.FileField):
            continue
        file = getattr(photo, field.name)
        if not file:
            continue
        try:
            # Deleting a file that is no longer there succeeds on every Django storage.
            file.storage.delete(file.name)
        except Exception as exc:  # whatever the configured store raises: it is retried
            logger.error(
                "Could not delete photo %s of %s from the photo store (tried again on the next "
                "sweep): %s: %s",
                file.name,
                request.number,
                type(exc).__name__,
                exc,
            )
            return False
    return True
