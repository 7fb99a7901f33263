"""Reads used by views, admin and tasks. No writes here."""

import hmac
import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.utils import timezone

from . import events, money, steps
from .models import (
    ClaimRemedy,
    Refund,
    RefundState,
    ReturnEvent,
    ReturnKind,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ShopifyOrder,
)
from .models_policy import PolicyVersion
from .policy import WITHDRAWAL_REFUND_DAYS, ReturnPolicy
from .policy_versions import policy_from_version
from .shopify.types import Order

TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
# Requests still in progress: their units are reserved, and staff may still reject them.
OPEN_STATUSES = tuple(sorted(steps.OPEN))


def order_snapshot(order: ShopifyOrder) -> Order:
    return Order.from_json(order.data)


def reserved_quantities(order: ShopifyOrder) -> dict[str, int]:
    """Units of each line item in requests still open; Shopify does not know about them yet."""
    rows = (
        ReturnLine.objects.filter(request__order=order, request__status__in=OPEN_STATUSES)
        .values("line_item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["line_item_id"]: row["total"] for row in rows}


def settled_quantities(order: ShopifyOrder) -> dict[str, int]:
    """Units of each line item already answered that Shopify's refundable quantity still counts.

    Units replaced under a claim (Shopify never hears of a replacement), and units the portal
    refunded in a refund the order copy does not show yet.
    """
    settled: dict[str, int] = {}
    replaced = (
        ReturnLine.objects.filter(request__order=order, request__replacements__isnull=False)
        .exclude(request__status__in=OPEN_STATUSES)
        .values("request_id", "line_item_id", "quantity")
        .distinct()
    )
    for row in replaced:
        settled[row["line_item_id"]] = settled.get(row["line_item_id"], 0) + row["quantity"]
    known = {refund.id for refund in order_snapshot(order).refunds}
    refunded = Refund.objects.filter(request__order=order, state=RefundState.SUCCEEDED).exclude(
        shopify_refund_id__in=known
    )
    for lines in refunded.values_list("lines", flat=True):
        for line in lines:
            item = line["line_item_id"]
            settled[item] = settled.get(item, 0) + line["quantity"]
    return settled


def _by_token(requests, token: str) -> ReturnRequest | None:
    """The request behind a status link, or None. The token is compared in constant time."""
    # Tokens are URL-safe base64 (models.new_status_token). Anything else is no token, and must
    # not reach the database: PostgreSQL refuses a NUL in a query with an error, not a miss.
    if not token or len(token) > 64 or not TOKEN_ALPHABET.fullmatch(token):
        return None
    request = requests.filter(token=token).first()
    if request is None or not hmac.compare_digest(request.token, token):
        return None
    return request


def request_by_token(token: str) -> ReturnRequest | None:
    return _by_token(ReturnRequest.objects.select_related("order"), token)


def status_page_request(token: str) -> ReturnRequest | None:
    """request_by_token() for the status page, with what Shopify refunded (`refunded_total`) in
    the same query, and without the order's snapshot, its largest column, which the page does not
    show.
    """
    refunded = (
        Refund.objects.filter(request=OuterRef("pk"), state=RefundState.SUCCEEDED)
        .values("request")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    requests = (
        ReturnRequest.objects.select_related("order")
        .defer("order__data")
        .annotate(refunded_total=Subquery(refunded))
    )
    request = _by_token(requests, token)
    if request is not None and request.refunded_total is not None:
        # SQLite sums decimals without their scale.
        request.refunded_total = money.total([request.refunded_total], request.order.currency)
    return request


def customer_events(request: ReturnRequest) -> list[ReturnEvent]:
    return list(request.events.filter(customer_visible=True).order_by("created_at", "id"))


def unwritten_shopify_writes(*, before=None) -> list[tuple[int, int]]:
    """(request id, event id) of steps whose write to Shopify failed and never succeeded since."""
    failed = ReturnEvent.objects.filter(type=steps.SHOPIFY_WRITE_FAILED.event_type)
    if before is not None:
        failed = failed.filter(created_at__lt=before)
    pairs = set(failed.values_list("request_id", "data__event"))
    written = set(
        ReturnEvent.objects.filter(
            type=steps.SHOPIFY_WRITTEN.event_type,
            request_id__in={request_id for request_id, _ in pairs},
        ).values_list("data__event", flat=True)
    )
    return sorted((request_id, event) for request_id, event in pairs if event not in written)


def stalled_refunds(*, quiet_since, now):
    """Refunds still pending, quiet since `quiet_since`, and not being sent right now (their
    lease has run out): the stalled-work sweep sends them again, the to-do queue counts them."""
    return Refund.objects.filter(state=RefundState.PENDING, updated_at__lt=quiet_since).exclude(
        lease_expires_at__gt=now  # an attempt is sending it right now
    )


def refund_waiting_too_long(refund: Refund, *, now=None) -> bool:
    """Still pending STALLED_WORK_MINUTES after it was asked for, however busy its retries are:
    a person looks (the to-do list of stalled work, the refunds' "needs attention")."""
    return refund.state == RefundState.PENDING and refund.created_at < _waiting_cutoff(now)


def refunds_waiting_too_long(*, now=None):
    """The refunds `refund_waiting_too_long` holds for, as a query."""
    return Refund.objects.filter(state=RefundState.PENDING, created_at__lt=_waiting_cutoff(now))


def _waiting_cutoff(now=None) -> datetime:
    return (now or timezone.now()) - timedelta(minutes=settings.STALLED_WORK_MINUTES)


def with_refund_due(queryset):
    """Annotate `refund_due`: when a withdrawal's refund is due by law, for withdrawals not yet
    refunded (open), else None.

    The refund is due within 14 days of the withdrawal, which for a return request is its
    creation (policy.WITHDRAWAL_REFUND_DAYS); the shop may hold it until the goods or a proof
    of dispatch arrive, but the date stays the law's.
    """
    due = ExpressionWrapper(
        F("created_at") + timedelta(days=WITHDRAWAL_REFUND_DAYS), output_field=DateTimeField()
    )
    return queryset.annotate(
        refund_due=Case(
            When(Q(kind=ReturnKind.RETURN, status__in=OPEN_STATUSES), then=due),
            default=None,
            output_field=DateTimeField(),
        )
    )


def refund_days_left(due: datetime | None, *, now: datetime) -> int | None:
    """Whole days from today to the due day, in the shop's time zone; negative when overdue."""
    if due is None:
        return None
    return (timezone.localdate(due) - timezone.localdate(now)).days


def photos_asked_message(request: ReturnRequest) -> str:
    """What staff wrote when they last asked the shopper for more photos."""
    event = request.events.filter(type=steps.PHOTOS_ASK.event_type).order_by("-id").first()
    return events.payload_of(event).message if event else ""


def items_wanted_back(return_request: ReturnRequest) -> bool:
    """Whether the shopper is to send the items to the shop now, so their pages and emails show
    the return address and the return slip.

    A withdrawal's goods go back from the start until the parcel arrives. A guarantee claim's item
    goes back only once staff accepted a repair (the approval email asks for it); a replacement
    claim keeps the defective item. A rejected or cancelled request sends nothing back.
    """
    status = return_request.status
    if return_request.kind == ReturnKind.RETURN:
        return status in (ReturnStatus.REQUESTED, ReturnStatus.APPROVED)
    return return_request.remedy == ClaimRemedy.REPAIR and status == ReturnStatus.APPROVED


def request_by_submission(*, key: str | None) -> ReturnRequest | None:
    """The request a form already made when it is sent again, or None for a new, missing or
    mangled key. The key is a random secret handed to the browser with that form only, as
    services.return_request_create treats it."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return ReturnRequest.objects.filter(submission_key=key).first()


def policy_current() -> ReturnPolicy:
    """The return policy in force: the newest version the shop saved, else today's settings."""
    version = PolicyVersion.objects.order_by("-created_at", "-pk").first()
    return ReturnPolicy.from_settings() if version is None else policy_from_version(version)


def request_policy(request: ReturnRequest) -> ReturnPolicy:
    """The policy the request was decided under; for a request made before versions were
    stored, the settings' policy."""
    if request.policy_version_id is None:
        return ReturnPolicy.from_settings()
    return policy_from_version(request.policy_version)


def policy_versions():
    """Every saved version, newest first, with who saved it."""
    return PolicyVersion.objects.select_related("created_by").order_by("-created_at", "-pk")


def rules_decision_event(request: ReturnRequest) -> ReturnEvent | None:
    """The latest decision the shop's rules recorded on the request, for its screen."""
    return (
        request.events.filter(type=steps.RULES_DECIDED.event_type)
        .order_by("-created_at", "-pk")
        .first()
    )
