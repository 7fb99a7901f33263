"""What the request's screen in the back office shows, read in a fixed number of queries.

The screen (templates/admin/returns/returnrequest/change_form.html) shows the request at a glance,
the customer and the order as Shopify has them, the items, the shopper's own words, the photos,
refunds and replacements, and the history in words (returns/history.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import events
from .history import request_history
from .models import ReturnKind, ReturnRequest
from .rules.words import decided_in_words
from .selectors import order_snapshot, rules_decision_event
from .services.webhooks import REDACTED_EMAIL
from .shopify.types import MailingAddress, Order
from .tracks import track_of

REDACTED = _("redacted")


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    address: MailingAddress | None
    redacted: bool

    @property
    def address_lines(self) -> list[str]:
        return self.address.lines() if self.address else []


def customer_of(return_request: ReturnRequest, order: Order | None) -> Customer:
    """The shopper as the request and the order copy know them; erased ones say so."""
    if return_request.customer_email == REDACTED_EMAIL:
        return Customer(name="", email="", address=None, redacted=True)
    name = (order.customer_name if order else None) or return_request.order.customer_name
    return Customer(
        name=name or "",
        email=return_request.customer_email,
        address=order.shipping_address if order else None,
        redacted=False,
    )


def shopify_admin_url(order_id: str) -> str:
    """The order's page in Shopify's admin, for its id (gid://shopify/Order/123 or 123)."""
    legacy_id = str(order_id).rsplit("/", 1)[-1]
    return f"https://admin.shopify.com/store/{settings.SHOPIFY_SHOP}/orders/{legacy_id}"


def _replacements(return_request: ReturnRequest) -> list:
    replacements = list(return_request.replacements.select_related("created_by").order_by("pk"))
    for replacement in replacements:
        # A replacement made as a Shopify order links to it, as the request's own order does.
        replacement.shopify_admin_url = (
            shopify_admin_url(replacement.shopify_order_id) if replacement.shopify_order_id else ""
        )
    return replacements


def _snapshot(return_request: ReturnRequest) -> Order | None:
    # A copy stored before a field it needs existed is fetched again by the next webhook or
    # lookup; the screen shows the request meanwhile.
    try:
        return order_snapshot(return_request.order)
    except (KeyError, TypeError, ValueError):
        return None


def rules_decided_words(return_request: ReturnRequest) -> str:
    """What the shop's rules decided when the request was made; "" before they looked at it."""
    event = rules_decision_event(return_request)
    return decided_in_words(events.payload_of(event)) if event else ""


def request_screen(return_request: ReturnRequest) -> dict:
    """The screen's context, but for its buttons and photos (the admin adds those)."""
    order = _snapshot(return_request)
    customer = customer_of(return_request, order)
    return {
        "track": track_of(return_request),
        "is_claim": return_request.kind == ReturnKind.CLAIM,
        "order": order,
        "shopify_admin_url": shopify_admin_url(order.legacy_id) if order else "",
        "customer": customer,
        "lines": list(return_request.lines.order_by("pk")),
        "refunds": list(return_request.refunds.select_related("requested_by").order_by("pk")),
        "replacements": _replacements(return_request),
        "history": request_history(return_request, customer_name=customer.name),
        "rules_decided": rules_decided_words(return_request),
    }
