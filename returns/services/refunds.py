"""Refunds: money moves through Shopify, exactly once, and never more than was paid.

The first refund of a request with a Shopify Return is made by returnProcess on that Return (see
shopify_return_refunds.py), the rest by refundCreate; the guarantees below hold for both.

A refund is first a pending row with its own idempotency key, written under a lock on the order
so two staff members cannot both spend the same refundable amount. A task then asks Shopify, with
that key, as often as it takes; Shopify's @idempotent makes a repeat return the first refund.
Pending refunds count against the maximum until Shopify has answered.

Amounts are in the currency the customer paid in (Shopify's presentment currency), as Shopify
refunds: the order's local copy, its lines, the quote and every Refund are in it. What Shopify
books in the shop's own currency is shown beside it for staff, from Shopify's shopMoney.
"""

import dataclasses
import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import events, money, steps, tasks
from ..models import (
    Refund,
    RefundState,
    ReturnRequest,
    ShopifyOrder,
)
from ..shopify import refunds as shopify_refunds
from ..shopify.errors import ShopifyError, ShopifyRejected
from ..shopify.types import Money
from .common import ReturnError, event_record, step_record
from .refund_guards import order_refund_lock, refund_lease_release, refund_lease_take
from .refund_quotes import (
    OPEN_OR_DONE,
    refund_limit,
    refund_lines,
    refunds_total,
)
from .refund_shipping import request_value, shipping_share
from .shopify_return_refunds import refund_route, refund_through_return
from .transitions import request_move

AMOUNT_NOT_POSITIVE = _("The refund amount must be more than 0.")
AMOUNT_DECIMALS = _("A refund in %(currency)s can have at most %(decimals)s decimals.")
WRONG_CURRENCY = _("This order was paid in %(currency)s; refund in %(currency)s.")
ABOVE_MAXIMUM = _("At most %(maximum)s %(currency)s can still be refunded for this request.")
ABOVE_ARRIVED = _(
    "Not every item arrived: at most %(maximum)s %(currency)s can be refunded for what arrived. "
    "To refund items that did not arrive, give the reason."
)
OVERRIDE_REASON_TOO_LONG = _("The reason has at most 500 characters.")
OVERRIDE_REASON_MAX = 500
# Shopify forgets an idempotency key after 24 hours (README, "Refunds"); an hour's margin.
KEY_RETENTION = timedelta(hours=23)


def _checked_amount(amount, currency: str, order_currency: str) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ReturnError(AMOUNT_NOT_POSITIVE)
    if currency != order_currency:
        raise ReturnError(WRONG_CURRENCY % {"currency": order_currency})
    if not money.is_exact(amount, currency):
        raise ReturnError(
            AMOUNT_DECIMALS % {"currency": currency, "decimals": money.decimals(currency)}
        )
    return money.normalise(amount, currency)


