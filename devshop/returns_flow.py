"""The mutations that move a Return through Shopify's statuses, with Shopify's refusals.

    returnRequest          -> REQUESTED (a customer's request, as a return app sends it)
    returnApproveRequest   REQUESTED -> OPEN, with a reverse fulfillment order for its units
    returnDeclineRequest   REQUESTED -> DECLINED (a reason, and a note of at most 500 characters)
    returnCancel           REQUESTED or OPEN, nothing processed -> CANCELED
    returnClose            OPEN -> CLOSED;  returnReopen  CLOSED -> OPEN
    reverseFulfillmentOrderDispose   units of an open return restocked, not restocked or missing
    returnProcess          units of an open return processed, optionally with a refund

A refusal is a ReturnUserError and changes nothing: each change runs inside one store write and
raises `Refused` to roll it back. None of these mutations takes @idempotent, as on Shopify: a
client that retries must read the Return first. The refund returnProcess makes is made as
refundCreate makes one (refunds.refund_apply), so the order's money and caps are one model.

`admin_return_create()` makes a Return as staff do in Shopify's admin (open at once), for tests
of what the portal does when a Return appears that it did not ask for.
"""

from __future__ import annotations

from . import return_fees, returns, webhooks
from .relay import gid_type, new_gid
from .returns import error

CUSTOMER_NOTE_MAX = 300
DECLINE_NOTE_MAX = 500


class Refused(Exception):
    def __init__(self, *errors: dict):
        super().__init__(errors)
        self.errors = list(errors)


def _not_found(field: list[str]) -> dict:
    return error(field, "Return does not exist.", "NOT_FOUND")


def _change_return(store, gid: str, field: list[str], change):
    """Apply change(order, stored return) inside one write; (order, stored) after, or Refused."""
    order, stored = returns.find(store, gid)
    if stored is None:
        raise Refused(_not_found(field))
    seen = {}

    def apply(order):
        current = next(r for r in order["returns"] if r["id"] == gid)
        change(order, current)
        seen["return"] = current
        return order

    order = store.update_order(order["id"], apply)
    return order, seen["return"]


def _payload(store, order, stored, topic: str | None = None) -> dict:
    if topic:
        webhooks.return_changed(topic, order, stored)
    return {"return": returns.present(store, order, stored), "userErrors": []}


def _refused(exc: Refused) -> dict:
    return {"return": None, "userErrors": exc.errors}


# -- request, approve, decline ------------------------------------------------------------------


def _new_return(store, order: dict, lines: list[dict], status: str, now: str) -> dict:
    number = len(order.get("returns") or []) + 1
    stored = {
        "id": new_gid("Return"),
        "name": f"{order['name']}-R{number}",
        "status": status,
        "createdAt": now,
        "requestApprovedAt": now if status == "OPEN" else None,
        "closedAt": None,
        "decline": None,
        "lines": lines,
        "reverseFulfillmentOrders": [],
        "refundIds": [],
    }
    if status == "OPEN":
        _open_reverse_fulfillment(stored)
    order["returns"] = [*(order.get("returns") or []), stored]
    return stored


def _open_reverse_fulfillment(stored: dict) -> None:
    """Shopify makes the reverse fulfillment order when a return opens: one, for all its units."""
    stored["reverseFulfillmentOrders"] = [
        {
            "id": new_gid("ReverseFulfillmentOrder"),
            "status": "OPEN",
            "lineItems": [
                {
                    "id": new_gid("ReverseFulfillmentOrderLineItem"),
                    "returnLineItemId": line["id"],
                    "fulfillmentLineItemId": line["fulfillmentLineItemId"],
                    "totalQuantity": line["quantity"],
                    "dispositions": [],
                }
                for line in stored["lines"]
            ],
        }
    ]


def _checked_lines(store, order: dict, requested: list[dict]) -> list[dict]:
    errors, lines, wanted = [], [], {}
    for index, line in enumerate(requested):
        where = ["input", "returnLineItems", str(index)]
        fli = returns.fulfillment_line_item(order, line["fulfillmentLineItemId"])
        if fli is None:
            errors.append(
                error(
                    [*where, "fulfillmentLineItemId"],
                    "Fulfillment line item does not exist.",
                    "NOT_FOUND",
                )
            )
            continue
        if line["quantity"] <= 0:
            errors.append(
                error([*where, "quantity"], "Quantity must be greater than 0.", "GREATER_THAN")
            )
            continue
        wanted[fli["id"]] = wanted.get(fli["id"], 0) + line["quantity"]
        if wanted[fli["id"]] > returns.returnable_quantity(order, fli):
            errors.append(
                error(
                    [*where, "quantity"],
                    "Quantity is not available for return: "
                    f"{returns.returnable_quantity(order, fli)} can still be returned.",
                    "INVALID",
                )
            )
        note = line.get("customerNote")
        if note and len(note) > CUSTOMER_NOTE_MAX:
            errors.append(
                error(
                    [*where, "customerNote"],
                    f"Customer note is too long (maximum is {CUSTOMER_NOTE_MAX} characters).",
                    "TOO_LONG",
                )
            )
        reason = line.get("returnReason") or "UNKNOWN"
        definition_id = line.get("returnReasonDefinitionId")
        if definition_id:
            definition = returns.reason_definition(store, definition_id)
            if definition is None:
                errors.append(
                    error(
                        [*where, "returnReasonDefinitionId"],
                        "Return reason definition does not exist.",
                        "NOT_FOUND",
                    )
                )
                continue
            reason = definition["reason"]
        restocking = return_fees.restocking_fee_checked(line.get("restockingFee"), where, Refused)
        lines.append(
            {
                "restockingFee": restocking,
                "id": new_gid("ReturnLineItem"),
                "fulfillmentLineItemId": fli["id"],
                "quantity": line["quantity"],
                "customerNote": note,
                "returnReason": reason,
                "returnReasonDefinitionId": definition_id,
                "returnReasonNote": "",
                "processedQuantity": 0,
                "refundedQuantity": 0,
            }
        )
    if not requested:
        errors.append(
            error(["input", "returnLineItems"], "Return line items can't be blank.", "BLANK")
        )
    if errors:
        raise Refused(*errors)
    return lines


