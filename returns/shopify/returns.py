"""Shopify's Returns API as the portal uses it: read a Return, and each step's mutation.

None of these mutations takes @idempotent (only refundCreate does), so a caller that retries reads
the Return first (`return_get`) and sends only what is still missing: the plain dataclasses here
carry exactly what that decision needs (status, quantities processed and refunded, what was
disposed). A refusal raises ShopifyRejected with Shopify's userErrors.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected, raise_for_user_errors
from .orders import _money
from .types import Money

CUSTOMER_NOTE_MAX = 300  # ReturnRequestLineItemInput.customerNote, in Shopify's words
DECLINE_NOTE_MAX = 500  # ReturnDeclineRequestInput.declineNote


@dataclass(frozen=True)
class ReturnLine:
    id: str
    line_item_id: str
    fulfillment_line_item_id: str
    quantity: int
    processed: int
    refunded: int


@dataclass(frozen=True)
class ReverseLine:
    id: str
    fulfillment_line_item_id: str
    quantity: int
    disposed: int
    # (ReverseFulfillmentOrderDispositionType, quantity) of each disposition made so far.
    dispositions: tuple[tuple[str, int], ...] = ()

    def disposed_as(self, disposition_type: str) -> int:
        return sum(q for t, q in self.dispositions if t == disposition_type)


@dataclass(frozen=True)
class ReturnRefund:
    id: str
    note: str
    amount: Money


@dataclass(frozen=True)
class ShopifyReturn:
    id: str
    name: str
    status: str  # Shopify's ReturnStatus: REQUESTED, OPEN, CLOSED, DECLINED, CANCELED
    order_id: str
    lines: tuple[ReturnLine, ...]
    reverse_lines: tuple[ReverseLine, ...]
    refund_ids: tuple[str, ...]
    refunds: tuple[ReturnRefund, ...] = ()

    def line_for(self, line_item_id: str) -> ReturnLine | None:
        return next((line for line in self.lines if line.line_item_id == line_item_id), None)

    def reverse_line_for(self, line: ReturnLine) -> ReverseLine | None:
        fli = line.fulfillment_line_item_id
        return next((rl for rl in self.reverse_lines if rl.fulfillment_line_item_id == fli), None)


@dataclass(frozen=True)
class ReturnableLine:
    fulfillment_line_item_id: str
    line_item_id: str
    quantity: int


def _parse(node: dict) -> ShopifyReturn:
    lines = tuple(
        ReturnLine(
            id=n["id"],
            line_item_id=n["fulfillmentLineItem"]["lineItem"]["id"],
            fulfillment_line_item_id=n["fulfillmentLineItem"]["id"],
            quantity=n["quantity"],
            processed=n["processedQuantity"],
            refunded=n["refundedQuantity"],
        )
        for n in node["returnLineItems"]["nodes"]
    )
    reverse = tuple(
        ReverseLine(
            id=li["id"],
            fulfillment_line_item_id=(li.get("fulfillmentLineItem") or {}).get("id", ""),
            quantity=li["totalQuantity"],
            disposed=sum(d["quantity"] for d in li["dispositions"]),
            dispositions=tuple((d["type"], d["quantity"]) for d in li["dispositions"]),
        )
        for rfo in node["reverseFulfillmentOrders"]["nodes"]
        for li in rfo["lineItems"]["nodes"]
    )
    return ShopifyReturn(
        id=node["id"],
        name=node["name"],
        status=node["status"],
        order_id=node["order"]["id"],
        lines=lines,
        reverse_lines=reverse,
        refund_ids=tuple(r["id"] for r in node["refunds"]["nodes"]),
        refunds=tuple(
            ReturnRefund(id=r["id"], note=r.get("note") or "", amount=_money(r["totalRefundedSet"]))
            for r in node["refunds"]["nodes"]
        ),
    )


def return_get(return_id: str, *, client: ShopifyClient | None = None) -> ShopifyReturn:
    client = client or get_client()
    node = client.execute(documents.load("return_get"), {"id": return_id}).get("return")
    if node is None:
        raise ShopifyRejected(f"Shop {client.shop} has no return {return_id}.")
    return _parse(node)


def order_returns(order_gid: str, *, client: ShopifyClient | None = None) -> list[ShopifyReturn]:
    """The order's Returns, to find one a request made before a retry (a timed-out request)."""
    client = client or get_client()
    order = client.execute(documents.load("order_returns"), {"id": order_gid}).get("order")
    if order is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {order_gid}.")
    return [_parse(node) for node in order["returns"]["nodes"]]


