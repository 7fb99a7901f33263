"""A claim's photos for the shopper: shown on the status page, added there when staff ask.

Photos are sent only through `photo_response`, from storage, behind a signed expiring link
(returns/photo_links.py); a wrong, changed or expired link is answered 404 with a page in the
shopper's language.
"""

import re

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import photo_links, photos, selectors, services, steps
from .forms_photos import PHOTOS_AGAIN, PhotoUploadForm
from .models import ClaimPhoto, ReturnKind, ReturnRequest

UNSAFE_NAME = re.compile(r"[^A-Za-z0-9-]+")


def status_photos_context(return_request: ReturnRequest, form=None) -> dict:
    """What the status page shows of a claim's photos, and its upload form while staff wait."""
    if return_request.kind != ReturnKind.CLAIM:
        return {"photos": [], "photos_wanted": False}
    wanted = steps.PHOTOS_ADD.allowed(return_request)
    context = {
        "photos": photo_links.shopper_links(return_request, return_request.photos.all()),
        "photos_wanted": wanted,
    }
    if wanted:
        context.update(
            photos_asked_message=selectors.photos_asked_message(return_request),
            photo_form=form or PhotoUploadForm(),
            photos_max=settings.CLAIM_PHOTOS_MAX,
            photos_again=PHOTOS_AGAIN if form is not None and form.errors else "",
        )
    return context


def photo_gone(request, *, staff: bool = False):
    response = render(request, "returns/photo_gone.html", {"staff": staff}, status=404)
    response["Cache-Control"] = "private, no-store"
    return response


def photo_response(request, photo: ClaimPhoto, size: str) -> HttpResponse:
    """The photo's bytes, or its thumbnail, for this one viewer: never cached, never sniffed."""
    try:
        stored = photo.file.storage.open(photo.file.name, "rb")
    except OSError:  # FileNotFoundError among them
        # Deleted meanwhile (redaction, retention): as gone as an expired link.
        return photo_gone(request)
    if size == photo_links.THUMBNAIL:
        with stored:
            content = photos.thumbnail(stored.read(), side=photo_links.THUMBNAIL_SIDE)
        response = HttpResponse(content, content_type=photos.STORED_TYPE)
    else:
        # Streamed from storage in chunks; FileResponse closes the file when it is sent.
        response = FileResponse(stored, content_type=photo.content_type)
    number = UNSAFE_NAME.sub("", photo.request.number) or "photo"
    stem = photo.file.name.rsplit("/", 1)[-1].split(".", 1)[0][:8]
    extension = photo.extension
    response["Content-Disposition"] = f'inline; filename="{number}-{stem}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Nothing in an image runs; should a browser treat it as a document, nothing may either.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# Not @never_cache: the response says exactly "private, no-store" itself.
@require_GET
def photo(request, token, signed):
    """A photo of the shopper's own claim, through the status link's token and a signed link."""
    found = photo_links.unsign(signed, salt=photo_links.SHOPPER_SALT)
    return_request = selectors.request_by_token(token) if found else None
    if return_request is None or return_request.pk != found.request_id:
        return photo_gone(request)
    claim_photo = (
        ClaimPhoto.objects.select_related("request")
        .filter(pk=found.photo_id, request=return_request)
        .first()
    )
    if claim_photo is None:
        return photo_gone(request)
    return photo_response(request, claim_photo, found.size)


@never_cache
@require_POST
def photos_add(request, token):
    """The shopper sends the further photos staff asked for, from the status page."""
    from .views import recent_status_pages, status_context

    return_request = selectors.status_page_request(token)
    if return_request is None:
        return photo_gone(request)
    form, refusal, status_code = None, None, 200
    if not steps.PHOTOS_ADD.allowed(return_request):
        # A withdrawal, a claim no longer open, or no photos asked for: the page says so, and
        # the files sent are not even looked at.
        refusal = steps.PHOTOS_CLAIMS_ONLY
        if return_request.kind == ReturnKind.CLAIM:
            refusal = steps.NO_PHOTOS_WANTED % {"number": return_request.number}
        status_code = 400
    else:
        form = PhotoUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.claim_photos_add(
                    request_id=return_request.pk, photos=form.cleaned_data["photos"]
                )
            except services.ReturnError as error:
                refusal = error.message
            else:
                recent_status_pages.forget(token)
                return redirect("returns:status", token=token)
    context = {
        **status_context(return_request),
        **status_photos_context(return_request, form),
        "photo_refusal": refusal,
    }
    response = render(request, "returns/status.html", context, status=status_code)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
