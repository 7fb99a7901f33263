"""Celery tasks: thin, take ids, call one function, retry a bounded number of times.

Every task that talks to Shopify is declared with @shopify_task, which holds what they share,
written once: bounded retries with exponential backoff that never comes sooner than Shopify's
Retry-After, waiting out Shopify's throttle inside a worker (never in a web request), and what is
left to do when retrying is over. Services queue tasks only after their transaction commits, with
Celery's `delay_on_commit`, so no task runs for a change that was rolled back or sees it unsaved.
Each task is safe to run twice (a redelivery after a worker died): write-backs skip a note line
already there, refunds carry their idempotency key, webhook deliveries and emails are recorded once.
"""

import logging
import random
import smtplib
from collections.abc import Callable
from contextlib import AbstractContextManager

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import SoftTimeLimitExceeded

from .errors import RefundInFlight
from .shopify.errors import ShopifyAccessDenied, ShopifyError
from .shopify.throttle import throttle_patience

logger = logging.getLogger(__name__)

MAX_RETRIES = 8
# A task Shopify throttles waits, in the task, exactly until the shop's bucket holds the request's
# cost, and sends it again (returns/shopify/client.py): no attempt is spent and no second is lost
# to a backoff longer than Shopify asked for. Past this many seconds per request it gives up and
# retries later with backoff. Eager tasks run inside a web request, which never waits.
THROTTLE_PATIENCE = 20.0


def backoff(retries: int, exc: Exception) -> float:
    """Exponential backoff with jitter, never sooner than Shopify asked us to wait."""
    wanted = getattr(exc, "retry_after", 0) or 0
    return max(wanted, min(2**retries * 5, 900)) + random.uniform(0, 3)


def task_patience(task) -> AbstractContextManager[None]:
    """How long this run of a task may wait out Shopify's throttle: long in a worker, 0 eagerly."""
    return throttle_patience(0.0 if task.request.is_eager else THROTTLE_PATIENCE)


class ShopifyTask(DjangoTask):
    """The base of every Shopify task: late acknowledgement, throttle patience in a worker."""

    acks_late = True
    max_retries = MAX_RETRIES

    def __call__(self, *args, **kwargs):
        with task_patience(self):
            return super().__call__(*args, **kwargs)


def shopify_task(
    *,
    give_up: Callable[..., None],
    retry_on: tuple[type[BaseException], ...] = (ShopifyError,),
    only_retryable: bool = True,
    max_retries: int = MAX_RETRIES,
):
    """Declare a Shopify task. `give_up(exc, *args)` runs when an error is not worth retrying, the
    retries are spent, or there is no broker to retry on (eager): it leaves a trace for staff.

    only_retryable=False retries every error of `retry_on`, for work that stays pending however
    Shopify failed (a refund: a timeout may have reached Shopify, and the same key is sent again).
    """

    def decorator(fun):
        name = f"{fun.__module__}.{fun.__name__}"

        @shared_task(bind=True, base=ShopifyTask, max_retries=max_retries, name=name)
        def task(self, *args, **kwargs):
            try:
                return fun(*args, **kwargs)
            except retry_on as exc:
                worth_it = not only_retryable or getattr(exc, "retryable", False)
                if worth_it and not self.request.is_eager and self.request.retries < max_retries:
                    raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
                give_up(exc, *args, **kwargs)

        task.__doc__ = fun.__doc__
        return task

    return decorator


def _write_failed(exc: ShopifyError, event_id: int) -> None:
    # Nothing to retry (or no broker to retry on): leave a trace staff can see and act on.
    from .services import shopify_write_failure_record

    shopify_write_failure_record(event_id=event_id, error=exc.message)


def _still_pending(exc: Exception, refund_id: int) -> None:
    # Still pending, with the error shown in the admin; the sweep and "send again" pick it up.
    logger.warning("Refund %s is still pending: %s", refund_id, exc)


def _not_refreshed(exc: ShopifyError, order_id: int) -> None:
    logger.warning("Could not refresh order %s: %s", order_id, exc.message)


def _delivery_failed(exc: ShopifyError, delivery_id: int) -> None:
    # Shopify will not send this delivery again: leave the failure where staff can see it.
    from .services import webhook_delivery_fail

    webhook_delivery_fail(delivery_id=delivery_id, error=exc.message)


@shopify_task(give_up=_write_failed)
def shopify_order_write_back(event_id: int) -> None:
    from .writeback import event_write_back

    event_write_back(event_id=event_id)


def _return_refused(exc: ShopifyError, event_id: int) -> None:
    # Shopify refused (or stayed away): the request stays where it is; staff read why. A missing
    # access scope is not retried: the step waits until the merchant grants it.
    from .services.shopify_access import shopify_return_scope_wait_record
    from .services.shopify_returns import shopify_return_refusal_record

    if isinstance(exc, ShopifyAccessDenied):
        shopify_return_scope_wait_record(event_id=event_id, scopes=exc.scopes, error=exc.message)
        return
    shopify_return_refusal_record(event_id=event_id, error=exc.message)


@shopify_task(give_up=_return_refused)
def shopify_return_step(event_id: int) -> None:
    """Take a request's step on its Shopify Return, doing only what Shopify has not done yet."""
    from .services.shopify_returns import shopify_return_sync

    shopify_return_sync(event_id=event_id)


def _note_unchecked(exc: ShopifyError, order_id: int) -> None:
    # Not marked as checked: the next sweep compares this order's note again.
    logger.warning("Could not check the note of order %s: %s", order_id, exc.message)


