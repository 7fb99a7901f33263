"""The withdrawal function: the consumer's declaration, and the cancellation that may follow.

A withdrawal from a shipped order becomes a return request (the goods come back, the money goes
back); one from an order not shipped yet becomes a cancellation of the order in Shopify, with a
refund and restock. Either way the declaration is stored as received and acknowledged by the
receipt (returns/withdrawal_receipt.py), queued once the declaration is committed.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events, steps, tasks
from ..models import (
    ReturnReason,
    ReturnRequest,
    ShopifyOrder,
    WithdrawalDeclaration,
    WithdrawalOutcome,
)
from ..policy import (
    LEGAL_WITHDRAWAL_DAYS,
    ItemEligibility,
    ReturnPolicy,
    order_eligibility,
    period_start,
    withdrawal_blocker,
    withdrawal_days,
)
from ..selectors import (
    order_snapshot,
    policy_current,
    reserved_quantities,
    settled_quantities,
)
from .common import ReturnError, event_record, step_record
from .requests import reason_code_for, request_make, return_request_create

NOTHING_LEFT = _(
    "There is nothing left in this order to withdraw from: every item has already been "
    "withdrawn from, returned or refunded."
)
NO_ITEMS = _("Choose at least one item to withdraw from, or the whole order.")
TOO_MANY = _("You can withdraw from at most %(limit)s of “%(title)s”.")
NAME_REQUIRED = _("Please enter your name.")


def withdrawal_policy() -> ReturnPolicy:
    """The shop's policy with its return window at least the legal withdrawal period."""
    policy = policy_current()
    # A scope's own window is never shorter than the law's 14 days either (Art. 9 (1) Directive
    # 2011/83/EU).
    scopes = tuple(
        dataclasses.replace(s, return_window_days=max(s.return_window_days, LEGAL_WITHDRAWAL_DAYS))
        if s.return_window_days is not None
        else s
        for s in policy.scopes
    )
    return dataclasses.replace(policy, return_window_days=withdrawal_days(policy), scopes=scopes)


@dataclass(frozen=True)
class WithdrawableItem:
    entry: ItemEligibility
    # Units the consumer may still withdraw from, and why none when it is 0.
    quantity: int
    blocker: str | None


def withdrawable_items(order: ShopifyOrder, *, now: datetime | None = None):
    """(why the whole order cannot be withdrawn from or None, [WithdrawableItem])."""
    now = now or timezone.now()
    snapshot = order_snapshot(order)
    policy = withdrawal_policy()
    blocker = withdrawal_blocker(snapshot, now=now, policy=policy)
    entries = order_eligibility(
        snapshot,
        reserved=reserved_quantities(order),
        now=now,
        policy=policy,
        settled=settled_quantities(order),
    )
    shipped = period_start(snapshot) is not None
    items = []
    for entry in entries:
        if shipped:
            quantity, why = entry.returnable, entry.return_blocker
        else:
            # Not shipped: the contract can be withdrawn from whatever the payment's state.
            quantity, why = entry.available, None if entry.available else NOTHING_LEFT
        items.append(
            WithdrawableItem(entry=entry, quantity=0 if blocker else quantity, blocker=why)
        )
    if blocker is None and not any(item.quantity for item in items):
        blocker = NOTHING_LEFT
    return blocker, items


