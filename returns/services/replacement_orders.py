"""A claim's replacement made as an order in Shopify, and shipped when Shopify says it is.

Staff take REPLACEMENT_ORDER: a Replacement row marked as a Shopify order is made at once, and a
task makes the order in Shopify (a draft order for the claim's variants at no charge, completed;
returns/shopify/replacement_orders.py), storing the draft's id as soon as Shopify gave it, then
the order's. The request stays open: nothing has left the warehouse yet. When the warehouse
fulfils the order, Shopify's fulfillments/create webhook (fulfillment_webhooks.py) brings the
carrier and tracking number, and `replacement_fulfilled` takes REPLACEMENT_SHIPPED_IN_SHOPIFY,
which is SHIP taken by Shopify: the same note line, tag, status page and email, without anyone
typing the number.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import events, steps, tasks
from ..carriers import carrier_of_company, tracking_url
from ..models import Replacement, ReturnRequest
from ..shopify import replacement_orders as shopify_replacements
from .common import ReturnError, event_record, step_record
from .transitions import request_move

__all__ = [
    "ReturnError",
    "replacement_fulfilled",
    "replacement_order_create",
    "replacement_order_failure_record",
    "replacement_order_place",
]


def _locked(request_id: int) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update(of=("self",)).get(pk=request_id)


def replacement_order_create(*, request_id: int, user) -> Replacement:
    """Staff's step: have the claim's replacement made as an order in Shopify, once."""
    with transaction.atomic():
        request = _locked(request_id)
        existing = request.replacements.filter(in_shopify=True).first()
        if existing is not None and not steps.REPLACEMENT_ORDER.allowed(request):
            return existing  # being made, or made: asking again changes nothing
        steps.REPLACEMENT_ORDER.check(request)
        if existing is not None:
            # Shopify refused the last attempt: try again, for the audit trail only (the note
            # line and tag were written the first time).
            event_record(
                request=request,
                step=steps.REPLACEMENT_ORDER,
                user=user,
                payload=events.ReplacementOrdered(replacement=existing.pk),
            )
            tasks.replacement_order_place.delay_on_commit(existing.pk)
            return existing
        replacement = Replacement.objects.create(
            request=request,
            state=Replacement.State.ORDERED,
            in_shopify=True,
            created_by=user,
        )
        step_record(
            request=request,
            step=steps.REPLACEMENT_ORDER,
            user=user,
            payload=events.ReplacementOrdered(replacement=replacement.pk),
        )
        tasks.replacement_order_place.delay_on_commit(replacement.pk)
    return replacement


def _note(request: ReturnRequest) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Replacement for %(number)s (order %(order)s), at no charge.") % {
            "number": request.number,
            "order": request.order.name,
        }


def replacement_order_place(*, replacement_id: int) -> Replacement:
    """Make the replacement's order in Shopify; safe to run again at any point (ShopifyError
    propagates, so the task retries)."""
    replacement = Replacement.objects.select_related("request__order").get(pk=replacement_id)
    if replacement.shopify_order_id:
        return replacement
    request = replacement.request
    if not replacement.draft_order_id:
        draft = shopify_replacements.draft_order_create(
            return_number=request.number,
            order_id=request.order.shopify_id,
            lines=[
                shopify_replacements.ReplacementLine(line.line_item_id, line.quantity)
                for line in request.lines.all()
            ],
            note=_note(request),
        )
        # Kept before completing it, so a retry completes this draft rather than looking again.
        Replacement.objects.filter(pk=replacement.pk).update(draft_order_id=draft.id)
        replacement.draft_order_id = draft.id
    draft = shopify_replacements.draft_order_complete(replacement.draft_order_id)
    with transaction.atomic():
        replacement = Replacement.objects.select_for_update().get(pk=replacement_id)
        if replacement.shopify_order_id:
            return replacement
        replacement.shopify_order_id = draft.order_id or ""
        replacement.shopify_order_name = draft.order_name or ""
        replacement.save(update_fields=["shopify_order_id", "shopify_order_name"])
        event_record(
            request=request,
            step=steps.REPLACEMENT_ORDER_MADE,
            payload=events.ReplacementOrdered(
                replacement=replacement.pk, order_name=replacement.shopify_order_name
            ),
        )
    return replacement


def replacement_order_failure_record(*, replacement_id: int, error: str) -> None:
    """Shopify did not make the order: staff see why, and may log a replacement sent otherwise."""
    replacement = Replacement.objects.select_related("request").get(pk=replacement_id)
    event_record(
        request=replacement.request,
        step=steps.REPLACEMENT_ORDER_FAILED,
        payload=events.ReplacementOrdered(replacement=replacement.pk, error=error),
    )


def replacement_fulfilled(
    *,
    order_id: str,
    company: str | None,
    number: str | None,
    url: str | None,
    shipped_on: date | None = None,
) -> Replacement | None:
    """Shopify fulfilled a replacement order: record its tracking and ship the replacement.

    None when the order is no replacement's. A repeated or later delivery for a replacement
    already shipped only fills in a tracking number it did not have yet.
    """
    found = Replacement.objects.filter(in_shopify=True, shopify_order_id=order_id).first()
    if found is None:
        return None
    number = (number or "").strip()[:64]
    with transaction.atomic():
        request = _locked(found.request_id)
        replacement = Replacement.objects.select_for_update().get(pk=found.pk)
        carrier = carrier_of_company(company) if (company or number) else ""
        link = (url or "").strip()[:500] or tracking_url(carrier, number, request.locale)
        if replacement.state == Replacement.State.SHIPPED:
            if number and not replacement.tracking_number:
                replacement.carrier, replacement.tracking_number = carrier, number
                replacement.tracking_url = link
                replacement.save(update_fields=["carrier", "tracking_number", "tracking_url"])
            return replacement
        replacement.state = Replacement.State.SHIPPED
        replacement.carrier, replacement.tracking_number, replacement.tracking_url = (
            carrier,
            number,
            link if number else "",
        )
        replacement.shipped_on = shipped_on or timezone.localdate()
        replacement.save(
            update_fields=["state", "carrier", "tracking_number", "tracking_url", "shipped_on"]
        )
        step = steps.REPLACEMENT_SHIPPED_IN_SHOPIFY
        # A request staff resolved or closed meanwhile keeps its status; the tracking is kept.
        if step.allowed(request):
            request_move(request, step)
            step_record(
                request=request,
                step=step,
                payload=events.ReplacementShipped(
                    replacement=replacement.pk,
                    carrier=replacement.get_carrier_display(),
                    tracking_number=number,
                    tracking_url=replacement.tracking_url,
                    shipped_on=replacement.shipped_on,
                ),
            )
    return replacement
