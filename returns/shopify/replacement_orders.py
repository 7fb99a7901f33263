"""A claim's replacement as a Shopify order: a draft order for the same variants at no charge,
completed into an order, which the shop's warehouse picks and ships as any other.

Neither draftOrderCreate nor draftOrderComplete takes @idempotent, so each is made safe to retry by
reading Shopify first: the draft carries the return number as a tag, and before making one the
portal looks for a draft with that tag (an earlier attempt's, whose answer was lost); a draft that
is completed already is not completed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected, raise_for_user_errors
from .orders import order_gid

# Every replacement order carries this tag, beside its return number, so merchants can find them
# (and Flow can act on them) in Shopify's admin.
REPLACEMENT_TAG = "return-replacement"


@dataclass(frozen=True)
class DraftOrder:
    id: str
    name: str
    completed: bool
    order_id: str | None
    order_name: str | None


@dataclass(frozen=True)
class ReplacementLine:
    """One line of the replacement: the original order's line item, and how many of it."""

    line_item_id: str
    quantity: int


def _draft(node: dict) -> DraftOrder:
    order = node.get("order") or {}
    return DraftOrder(
        id=node["id"],
        name=node["name"],
        completed=node["status"] == "COMPLETED",
        order_id=order.get("id"),
        order_name=order.get("name"),
    )


def draft_order_find(return_number: str, *, client: ShopifyClient | None = None):
    """The replacement draft order tagged with this return number, or None."""
    client = client or get_client()
    data = client.execute(
        documents.load("draft_order_find"),
        {"query": f'tag:"{REPLACEMENT_TAG}" tag:"{return_number}"'},
    )
    for node in data["draftOrders"]["nodes"]:
        # Shopify's search is loose (tags match by word); the tags themselves decide.
        if return_number.lower() in (tag.lower() for tag in node["tags"]):
            return _draft(node)
    return None


def draft_order_get(draft_order_id: str, *, client: ShopifyClient | None = None):
    client = client or get_client()
    node = client.execute(documents.load("draft_order_get"), {"id": draft_order_id})["draftOrder"]
    return _draft(node) if node else None


def _draft_input(return_number: str, order_id: str, lines, note: str, client) -> dict:
    source = client.execute(documents.load("replacement_order_source"), {"id": order_gid(order_id)})
    order = source["order"]
    if order is None:
        raise ShopifyRejected(f"Shopify has no order {order_id} for {return_number}.")
    items = {item["id"]: item for item in order["lineItems"]["nodes"]}
    currency = order["presentmentCurrencyCode"]
    free = {"amount": str(Decimal("0.00")), "currencyCode": currency}
    line_items = []
    for line in lines:
        item = items.get(line.line_item_id) or {}
        variant = (item.get("variant") or {}).get("id")
        if variant:
            line_items.append(
                {"variantId": variant, "quantity": line.quantity, "priceOverride": free}
            )
        else:
            # The product was deleted since: the same item by name, as a custom line at no charge.
            line_items.append(
                {
                    "title": item.get("title") or return_number,
                    "sku": item.get("sku"),
                    "quantity": line.quantity,
                    "originalUnitPriceWithCurrency": free,
                    "requiresShipping": True,
                }
            )
    address = order.get("shippingAddress")
    if address:
        address = {
            **{key: value for key, value in address.items() if key != "countryCodeV2"},
            "countryCode": address.get("countryCodeV2"),
        }
    return {
        "email": order.get("email"),
        "shippingAddress": address,
        "note": note,
        "tags": [REPLACEMENT_TAG, return_number],
        "lineItems": line_items,
    }


def draft_order_create(
    *,
    return_number: str,
    order_id: str,
    lines: list[ReplacementLine],
    note: str,
    client: ShopifyClient | None = None,
) -> DraftOrder:
    """The replacement's draft order: found if an earlier attempt made it, else made now."""
    client = client or get_client()
    found = draft_order_find(return_number, client=client)
    if found is not None:
        return found
    data = client.execute(
        documents.load("draft_order_create"),
        {"input": _draft_input(return_number, order_id, lines, note, client)},
    )
    payload = data.get("draftOrderCreate") or {}
    raise_for_user_errors(payload, operation="draftOrderCreate", shop=client.shop)
    return _draft(payload["draftOrder"])


def draft_order_complete(draft_order_id: str, *, client: ShopifyClient | None = None):
    """The draft completed into an order, nothing due; a completed draft is left as it is."""
    client = client or get_client()
    draft = draft_order_get(draft_order_id, client=client)
    if draft is None:
        raise ShopifyRejected(f"Shopify has no draft order {draft_order_id}.")
    if draft.completed:
        return draft
    data = client.execute(documents.load("draft_order_complete"), {"id": draft_order_id})
    payload = data.get("draftOrderComplete") or {}
    raise_for_user_errors(payload, operation="draftOrderComplete", shop=client.shop)
    return _draft(payload["draftOrder"])