def withdrawal_declare(
    *,
    order: ShopifyOrder,
    consumer_name: str,
    email: str,
    quantities: dict[str, int] | None,
    reason: str,
    locale: str,
    submission_key: uuid.UUID,
    now: datetime | None = None,
) -> WithdrawalDeclaration:
    """Record the consumer's withdrawal (quantities None: the whole order) and what follows.

    The same submission_key (a double click on the confirmation, a resubmitted page) returns the
    declaration it made: one declaration, one receipt.
    """
    # The receipt states the time to the second; the stored time is that time exactly.
    now = (now or timezone.now()).replace(microsecond=0)
    consumer_name = " ".join(consumer_name.split())
    if not consumer_name:
        raise ReturnError(NAME_REQUIRED)
    with transaction.atomic():
        order = ShopifyOrder.objects.select_for_update().get(pk=order.pk)
        existing = WithdrawalDeclaration.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
        blocker, items = withdrawable_items(order, now=now)
        if blocker:
            raise ReturnError(blocker)
        chosen = _chosen(items, quantities)
        shipped = period_start(order_snapshot(order)) is not None
        if shipped:
            request = return_request_create(
                order=order,
                quantities={item.id: quantity for item, quantity in chosen},
                reason=ReturnReason.NOT_SATISFIED,
                comment=reason,
                locale=locale,
                submission_key=submission_key,
                now=now,
                policy=withdrawal_policy(),
                step=steps.WITHDRAW,
            )
        else:
            policy = policy_current()
            request = request_make(
                order=order,
                chosen=chosen,
                reason=ReturnReason.NOT_SATISFIED,
                comment=reason.strip(),
                locale=locale,
                submission_key=submission_key,
                step=steps.WITHDRAW,
                policy_version_id=policy.version_id,
                reason_code=reason_code_for(policy, ReturnReason.NOT_SATISFIED, ""),
            )
        whole = all(
            dict((i.id, q) for i, q in chosen).get(item.entry.item.id, 0) == item.quantity
            for item in items
        )
        declaration = WithdrawalDeclaration.objects.create(
            order=order,
            return_request=request,
            outcome=WithdrawalOutcome.RETURN if shipped else WithdrawalOutcome.CANCELLATION,
            whole_order=whole,
            lines=[
                {
                    "line_item_id": item.id,
                    "title": item.title,
                    "variant_title": item.variant_title or "",
                    "quantity": quantity,
                }
                for item, quantity in chosen
            ],
            consumer_name=consumer_name[:200],
            email=email.strip().lower(),
            reason=reason.strip(),
            locale=locale,
            received_at=now,
            submission_key=submission_key,
        )
        tasks.withdrawal_receipt_send.delay_on_commit(declaration.pk)
        if not shipped and settings.WITHDRAWAL_CANCEL_AUTOMATICALLY:
            tasks.withdrawal_order_cancel.delay_on_commit(request.pk)
    return declaration


def _chosen(items: list[WithdrawableItem], quantities: dict[str, int] | None):
    if quantities is None:
        return [(item.entry.item, item.quantity) for item in items if item.quantity]
    by_id = {item.entry.item.id: item for item in items}
    chosen = []
    for item_id, quantity in quantities.items():
        if not quantity:
            continue
        item = by_id.get(item_id)
        if item is None:
            raise ReturnError(NO_ITEMS)
        if item.quantity == 0:
            raise ReturnError(item.blocker or NOTHING_LEFT)
        if quantity > item.quantity:
            raise ReturnError(TOO_MANY % {"limit": item.quantity, "title": item.entry.item.title})
        chosen.append((item.entry.item, quantity))
    if not chosen:
        raise ReturnError(NO_ITEMS)
    return chosen


def withdrawal_order_cancel(*, request_id: int, user=None) -> None:
    """Staff's step: cancel the unshipped order in Shopify, refunded and restocked, once."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=request_id)
        if steps.ORDER_CANCELLED.done(request):
            return
        steps.ORDER_CANCEL.check(request)
        event_record(request=request, step=steps.ORDER_CANCEL, user=user)
        tasks.withdrawal_order_cancel.delay_on_commit(request.pk)


def withdrawal_order_cancelled(*, request_id: int) -> None:
    """Shopify has cancelled the order: the request is resolved and the consumer told."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=request_id)
        if steps.ORDER_CANCELLED.done(request):
            return
        steps.ORDER_CANCELLED.check(request)
        request.status = steps.ORDER_CANCELLED.to_status
        request.resolved_at = timezone.now()
        request.save(update_fields=["status", "resolved_at"])
        step_record(request=request, step=steps.ORDER_CANCELLED)
        tasks.shopify_order_refresh.delay_on_commit(request.order_id)


def withdrawal_order_cancel_failure_record(*, request_id: int, error: str) -> None:
    request = ReturnRequest.objects.get(pk=request_id)
    event_record(
        request=request,
        step=steps.ORDER_CANCEL_FAILED,
        payload=events.OrderCancelFailed(error=error),
    )


def withdrawal_receipt_record(
    *, declaration_id: int, message_id: str, pdf: bytes, sent_at: datetime
) -> bool:
    """Keep the receipt's message id and PDF with the declaration; False if it has one."""
    with transaction.atomic():
        declaration = WithdrawalDeclaration.objects.select_for_update().get(pk=declaration_id)
        if declaration.receipt_message_id:
            return False
        declaration.receipt_message_id = message_id
        declaration.receipt_pdf = pdf
        declaration.receipt_sent_at = sent_at
        declaration.save(update_fields=["receipt_message_id", "receipt_pdf", "receipt_sent_at"])
    return True
