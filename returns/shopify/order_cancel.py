"""Cancelling an order in Shopify after the consumer withdrew before it was shipped."""

from __future__ import annotations

from . import documents
from .client import ShopifyClient, get_client
from .errors import raise_for_user_errors
from .orders import order_get, order_gid


def order_cancel(
    order_id: str,
    *,
    restock: bool = True,
    staff_note: str = "",
    client: ShopifyClient | None = None,
) -> bool:
    """Cancel the order with a refund of everything paid to the original payment methods.

    Safe to repeat: Shopify's order is read first, and an order already cancelled (by an earlier
    attempt whose answer was lost, or by staff in Shopify's admin) is left as it is. Returns True
    if this call cancelled it. The customer is not notified by Shopify: the portal sends its own
    email in the customer's language.
    """
    client = client or get_client()
    if order_get(order_id, client=client).cancelled_at is not None:
        return False
    data = client.execute(
        documents.load("order_cancel"),
        {"orderId": order_gid(order_id), "restock": restock, "staffNote": staff_note or None},
    )
    payload = data.get("orderCancel") or {}
    # orderCancel reports its refusals in orderCancelUserErrors (userErrors is deprecated).
    raise_for_user_errors(
        {"userErrors": payload.get("orderCancelUserErrors")},
        operation="orderCancel",
        shop=client.shop,
    )
    return True
