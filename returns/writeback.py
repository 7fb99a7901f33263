"""Writing an event back on the Shopify order, the way a careful person would by hand.

Each step adds one dated line to the order note and sets a tag, both as its declaration in
returns/steps.py says. The note is for the shop's staff, so it is written in the shop's language,
not the shopper's.
"""

from django.conf import settings
from django.utils import formats, timezone, translation

from . import events, order_note, steps
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
        # Every line says the request's legal track: staff reading the note alone know whether
        # a refund is owed within 14 days (a withdrawal) or a remedy is (the guarantee).
        track = steps.track_of(event.request).note_label
        return f"{day} {event.request.number} ({track}): {what}"


def event_write_back(*, event_id: int) -> bool:
    """Write the event's note line and tag on the order; False if it was written before.

    ShopifyError propagates so the task can retry. The note line carries the step's number, so it
    is on the note once however often this runs (returns/order_note.py), and tags are sets.
    """
    event = ReturnEvent.objects.select_related("request__order").get(pk=event_id)
    request = event.request
    if _written(request, event_id):
        return False
    order = request.order
    line = order_note.step_line(note_line(event), event.pk)
    tags = [tag for tag in [steps.step_for_event(event.type).tag] if tag]
    with order_note.order_note_lock(order):
        if _written(request, event_id):  # another delivery of this task wrote it meanwhile
            return False
        order_note.order_note_lines_ensure(
            order=order, steps=[order_note.StepLine(event_id=event.pk, text=line)]
        )
        if tags:
            notes.order_tags_add(order.shopify_id, tags)
        # Recorded while the lock is held: the sweep reads the records under the same lock.
        event_record(
            request=request,
            step=steps.SHOPIFY_WRITTEN,
            payload=events.ShopifyWritten(event=event_id, note=line, tags=tuple(tags)),
        )
    return True


def _written(request, event_id: int) -> bool:
    written = steps.SHOPIFY_WRITTEN.event_type
    return request.events.filter(type=written, data__event=event_id).exists()