def _create(store, order_id: str, requested: list[dict], status: str, shipping_fee=None):
    if gid_type(order_id) != "Order" or store.order_by_id(order_id) is None:
        raise Refused(error(["input", "orderId"], "Order does not exist.", "NOT_FOUND"))
    now, made = store.now_iso(), {}

    def apply(order):
        lines = _checked_lines(store, order, requested)
        fees = return_fees.shipping_fee_checked(order, shipping_fee, Refused)
        made["return"] = _new_return(store, order, lines, status, now)
        made["return"]["returnShippingFees"] = fees
        return order

    order = store.update_order(order_id, apply)
    return order, made["return"]


def resolve_return_request(_root, info, input):
    store = info.context["store"]
    try:
        order, stored = _create(
            store,
            input["orderId"],
            input["returnLineItems"],
            "REQUESTED",
            input.get("returnShippingFee"),
        )
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/request")


def admin_return_create(store, *, order_id: str, lines: list[tuple[str, int]]) -> dict:
    """A Return made by staff in Shopify's admin: open at once. lines: (fulfillment line item
    id, quantity). Returns the Return as the Admin API shows it; raises Refused as Shopify would."""
    requested = [{"fulfillmentLineItemId": fli, "quantity": q} for fli, q in lines]
    order, stored = _create(store, order_id, requested, "OPEN")
    webhooks.return_changed("returns/approve", order, stored)
    return returns.present(store, order, stored)


def _require(stored: dict, allowed: tuple[str, ...], message: str) -> None:
    if stored["status"] not in allowed:
        raise Refused(error(["id"], message, "INVALID_STATE"))


def resolve_return_approve_request(_root, info, input):
    store, now = info.context["store"], info.context["store"].now_iso()

    def approve(_order, stored):
        _require(
            stored,
            ("REQUESTED",),
            "Return is not approvable. Only returns with status REQUESTED can be approved.",
        )
        stored["status"], stored["requestApprovedAt"] = "OPEN", now
        _open_reverse_fulfillment(stored)

    try:
        order, stored = _change_return(store, input["id"], ["input", "id"], approve)
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/approve")


def resolve_return_decline_request(_root, info, input):
    store = info.context["store"]
    note = input.get("declineNote")

    def decline(_order, stored):
        if note and len(note) > DECLINE_NOTE_MAX:
            raise Refused(
                error(
                    ["input", "declineNote"],
                    f"Decline note is too long (maximum is {DECLINE_NOTE_MAX} characters).",
                    "TOO_LONG",
                )
            )
        _require(
            stored,
            ("REQUESTED",),
            "Return is not declinable. Only returns with status REQUESTED can be declined.",
        )
        stored["status"] = "DECLINED"
        stored["decline"] = {"reason": input["declineReason"], "note": note}

    try:
        order, stored = _change_return(store, input["id"], ["input", "id"], decline)
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/decline")


# -- cancel, close, reopen ----------------------------------------------------------------------


def _set_reverse_status(stored: dict, status: str) -> None:
    for rfo in stored["reverseFulfillmentOrders"]:
        rfo["status"] = status


def resolve_return_cancel(_root, info, id, notifyCustomer=False):
    store = info.context["store"]

    def cancel(_order, stored):
        _require(stored, ("REQUESTED", "OPEN"), "Return can't be canceled in its status.")
        if any(line["processedQuantity"] for line in stored["lines"]) or stored["refundIds"]:
            raise Refused(
                error(["id"], "Return can't be canceled: it has been processed.", "INVALID_STATE")
            )
        stored["status"] = "CANCELED"
        _set_reverse_status(stored, "CANCELED")

    try:
        order, stored = _change_return(store, id, ["id"], cancel)
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/cancel")


def resolve_return_close(_root, info, id):
    store, now = info.context["store"], info.context["store"].now_iso()

    def close(_order, stored):
        _require(stored, ("OPEN",), "Return is not closable. Only open returns can be closed.")
        stored["status"], stored["closedAt"] = "CLOSED", now
        _set_reverse_status(stored, "CLOSED")

    try:
        order, stored = _change_return(store, id, ["id"], close)
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/close")


def resolve_return_reopen(_root, info, id):
    store = info.context["store"]

    def reopen(_order, stored):
        _require(stored, ("CLOSED",), "Return is not reopenable. Only closed returns can reopen.")
        stored["status"], stored["closedAt"] = "OPEN", None
        _set_reverse_status(stored, "OPEN")

    try:
        order, stored = _change_return(store, id, ["id"], reopen)
    except Refused as exc:
        return _refused(exc)
    return _payload(store, order, stored, "returns/reopen")


RESOLVERS = {
    "Mutation.returnRequest": resolve_return_request,
    "Mutation.returnApproveRequest": resolve_return_approve_request,
    "Mutation.returnDeclineRequest": resolve_return_decline_request,
    "Mutation.returnCancel": resolve_return_cancel,
    "Mutation.returnClose": resolve_return_close,
    "Mutation.returnReopen": resolve_return_reopen,
}
COMPUTED: set[str] = set()
