"""Steps on Shopify Returns that wait for an access scope the merchant has not granted the app.

Shopify answers a field the app has no scope for with ACCESS_DENIED. Sending it again cannot help
until the merchant grants the scope, so the task gives up at once (returns/tasks.py) and the
request's audit trail says which step waits for which scope; the back office names the missing
scopes on its pages and says what to do. Once Shopify lists the scopes as granted, the stalled-work
sweep (every five minutes) or "Send their stalled Shopify work again" sends the request's Return
steps again, from the first that waited, in order and one at a time. Each reads the Return first
and sends only what is missing (shopify_returns.py), so a step done meanwhile is not done twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from celery import chain
from django.db import transaction
from django.db.models import Exists, OuterRef

from .. import events, steps, tasks
from ..models import ReturnEvent, ReturnRequest
from ..shopify.errors import ShopifyError
from ..shopify.scopes import scopes_check_forget, scopes_missing_checked, scopes_wanted
from .common import event_record

__all__ = [
    "open_return_refusals",
    "open_scope_waits",
    "shopify_return_in_step_record",
    "shopify_return_refusals_resend",
    "shopify_return_scope_wait_record",
    "shopify_return_waits_resume",
]

logger = logging.getLogger(__name__)

WAITING = steps.SHOPIFY_RETURN_WAITING.event_type
RESUMED = steps.SHOPIFY_RETURN_RESUMED.event_type
IN_STEP = steps.SHOPIFY_RETURN_IN_STEP.event_type
REFUSED = steps.SHOPIFY_RETURN_REFUSED.event_type
RETURN_STEPS = tuple(step.event_type for step in steps.STEPS if step.shopify_return)


def shopify_return_scope_wait_record(*, event_id: int, scopes: tuple[str, ...], error: str) -> None:
    """Note in the audit trail that the event's step on the Shopify Return waits for a scope."""
    event = ReturnEvent.objects.select_related("request").get(pk=event_id)
    wanted = tuple(scopes_wanted(tuple(scopes)))
    event_record(
        request=event.request,
        step=steps.SHOPIFY_RETURN_WAITING,
        payload=events.ScopeMissing(event=event_id, scopes=wanted, error=error),
    )
    scopes_check_forget()  # the back office's pages say so from the next one on
    logger.warning(
        "%s waits for the access scope(s) %s on its Shopify Return: %s",
        event.request.number,
        ", ".join(wanted) or "named by Shopify",
        error,
    )


def _since_last_resumption(event_type: str, request_ids: list[int] | None):
    resumed_since = ReturnEvent.objects.filter(
        request=OuterRef("request"), type__in=(RESUMED, IN_STEP), pk__gt=OuterRef("pk")
    )
    recorded = ReturnEvent.objects.filter(type=event_type).exclude(Exists(resumed_since))
    if request_ids is not None:
        recorded = recorded.filter(request_id__in=request_ids)
    return recorded


def open_scope_waits(request_ids: list[int] | None = None):
    """Waits recorded after their request's last resumption."""
    return _since_last_resumption(WAITING, request_ids)


def open_return_refusals(request_ids: list[int] | None = None):
    """Steps Shopify refused on the Return since their request's last resumption, or since its
    Return was last in step again: a person looks at the audit trail."""
    return _since_last_resumption(REFUSED, request_ids)


def shopify_return_in_step_record(*, request: ReturnRequest) -> None:
    """The Return has just been brought up to where the request is: close what was left open."""
    ids = [request.pk]
    if open_return_refusals(ids).exists() or open_scope_waits(ids).exists():
        event_record(request=request, step=steps.SHOPIFY_RETURN_IN_STEP)


def shopify_return_refusals_resend(*, request_ids: list[int]) -> int:
    """Staff put right what Shopify objected to: send these requests' refused Return steps once
    more (the last refused one brings the whole Return up to date); returns how many."""
    last_refused = {}
    for refusal in open_return_refusals(request_ids).order_by("pk"):
        last_refused[refusal.request_id] = refusal.data["event"]
    for event_id in last_refused.values():
        tasks.shopify_return_step.delay_on_commit(event_id)
    return len(last_refused)


def shopify_return_waits_resume(*, request_ids: list[int] | None = None) -> int:
    """Send the waiting Return steps again where Shopify now grants what they waited for; returns
    how many requests were resumed. Asks Shopify for the app's scopes only if a step waits."""
    waits = defaultdict(list)
    for wait in open_scope_waits(request_ids).order_by("pk"):
        waits[wait.request_id].append(wait)
    if not waits:
        return 0
    try:
        missing = set(scopes_missing_checked())
    except ShopifyError as error:
        logger.warning("Could not check the app's access scopes: %s", error.message)
        return 0
    resumed = 0
    for request_id, its_waits in waits.items():
        needed = {scope for wait in its_waits for scope in wait.data.get("scopes") or ()}
        # A wait whose scope Shopify did not name resumes once nothing is missing.
        if needed & missing or (missing and not needed):
            continue
        first = min(wait.data["event"] for wait in its_waits)
        resumed += _resume(request_id, first)
    return resumed


@transaction.atomic
def _resume(request_id: int, first_event: int) -> int:
    request = ReturnRequest.objects.select_for_update().get(pk=request_id)
    if not open_scope_waits([request_id]).exists():
        return 0  # another sweep resumed it meanwhile
    event_ids = tuple(
        ReturnEvent.objects.filter(request=request, type__in=RETURN_STEPS, pk__gte=first_event)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    event_record(
        request=request,
        step=steps.SHOPIFY_RETURN_RESUMED,
        payload=events.ShopifyReturnResumed(events=event_ids),
    )
    # One after the other, so that two steps never make two Returns for one request.
    sent = chain(*(tasks.shopify_return_step.si(event_id) for event_id in event_ids))
    transaction.on_commit(sent.apply_async)
    return 1
