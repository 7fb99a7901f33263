"""One-time links to an order, sent by email when its number has been guessed at too often.

The per-order lookup limit stops a guesser spread over many addresses, but must not lock out the
order's owner. With the right email address the owner gets a link in their mailbox instead of
the order page at once: only whoever reads that mailbox gets in, and the answer on the page is
the same for a right and a wrong address.

The link is signed (Django's signing, keyed with SECRET_KEY), expires after
LOOKUP_LINK_MAX_AGE seconds, and opens the order once: its nonce is marked used in the cache,
which every web process shares.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from .. import tasks
from ..models import ShopifyOrder

SALT = "returns.lookup-link"


def lookup_link_send(*, order: ShopifyOrder) -> None:
    """Queue the email with a one-time link to this order, to the order's own address."""
    transaction.on_commit(lambda: tasks.lookup_link_email_send.delay(order.pk))


def lookup_link_make(*, order: ShopifyOrder) -> str:
    """The link's full address."""
    value = signing.dumps({"order": order.pk, "nonce": secrets.token_urlsafe(16)}, salt=SALT)
    return settings.PORTAL_URL.rstrip("/") + reverse("returns:lookup_link", args=[value])


def lookup_link_check(*, signed: str) -> dict | None:
    """The link's content if it is genuine, unexpired and unused; None otherwise."""
    try:
        value = signing.loads(signed, salt=SALT, max_age=settings.LOOKUP_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired too
        return None
    if not isinstance(value, dict) or not isinstance(value.get("nonce"), str):
        return None
    if cache.get(_used_key(value["nonce"])):
        return None
    return value


def lookup_link_open(*, signed: str) -> ShopifyOrder | None:
    """Use the link: its order, once; None for a forged, expired or used link."""
    value = lookup_link_check(signed=signed)
    if value is None:
        return None
    # add() is atomic: of two simultaneous uses, one wins.
    if not cache.add(_used_key(value["nonce"]), True, timeout=settings.LOOKUP_LINK_MAX_AGE + 60):
        return None
    return ShopifyOrder.objects.filter(pk=value.get("order")).first()


def _used_key(nonce: str) -> str:
    return f"lookup-link-used:{nonce}"
