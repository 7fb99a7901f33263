"""A Return as Shopify has it now: what the portal reads when a returns/* webhook arrives.

A webhook says only that something changed, perhaps long ago, so the portal reads the Return
itself: its status, lines and refunds (`ShopifyReturn`), and what following staff's steps in
Shopify's admin needs besides: the decline's reason and note, each line's return reason and the
customer's note, and which units the reverse fulfillment orders disposed of, and how.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import documents
from .client import ShopifyClient, get_client
from .returns import ShopifyReturn
from .returns import _parse as _return_parse

# A disposed unit that did not arrive; every other disposition is a unit that came back.
MISSING = "MISSING"
RESTOCKED = "RESTOCKED"


@dataclass(frozen=True)
class ReturnLineState:
    line_item_id: str
    quantity: int
    reason_handle: str  # the ReturnReasonDefinition's handle; "" when Shopify names none
    customer_note: str


@dataclass(frozen=True)
class ReturnState:
    found: ShopifyReturn
    decline_reason: str  # Shopify's ReturnDeclineReason; "" unless declined
    decline_note: str
    lines: tuple[ReturnLineState, ...]
    # Units of each line item that arrived, from the dispositions (MISSING ones did not).
    arrived: dict[str, int]
    restocked: bool
    # Every unit of every reverse fulfillment order line has a disposition.
    all_disposed: bool

    @property
    def id(self) -> str:
        return self.found.id

    @property
    def status(self) -> str:
        return self.found.status

    @property
    def order_id(self) -> str:
        return self.found.order_id


def return_state(return_id: str, *, client: ShopifyClient | None = None) -> ReturnState | None:
    """The Return with this id as Shopify has it now; None if the shop has no such Return."""
    client = client or get_client()
    node = client.execute(documents.load("return_state"), {"id": return_id}).get("return")
    if node is None:
        return None
    found = _return_parse(node)
    line_items = {line.fulfillment_line_item_id: line.line_item_id for line in found.lines}
    arrived: dict[str, int] = {}
    restocked, all_disposed = False, True
    for rfo in node["reverseFulfillmentOrders"]["nodes"]:
        for line in rfo["lineItems"]["nodes"]:
            dispositions = line["dispositions"]
            if sum(d["quantity"] for d in dispositions) < line["totalQuantity"]:
                all_disposed = False
            item = line_items.get((line.get("fulfillmentLineItem") or {}).get("id", ""))
            for disposition in dispositions:
                restocked = restocked or disposition["type"] == RESTOCKED
                if item and disposition["type"] != MISSING:
                    arrived[item] = arrived.get(item, 0) + disposition["quantity"]
    decline = node.get("decline") or {}
    return ReturnState(
        found=found,
        decline_reason=decline.get("reason") or "",
        decline_note=(decline.get("note") or "").strip(),
        lines=tuple(
            ReturnLineState(
                line_item_id=line.line_item_id,
                quantity=line.quantity,
                reason_handle=((n.get("returnReasonDefinition") or {}).get("handle") or ""),
                customer_note=(n.get("customerNote") or "").strip(),
            )
            for line, n in zip(found.lines, node["returnLineItems"]["nodes"], strict=True)
        ),
        arrived=arrived,
        restocked=restocked,
        all_disposed=all_disposed and bool(found.reverse_lines),
    )


def return_of_reverse_fulfillment_order(
    order_gid: str, reverse_fulfillment_order_id: str, *, client: ShopifyClient | None = None
) -> str | None:
    """The id of the order's Return that holds this reverse fulfillment order, if any."""
    client = client or get_client()
    data = client.execute(
        documents.load("order_return_reverse_fulfillment_orders"), {"id": order_gid}
    )
    order = data.get("order")
    if order is None:
        return None
    for node in order["returns"]["nodes"]:
        if any(
            rfo["id"] == reverse_fulfillment_order_id
            for rfo in node["reverseFulfillmentOrders"]["nodes"]
        ):
            return node["id"]
    return None
