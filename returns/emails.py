"""Emails to the shopper, always in the language of their return."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import ReturnEvent, ReturnRequest, ShopifyOrder
from .services.common import event_record


def customer_email_send(*, request_id: int, kind: str, event_id: int | None = None) -> bool:
    """Send the email for this step (and event) of the return once; False if it was sent before."""
    request = ReturnRequest.objects.select_related("order").get(pk=request_id)
    sent = request.events.filter(type="email.sent", data__kind=kind)
    if event_id is not None:
        sent = sent.filter(data__event=event_id)
    if sent.exists() or request.customer_email.endswith(".invalid"):
        # Sent before, or the shopper's address was erased at their request.
        return False
    event = request.events.filter(pk=event_id).first() if event_id else None
    template = "requested" if kind == "requested" else "update"
    with translation.override(request.locale):
        context = {
            "kind": kind,
            "event": event,
            "replacement": request.replacements.order_by("-created_at").first(),
            "request": request,
            "lines": list(request.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "return_address": settings.SHOP_RETURN_ADDRESS,
            "status_url": settings.PORTAL_URL.rstrip("/")
            + reverse("returns:status", args=[request.token]),
        }
        # A subject is one line, whatever a template or translation does.
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [request.customer_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    event_record(
        request=request,
        type="email.sent",
        actor=ReturnEvent.Actor.SYSTEM,
        data={"kind": kind, "event": event_id},
    )
    return True


def lookup_link_email_send(*, order_id: int) -> None:
    """Mail a one-time link to the order to the order's own address, in the order's language."""
    from .services.lookup_links import lookup_link_make

    order = ShopifyOrder.objects.get(pk=order_id)
    if not order.email:
        return  # erased at the shopper's request
    language = (order.customer_locale or "").split("-")[0].lower()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "order_name": order.name,
            "link": lookup_link_make(order=order),
            "hours": max(1, settings.LOOKUP_LINK_MAX_AGE // 3600),
            "shop_name": settings.SHOP_NAME,
        }
        subject = " ".join(render_to_string("emails/lookup_link_subject.txt", context).split())
        text = render_to_string("emails/lookup_link.txt", context)
    EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email]).send()
