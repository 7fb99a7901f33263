"""A request's audit trail in words, as staff read it on the request's screen.

One line per event: when, who, the step's label (returns/steps.py) and a short account of what it
recorded, in the staff member's language. Each kind of payload (returns/events.py) is described by
one function below; an event's JSON is never shown. A new payload type needs one function here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import events, money, steps
from .models import ReturnEvent, ReturnRequest
from .rules.words import decided_in_words

# Day, month in words, year and time as the staff's language writes them: "12 december 2026
# 14:03", "12. Dezember 2026 14:03" (the locale's own format, not one pattern for all).
WHEN_FORMAT = "DATETIME_FORMAT"


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    detail: str = ""
    # What Shopify said of it, when it has answered: "confirmed by Shopify", "in Shopify".
    shopify: str = ""
    # A step that went wrong or waits: shown so that staff notice it.
    trouble: bool = False

    @property
    def when(self) -> str:
        return formats.date_format(timezone.localtime(self.at), WHEN_FORMAT)


def _quoted(text: str) -> str:
    """Words someone wrote, between the quotation marks of the staff member's language."""
    return _("“%(text)s”") % {"text": text}


def _items(payload: events.Requested, request) -> str:
    return ", ".join(f"{item.quantity} × {item.title}" for item in payload.items)


def _rejected(payload: events.Rejected, request) -> str:
    return _quoted(payload.reason) if payload.reason else ""


def _received(payload: events.Received, request) -> str:
    items = steps.received_in_words(payload)
    if all(line.quantity is not None for line in payload.lines) and items:
        return items  # each item says its condition and restocking
    # Recorded before conditions were taken: one restock choice for the whole parcel.
    restock = _("restocked") if payload.restock else _("not restocked")
    return f"{items} ({restock})" if items else restock


def _photos_asked(payload: events.PhotosAsked, request) -> str:
    return _quoted(payload.message) if payload.message else ""


def _photos_added(payload: events.PhotosAdded, request) -> str:
    return ngettext("%(count)d photo", "%(count)d photos", payload.count) % {"count": payload.count}


def _shipped(payload: events.ReplacementShipped, request) -> str:
    date = formats.date_format(payload.shipped_on, "DATE_FORMAT")
    if not payload.tracking_number:  # shipped from Shopify without a tracking number
        return _("shipped on %(date)s") % {"date": date}
    return _("%(carrier)s %(number)s, shipped on %(date)s") % {
        "carrier": payload.carrier,
        "number": payload.tracking_number,
        "date": date,
    }


def _replacement_ordered(payload: events.ReplacementOrdered, request) -> str:
    if payload.error:
        return payload.error
    if payload.order_name:
        return _("order %(order)s") % {"order": payload.order_name}
    return ""


def _amount(payload, request) -> str:
    shown = money.format_with_code(payload.amount, payload.currency)
    error = getattr(payload, "error", "")
    return f"{shown}: {error}" if error else shown


def _attempt(payload: events.RefundAttemptFailed, request) -> str:
    return _("attempt %(attempt)d: %(error)s") % {
        "attempt": payload.attempt,
        "error": payload.error,
    }


def _written(payload: events.ShopifyWritten, request) -> str:
    tags = ", ".join(payload.tags)
    note = _quoted(payload.note)
    return _("%(note)s, tags: %(tags)s") % {"note": note, "tags": tags} if tags else note


def _error(payload, request) -> str:
    return payload.error


def _scope(payload: events.ScopeMissing, request) -> str:
    return ", ".join(payload.scopes)


def _resumed(payload: events.ShopifyReturnResumed, request) -> str:
    count = len(payload.events)
    return ngettext("%(count)d step", "%(count)d steps", count) % {"count": count}


def _repaired(payload: events.NoteRepaired, request) -> str:
    return _quoted(payload.note)


def _photos_deleted(payload: events.PhotosDeleted, request) -> str:
    return ngettext("%(count)d photo", "%(count)d photos", payload.photos) % {
        "count": payload.photos
    }


def _email(payload: events.EmailSent, request) -> str:
    try:
        step = steps.step_for_email(payload.kind)
    except KeyError:  # an email no step sends (written by an older release)
        return ""
    if step.email_subject is not None:
        subject = str(step.email_subject) % {"number": request.number, "order": request.order}
        return _quoted(subject)
    return _quoted(step.shopper_label or step.label)


