"""Returns as Shopify keeps them: Return, its line items, reverse fulfillment orders, and the reads.

A Return lives inside its order's stored document (order["returns"]), so a change to a Return and
to its order (a refund made by returnProcess) is one SQLite transaction. It is stored in a compact
shape and presented in the Admin API's shape on every read (`present()`), because most of its
fields (quantities still processable, the fulfillment line item, the order) are worked out from
the order. The mutations that move a Return are in returns_flow.py; this module is what they
share: the stored shape, the reads, fulfillment line items, locations and return reasons.

Fulfillment line items: an order exported from Shopify carries them under each fulfillment
(`fulfillmentLineItems`); one without them (the sample shop) gets them worked out, the order's
line items spread over its successful fulfillments in order, with ids that stay the same.
"""

from __future__ import annotations

import hashlib

from graphql import GraphQLError

from .money import amount_of, bag
from .relay import gid_type, paginate, resolve_connection, stored_nodes
from .relay import user_error as _plain_error

# A Return's statuses that hold units: a declined or canceled return gives them back.
ACTIVE = ("REQUESTED", "OPEN", "CLOSED")

# Shopify's return reason library (its legacy ReturnReason values, named as its admin shows
# them). A shop's own list can be set with the option "return_reason_definitions".
REASON_DEFINITIONS = [
    {"id": f"gid://shopify/ReturnReasonDefinition/{n}", "handle": h, "name": name, "reason": r}
    for n, (h, name, r) in enumerate(
        [
            ("color", "Color", "COLOR"),
            ("damaged-or-defective", "Damaged or defective", "DEFECTIVE"),
            ("not-as-described", "Item not as described", "NOT_AS_DESCRIBED"),
            ("other", "Other", "OTHER"),
            ("size-too-large", "Size was too large", "SIZE_TOO_LARGE"),
            ("size-too-small", "Size was too small", "SIZE_TOO_SMALL"),
            ("style", "Style", "STYLE"),
            ("unknown", "Unknown", "UNKNOWN"),
            ("changed-mind", "Customer changed their mind", "UNWANTED"),
            ("wrong-item", "Received the wrong item", "WRONG_ITEM"),
        ],
        start=1,
    )
]
# The shop's locations, unless the option "locations" says otherwise.
LOCATIONS = [
    {
        "id": "gid://shopify/Location/70123456001",
        "name": "Magazijn Utrecht",
        "isActive": True,
        "fulfillsOnlineOrders": True,
    },
    {
        "id": "gid://shopify/Location/70123456002",
        "name": "Winkel Amsterdam",
        "isActive": True,
        "fulfillsOnlineOrders": False,
    },
    {
        "id": "gid://shopify/Location/70123456003",
        "name": "Oud magazijn",
        "isActive": False,
        "fulfillsOnlineOrders": False,
    },
]


def error(field: list[str] | None, message: str, code: str) -> dict:
    """A ReturnUserError, which carries a code besides Shopify's usual field and message."""
    return {**_plain_error(field, message), "code": code}


# -- the shop: locations and return reasons -----------------------------------------------------


def locations(store, include_inactive: bool = True) -> list[dict]:
    found = store.option("locations", LOCATIONS)
    return [loc for loc in found if include_inactive or loc["isActive"]]


def location(store, gid: str | None) -> dict | None:
    return next((loc for loc in locations(store) if loc["id"] == gid), None)


def reason_definitions(store) -> list[dict]:
    return store.option("return_reason_definitions", REASON_DEFINITIONS)


def reason_definition(store, gid: str | None) -> dict | None:
    return next((d for d in reason_definitions(store) if d["id"] == gid), None)


# -- fulfillment line items ---------------------------------------------------------------------


def _derived_id(fulfillment_id: str, line_item_id: str) -> str:
    digest = hashlib.sha256(f"{fulfillment_id}|{line_item_id}".encode()).hexdigest()
    return f"gid://shopify/FulfillmentLineItem/{10**12 + int(digest[:10], 16)}"


def fulfillment_line_items(order: dict) -> dict[str, list[dict]]:
    """{fulfillment id: its fulfillment line items, each {"id", "quantity", "lineItem"}}."""
    items = {item["id"]: item for item in stored_nodes(order.get("lineItems"))}
    left = {gid: item["quantity"] for gid, item in items.items()}
    result: dict[str, list[dict]] = {}
    for fulfillment in order.get("fulfillments") or []:
        stored = fulfillment.get("fulfillmentLineItems")
        if stored is not None:
            lines = [
                {**fli, "lineItem": items.get(fli["lineItem"]["id"], fli["lineItem"])}
                for fli in stored_nodes(stored)
            ]
        elif fulfillment.get("status") == "SUCCESS":
            lines, room = [], fulfillment.get("totalQuantity", 0)
            for gid, item in items.items():
                quantity = min(left[gid], room)
                if quantity <= 0:
                    continue
                left[gid] -= quantity
                room -= quantity
                fli_id = _derived_id(fulfillment["id"], gid)
                lines.append({"id": fli_id, "quantity": quantity, "lineItem": item})
        else:
            lines = []
        result[fulfillment["id"]] = lines
    return result