def returnable_lines(
    order_gid: str, *, client: ShopifyClient | None = None
) -> list[ReturnableLine]:
    client = client or get_client()
    data = client.execute(documents.load("returnable_fulfillments"), {"orderId": order_gid})
    return [
        ReturnableLine(
            fulfillment_line_item_id=item["fulfillmentLineItem"]["id"],
            line_item_id=item["fulfillmentLineItem"]["lineItem"]["id"],
            quantity=item["quantity"],
        )
        for fulfillment in data["returnableFulfillments"]["nodes"]
        for item in fulfillment["returnableFulfillmentLineItems"]["nodes"]
    ]


@dataclass(frozen=True)
class ReturnSetup:
    locations: dict[str, str]  # id -> name
    reasons: dict[str, str]  # handle -> ReturnReasonDefinition id


def shop_return_setup(*, client: ShopifyClient | None = None) -> ReturnSetup:
    """The shop's active locations (where units may be restocked) and its return reasons."""
    client = client or get_client()
    data = client.execute(documents.load("shop_return_setup"), {})
    return ReturnSetup(
        locations={n["id"]: n["name"] for n in data["locations"]["nodes"]},
        reasons={n["handle"]: n["id"] for n in data["returnReasonDefinitions"]["nodes"]},
    )


def _mutate(name: str, field: str, variables: dict, client: ShopifyClient | None) -> ShopifyReturn:
    client = client or get_client()
    payload = client.execute(documents.load(name), variables).get(field)
    raise_for_user_errors(payload, operation=field, shop=client.shop)
    return _parse(payload["return"])


def return_request(
    *,
    order_gid: str,
    lines: list[dict],
    return_shipping_fee: dict | None = None,
    client: ShopifyClient | None = None,
) -> ShopifyReturn:
    """lines: ReturnRequestLineItemInput dicts (fulfillmentLineItemId, quantity, reason, note,
    restockingFee); return_shipping_fee: a MoneyInput in the order's presentment currency."""
    for line in lines:
        if line.get("customerNote"):
            line["customerNote"] = line["customerNote"][:CUSTOMER_NOTE_MAX]
    variables = {"input": {"orderId": order_gid, "returnLineItems": lines}}
    if return_shipping_fee:
        variables["input"]["returnShippingFee"] = {"amount": return_shipping_fee}
    return _mutate("return_request", "returnRequest", variables, client)


def return_approve(*, return_id: str, client: ShopifyClient | None = None) -> ShopifyReturn:
    variables = {"input": {"id": return_id, "notifyCustomer": False}}
    return _mutate("return_approve", "returnApproveRequest", variables, client)


def return_decline(
    *, return_id: str, reason: str, note: str, client: ShopifyClient | None = None
) -> ShopifyReturn:
    """reason: Shopify's ReturnDeclineReason (RETURN_PERIOD_ENDED, FINAL_SALE, OTHER)."""
    given = {"id": return_id, "declineReason": reason, "declineNote": note[:DECLINE_NOTE_MAX]}
    return _mutate("return_decline", "returnDeclineRequest", {"input": given}, client)


def return_cancel(*, return_id: str, client: ShopifyClient | None = None) -> ShopifyReturn:
    return _mutate("return_cancel", "returnCancel", {"id": return_id}, client)


def return_close(*, return_id: str, client: ShopifyClient | None = None) -> ShopifyReturn:
    return _mutate("return_close", "returnClose", {"id": return_id}, client)


def return_process(*, process_input: dict, client: ShopifyClient | None = None) -> ShopifyReturn:
    """process_input: a ReturnProcessInput (returnLineItems, financialTransfer.issueRefund)."""
    return _mutate("return_process", "returnProcess", {"input": process_input}, client)


def reverse_lines_dispose(*, dispositions: list[dict], client: ShopifyClient | None = None) -> None:
    """dispositions: ReverseFulfillmentOrderDisposeInput dicts."""
    client = client or get_client()
    data = client.execute(
        documents.load("reverse_fulfillment_order_dispose"), {"dispositionInputs": dispositions}
    )
    payload = data.get("reverseFulfillmentOrderDispose")
    raise_for_user_errors(payload, operation="reverseFulfillmentOrderDispose", shop=client.shop)
