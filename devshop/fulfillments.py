"""Fulfilling an order: Order.fulfillmentOrders and the fulfillmentCreate mutation.

The minimum of Shopify's fulfillment orders that a warehouse needs: an order made by devshop
(a completed draft order) has one fulfillment order holding every unit; fulfillmentCreate fulfils
some or all of its line items with the tracking information given, closes the fulfillment order
once nothing remains, and sends `fulfillments/create` (and `orders/updated`) as Shopify does.
Orders loaded from files have no fulfillment orders: they were fulfilled before they were loaded.
"""

from __future__ import annotations

from graphql import GraphQLError

from . import webhooks
from .money import ZERO, amount_of, bag
from .relay import gid_type, new_gid, resolve_connection, stored_nodes, user_error

NOT_FOUND = "Fulfillment order does not exist."
ONE_ORDER = "All fulfillment orders must belong to the same order."
CLOSED = "Fulfillment order is not in an active state."
TOO_MANY = "Invalid fulfillment order line item quantity requested."


def _order_holding(store, fulfillment_order_id: str) -> dict | None:
    for order in store.orders():
        if any(
            fo["id"] == fulfillment_order_id for fo in stored_nodes(order.get("fulfillmentOrders"))
        ):
            return order
    return None


def _wanted(fulfillment_order: dict, given) -> dict[str, int] | None:
    """{fulfillment order line item id: quantity}; None when a quantity cannot be fulfilled."""
    lines = {line["id"]: line for line in stored_nodes(fulfillment_order.get("lineItems"))}
    if not given:
        return {
            lid: line["remainingQuantity"]
            for lid, line in lines.items()
            if line["remainingQuantity"]
        }
    wanted = {}
    for item in given:
        line = lines.get(item["id"])
        if line is None or not 0 < item["quantity"] <= line["remainingQuantity"]:
            return None
        wanted[item["id"]] = wanted.get(item["id"], 0) + item["quantity"]
    return wanted


def _tracking(info: dict | None) -> list[dict]:
    info = info or {}
    numbers = [info["number"]] if info.get("number") else list(info.get("numbers") or [])
    urls = [info["url"]] if info.get("url") else list(info.get("urls") or [])
    return [
        {
            "company": info.get("company"),
            "number": number,
            "url": urls[i] if i < len(urls) else None,
        }
        for i, number in enumerate(numbers)
    ] or (
        [{"company": info["company"], "number": None, "url": None}] if info.get("company") else []
    )


def _times(unit: dict, quantity: int, order: dict) -> dict:
    return bag(amount_of(unit) * quantity, order) if quantity else bag(ZERO, order)