def fulfillment_line_item(order: dict, gid: str) -> dict | None:
    for lines in fulfillment_line_items(order).values():
        for fli in lines:
            if fli["id"] == gid:
                return fli
    return None


def present_fulfillment_line_item(order: dict, fli: dict) -> dict:
    item = fli["lineItem"]
    quantity = fli.get("quantity") or 0
    return {
        "id": fli["id"],
        "quantity": quantity,
        "lineItem": item,
        "discountedTotalSet": bag(
            amount_of(item["discountedUnitPriceAfterAllDiscountsSet"]) * quantity, order
        ),
        "originalTotalSet": bag(amount_of(item["originalUnitPriceSet"]) * quantity, order),
    }


def returned_quantities(order: dict) -> dict[str, int]:
    """Units of each fulfillment line item already in a return that holds them."""
    taken: dict[str, int] = {}
    for stored in order.get("returns") or []:
        if stored["status"] in ACTIVE:
            for line in stored["lines"]:
                gid = line["fulfillmentLineItemId"]
                taken[gid] = taken.get(gid, 0) + line["quantity"]
    return taken


def returnable_quantity(order: dict, fli: dict) -> int:
    return max((fli.get("quantity") or 0) - returned_quantities(order).get(fli["id"], 0), 0)


# -- a Return, stored and presented -------------------------------------------------------------


def find(store, gid: str) -> tuple[dict | None, dict | None]:
    """(the order, the stored Return) for a Return's id, or (None, None)."""
    if gid_type(gid) != "Return":
        return None, None
    for order in store.orders():
        for stored in order.get("returns") or []:
            if stored["id"] == gid:
                return order, stored
    return None, None


def find_rfo_line(store, gid: str):
    """(order, stored Return, reverse fulfillment order, its line item) for a line item's id."""
    if gid_type(gid) == "ReverseFulfillmentOrderLineItem":
        for order in store.orders():
            for stored in order.get("returns") or []:
                for rfo in stored["reverseFulfillmentOrders"]:
                    for line in rfo["lineItems"]:
                        if line["id"] == gid:
                            return order, stored, rfo, line
    return None, None, None, None


def disposed(rfo_line: dict) -> int:
    return sum(d["quantity"] for d in rfo_line["dispositions"])


def _present_line(store, order: dict, stored: dict, line: dict) -> dict:
    from . import return_fees  # it reads fulfillment line items from this module

    fli = fulfillment_line_item(order, line["fulfillmentLineItemId"])
    definition = reason_definition(store, line.get("returnReasonDefinitionId"))
    processed = line["processedQuantity"]
    return {
        "id": line["id"],
        "quantity": line["quantity"],
        "customerNote": line.get("customerNote"),
        "returnReason": line["returnReason"],
        "returnReasonNote": line.get("returnReasonNote") or "",
        "returnReasonDefinition": definition
        and {k: definition[k] for k in ("id", "handle", "name")} | {"deleted": False},
        "fulfillmentLineItem": fli and present_fulfillment_line_item(order, fli),
        "processedQuantity": processed,
        "unprocessedQuantity": line["quantity"] - processed,
        "processableQuantity": line["quantity"] - processed if stored["status"] == "OPEN" else 0,
        "refundedQuantity": line["refundedQuantity"],
        "refundableQuantity": line["quantity"] - line["refundedQuantity"],
        "restockingFee": return_fees.present_restocking(order, line),
    }


def present_rfo_line(store, order: dict, line: dict) -> dict:
    fli = fulfillment_line_item(order, line["fulfillmentLineItemId"])
    return {
        "id": line["id"],
        "totalQuantity": line["totalQuantity"],
        "fulfillmentLineItem": fli and present_fulfillment_line_item(order, fli),
        "dispositions": [
            {**d, "location": location(store, d.get("locationId"))} for d in line["dispositions"]
        ],
    }


def present(store, order: dict, stored: dict) -> dict:
    """A stored Return in the Admin API's shape."""
    from . import return_fees

    refunds = {r["id"]: r for r in order.get("refunds") or []}
    return {
        **{k: stored.get(k) for k in ("id", "name", "status", "createdAt", "decline")},
        "requestApprovedAt": stored.get("requestApprovedAt"),
        "closedAt": stored.get("closedAt"),
        "order": order,
        "totalQuantity": sum(line["quantity"] for line in stored["lines"]),
        "returnLineItems": {
            "nodes": [_present_line(store, order, stored, line) for line in stored["lines"]]
        },
        "reverseFulfillmentOrders": {
            "nodes": [
                {
                    "id": rfo["id"],
                    "status": rfo["status"],
                    "order": order,
                    "lineItems": {
                        "nodes": [present_rfo_line(store, order, li) for li in rfo["lineItems"]]
                    },
                }
                for rfo in stored["reverseFulfillmentOrders"]
            ]
        },
        "refunds": {"nodes": [refunds[gid] for gid in stored["refundIds"] if gid in refunds]},
        "returnShippingFees": return_fees.present_shipping(order, stored),
    }


