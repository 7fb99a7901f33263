"""What happens to returned units: reverseFulfillmentOrderDispose and returnProcess.

Disposing says where each unit went: RESTOCKED at one of the shop's locations, NOT_RESTOCKED,
PROCESSING_REQUIRED or MISSING; a unit is disposed once (Shopify refuses more than remains).
Processing confirms returned units, the step that books the return in the merchant's reports, and
with `financialTransfer.issueRefund` refunds them in the same call: the refund is made as
refundCreate makes one, checked against what the order can still refund. Processing more units
than a return line still holds is refused, and a refused processing changes nothing at all.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from . import return_fees, returns, webhooks
from .money import ZERO
from .refunds import RefundRefused, refund_apply
from .relay import new_gid
from .returns import error
from .returns_flow import Refused, _change_return, _refused


def _dispose(store, order, stored, rfo_line, item: dict, where: list[str], now: str) -> None:
    remaining = rfo_line["totalQuantity"] - returns.disposed(rfo_line)
    if stored["status"] != "OPEN":
        raise Refused(error(where, "Only an open return's items can be disposed.", "INVALID_STATE"))
    if item["quantity"] <= 0:
        raise Refused(
            error([*where, "quantity"], "Quantity must be greater than 0.", "GREATER_THAN")
        )
    if item["quantity"] > remaining:
        raise Refused(
            error(
                [*where, "quantity"],
                f"Quantity exceeds the quantity that remains to be disposed ({remaining}).",
                "LESS_THAN_OR_EQUAL_TO",
            )
        )
    location_id = item.get("locationId")
    if item["dispositionType"] == "RESTOCKED":
        found = returns.location(store, location_id)
        if found is None or not found["isActive"]:
            raise Refused(
                error(
                    [*where, "locationId"],
                    "Location is required to restock, and must be one of the shop's active "
                    "locations.",
                    "INVALID",
                )
            )
    rfo_line["dispositions"].append(
        {
            "id": new_gid("ReverseFulfillmentOrderDisposition"),
            "createdAt": now,
            "quantity": item["quantity"],
            "type": item["dispositionType"],
            "locationId": location_id,
        }
    )


def resolve_dispose(_root, info, dispositionInputs):
    store, now = info.context["store"], info.context["store"].now_iso()
    if not dispositionInputs:
        return {"reverseFulfillmentOrderLineItems": None, "userErrors": []}
    first = dispositionInputs[0]["reverseFulfillmentOrderLineItemId"]
    order, stored, _rfo, _line = returns.find_rfo_line(store, first)
    if stored is None:
        return _dispose_refused(["dispositionInputs", "0", "reverseFulfillmentOrderLineItemId"])
    touched: list[str] = []

    def dispose(order, current):
        lines = {
            li["id"]: li for rfo in current["reverseFulfillmentOrders"] for li in rfo["lineItems"]
        }
        for index, item in enumerate(dispositionInputs):
            where = ["dispositionInputs", str(index)]
            rfo_line = lines.get(item["reverseFulfillmentOrderLineItemId"])
            if rfo_line is None:  # another return's line: Shopify disposes one return at a time
                raise Refused(
                    error(
                        [*where, "reverseFulfillmentOrderLineItemId"],
                        "Reverse fulfillment order line item does not exist.",
                        "NOT_FOUND",
                    )
                )
            _dispose(store, order, current, rfo_line, item, where, now)
            touched.append(rfo_line["id"])

    try:
        order, stored = _change_return(store, stored["id"], ["dispositionInputs"], dispose)
    except Refused as exc:
        return {"reverseFulfillmentOrderLineItems": None, "userErrors": exc.errors}
    changed = [
        (rfo, li)
        for rfo in stored["reverseFulfillmentOrders"]
        for li in rfo["lineItems"]
        if li["id"] in touched
    ]
    for rfo in {rfo["id"]: rfo for rfo, _ in changed}.values():
        webhooks.reverse_fulfillment_order_disposed(order, rfo)
    return {
        "reverseFulfillmentOrderLineItems": [
            returns.present_rfo_line(store, order, li) for _, li in changed
        ],
        "userErrors": [],
    }


def _dispose_refused(field: list[str]) -> dict:
    message = "Reverse fulfillment order line item does not exist."
    return {
        "reverseFulfillmentOrderLineItems": None,
        "userErrors": [error(field, message, "NOT_FOUND")],
    }


# -- returnProcess ------------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    # devshop's Decimal scalar arrives as the client sent it: Shopify sends it as a string.
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise Refused(
            error(["transactionAmount", "amount"], "Amount is invalid.", "INVALID")
        ) from None


def _refund_input(
    order: dict, processed: list[tuple[dict, int]], transfer, note, shipping: dict | None
):
    """The refund a processing with issueRefund makes, in refundCreate's input shape."""
    known = {t["id"]: t for t in order.get("transactions") or []}
    transactions = []
    for index, t in enumerate(transfer["orderTransactions"]):
        parent = known.get(t["parentId"])
        if parent is None:
            raise Refused(
                error(
                    ["input", "financialTransfer", "issueRefund", "orderTransactions", str(index)],
                    "Parent transaction does not exist.",
                    "NOT_FOUND",
                )
            )
        transactions.append(
            {
                "amount": _decimal(t["transactionAmount"]["amount"]),
                "gateway": parent.get("gateway"),
                "kind": "REFUND",
                "orderId": order["id"],
                "parentId": parent["id"],
            }
        )
    currencies = {t["transactionAmount"]["currencyCode"] for t in transfer["orderTransactions"]}
    lines = []
    for line, quantity in processed:
        fli = returns.fulfillment_line_item(order, line["fulfillmentLineItemId"])
        # The units' stock is the dispositions' business: the refund itself restocks nothing.
        lines.append(
            {"lineItemId": fli["lineItem"]["id"], "quantity": quantity, "restockType": "NO_RESTOCK"}
        )
    made = {
        "orderId": order["id"],
        "note": note,
        "currency": currencies.pop() if len(currencies) == 1 else None,
        "refundLineItems": lines,
        "transactions": transactions,
    }
    if shipping:
        # RefundShippingInput: an amount (presentment money), or all the shipping left.
        wanted = shipping.get("shippingRefundAmount")
        if wanted:
            made["shipping"] = {"amount": _decimal(wanted["amount"])}
        elif shipping.get("fullRefund"):
            made["shipping"] = {"fullRefund": True}
    return made


