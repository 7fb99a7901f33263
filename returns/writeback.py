"""Writing an event back on the Shopify order, the way a careful person would by hand.

Each customer-facing step adds one dated line to the order note and sets a tag. The note is for the
shop's staff, so it is written in the shop's language, not the shopper's.
"""

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import ReturnEvent
from .shopify import notes

TAGS = {
    "returns.requested": "return-requested",
}


def note_line(event: ReturnEvent) -> str:
    request = event.request
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localdate(event.created_at), "Y-m-d")
        items = ", ".join(f"{line.quantity} × {line.title}" for line in request.lines.all())
        if event.type == "returns.requested":
            what = (
                _("claim filed (defect)")
                if request.kind == request.Kind.CLAIM
                else _("return requested (not satisfied)")
            )
            return f"{day} {request.number}: {what}: {items}"
    raise ValueError(f"No note line for event {event.type}")


def event_write_back(*, event_id: int) -> bool:
    """Write the event's note line and tag on the order; False if it was written before.

    ShopifyError propagates so the task can retry; the note line is only added once however often
    this runs, and tags are sets.
    """
    event = ReturnEvent.objects.select_related("request__order").get(pk=event_id)
    request = event.request
    if request.events.filter(type="shopify.written", data__event=event_id).exists():
        return False
    order_id = request.order.shopify_id
    notes.order_note_line_add(order_id, note_line(event))
    if event.type in TAGS:
        notes.order_tags_add(order_id, [TAGS[event.type]])
    with transaction.atomic():
        ReturnEvent.objects.create(
            request=request,
            type="shopify.written",
            actor=ReturnEvent.Actor.SYSTEM,
            data={"event": event_id, "tags": [TAGS[event.type]] if event.type in TAGS else []},
        )
    return True