def refund_request(
    *,
    request_id: int,
    user,
    amount: Decimal,
    currency: str,
    restock: bool,
    notify: bool,
    shopify_maximum: Decimal,
    submission_key: uuid.UUID | None = None,
    override_reason: str = "",
) -> Refund:
    """Queue a refund of `amount` for this request; ReturnError if it is not allowed.

    Once the parcel is received, only what arrived is refunded; `override_reason` (why units that
    did not arrive are refunded all the same) lifts that cap and is recorded with the refund.
    """
    override_reason = (override_reason or "").strip()
    if len(override_reason) > OVERRIDE_REASON_MAX:
        raise ReturnError(OVERRIDE_REASON_TOO_LONG)
    with transaction.atomic():
        request = ReturnRequest.objects.select_related("order").get(pk=request_id)
        # The order row is the lock: refundable money is per order, across its requests. The
        # order is locked before its request; `of=("self",)` here and below locks only the named
        # row, as PostgreSQL otherwise also locks every joined row, in an order of its choosing:
        # that deadlocked concurrent clicks against a refund being sent (tests/integration/).
        ShopifyOrder.objects.select_for_update().get(pk=request.order_id)
        request = (
            ReturnRequest.objects.select_for_update(of=("self",))
            .select_related("order")
            .get(pk=request_id)
        )
        if submission_key:
            existing = request.refunds.filter(submission_key=submission_key).first()
            if existing:
                return existing
        amount = _checked_amount(amount, currency, request.order.currency)
        steps.REFUND.check(request)
        maximum = refund_limit(request, shopify_maximum=shopify_maximum, override=True)
        within_arrived = refund_limit(request, shopify_maximum=shopify_maximum)
        if amount > maximum:
            raise ReturnError(
                ABOVE_MAXIMUM
                % {"maximum": money.format_number(maximum, currency), "currency": currency}
            )
        if amount > within_arrived and not override_reason:
            raise ReturnError(
                ABOVE_ARRIVED
                % {"maximum": money.format_number(within_arrived, currency), "currency": currency}
            )
        if amount <= within_arrived:
            override_reason = ""  # nothing was overridden: the refund is within what arrived
        own = refunds_total(request.refunds.filter(OPEN_OR_DONE))
        shipping = shipping_share(
            request, amount=amount, items_value=request_value(request), refunded=own
        )
        refund = Refund.objects.create(
            request=request,
            amount=amount,
            shipping=shipping,
            currency=currency,
            requested_by=user,
            restock=restock,
            notify_customer=notify,
            lines=[{"line_item_id": i, "quantity": q} for i, q in refund_lines(request)],
            submission_key=submission_key,
            override_reason=override_reason,
        )
        event_record(
            request=request,
            step=steps.REFUND,
            user=user,
            payload=events.RefundMoved(
                refund=refund.pk,
                amount=amount,
                currency=currency,
                override_reason=override_reason,
            ),
        )
        tasks.refund_process.delay_on_commit(refund.pk)
    return refund


def refund_execute(*, refund_id: int) -> Refund:
    """Ask Shopify for the refund, with its idempotency key; record what Shopify answered.

    Retryable errors (outage, timeout, throttling, the key still in progress) leave the refund
    pending and propagate so the task retries with the same key. A refusal makes it failed only
    once Shopify's refunds on the order show that no attempt made it. RefundInFlight when another
    attempt holds the refund's lease.
    """
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("request__order")
            .get(pk=refund_id)
        )
        if refund.state != RefundState.PENDING:
            return refund
        token = refund_lease_take(refund)
        refund.attempts += 1
        refund.save(update_fields=["attempts", "lease_token", "lease_expires_at", "updated_at"])
    try:
        return _refund_attempt(refund)
    finally:
        refund_lease_release(refund_id, token)


def _refund_attempt(refund: Refund) -> Refund:
    request = refund.request
    order_id, key = request.order.shopify_id, str(refund.idempotency_key)
    try:
        if refund.attempts > 1 and refund.created_at < timezone.now() - KEY_RETENTION:
            # Shopify has forgotten the key by now and would refund again: look first.
            found = shopify_refunds.refund_find(order_id, key)
            if found:
                return _refund_settle(refund.pk, shopify_refund_id=found)
        note = shopify_refunds.refund_note(request.number, key)
        with order_refund_lock(request.order_id):
            known = None
            if not refund.transactions:
                # The way it is made (returnProcess on the request's Shopify Return, or
                # refundCreate) and the plan: stored before the money is asked for, so every
                # retry sends the same input the same way.
                route = refund_route(refund)
                known = route.found
                plan = shopify_refunds.refund_plan(
                    order_id, amount=refund.amount, currency=refund.currency
                )
                Refund.objects.filter(pk=refund.pk, transactions=[]).update(
                    transactions=plan, shopify_return_id=route.return_id, restock=route.restock
                )
                refund.refresh_from_db(fields=["transactions", "shopify_return_id", "restock"])
            if refund.shopify_return_id:
                made, shop_money = refund_through_return(refund=refund, note=note, known=known)
                return _refund_settle(refund.pk, shopify_refund_id=made, shop_money=shop_money)
            created = shopify_refunds.refund_create(
                order_id=order_id,
                amount=refund.amount,
                currency=refund.currency,
                lines=[(line["line_item_id"], line["quantity"]) for line in refund.lines],
                restock=refund.restock,
                notify=refund.notify_customer,
                note=note,
                idempotency_key=key,
                transactions=refund.transactions,
                shipping=refund.shipping,
            )
        return _refund_settle(
            refund.pk, shopify_refund_id=created.id, shop_money=created.amount.shop
        )
    except ShopifyRejected as exc:
        # An earlier attempt with this key may have made the refund meanwhile (Shopify still at
        # work when it was sent again, or a key Shopify no longer remembers): only the order's
        # refunds tell. If that read fails too, the refund stays pending and is asked again.
        try:
            found = shopify_refunds.refund_find(order_id, key)
        except ShopifyError as read_error:
            _attempt_failed(refund, read_error)
            raise read_error from exc
        if found:
            return _refund_settle(refund.pk, shopify_refund_id=found)
        return _refund_settle(refund.pk, failed=exc.message)
    except ValueError as exc:  # an amount or currency Shopify would never accept
        return _refund_settle(refund.pk, failed=str(exc))
    except ShopifyError as exc:
        _attempt_failed(refund, exc)
        raise


