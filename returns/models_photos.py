"""Photos a shopper sends as evidence for a claim.

Kept apart from models.py so each file stays readable; models.py imports it, so Django sees it as
one of the app's models. The files live on `storages["photos"]`, a storage that is never served
as it is: shoppers and staff reach a photo only through signed, expiring links (returns/photos_views.py).
"""

import uuid

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


def photo_storage():
    # A callable, so the migration does not record the storage.
    return storages["photos"]


def photo_name(instance, filename):
    # The shopper's own file name says nothing we need and may say things we must not keep.
    return f"{uuid.uuid4().hex}.{instance.extension}"


class PhotoStage(models.TextChoices):
    # Sent with the claim itself.
    CLAIM = "claim", _("With the claim")
    # Sent later, after staff asked for more photos.
    REQUESTED = "requested", _("Added on request")


class ClaimPhoto(models.Model):
    """One stored photo: already decoded, re-encoded without metadata and limited in size."""

    Stage = PhotoStage

    request = models.ForeignKey(
        "returns.ReturnRequest",
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("request"),
    )
    file = models.FileField(
        _("file"), storage=photo_storage, upload_to=photo_name, max_length=200, editable=False
    )
    content_type = models.CharField(_("content type"), max_length=32, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    stage = models.CharField(
        _("added"), max_length=16, choices=PhotoStage.choices, default=PhotoStage.CLAIM
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["added_at", "id"]

    def __str__(self):
        return self.file.name

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/webp": "webp", "image/png": "png"}.get(
            self.content_type, "jpg"
        )


@receiver(setting_changed)
def _photo_storage_follows_settings(*, setting, value, **kwargs):
    """Django reads a FileField's storage once, at import; a test that configures STORAGES
    differently (another folder, an S3 bucket) gets photo files kept there too."""
    if setting == "STORAGES" and value and "photos" in value:
        ClaimPhoto._meta.get_field("file").storage = storages.create_storage(value["photos"])