def resolve_fulfillment_create(_root, info, fulfillment, message=None):
    store = info.context["store"]
    requested = fulfillment["lineItemsByFulfillmentOrder"]
    if not requested:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillment"], NOT_FOUND)]}
    for entry in requested:
        if gid_type(entry["fulfillmentOrderId"]) != "FulfillmentOrder":
            raise GraphQLError(f"Invalid global id '{entry['fulfillmentOrderId']}'")
    holder = _order_holding(store, requested[0]["fulfillmentOrderId"])
    if holder is None:
        return {"fulfillment": None, "userErrors": [user_error(["fulfillment"], NOT_FOUND)]}
    refused: list[dict] = []
    made: dict = {}

    def fulfil(order):
        fulfillment_orders = {fo["id"]: fo for fo in stored_nodes(order.get("fulfillmentOrders"))}
        fulfilled = []
        for entry in requested:
            fo = fulfillment_orders.get(entry["fulfillmentOrderId"])
            if fo is None:
                refused.append(user_error(["fulfillment"], ONE_ORDER))
                return order
            if fo["status"] not in ("OPEN", "IN_PROGRESS"):
                refused.append(user_error(["fulfillment"], CLOSED))
                return order
            wanted = _wanted(fo, entry.get("fulfillmentOrderLineItems"))
            if not wanted:
                refused.append(user_error(["fulfillment"], TOO_MANY))
                return order
            for line in stored_nodes(fo["lineItems"]):
                quantity = wanted.get(line["id"], 0)
                if quantity:
                    line["remainingQuantity"] -= quantity
                    fulfilled.append((line["lineItem"], quantity))
            left = sum(line["remainingQuantity"] for line in stored_nodes(fo["lineItems"]))
            fo["status"] = "IN_PROGRESS" if left else "CLOSED"
        now = store.now_iso()
        number = len(order.get("fulfillments") or []) + 1
        made.update(
            id=new_gid("Fulfillment"),
            name=f"{order['name']}-F{number}",
            status="SUCCESS",
            displayStatus="FULFILLED",
            createdAt=now,
            updatedAt=now,
            inTransitAt=None,
            deliveredAt=None,
            estimatedDeliveryAt=None,
            totalQuantity=sum(quantity for _, quantity in fulfilled),
            trackingInfo=_tracking(fulfillment.get("trackingInfo")),
            fulfillmentLineItems={
                "nodes": [
                    {
                        "id": new_gid("FulfillmentLineItem"),
                        "quantity": quantity,
                        "lineItem": {"id": item["id"]},
                        "originalTotalSet": _times(item["originalUnitPriceSet"], quantity, order),
                        "discountedTotalSet": _times(
                            item["discountedUnitPriceAfterAllDiscountsSet"], quantity, order
                        ),
                    }
                    for item, quantity in fulfilled
                ]
            },
        )
        remaining = sum(
            line["remainingQuantity"]
            for fo in fulfillment_orders.values()
            for line in stored_nodes(fo["lineItems"])
        )
        return {
            **order,
            "fulfillmentOrders": {"nodes": list(fulfillment_orders.values())},
            "fulfillments": [*(order.get("fulfillments") or []), dict(made)],
            "displayFulfillmentStatus": "PARTIALLY_FULFILLED" if remaining else "FULFILLED",
        }

    order = store.update_order(holder["id"], fulfil)
    if refused or order is None:
        return {
            "fulfillment": None,
            "userErrors": refused or [user_error(["fulfillment"], NOT_FOUND)],
        }
    webhooks.fulfillment_created(order, made)
    return {"fulfillment": made, "userErrors": []}


def resolve_fulfillment_orders(order, info, displayable=False, query=None, **page):
    return resolve_connection(order, info, **page)


def resolve_tracking_info(fulfillment, _info, first=None):
    tracking = fulfillment.get("trackingInfo") or []
    return tracking if first is None else tracking[:first]


FULFIL = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id name }
    userErrors { field message }
  }
}
"""


def order_fulfil(store, order_name: str, *, company: str = "", number: str = "") -> dict:
    """Fulfil every open fulfillment order of an order through fulfillmentCreate, as the shop's
    warehouse would (`manage.py devshop fulfil` in the demo); its webhooks are sent when this
    returns. Returns the mutation's payload."""
    from graphql import graphql_sync

    from . import api

    order = store.order_by_name(order_name)
    if order is None:
        raise LookupError(f"No order named {order_name} in devshop.")
    open_ones = [
        {"fulfillmentOrderId": fo["id"]}
        for fo in stored_nodes(order.get("fulfillmentOrders"))
        if fo["status"] in ("OPEN", "IN_PROGRESS")
    ]
    tracking = {k: v for k, v in (("company", company), ("number", number)) if v}
    fulfillment = {"lineItemsByFulfillmentOrder": open_ones}
    if tracking:
        fulfillment["trackingInfo"] = tracking
    result = graphql_sync(
        api.schema(),
        FULFIL,
        variable_values={"fulfillment": fulfillment},
        context_value={"store": store, "fault": None, "scopes": None},
        middleware=api.MIDDLEWARE,
    )
    if result.errors:
        raise LookupError(result.errors[0].message)
    webhooks.wait_for_deliveries()
    return result.data["fulfillmentCreate"]


RESOLVERS = {
    "Mutation.fulfillmentCreate": resolve_fulfillment_create,
    "Order.fulfillmentOrders": resolve_fulfillment_orders,
    "FulfillmentOrder.lineItems": resolve_connection,
    "Fulfillment.trackingInfo": resolve_tracking_info,
}
COMPUTED: set[str] = set()
