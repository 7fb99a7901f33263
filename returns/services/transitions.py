"""What staff and shoppers do with a request: approve, reject, mark received, ship a replacement,
cancel.

Each transition locks the request, asks its step (returns/steps.py) whether it is allowed now,
changes it, records the step, and after commit writes it on the Shopify order and tells the
shopper. Asking for the state a request is already in does nothing and raises nothing, so a double
click or two staff members clicking the same button is harmless; asking for a step the request
does not allow raises ReturnError.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events, steps
from ..carriers import tracking_url
from ..models import ItemCondition, Replacement, ReturnRequest
from .common import ReturnError, step_record

REJECTION_REASON_REQUIRED = _("Give the shopper a reason for the rejection.")
RECEIVED_QUANTITY = _("Received quantities must be between 0 and the quantity returned.")
NOTHING_RECEIVED = _("Enter how many of at least one item arrived.")
UNKNOWN_CONDITION = _("Choose the condition of the items that arrived: as new or damaged.")
TRACKING_REQUIRED = _("Enter the tracking number of the replacement.")
TRACKING_TOO_LONG = _("A tracking number has at most 64 characters.")
UNKNOWN_CARRIER = _("Choose one of the listed carriers.")
SHIPPED_IN_FUTURE = _("The shipping date cannot be in the future.")


def _locked(request_id: int) -> ReturnRequest:
    # of=("self",): lock the request only; PostgreSQL would otherwise lock the joined order too,
    # against refund_request's order-then-request order, and the two could deadlock.
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=request_id)
    )


def request_move(request: ReturnRequest, step: steps.Step, **fields) -> None:
    """Put the request where the step leads, stamping the step's own timestamp column."""
    request.status = step.to_status
    setattr(request, f"{step.to_status}_at", timezone.now())
    for name, value in fields.items():
        setattr(request, name, value)
    request.save(update_fields=["status", f"{step.to_status}_at", *fields])


def return_approve(*, request_id: int, user, step: steps.Step = steps.APPROVE) -> ReturnRequest:
    """Approve the request; `step` is APPROVE as the system takes it when a rule decides."""
    with transaction.atomic():
        request = _locked(request_id)
        if step.done(request):
            return request
        step.check(request)
        request_move(request, step)
        step_record(request=request, step=step, user=user)
    return request


def return_reject(
    *, request_id: int, user, reason: str, step: steps.Step = steps.REJECT
) -> ReturnRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError(REJECTION_REASON_REQUIRED)
    with transaction.atomic():
        request = _locked(request_id)
        if step.done(request):
            return request
        step.check(request)
        request_move(request, step, rejection_reason=reason)
        step_record(request=request, step=step, user=user, payload=events.Rejected(reason=reason))
    return request


def return_receive(
    *,
    request_id: int,
    user,
    received: dict[int, int],
    restock: bool = False,
    conditions: dict[int, str] | None = None,
    restocks: dict[int, bool] | None = None,
) -> ReturnRequest:
    """Mark the parcel received: per line (keyed by ReturnLine id) how many units arrived, their
    condition (as new unless given) and whether they go back in stock (given per line, else
    `restock` for units as new; damaged units are not restocked unless staff say so).

    A request whose refunds already cover what arrived (refunded before the parcel came) is
    resolved by its receipt.
    """
    conditions, restocks = conditions or {}, restocks or {}
    with transaction.atomic():
        request = _locked(request_id)
        if steps.RECEIVE.done(request):
            return request
        steps.RECEIVE.check(request)
        lines = list(request.lines.all())
        counts = {line.pk: received.get(line.pk, 0) for line in lines}
        if any(not (0 <= counts[line.pk] <= line.quantity) for line in lines):
            raise ReturnError(RECEIVED_QUANTITY)
        if not any(counts.values()):
            raise ReturnError(NOTHING_RECEIVED)
        if any(value not in ItemCondition.values for value in conditions.values()):
            raise ReturnError(UNKNOWN_CONDITION)
        for line in lines:
            line.received_quantity = counts[line.pk]
            arrived = bool(line.received_quantity)
            line.condition = conditions.get(line.pk, ItemCondition.AS_NEW) if arrived else ""
            as_new = line.condition == ItemCondition.AS_NEW
            line.restock = arrived and restocks.get(line.pk, restock and as_new)
            line.save(update_fields=["received_quantity", "condition", "restock"])
        restocked = any(line.restock for line in lines)
        request_move(request, steps.RECEIVE, restock=restocked)
        payload = events.Received(
            restock=restocked,
            lines=tuple(
                events.ItemReceived(
                    title=line.title,
                    received=line.received_quantity,
                    quantity=line.quantity,
                    condition=line.condition,
                    restock=line.restock,
                )
                for line in lines
            ),
        )
        step_record(request=request, step=steps.RECEIVE, user=user, payload=payload)
        if steps.REFUND_SUCCEEDED.allowed(request):
            request_move(request, steps.REFUND_SUCCEEDED)
    return request


def replacement_ship(
    *, request_id: int, user, carrier: str, tracking_number: str, shipped_on: date
) -> Replacement:
    """Log the replacement sent for a claim; the claim is then resolved."""
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise ReturnError(TRACKING_REQUIRED)
    if len(tracking_number) > 64:
        raise ReturnError(TRACKING_TOO_LONG)
    if carrier not in Replacement.Carrier.values:
        raise ReturnError(UNKNOWN_CARRIER)
    if shipped_on > timezone.localdate():
        raise ReturnError(SHIPPED_IN_FUTURE)
    with transaction.atomic():
        request = _locked(request_id)
        existing = request.replacements.filter(
            carrier=carrier, tracking_number=tracking_number
        ).first()
        if existing:
            return existing
        steps.SHIP.check(request)
        replacement = Replacement.objects.create(
            request=request,
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url(carrier, tracking_number, request.locale),
            shipped_on=shipped_on,
            created_by=user,
        )
        request_move(request, steps.SHIP)
        payload = events.ReplacementShipped(
            replacement=replacement.pk,
            carrier=replacement.get_carrier_display(),
            tracking_number=tracking_number,
            tracking_url=replacement.tracking_url,
            shipped_on=shipped_on,
        )
        step_record(request=request, step=steps.SHIP, user=user, payload=payload)
    return replacement


def return_cancel(*, request_id: int) -> ReturnRequest:
    """The shopper withdraws a request nobody has acted on yet; its items may be chosen again."""
    with transaction.atomic():
        request = _locked(request_id)
        if steps.CANCEL.done(request):
            return request
        steps.CANCEL.check(request)
        request_move(request, steps.CANCEL)
        step_record(request=request, step=steps.CANCEL)
    return request
