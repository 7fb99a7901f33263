"""Cancelling an order as Shopify does: the orderCancel mutation.

Shopify cancels in a background Job; devshop cancels at once and answers with a Job already done,
so a client that polls the job sees the same as one that does not. With
`refundMethod: {originalPaymentMethodsRefund: true}` whatever the customer paid and was not given
back yet is refunded to the payments it came from (a Refund whose transactions are REFUNDs of
them), and every unit still on the order is taken off it (restockType CANCEL, restocked when
`restock` is true). An order already cancelled, or one with a fulfilment, is refused in
`orderCancelUserErrors`, as Shopify does, and nothing changes.
"""

from __future__ import annotations

from decimal import Decimal

from graphql import GraphQLError

from . import webhooks
from .money import ZERO, amount_of, bag
from .relay import gid_type, new_gid

PAID_KINDS = ("SALE", "CAPTURE")
NOT_FOUND = "Order does not exist"
ALREADY_CANCELLED = "Order has already been cancelled"
FULFILLED = "Cannot cancel an order with fulfillments; cancel the fulfillments first"


def _error(code: str, field: list[str] | None, message: str) -> dict:
    return {"code": code, "field": field, "message": message}


def _still_paid(order: dict) -> list[tuple[dict, Decimal]]:
    """Each successful payment with what it took and has not been refunded yet."""
    transactions = order.get("transactions") or []
    given_back: dict[str, Decimal] = {}
    for t in transactions:
        if (
            t.get("kind") == "REFUND"
            and t.get("status") == "SUCCESS"
            and t.get("parentTransaction")
        ):
            parent = t["parentTransaction"]["id"]
            given_back[parent] = given_back.get(parent, ZERO) + amount_of(t["amountSet"])
    return [
        (t, amount_of(t["amountSet"]) - given_back.get(t["id"], ZERO))
        for t in transactions
        if t.get("kind") in PAID_KINDS
        and t.get("status") == "SUCCESS"
        and amount_of(t["amountSet"]) - given_back.get(t["id"], ZERO) > 0
    ]


def _cancel(order: dict, *, reason: str, refund: bool, restock: bool, now: str) -> dict:
    items = (order.get("lineItems") or {}).get("nodes") or []
    refund_lines = []
    for item in items:
        quantity = item.get("refundableQuantity") or 0
        if quantity:
            refund_lines.append(
                {
                    "id": new_gid("RefundLineItem"),
                    "quantity": quantity,
                    "restocked": restock,
                    "restockType": "CANCEL",
                    "lineItem": {"id": item["id"]},
                    "priceSet": item["discountedUnitPriceAfterAllDiscountsSet"],
                    "subtotalSet": bag(
                        amount_of(item["discountedUnitPriceAfterAllDiscountsSet"]) * quantity,
                        order,
                    ),
                    "totalTaxSet": bag(ZERO, order),
                }
            )
        item["refundableQuantity"] = 0
        item["currentQuantity"] = 0
    payments = _still_paid(order) if refund else []
    transactions = [
        {
            "id": new_gid("OrderTransaction"),
            "kind": "REFUND",
            "status": "SUCCESS",
            "gateway": parent.get("gateway"),
            "createdAt": now,
            "processedAt": now,
            "test": bool(parent.get("test")),
            "amountSet": bag(amount, order),
            "parentTransaction": {"id": parent["id"]},
        }
        for parent, amount in payments
    ]
    total = sum((amount for _, amount in payments), ZERO)
    if refund_lines or transactions:
        order["refunds"] = [
            *(order.get("refunds") or []),
            {
                "id": new_gid("Refund"),
                "createdAt": now,
                "processedAt": now,
                "updatedAt": now,
                "note": None,
                "totalRefundedSet": bag(total, order),
                "refundLineItems": {"nodes": refund_lines},
                "transactions": {"nodes": transactions},
            },
        ]
        order["transactions"] = [*(order.get("transactions") or []), *transactions]
    if total > 0:
        order["totalRefundedSet"] = bag(amount_of(order["totalRefundedSet"]) + total, order)
        order["displayFinancialStatus"] = "REFUNDED"
    order["cancelledAt"] = now
    order["cancelReason"] = reason
    order["closed"] = True
    return order


def resolve_order_cancel(
    _root, info, orderId, reason, restock, refundMethod=None, refund=None, **_options
):
    if gid_type(orderId) != "Order":
        raise GraphQLError(f"Invalid global id '{orderId}'")
    store = info.context["store"]
    wants_refund = bool((refundMethod or {}).get("originalPaymentMethodsRefund", refund))
    found: dict = {}

    def change(order):
        if order.get("cancelledAt"):
            found["error"] = _error("INVALID", ["orderId"], ALREADY_CANCELLED)
            return order
        if order.get("fulfillments"):
            found["error"] = _error("INVALID", ["orderId"], FULFILLED)
            return order
        return _cancel(
            order, reason=reason, refund=wants_refund, restock=restock, now=store.now_iso()
        )

    order = store.update_order(orderId, change)
    if order is None:
        return {"job": None, "orderCancelUserErrors": [_error("NOT_FOUND", ["orderId"], NOT_FOUND)]}
    if "error" in found:
        return {"job": None, "orderCancelUserErrors": [found["error"]]}
    webhooks.order_updated(order)
    return {"job": {"id": new_gid("Job"), "done": True}, "orderCancelUserErrors": []}


RESOLVERS = {"Mutation.orderCancel": resolve_order_cancel}
COMPUTED: set[str] = set()