# -- resolvers ----------------------------------------------------------------------------------


def resolve_return(_root, info, id):
    if gid_type(id) is None:
        raise GraphQLError(f"Invalid global id '{id}'")
    store = info.context["store"]
    order, stored = find(store, id)
    return present(store, order, stored) if stored else None


def resolve_order_returns(order, info, query=None, **page):
    store = info.context["store"]
    returns = [present(store, order, stored) for stored in order.get("returns") or []]
    if query:  # the one filter the portal could use: status:<status>
        wanted = query.removeprefix("status:").strip().upper()
        returns = [r for r in returns if r["status"] == wanted]
    return paginate(returns, **page)


def resolve_return_status(order, _info):
    statuses = {stored["status"] for stored in order.get("returns") or []}
    for status, shown in (
        ("REQUESTED", "RETURN_REQUESTED"),
        ("OPEN", "IN_PROGRESS"),
        ("CLOSED", "RETURNED"),
        ("DECLINED", "RETURN_FAILED"),
    ):
        if status in statuses:
            return shown
    return "NO_RETURN"


def resolve_fulfillment_line_items(fulfillment, info, **page):
    order = info.context.get("order_of_fulfillment", {}).get(fulfillment["id"])
    if order is None:
        order = next(
            (
                o
                for o in info.context["store"].orders()
                if any(f["id"] == fulfillment["id"] for f in o.get("fulfillments") or [])
            ),
            None,
        )
    lines = fulfillment_line_items(order).get(fulfillment["id"], []) if order else []
    return paginate([present_fulfillment_line_item(order, fli) for fli in lines], **page)


def resolve_returnable_fulfillments(_root, info, orderId, **page):
    if gid_type(orderId) != "Order":
        raise GraphQLError(f"Invalid global id '{orderId}'")
    order = info.context["store"].order_by_id(orderId)
    if order is None:
        raise GraphQLError("Order does not exist")
    info.context.setdefault("order_of_fulfillment", {})
    fulfillments = {f["id"]: f for f in order.get("fulfillments") or []}
    returnable = []
    for fulfillment_id, lines in fulfillment_line_items(order).items():
        info.context["order_of_fulfillment"][fulfillment_id] = order
        items = [
            {
                "fulfillmentLineItem": present_fulfillment_line_item(order, fli),
                "quantity": returnable_quantity(order, fli),
            }
            for fli in lines
        ]
        items = [item for item in items if item["quantity"] > 0]
        if items:
            number = fulfillment_id.rsplit("/", 1)[-1]
            returnable.append(
                {
                    "id": f"gid://shopify/ReturnableFulfillment/{number}",
                    "fulfillment": fulfillments[fulfillment_id],
                    "returnableFulfillmentLineItems": {"nodes": items},
                }
            )
    return paginate(returnable, **page)


def resolve_locations(_root, info, includeInactive=False, **page):
    return paginate(locations(info.context["store"], includeInactive), **page)


def resolve_reason_definitions(_root, info, ids=None, handles=None, **page):
    found = [
        {**{k: d[k] for k in ("id", "handle", "name")}, "deleted": False}
        for d in reason_definitions(info.context["store"])
        if (ids is None or d["id"] in ids) and (handles is None or d["handle"] in handles)
    ]
    return paginate(found, **page)


def install(schema) -> None:
    """A ReturnLineItemType is a ReturnLineItem: the only kind the portal makes."""
    schema.type_map["ReturnLineItemType"].resolve_type = lambda *_: "ReturnLineItem"


RESOLVERS = {
    "QueryRoot.return": resolve_return,
    "QueryRoot.returnableFulfillments": resolve_returnable_fulfillments,
    "QueryRoot.returnReasonDefinitions": resolve_reason_definitions,
    "QueryRoot.locations": resolve_locations,
    "Order.returns": resolve_order_returns,
    "Order.returnStatus": resolve_return_status,
    "Fulfillment.fulfillmentLineItems": resolve_fulfillment_line_items,
    "Return.returnLineItems": resolve_connection,
    "Return.reverseFulfillmentOrders": resolve_connection,
    "Return.refunds": resolve_connection,
    "ReverseFulfillmentOrder.lineItems": resolve_connection,
    "ReturnableFulfillment.returnableFulfillmentLineItems": resolve_connection,
}
COMPUTED = {"Order.returns", "Order.returnStatus", "Fulfillment.fulfillmentLineItems"}
