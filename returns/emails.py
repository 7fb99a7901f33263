"""Emails to the shopper, always in the language of their return; each step's email is declared
with the step (returns/steps.py)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import events, selectors, steps
from .arrival import request_arrival
from .models import ReturnRequest, ShopifyOrder
from .services.common import event_record


def customer_email_send(*, request_id: int, kind: str, event_id: int | None = None) -> bool:
    """Send the email for this step (and event) of the return once; False if it was sent before."""
    step = steps.step_for_email(kind)
    request = ReturnRequest.objects.select_related("order").get(pk=request_id)
    sent = request.events.filter(type=steps.EMAIL_SENT.event_type, data__kind=kind)
    if event_id is not None:
        sent = sent.filter(data__event=event_id)
    if sent.exists() or not request.customer_email or request.customer_email.endswith(".invalid"):
        # Sent before, the order has no address (a Return made in Shopify for such an order), or
        # the shopper's address was erased at their request.
        return False
    events_of_step = request.events.filter(type__in=steps.email_event_types(kind))
    # Emails queued by an older release name no event: theirs is the step's latest.
    event = (events_of_step.filter(pk=event_id) if event_id else events_of_step).last()
    template = "requested" if step is steps.REQUEST else "update"
    with translation.override(request.locale):
        context = {
            "kind": kind,
            "step": step,
            "payload": events.payload_of(event) if event else None,
            "request": request,
            "lines": list(request.lines.all()),
            "shop_name": settings.SHOP_NAME,
            "return_address": settings.SHOP_RETURN_ADDRESS,
            "send_back": selectors.items_wanted_back(request),
            "arrival": request_arrival(request),
            "status_url": settings.PORTAL_URL.rstrip("/")
            + reverse("returns:status", args=[request.token]),
        }
        if step.email_subject:
            subject = step.email_subject % {"number": request.number, "order": request.order.name}
        else:
            subject = render_to_string(f"emails/{template}_subject.txt", context)
        # A subject is one line, whatever a template or translation does.
        subject = " ".join(str(subject).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [request.customer_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    event_record(
        request=request,
        step=steps.EMAIL_SENT,
        payload=events.EmailSent(kind=kind, event=event_id),
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
