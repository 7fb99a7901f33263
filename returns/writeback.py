"""Writing an event back on the Shopify order, the way a careful person would by hand.

Each step adds one dated line to the order note and sets a tag. The note is for the shop's staff,
so it is written in the shop's language, not the shopper's.
"""

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import order_note
from .models import ReturnEvent
from .services.common import event_record
from .shopify import notes

TAGS = {
    "returns.requested": "return-requested",
    "returns.approved": "return-approved",
    "returns.rejected": "return-rejected",
    "returns.received": "return-received",
    "returns.replacement_shipped": "replacement-shipped",
    "returns.refund.succeeded": "return-refunded",
}


def _items(request) -> str:
    return ", ".join(f"{line.quantity} × {line.title}" for line in request.lines.all())


def _what(event: ReturnEvent) -> str:
    request, data = event.request, event.data
    match event.type:
        case "returns.requested" if request.kind == request.Kind.CLAIM:
            return _("claim filed (defect): %(items)s") % {"items": _items(request)}
        case "returns.requested":
            return _("return requested (not satisfied): %(items)s") % {"items": _items(request)}
        case "returns.approved":
            return _("approved")
        case "returns.rejected":
            return _("rejected: %(reason)s") % {"reason": data.get("reason", "")}
        case "returns.received":
            received = ", ".join(f"{line['received']} × {line['title']}" for line in data["lines"])
            restock = _("restocked") if data.get("restock") else _("not restocked")
            return _("parcel received: %(items)s (%(restock)s)") % {
                "items": received,
                "restock": restock,
            }
        case "returns.replacement_shipped":
            titles = ", ".join(line.title for line in request.lines.all())
            return _(
                "%(items)s defective, replacement shipped on %(date)s, %(carrier)s %(number)s"
            ) % {
                "items": titles,
                "date": data["shipped_on"],
                "carrier": data["carrier"],
                "number": data["tracking_number"],
            }
        case "returns.refund.succeeded":
            return _("refunded %(amount)s %(currency)s") % data
    raise ValueError(f"No note line for event {event.type}")


def note_line(event: ReturnEvent) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(timezone.localdate(event.created_at), "Y-m-d")
        return f"{day} {event.request.number}: {_what(event)}"


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
    tags = [TAGS[event.type]] if event.type in TAGS else []
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
            type="shopify.written",
            actor=ReturnEvent.Actor.SYSTEM,
            data={"event": event_id, "note": line, "tags": tags},
        )
    return True


def _written(request, event_id: int) -> bool:
    return request.events.filter(type="shopify.written", data__event=event_id).exists()
