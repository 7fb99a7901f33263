"""Writing an event back on the Shopify order, the way a careful person would by hand.

Each step adds one dated line to the order note and sets a tag, both as its declaration in
returns/steps.py says. The note is for the shop's staff, so it is written in the shop's language,
not the shopper's.
"""

from django.conf import settings
from django.utils import formats, timezone, translation

from . import events, steps
from .models import ReturnEvent
from .services.common import event_record
from .shopify import notes


def note_line(event: ReturnEvent) -> str:
    step = steps.step_for_event(event.type)
    if not step.writes_back:
        raise ValueError(f"No note line for event {event.type}")
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localdate(event.created_at), "Y-m-d")
        what = step.note_text(event.request, events.payload_of(event))
        return f"{day} {event.request.number}: {what}"


def event_write_back(*, event_id: int) -> bool:
    """Write the event's note line and tag on the order; False if it was written before.

    ShopifyError propagates so the task can retry; the note line is only added once however often
    this runs, and tags are sets.
    """
    event = ReturnEvent.objects.select_related("request__order").get(pk=event_id)
    request = event.request
    if request.events.filter(type=steps.SHOPIFY_WRITTEN.event_type, data__event=event_id).exists():
        return False
    order_id = request.order.shopify_id
    line = note_line(event)
    notes.order_note_line_add(order_id, line)
    tags = [tag for tag in [steps.step_for_event(event.type).tag] if tag]
    if tags:
        notes.order_tags_add(order_id, tags)
    event_record(
        request=request,
        step=steps.SHOPIFY_WRITTEN,
        payload=events.ShopifyWritten(event=event_id, note=line, tags=tuple(tags)),
    )
    return True
