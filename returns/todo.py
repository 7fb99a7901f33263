"""The back office's to-do lists: what needs doing, each list defined once.

The start page counts them, the queue filters by them (?todo=<key>), in the list's order, and
"Open the next" opens the first of a list. Each list's rows are one query; so is each count.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import steps
from .models import ClaimRemedy, Replacement, ReturnRequest, ReturnStatus
from .models_withdrawal import WithdrawalOutcome
from .selectors import refunds_waiting_too_long, unwritten_shopify_writes, with_refund_due
from .services.shopify_access import open_return_refusals, open_scope_waits


def _decide(requests: QuerySet) -> QuerySet:
    return requests.filter(status__in=steps.APPROVE.from_statuses)


def _expected(requests: QuerySet) -> QuerySet:
    # Approved, and goods come back: not a withdrawal answered by cancelling the unshipped order.
    return requests.filter(status=ReturnStatus.APPROVED).exclude(
        withdrawal__outcome=WithdrawalOutcome.CANCELLATION
    )


def _arrived(requests: QuerySet) -> QuerySet:
    # Received and not yet resolved: a refund or a replacement resolves it.
    return requests.filter(status=ReturnStatus.RECEIVED)


def _refunds_due(requests: QuerySet) -> QuerySet:
    # The withdrawal's legal deadline, as the queue's column shows it (selectors.with_refund_due).
    return requests.filter(refund_due__isnull=False)


def _replacements(requests: QuerySet) -> QuerySet:
    return requests.filter(
        status__in=steps.SHIP.from_statuses,
        kind__in=steps.SHIP.kinds,
        remedy=ClaimRemedy.REPLACEMENT,
    ).exclude(
        # Made as a Shopify order: the warehouse ships it. One Shopify refused stays listed.
        pk__in=Replacement.objects.filter(state=Replacement.State.ORDERED)
        .exclude(shopify_order_id="")
        .values("request_id")
    )


def _stalled(requests: QuerySet) -> QuerySet:
    """Shopify work a person should look at: refunds pending past STALLED_WORK_MINUTES, steps
    whose write to the order failed, Return steps waiting for an access scope or refused by
    Shopify (until the Return is in step again). "Send their stalled Shopify work again" sends
    each of them again."""
    unwritten = {request_id for request_id, _event in unwritten_shopify_writes()}
    return requests.filter(
        Q(pk__in=refunds_waiting_too_long().values("request_id"))
        | Q(pk__in=unwritten)
        | Q(pk__in=open_scope_waits().values("request_id"))
        | Q(pk__in=open_return_refusals().values("request_id"))
    )


@dataclass(frozen=True)
class TodoList:
    key: str  # in the URL: ?todo=<key>
    label: Promise
    rows: Callable[[QuerySet], QuerySet]
    ordering: tuple  # oldest or soonest due first

    def requests(self) -> QuerySet:
        """This list's requests, in its order."""
        base = with_refund_due(ReturnRequest.objects.all())
        return self.rows(base).order_by(*self.ordering)


DECIDE = TodoList("decide", _("To decide"), _decide, ("created_at", "pk"))
EXPECTED = TodoList(
    "expected", _("Parcels expected"), _expected, (F("approved_at").asc(nulls_last=True), "pk")
)
ARRIVED = TodoList(
    "arrived", _("Parcels arrived"), _arrived, (F("received_at").asc(nulls_last=True), "pk")
)
REFUNDS_DUE = TodoList(
    "refunds_due", _("Refunds due (withdrawal)"), _refunds_due, (F("refund_due").asc(), "pk")
)
REPLACEMENTS = TodoList(
    "replacements", _("Replacements to ship"), _replacements, ("created_at", "pk")
)
STALLED = TodoList("stalled", _("Stalled Shopify work"), _stalled, ("created_at", "pk"))

LISTS = (DECIDE, EXPECTED, ARRIVED, REFUNDS_DUE, REPLACEMENTS, STALLED)
_BY_KEY = {todo.key: todo for todo in LISTS}


def todo_list(key: str | None) -> TodoList | None:
    return _BY_KEY.get(key or "")


def todo_counts() -> list[tuple[TodoList, int]]:
    """Each list with how many requests are on it: one count query per list."""
    return [(todo, todo.requests().order_by().count()) for todo in LISTS]


def next_request(todo: TodoList, *, after: int | None = None) -> ReturnRequest | None:
    """The first request on the list, other than the one just handled."""
    requests = todo.requests()
    if after is not None:
        requests = requests.exclude(pk=after)
    return requests.first()
