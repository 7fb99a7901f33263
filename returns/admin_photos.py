"""A claim's photos on the request's screen in the back office, and asking the shopper for more.

Mixed into ReturnRequestAdmin. Thumbnails and full-size photos are served by `photo_view`, behind
the admin login and the view permission, through links signed for staff that expire
(returns/photo_links.py).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import photo_links, services, steps
from .admin_views import _render, after_step, transition_view
from .models import ClaimPhoto, ReturnKind, ReturnRequest
from .services.photos import MESSAGE_MAX
from .views_photos import photo_gone, photo_response


class PhotosAskForm(forms.Form):
    message = forms.CharField(
        label=_("What should the photos show?"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The shopper reads this in the email and on the status page, where they add the photos."
        ),
    )


class PhotoAdminViews:
    """The photo parts of the request's screen."""

    @transition_view(steps.PHOTOS_ASK)
    def photos_ask_view(self, request, return_request):
        form = PhotosAskForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.claim_photos_ask(
                request_id=return_request.pk,
                user=request.user,
                message=form.cleaned_data["message"],
            )
            self.message_user(
                request,
                gettext("%(number)s: the shopper was asked for more photos.")
                % {"number": return_request.number},
            )
            return after_step(request, return_request)
        title = gettext("Ask for more photos for %(number)s") % {"number": return_request.number}
        return _render(self, request, return_request, title, form)

    def photo_view(self, request, object_id, signed):
        if not request.user.has_perm(steps.VIEW_PERMISSION):
            raise PermissionDenied
        found = photo_links.unsign(signed, salt=photo_links.STAFF_SALT)
        try:
            pk = ReturnRequest._meta.pk.to_python(object_id)
        except ValidationError:
            pk = None
        if found is None or pk != found.request_id:
            return photo_gone(request, staff=True)
        photo = (
            ClaimPhoto.objects.select_related("request")
            .filter(pk=found.photo_id, request_id=pk)
            .first()
        )
        if photo is None:
            return photo_gone(request, staff=True)
        return photo_response(request, photo, found.size)

    def get_urls(self):
        photo = path(
            "<path:object_id>/photos/<str:signed>/",
            # cacheable: the response says "private, no-store" itself, nothing more.
            self.admin_site.admin_view(self.photo_view, cacheable=True),
            name="returns_returnrequest_photo",
        )
        return [photo, *super().get_urls()]


def photos_context(return_request: ReturnRequest, user) -> dict:
    """The request screen's photos: thumbnails linking to the full size, for staff who may see
    the request."""
    if return_request.kind != ReturnKind.CLAIM or not user.has_perm(steps.VIEW_PERMISSION):
        return {}
    return {
        "photos": photo_links.staff_links(return_request, return_request.photos.all()),
        "photos_wanted": steps.photos_wanted(return_request),
    }
