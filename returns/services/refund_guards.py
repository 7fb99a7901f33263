"""What keeps a refund's attempts apart: a lease per refund, and a lock per order.

The lease: at most one attempt of a refund is in flight at a time. An attempt takes it on the
Refund row before it asks Shopify and gives it back when it is done; one whose worker was killed
never gives it back, so it expires (settings.REFUND_LEASE_SECONDS, longer than a task may run).
The task, the periodic sweep and the admin's "send again" all find a refund whose lease is held
and leave it to the attempt holding it.

The lock: refunds of one order are planned over the order's payments and sent one at a time, so a
second refund plans against what the first left on each payment (a gift card, then the card),
not against the same balance. It is a PostgreSQL advisory lock, held by the attempt's connection
across the plan and the send and released however the attempt ends (a killed worker's connection
closes, and the lock with it); it is separate from the order's row, which staff requests lock, so a
slow Shopify never keeps staff waiting. SQLite (the demo, one process) takes a lock per order in
the process instead.
"""

import math
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .. import locks
from ..errors import RefundInFlight
from ..locks import advisory_lock
from ..models import Refund


def lease_live(refund: Refund) -> bool:
    return refund.lease_expires_at is not None and refund.lease_expires_at > timezone.now()


def refund_lease_take(refund: Refund) -> uuid.UUID:
    """Take the lease of a refund locked by the caller; RefundInFlight if another attempt has it."""
    now = timezone.now()
    if lease_live(refund):
        raise RefundInFlight(refund.pk, math.ceil((refund.lease_expires_at - now).total_seconds()))
    refund.lease_token = uuid.uuid4()
    refund.lease_expires_at = now + timedelta(seconds=settings.REFUND_LEASE_SECONDS)
    return refund.lease_token


def refund_lease_release(refund_id: int, token: uuid.UUID) -> None:
    # Only our own lease: one that expired and was taken by a later attempt is that attempt's.
    Refund.objects.filter(pk=refund_id, lease_token=token).update(
        lease_token=None, lease_expires_at=None
    )


def order_refund_lock(order_pk: int):
    """Refunds of this order (the local copy's pk) are planned and sent one at a time."""
    return advisory_lock(locks.REFUNDS, order_pk)
