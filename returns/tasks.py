"""Celery tasks: thin, take ids, call one function, retry a bounded number of times."""

import logging
import random
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_postrun, task_prerun

from .shopify.client import set_throttle_patience
from .shopify.errors import ShopifyError

logger = logging.getLogger(__name__)

MAX_RETRIES = 8


def backoff(retries: int, exc: ShopifyError) -> float:
    """Exponential backoff with jitter, never sooner than Shopify asked us to wait."""
    wanted = getattr(exc, "retry_after", 0) or 0
    return max(wanted, min(2**retries * 5, 900)) + random.uniform(0, 3)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def shopify_order_write_back(self, event_id: int) -> None:
    from .writeback import event_write_back

    try:
        event_write_back(event_id=event_id)
    except ShopifyError as exc:
        if exc.retryable and not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
        # Nothing to retry (or no broker to retry on): leave a trace staff can see and act on.
        from .services import shopify_write_failure_record

        shopify_write_failure_record(event_id=event_id, error=exc.message)


@shared_task(bind=True, max_retries=3, acks_late=True)
def order_note_check(self, order_id: int) -> None:
    """Put back the portal's lines missing from the order's note (queued by the sweep)."""
    from .services.recovery import order_note_repair

    try:
        order_note_repair(order_id=order_id)
    except ShopifyError as exc:
        if exc.retryable and not self.request.is_eager and self.request.retries < 3:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
        # Not marked as checked: the next sweep compares this order's note again.
        logger.warning("Could not check the note of order %s: %s", order_id, exc.message)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def refund_process(self, refund_id: int) -> None:
    from .services.refund_guards import RefundInFlight
    from .services.refunds import refund_execute

    try:
        refund_execute(refund_id=refund_id)
    except RefundInFlight as exc:
        # Another attempt is sending it: look again once that one must have ended, in case it
        # never does (its worker killed). In-process there is no later: the sweep picks it up.
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=exc.retry_after + random.uniform(0, 3)) from exc
        logger.info("Refund %s is being sent by another attempt.", refund_id)
    except (ShopifyError, SoftTimeLimitExceeded) as exc:
        # Still pending, with the error shown in the admin; the same idempotency key is sent on
        # the next attempt, so Shopify refunds at most once however often this runs. A task cut
        # short by its time limit may have reached Shopify too: the same reasoning holds.
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
        logger.warning("Refund %s is still pending: %s", refund_id, exc)


@shared_task(bind=True, max_retries=3, acks_late=True)
def shopify_order_refresh(self, order_id: int) -> None:
    """Fetch the order again after a change in Shopify, so shopper pages show what is left."""
    from .services import shopify_order_refetch

    try:
        shopify_order_refetch(order_id=order_id)
    except ShopifyError as exc:
        if exc.retryable and not self.request.is_eager and self.request.retries < 3:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
        logger.warning("Could not refresh order %s: %s", order_id, exc.message)


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
def lookup_link_email_send(self, order_id: int) -> None:
    from .emails import lookup_link_email_send as send

    try:
        send(order_id=order_id)
    except (OSError, smtplib.SMTPException) as exc:
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(2**self.request.retries * 30, 3600)) from exc
        logger.error("Could not send a lookup link for order copy %s: %s", order_id, exc)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def webhook_process(self, delivery_id: int) -> None:
    """Act on a stored Shopify webhook; the view only stores it, so Shopify gets its 200 at once."""
    from .services import webhook_delivery_fail, webhook_delivery_process

    try:
        webhook_delivery_process(delivery_id=delivery_id)
    except ShopifyError as exc:
        if exc.retryable and not self.request.is_eager and self.request.retries < MAX_RETRIES:
            raise self.retry(exc=exc, countdown=backoff(self.request.retries, exc)) from exc
        # Shopify will not send this delivery again: leave the failure where staff can see it.
        webhook_delivery_fail(delivery_id=delivery_id, error=exc.message)


@shared_task(acks_late=True)
def stalled_work_resume() -> dict[str, int]:
    """Celery beat's sweep (CELERY_BEAT_SCHEDULE): queue stalled refunds and Shopify writes again."""
    from .services import stalled_work_resume as resume

    return resume()


# A task Shopify throttles waits, in the task, exactly until the shop's bucket holds the request's
# cost, and sends it again (returns/shopify/client.py): no attempt is spent and no second is lost
# to a backoff longer than Shopify asked for. Past this many seconds per request it gives up and
# retries later as above. Eager tasks run inside a web request, which never waits.
THROTTLE_PATIENCE = 20.0


@task_prerun.connect
def _wait_out_throttling(task=None, **kwargs) -> None:
    if task is not None and not task.request.is_eager:
        set_throttle_patience(THROTTLE_PATIENCE)


@task_postrun.connect
def _stop_waiting_out_throttling(**kwargs) -> None:
    set_throttle_patience(0.0)
