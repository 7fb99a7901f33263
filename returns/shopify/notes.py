"""Writing the returns' story on the Shopify order: the note and tags."""

from __future__ import annotations

from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected, raise_for_user_errors
from .orders import order_gid


def order_note_get(order_id: str, *, client: ShopifyClient | None = None) -> str:
    """The order's note as Shopify has it now ("" when it has none)."""
    client = client or get_client()
    gid = order_gid(order_id)
    order = client.execute(documents.load("order_note"), {"id": gid}).get("order")
    if order is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    return order.get("note") or ""


def order_note_set(order_id: str, note: str, *, client: ShopifyClient | None = None) -> str:
    """Replace the order's whole note; returns the note as Shopify stored it.

    Shopify has no "append": callers read the note, add to it and write it back whole, holding
    the order's note lock (returns/order_note.py) so that no other writer comes in between.
    """
    client = client or get_client()
    data = client.execute(
        documents.load("order_note_update"),
        {"input": {"id": order_gid(order_id), "note": note}},
    )
    payload = data.get("orderUpdate")
    raise_for_user_errors(payload, operation="orderUpdate", shop=client.shop)
    return ((payload or {}).get("order") or {}).get("note") or ""


def order_tags_add(order_id: str, tags: list[str], *, client: ShopifyClient | None = None) -> None:
    """Add tags to the order; Shopify keeps the ones it has and ignores duplicates."""
    client = client or get_client()
    data = client.execute(
        documents.load("order_tags_add"), {"id": order_gid(order_id), "tags": tags}
    )
    raise_for_user_errors(data.get("tagsAdd"), operation="tagsAdd", shop=client.shop)
