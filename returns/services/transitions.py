"""What staff do with a request: approve, reject, mark received, ship a replacement.

Each transition locks the request, checks its status, changes it, records the event, and after
commit writes the step on the Shopify order and tells the shopper. Asking for the state a request
is already in does nothing and raises nothing, so a double click or two staff members clicking the
same button is harmless; asking for a transition the status does not allow raises ReturnError.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import tasks
from ..carriers import tracking_url
from ..models import Replacement, ReturnEvent, ReturnKind, ReturnRequest, ReturnStatus
from .common import ReturnError, event_record

NOT_ALLOWED = _("%(number)s has the status “%(status)s”; that step is not possible now.")
REJECTION_REASON_REQUIRED = _("Give the shopper a reason for the rejection.")
RECEIVED_QUANTITY = _("Received quantities must be between 0 and the quantity returned.")
NOTHING_RECEIVED = _("Enter how many of at least one item arrived.")
CLAIMS_ONLY = _("Replacements are shipped for claims (defects), not for returns.")
TRACKING_REQUIRED = _("Enter the tracking number of the replacement.")
TRACKING_TOO_LONG = _("A tracking number has at most 64 characters.")
UNKNOWN_CARRIER = _("Choose one of the listed carriers.")
SHIPPED_IN_FUTURE = _("The shipping date cannot be in the future.")

Status = ReturnStatus


def _locked(request_id: int) -> ReturnRequest:
    # of=("self",): lock the request only; PostgreSQL would otherwise lock the joined order too,
    # against refund_request's order-then-request order, and the two could deadlock.
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order")
        .get(pk=request_id)
    )


def _refuse(request: ReturnRequest) -> None:
    raise ReturnError(
        NOT_ALLOWED % {"number": request.number, "status": request.get_status_display()}
    )


def _after_commit(event: ReturnEvent, email_kind: str | None) -> None:
    transaction.on_commit(lambda: tasks.shopify_order_write_back.delay(event.pk))
    if email_kind:
        request_id = event.request_id
        transaction.on_commit(lambda: tasks.customer_email_send.delay(request_id, email_kind))


def return_approve(*, request_id: int, user) -> ReturnRequest:
    with transaction.atomic():
        request = _locked(request_id)
        if request.status == Status.APPROVED:
            return request
        if request.status != Status.REQUESTED:
            _refuse(request)
        request.status = Status.APPROVED
        request.approved_at = timezone.now()
        request.save(update_fields=["status", "approved_at"])
        event = event_record(
            request=request,
            type="returns.approved",
            actor=ReturnEvent.Actor.STAFF,
            user=user,
            customer_visible=True,
        )
        _after_commit(event, "approved")
    return request


def return_reject(*, request_id: int, user, reason: str) -> ReturnRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ReturnError(REJECTION_REASON_REQUIRED)
    with transaction.atomic():
        request = _locked(request_id)
        if request.status == Status.REJECTED:
            return request
        if request.status not in (Status.REQUESTED, Status.APPROVED, Status.RECEIVED):
            _refuse(request)
        if request.refunds.exists():
            _refuse(request)
        request.status = Status.REJECTED
        request.rejected_at = timezone.now()
        request.rejection_reason = reason
        request.save(update_fields=["status", "rejected_at", "rejection_reason"])
        event = event_record(
            request=request,
            type="returns.rejected",
            actor=ReturnEvent.Actor.STAFF,
            user=user,
            customer_visible=True,
            data={"reason": reason},
        )
        _after_commit(event, "rejected")
    return request


def return_receive(
    *, request_id: int, user, received: dict[int, int], restock: bool
) -> ReturnRequest:
    """Mark the parcel received, with how many of each line arrived (keyed by ReturnLine id)."""
    with transaction.atomic():
        request = _locked(request_id)
        if request.status == Status.RECEIVED:
            return request
        if request.status not in (Status.REQUESTED, Status.APPROVED):
            _refuse(request)
        lines = list(request.lines.all())
        counts = {line.pk: received.get(line.pk, 0) for line in lines}
        if any(not (0 <= counts[line.pk] <= line.quantity) for line in lines):
            raise ReturnError(RECEIVED_QUANTITY)
        if not any(counts.values()):
            raise ReturnError(NOTHING_RECEIVED)
        for line in lines:
            line.received_quantity = counts[line.pk]
            line.save(update_fields=["received_quantity"])
        request.status = Status.RECEIVED
        request.received_at = timezone.now()
        request.restock = restock
        request.save(update_fields=["status", "received_at", "restock"])
        event = event_record(
            request=request,
            type="returns.received",
            actor=ReturnEvent.Actor.STAFF,
            user=user,
            customer_visible=True,
            data={
                "restock": restock,
                "lines": [{"title": line.title, "received": counts[line.pk]} for line in lines],
            },
        )
        _after_commit(event, "received")
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
        if request.kind != ReturnKind.CLAIM:
            raise ReturnError(CLAIMS_ONLY)
        if request.status not in (Status.APPROVED, Status.RECEIVED):
            _refuse(request)
        replacement = Replacement.objects.create(
            request=request,
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url(carrier, tracking_number, request.locale),
            shipped_on=shipped_on,
            created_by=user,
        )
        request.status = Status.RESOLVED
        request.resolved_at = timezone.now()
        request.save(update_fields=["status", "resolved_at"])
        event = event_record(
            request=request,
            type="returns.replacement_shipped",
            actor=ReturnEvent.Actor.STAFF,
            user=user,
            customer_visible=True,
            data={
                "replacement": replacement.pk,
                "carrier": replacement.get_carrier_display(),
                "tracking_number": tracking_number,
                "tracking_url": replacement.tracking_url,
                "shipped_on": shipped_on.isoformat(),
            },
        )
        _after_commit(event, "replacement_shipped")
    return replacement
