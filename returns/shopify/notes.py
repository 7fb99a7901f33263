"""Writing the returns' story on the Shopify order: note lines and tags."""

from __future__ import annotations

from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected, raise_for_user_errors
from .orders import order_gid


def order_note_line_add(order_id: str, line: str, *, client: ShopifyClient | None = None) -> bool:
    """Append `line` to the order's note unless it is already there; True if it was written.

    Shopify has no "append", so this reads the note and writes it back whole, keeping every line
    that was there. Checking for the line first makes a repeated call harmless.
    """
    client = client or get_client()
    gid = order_gid(order_id)
    order = client.execute(documents.load("order_note"), {"id": gid}).get("order")
    if order is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    note = order.get("note") or ""
    if line in note.splitlines():
        return False
    new_note = f"{note.rstrip()}\n{line}" if note.strip() else line
    data = client.execute(
        documents.load("order_note_update"), {"input": {"id": gid, "note": new_note}}
    )
    raise_for_user_errors(data.get("orderUpdate"), operation="orderUpdate", shop=client.shop)
    return True


def order_tags_add(order_id: str, tags: list[str], *, client: ShopifyClient | None = None) -> None:
    """Add tags to the order; Shopify keeps the ones it has and ignores duplicates."""
    client = client or get_client()
    data = client.execute(
        documents.load("order_tags_add"), {"id": order_gid(order_id), "tags": tags}
    )
    raise_for_user_errors(data.get("tagsAdd"), operation="tagsAdd", shop=client.shop)