def _attempt_failed(refund: Refund, exc: ShopifyError) -> None:
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(error=exc.message, updated_at=timezone.now())
        event_record(
            request=refund.request,
            step=steps.REFUND_ATTEMPT_FAILED,
            payload=events.RefundAttemptFailed(
                refund=refund.pk, attempt=refund.attempts, error=exc.message
            ),
        )


def refunds_reconcile(*, order_id: int, shopify_refunds_noted) -> list[Refund]:
    """Failed refunds of this order that Shopify made after all become succeeded, flagged.

    `shopify_refunds_noted` are (Shopify refund id, note) pairs of the order's refunds in Shopify.
    """
    notes = [(refund_id, note or "") for refund_id, note in shopify_refunds_noted]
    recovered = []
    failed = Refund.objects.filter(request__order=order_id, state=RefundState.FAILED)
    for refund in failed.only("pk", "idempotency_key"):
        key = str(refund.idempotency_key)
        made = next((refund_id for refund_id, note in notes if key in note), None)
        if made:
            recovered.append(_refund_settle(refund.pk, shopify_refund_id=made))
    return recovered


def _refund_settle(
    refund_id: int,
    *,
    shopify_refund_id: str = "",
    failed: str = "",
    shop_money: Money | None = None,
) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update(of=("self",)).get(pk=refund_id)
        if refund.state == RefundState.SUCCEEDED:
            return refund
        if refund.state == RefundState.FAILED and not shopify_refund_id:
            return refund
        request = ReturnRequest.objects.select_for_update().get(pk=refund.request_id)
        moved = events.RefundMoved(refund=refund.pk, amount=refund.amount, currency=refund.currency)
        if failed:
            refund.state = RefundState.FAILED
            refund.error = failed
            refund.save(update_fields=["state", "error", "updated_at"])
            event_record(
                request=request,
                step=steps.REFUND_FAILED,
                payload=dataclasses.replace(moved, error=failed),
            )
            return refund
        if refund.state == RefundState.FAILED:
            # Shopify made it after all: the money moved, so it counts, and staff must know that
            # a refund they saw fail (and may have made again) went through.
            refund.late_success_at = timezone.now()
            event_record(
                request=request,
                step=steps.REFUND_LATE_SUCCESS,
                payload=events.RefundLateSuccess(
                    refund=refund.pk,
                    amount=refund.amount,
                    currency=refund.currency,
                    error=refund.error,
                    shopify_refund=shopify_refund_id,
                ),
            )
        refund.state = RefundState.SUCCEEDED
        refund.shopify_refund_id = shopify_refund_id
        refund.succeeded_at = timezone.now()
        refund.error = ""
        if shop_money is not None:
            refund.shop_amount, refund.shop_currency = shop_money.amount, shop_money.currency
        refund.save(
            update_fields=[
                "shop_amount",
                "shop_currency",
                "state",
                "shopify_refund_id",
                "succeeded_at",
                "error",
                "late_success_at",
                "updated_at",
            ]
        )
        if steps.REFUND_SUCCEEDED.allowed(request):
            request_move(request, steps.REFUND_SUCCEEDED)
        step_record(
            request=request,
            step=steps.REFUND_SUCCEEDED,
            payload=dataclasses.replace(moved, override_reason=refund.override_reason),
        )
        tasks.shopify_order_refresh.delay_on_commit(request.order_id)
    return refund