DESCRIBE: dict[type[events.Payload], Callable[[events.Payload, ReturnRequest], str]] = {
    events.Nothing: lambda payload, request: "",
    events.Requested: _items,
    events.Rejected: _rejected,
    events.Received: _received,
    events.PhotosAsked: _photos_asked,
    events.PhotosAdded: _photos_added,
    events.ReplacementShipped: _shipped,
    events.ReplacementOrdered: _replacement_ordered,
    events.RefundMoved: _amount,
    events.RefundLateSuccess: _amount,
    events.RefundAttemptFailed: _attempt,
    events.ShopifyWritten: _written,
    events.ShopifyWriteFailed: _error,
    events.ScopeMissing: _scope,
    events.ShopifyReturnResumed: _resumed,
    events.OrderCancelFailed: _error,
    events.NoteRepaired: _repaired,
    events.ShopRedacted: lambda payload, request: "",
    events.PhotosDeleted: _photos_deleted,
    events.EmailSent: _email,
    events.RuleDecided: lambda payload, request: decided_in_words(payload),
}

# Shopify's own answer to a step the portal asked for: money moved, an order cancelled.
CONFIRMED_BY_SHOPIFY = frozenset(
    {steps.REFUND_SUCCEEDED.name, steps.REFUND_LATE_SUCCESS.name, steps.ORDER_CANCELLED.name}
)
TROUBLE = frozenset(
    {
        steps.REFUND_FAILED.name,
        steps.REFUND_ATTEMPT_FAILED.name,
        steps.ORDER_CANCEL_FAILED.name,
        steps.SHOPIFY_WRITE_FAILED.name,
        steps.SHOPIFY_RETURN_REFUSED.name,
        steps.SHOPIFY_RETURN_WAITING.name,
    }
)


def describe(event: ReturnEvent, request: ReturnRequest) -> str:
    """What the event recorded, in a few words; "" when its step says it all."""
    step = steps.step_for_event(event.type)
    try:
        payload = events.payload_of(event)
    except (TypeError, ValueError, KeyError):  # data an older release wrote in another shape
        return ""
    describe_payload = DESCRIBE.get(type(payload))
    return describe_payload(payload, request) if describe_payload and step.name != "unknown" else ""


def who(event: ReturnEvent, customer_name: str) -> str:
    """ "Anna de Vries (staff)", "Jonas Müller (customer)", "System"."""
    if event.actor == ReturnEvent.Actor.STAFF:
        user = event.user
        name = (user.get_full_name() or user.get_username()) if user else _("Staff member")
        return _("%(name)s (staff)") % {"name": name}
    if event.actor == ReturnEvent.Actor.CUSTOMER:
        if customer_name:
            return _("%(name)s (customer)") % {"name": customer_name}
        return _("Customer")
    return _("System")


def request_history(request: ReturnRequest, *, customer_name: str = "") -> list[HistoryLine]:
    """The request's events in words, oldest first: one query, however long the trail."""
    trail = list(request.events.select_related("user").order_by("created_at", "pk"))
    written = _written_back(trail)
    lines = []
    for event in trail:
        if event.type == steps.SHOPIFY_WRITTEN.event_type and event.data.get("event") in written:
            continue  # said on the line of the step it wrote: "noted on the Shopify order"
        step = steps.step_for_event(event.type)
        shopify = ""
        if step.name in CONFIRMED_BY_SHOPIFY:
            shopify = _("confirmed by Shopify")
        elif step.name.endswith("_in_shopify") or step is steps.MADE_IN_SHOPIFY:
            shopify = _("done in Shopify")
        elif event.pk in written:
            shopify = _("noted on the Shopify order")
        lines.append(
            HistoryLine(
                at=event.created_at,
                who=who(event, customer_name),
                what=str(step.history_label),
                detail=describe(event, request),
                shopify=shopify,
                trouble=step.name in TROUBLE,
            )
        )
    return lines


def _written_back(trail: list[ReturnEvent]) -> set[int]:
    """The events whose note line and tag Shopify's order has taken."""
    done = set()
    for event in trail:
        if event.type == steps.SHOPIFY_WRITTEN.event_type:
            target = (event.data or {}).get("event")
            if isinstance(target, int):
                done.add(target)
    return done
