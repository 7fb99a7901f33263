"""The photo input of the claim form and of the status page.

The browser's own file input, `multiple`, taking any image the phone has: with no `capture`
attribute, phones offer both the camera and the gallery (with `capture` some offer only the
camera). static/portal/photos.js adds previews and a remove button where JavaScript runs;
without it the plain input works the same.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import photos
from .services.photos import NO_PHOTOS_CHOSEN, TOO_MANY_PHOTOS

PHOTOS_AGAIN = _(
    "Please choose your photos again: a photo is kept only once the whole form is sent."
)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": photos.ACCEPT, "multiple": True, **(attrs or {})})


class PhotosField(forms.FileField):
    """Up to CLAIM_PHOTOS_MAX files; cleans to the uploaded files, not yet decoded."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.CLAIM_PHOTOS_MAX:
            raise forms.ValidationError(
                TOO_MANY_PHOTOS % {"limit": settings.CLAIM_PHOTOS_MAX, "count": len(files)}
            )
        if self.required and not files:
            raise forms.ValidationError(NO_PHOTOS_CHOSEN)
        return files

    def bound_data(self, data, initial):
        return None  # a file input is never filled in again


def photos_checked(files) -> tuple[list[photos.CheckedPhoto], list]:
    """Each uploaded file checked (returns/photos.py): the photos kept, and one message for each
    file refused, naming it."""
    limits = photos.Limits.from_settings()
    checked, refused = [], []
    for upload in files:
        name = upload.name or ""
        try:
            # Refused by its size alone before it is read.
            photos.size_check(upload.size, name=name, limits=limits)
            checked.append(photos.photo_check(upload.read(), name=name, limits=limits))
        except photos.PhotoRefused as refusal:
            refused.append(refusal.message)
    return checked, refused


class PhotoUploadForm(forms.Form):
    """The status page's form, while staff are waiting for more photos."""

    photos = PhotosField(label=_("Photos of the defect"), required=True)

    def clean_photos(self):
        checked, refused = photos_checked(self.cleaned_data["photos"])
        if refused:
            raise forms.ValidationError(refused)
        return checked
