"""Reading what the shop sold from Shopify's orders, for the returns report's return rate."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from . import documents
from .client import ShopifyClient, get_client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SoldItem:
    line_item_id: str
    title: str
    sku: str
    quantity: int
    product_id: str


@dataclass(frozen=True)
class SoldOrder:
    id: str
    created_at: datetime
    cancelled: bool
    items: tuple[SoldItem, ...]


def orders_created_since(
    since: datetime, *, client: ShopifyClient | None = None
) -> Iterator[list[SoldOrder]]:
    """The orders created at or after `since`, one page (up to 20 orders) at a time."""
    client = client or get_client()
    # Shopify's search syntax: created_at:>=<ISO 8601 timestamp>.
    query = f"created_at:>='{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    after = None
    while True:
        data = client.execute(documents.load("orders_sold"), {"query": query, "after": after})
        orders = data["orders"]
        yield [_order(node) for node in orders["nodes"]]
        page = orders["pageInfo"]
        if not page["hasNextPage"] or not page["endCursor"]:
            return
        after = page["endCursor"]


def _order(node: dict) -> SoldOrder:
    if (node["lineItems"].get("pageInfo") or {}).get("hasNextPage"):
        # Rare (more than 20 different items in one order); the report undercounts its sales.
        logger.warning("Order %s has more line items than the sales sync reads.", node["id"])
    return SoldOrder(
        id=node["id"],
        created_at=datetime.fromisoformat(node["createdAt"].replace("Z", "+00:00")),
        cancelled=node.get("cancelledAt") is not None,
        items=tuple(
            SoldItem(
                line_item_id=item["id"],
                title=item.get("title") or "",
                sku=item.get("sku") or "",
                quantity=item.get("quantity") or 0,
                product_id=(item.get("product") or {}).get("id") or "",
            )
            for item in node["lineItems"]["nodes"]
        ),
    )
