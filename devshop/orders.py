"""Orders: the order and orders queries, and the tagsAdd and orderUpdate mutations.

Orders are stored in the shape the Admin API returns them, so most fields resolve with
graphql-core's default dict resolver; only root fields, mutations and paginated fields need code.
"""

from __future__ import annotations

from decimal import Decimal

from graphql import GraphQLError

from . import webhooks
from .relay import gid_type, missing, paginate, resolve_connection, resolve_truncated_list


def resolve_order(_root, info, id):
    if gid_type(id) is None:
        raise GraphQLError(f"Invalid global id '{id}'")
    return info.context["store"].order_by_id(id)


SORT_KEYS = {
    "CREATED_AT": lambda o: o.get("createdAt") or "",
    "UPDATED_AT": lambda o: o.get("updatedAt") or "",
    "ID": lambda o: int(o["id"].rsplit("/", 1)[-1]),
    "ORDER_NUMBER": lambda o: int("".join(c for c in o["name"] if c.isdigit()) or 0),
    "TOTAL_PRICE": lambda o: Decimal(o["totalPriceSet"]["shopMoney"]["amount"]),
}


def resolve_orders(_root, info, query=None, sortKey="PROCESSED_AT", reverse=False, **page):
    page.pop("savedSearchId", None)
    orders = info.context["store"].search_orders(query)
    if sortKey != "RELEVANCE":
        orders.sort(key=SORT_KEYS.get(sortKey, lambda o: o.get("processedAt") or ""))
    return paginate(orders, reverse=reverse, **page)


def split_tags(tags: list[str]) -> list[str]:
    """Shopify accepts ["a", "b"] as well as "a, b"; either way each tag is trimmed."""
    return [t.strip() for tag in tags for t in tag.split(",") if t.strip()]


def merge_tags(*groups: list[str]) -> list[str]:
    """Tags in first-seen order, without case-insensitive duplicates."""
    seen, merged = set(), []
    for tag in (t for group in groups for t in group):
        if tag.lower() not in seen:
            seen.add(tag.lower())
            merged.append(tag)
    return merged


def resolve_tags_add(_root, info, id, tags):
    if gid_type(id) != "Order":
        return {"node": None, "userErrors": [missing(id)]}
    new_tags = split_tags(tags)
    order = info.context["store"].update_order(
        id, lambda o: {**o, "tags": merge_tags(o.get("tags", []), new_tags)}
    )
    if order is None:
        return {"node": None, "userErrors": [missing(id)]}
    webhooks.order_updated(order)
    return {"node": order, "userErrors": []}


def resolve_order_update(_root, info, input):
    def change(order):
        changed = dict(order)
        for key in ("note", "email"):
            if key in input:
                changed[key] = input[key]
        if "tags" in input:
            changed["tags"] = merge_tags(split_tags(input["tags"] or []))
        return changed

    order = info.context["store"].update_order(input["id"], change)
    if order is None:
        return {"order": None, "userErrors": [missing(input["id"])]}
    webhooks.order_updated(order)
    return {"order": order, "userErrors": []}


def resolve_presentment_currency(order, _info):
    return order.get("presentmentCurrencyCode") or order["currencyCode"]


def resolve_product_type(product, _info):
    # Shopify sends "" for a product without a type; an order pasted without the field too.
    return product.get("productType") or ""


RESOLVERS = {
    "QueryRoot.order": resolve_order,
    "QueryRoot.orders": resolve_orders,
    "Mutation.tagsAdd": resolve_tags_add,
    "Mutation.orderUpdate": resolve_order_update,
    "Order.lineItems": resolve_connection,
    "Order.fulfillments": resolve_truncated_list,
    "Order.transactions": resolve_truncated_list,
    "Order.refunds": resolve_truncated_list,
    "Order.presentmentCurrencyCode": resolve_presentment_currency,
    "Product.collections": resolve_connection,
    "Product.productType": resolve_product_type,
}
COMPUTED = {"Order.presentmentCurrencyCode", "Product.productType", "Product.collections"}