@shopify_task(give_up=_note_unchecked, max_retries=3)
def order_note_check(order_id: int) -> None:
    """Put back the portal's lines missing from the order's note (queued by the sweep)."""
    from .services.recovery import order_note_repair

    order_note_repair(order_id=order_id)


@shopify_task(
    give_up=_still_pending,
    retry_on=(ShopifyError, SoftTimeLimitExceeded, RefundInFlight),
    only_retryable=False,
)
def refund_process(refund_id: int) -> None:
    # The same idempotency key is sent on every attempt, so Shopify refunds at most once however
    # often this runs. A task cut short by its time limit may have reached Shopify too: the same
    # reasoning holds, so it is retried like an outage. RefundInFlight: another attempt holds the
    # lease; look again once it must have ended (its worker may have been killed). In-process
    # there is no later: the sweep picks it up.
    from .services.refunds import refund_execute

    refund_execute(refund_id=refund_id)


@shopify_task(give_up=_not_refreshed, max_retries=3)
def shopify_order_refresh(order_id: int) -> None:
    """Fetch the order again after a change in Shopify, so shopper pages show what is left."""
    from .services import shopify_order_refetch

    shopify_order_refetch(order_id=order_id)


@shopify_task(give_up=_delivery_failed)
def webhook_process(delivery_id: int) -> None:
    """Act on a stored Shopify webhook; the view only stores it, so Shopify gets its 200 at once."""
    from .services import webhook_delivery_process

    webhook_delivery_process(delivery_id=delivery_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def customer_email_send(self, request_id: int, kind: str, event_id: int | None = None) -> None:
    from .emails import customer_email_send as send

    try:
        send(request_id=request_id, kind=kind, event_id=event_id)
    except (OSError, smtplib.SMTPException) as exc:
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc
        # The shopper still has the page and the status link; the mail server is staff's to fix.
        logger.error("Could not send the %s email for return %s: %s", kind, request_id, exc)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def withdrawal_receipt_send(self, declaration_id: int) -> None:
    from .withdrawal_receipt import withdrawal_receipt_send as send

    try:
        send(declaration_id=declaration_id)
    except (OSError, smtplib.SMTPException) as exc:
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc
        # The declaration stands without it; the admin lists declarations with no receipt sent.
        logger.error("Could not send the receipt of withdrawal %s: %s", declaration_id, exc)


def _cancel_failed(exc: ShopifyError, request_id: int) -> None:
    # Still open: staff see why in the audit trail and can cancel again from the request.
    from .services.withdrawals import withdrawal_order_cancel_failure_record

    withdrawal_order_cancel_failure_record(request_id=request_id, error=exc.message)


@shopify_task(give_up=_cancel_failed)
def withdrawal_order_cancel(request_id: int) -> None:
    """Cancel in Shopify the order a consumer withdrew from before it was shipped."""
    from .models import ReturnRequest
    from .services.withdrawals import withdrawal_order_cancelled
    from .shopify.order_cancel import order_cancel

    request = ReturnRequest.objects.select_related("order").get(pk=request_id)
    order_cancel(request.order.shopify_id, restock=True, staff_note=request.number)
    withdrawal_order_cancelled(request_id=request_id)


def _replacement_order_failed(exc: ShopifyError, replacement_id: int) -> None:
    from .services.replacement_orders import replacement_order_failure_record

    replacement_order_failure_record(replacement_id=replacement_id, error=exc.message)


@shopify_task(give_up=_replacement_order_failed)
def replacement_order_place(replacement_id: int) -> None:
    """Make a claim's replacement as an order in Shopify."""
    from .services.replacement_orders import replacement_order_place

    replacement_order_place(replacement_id=replacement_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def lookup_link_email_send(self, order_id: int) -> None:
    from .emails import lookup_link_email_send as send

    try:
        send(order_id=order_id)
    except (OSError, smtplib.SMTPException) as exc:
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc
        logger.error("Could not send a lookup link for order copy %s: %s", order_id, exc)


@shared_task(acks_late=True)
def stalled_work_resume() -> dict[str, int]:
    """Celery beat's sweep (CELERY_BEAT_SCHEDULE): queue stalled refunds and Shopify writes again."""
    from .services import stalled_work_resume as resume

    return resume()


@shared_task(acks_late=True)
def photos_sweep() -> dict[str, int]:
    """Celery beat's photo sweep (CELERY_BEAT_SCHEDULE): delete the claim photos whose time is
    up, and those a failing photo store kept when they had to go."""
    from .services.photo_deletion import photos_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def request_rules_apply(request_id: int) -> None:
    """Decide a new request by the shop's rules (returns/services/rules.py); safe to run twice."""
    from .services.rules import request_rules_apply as apply

    apply(request_id=request_id)


@shared_task(acks_late=True)
def sales_sync() -> dict[str, int]:
    """Celery beat's read of Shopify's orders for the returns report (CELERY_BEAT_SCHEDULE): what
    the shop sold since the last read. Shopify unreachable or the scope missing: the next run
    reads from the same point, so nothing is lost by giving up now."""
    from .services.common import ReturnError
    from .services.sales import sales_sync as sync

    try:
        done = sync()
    except (ShopifyError, ReturnError) as exc:
        logger.warning("Could not read Shopify's orders for the report: %s", exc)
        return {"orders": 0, "lines": 0}
    return {"orders": done.orders, "lines": done.lines}
