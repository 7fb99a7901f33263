"""Emails to the shopper, always in the language of their return."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import ReturnEvent, ReturnRequest


def customer_email_send(*, request_id: int, kind: str) -> bool:
    """Send the email for this step of the return once; False if it was sent before."""
    request = ReturnRequest.objects.select_related("order").get(pk=request_id)
    if request.events.filter(type="email.sent", data__kind=kind).exists():
        return False
    with translation.override(request.locale):
        context = {
            "request": request,
            "lines": list(request.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "return_address": settings.SHOP_RETURN_ADDRESS,
            "status_url": settings.PORTAL_URL.rstrip("/")
            + reverse("returns:status", args=[request.token]),
        }
        # A subject is one line, whatever a template or translation does.
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        text = render_to_string(f"emails/{kind}.txt", context)
        html = render_to_string(f"emails/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [request.customer_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    with transaction.atomic():
        ReturnEvent.objects.create(
            request=request, type="email.sent", actor=ReturnEvent.Actor.SYSTEM, data={"kind": kind}
        )
    return True