def _fees_kept(order, stored, processed, refund_in) -> None:
    """The Return's fees taken from this refund: refused if it would give any of them back."""
    shipping = (refund_in.get("shipping") or {}).get("amount") or ZERO
    most, due = return_fees.refundable_after_fees(order, stored, processed, shipping)
    asked = sum((t["amount"] for t in refund_in["transactions"]), ZERO)
    if due and asked > most:
        raise Refused(
            error(
                ["input", "financialTransfer", "issueRefund", "orderTransactions"],
                f"Refund amount {asked} is more than the {most} refundable after the return's "
                f"fees of {due}.",
                "INVALID",
            )
        )


def resolve_return_process(_root, info, input):
    store, now = info.context["store"], info.context["store"].now_iso()
    made = {}

    def process(order, stored):
        if stored["status"] != "OPEN":
            raise Refused(
                error(
                    ["input", "returnId"], "Only an open return can be processed.", "INVALID_STATE"
                )
            )
        lines = {line["id"]: line for line in stored["lines"]}
        rfo_lines = {
            li["returnLineItemId"]: li
            for rfo in stored["reverseFulfillmentOrders"]
            for li in rfo["lineItems"]
        }
        processed = []
        for index, item in enumerate(input.get("returnLineItems") or []):
            where = ["input", "returnLineItems", str(index)]
            line = lines.get(item["id"])
            if line is None:
                raise Refused(
                    error([*where, "id"], "Return line item does not exist.", "NOT_FOUND")
                )
            processable = line["quantity"] - line["processedQuantity"]
            if item["quantity"] <= 0 or item["quantity"] > processable:
                raise Refused(
                    error(
                        [*where, "quantity"],
                        f"Quantity must be between 1 and the {processable} still to be processed.",
                        "INVALID",
                    )
                )
            for d_index, disposition in enumerate(item.get("dispositions") or []):
                rfo_line = rfo_lines[line["id"]]
                _dispose(
                    store,
                    order,
                    stored,
                    rfo_line,
                    disposition,
                    [*where, "dispositions", str(d_index)],
                    now,
                )
            line["processedQuantity"] += item["quantity"]
            processed.append((line, item["quantity"]))
        refund = (input.get("financialTransfer") or {}).get("issueRefund")
        if refund is not None:
            refund_in = _refund_input(
                order, processed, refund, input.get("note"), input.get("refundShipping")
            )
            _fees_kept(order, stored, processed, refund_in)
            try:
                _, result = refund_apply(order, refund_in, now)
            except RefundRefused as exc:
                raise Refused(
                    *[
                        error(
                            ["input", "financialTransfer", "issueRefund", *(e["field"] or [])],
                            e["message"],
                            "INVALID",
                        )
                        for e in exc.errors
                    ]
                ) from None
            stored["refundIds"].append(result["refundId"])
            made["refund"] = result["refundId"]
            for line, quantity in processed:
                line["refundedQuantity"] += quantity

    try:
        order, stored = _change_return(store, input["returnId"], ["input", "returnId"], process)
    except Refused as exc:
        return _refused(exc)
    if "refund" in made:
        refund = next(r for r in order["refunds"] if r["id"] == made["refund"])
        webhooks.refund_created(order, refund)
    webhooks.return_changed("returns/process", order, stored)
    return {"return": returns.present(store, order, stored), "userErrors": []}


RESOLVERS = {
    "Mutation.reverseFulfillmentOrderDispose": resolve_dispose,
    "Mutation.returnProcess": resolve_return_process,
}
COMPUTED: set[str] = set()
