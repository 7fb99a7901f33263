"""devshop's GraphQL schema (schema.graphql) wired to resolvers over the stored order JSON.

Orders are stored in the shape the Admin API returns them, so most fields resolve with
graphql-core's default dict resolver; only the root fields, the mutations and the paginated
fields need code.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from functools import cache
from pathlib import Path

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationRule,
    build_schema,
    specified_rules,
)
from graphql.validation import FieldsOnCorrectTypeRule

from . import webhooks

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
INJECTED_USER_ERROR = {
    "field": None,
    "message": "Something went wrong (a userErrors fault injected by devshop); nothing was changed.",
}


@cache
def schema():
    from . import refunds  # it builds on this module's helpers, so it is imported once both exist

    built = build_schema(SCHEMA_PATH.read_text())
    query, mutation = built.query_type.fields, built.mutation_type.fields
    query["order"].resolve = resolve_order
    query["orders"].resolve = resolve_orders
    mutation["tagsAdd"].resolve = resolve_tags_add
    mutation["orderUpdate"].resolve = resolve_order_update
    mutation["refundCreate"].resolve = refunds.resolve_refund_create
    order, refund = built.type_map["Order"].fields, built.type_map["Refund"].fields
    order["lineItems"].resolve = resolve_connection
    order["suggestedRefund"].resolve = refunds.resolve_suggested_refund
    refund["refundLineItems"].resolve = resolve_connection
    refund["transactions"].resolve = resolve_connection
    money = built.type_map["Money"]
    money.coerce_input_value = money.parse_value = refunds.parse_money
    money.parse_literal = refunds.parse_money_literal
    for name in ("fulfillments", "transactions", "refunds"):
        order[name].resolve = resolve_truncated_list
    built.type_map["Node"].resolve_type = lambda obj, *_: gid_type(obj["id"])
    return built


def gid_type(gid: str) -> str | None:
    """'gid://shopify/Order/123' -> 'Order'."""
    parts = str(gid).split("/")
    if len(parts) == 5 and parts[:3] == ["gid:", "", "shopify"] and parts[4]:
        return parts[3]
    return None


# -- validation ---------------------------------------------------------------------------------


class ShopifyFieldsRule(ValidationRule):
    """An unknown field, reported in the words and shape Shopify's API uses."""

    def enter_field(self, node: FieldNode, _key, _parent, _path, ancestors) -> None:
        parent_type = self.context.get_parent_type()
        if not parent_type or self.context.get_field_def():
            return
        name = node.name.value
        self.report_error(
            GraphQLError(
                f"Field '{name}' doesn't exist on type '{parent_type.name}'",
                node,
                path=_error_path([*ancestors, node]),
                extensions={
                    "code": "undefinedField",
                    "typeName": parent_type.name,
                    "fieldName": name,
                },
            )
        )


def _error_path(nodes) -> list[str]:
    path = []
    for node in nodes:
        if isinstance(node, OperationDefinitionNode):
            op = node.operation.value
            path.append(f"{op} {node.name.value}" if node.name else op)
        elif isinstance(node, FragmentDefinitionNode):
            path.append(f"fragment {node.name.value}")
        elif isinstance(node, InlineFragmentNode):
            path.append(
                f"... on {node.type_condition.name.value}" if node.type_condition else "..."
            )
        elif isinstance(node, FieldNode):
            path.append(node.alias.value if node.alias else node.name.value)
    return path


RULES = [ShopifyFieldsRule if r is FieldsOnCorrectTypeRule else r for r in specified_rules]


# -- pagination ---------------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"devshop:{index}".encode()).decode()


def _index(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def paginate(items, first=None, after=None, last=None, before=None, reverse=False) -> dict:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    indexed = list(enumerate(reversed(items) if reverse else items))
    lo, hi = _index(after), _index(before)
    window = [(i, x) for i, x in indexed if (lo is None or i > lo) and (hi is None or i < hi)]
    page = window if first is None else window[:first]
    if last is not None:
        page = page[-last:] if last > 0 else []
    return {
        "nodes": [x for _, x in page],
        "edges": [{"cursor": _cursor(i), "node": x} for i, x in page],
        "pageInfo": {
            "hasNextPage": bool(page) and page[-1][0] < window[-1][0],
            "hasPreviousPage": bool(page) and page[0][0] > indexed[0][0],
            "startCursor": _cursor(page[0][0]) if page else None,
            "endCursor": _cursor(page[-1][0]) if page else None,
        },
    }


def resolve_connection(parent, info, **args):
    stored = parent.get(info.field_name) or {}
    items = stored.get("nodes")
    if items is None:
        items = [edge["node"] for edge in stored.get("edges", [])]
    return paginate(items, **args)


def resolve_truncated_list(parent, info, first=None, **_filters):
    items = parent.get(info.field_name) or []
    return items if first is None else items[:first]


# -- queries ------------------------------------------------------------------------------------


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


# -- mutations ----------------------------------------------------------------------------------


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


def _missing(gid: str) -> dict:
    return {"field": ["id"], "message": f"{gid_type(gid) or 'Resource'} does not exist"}


def resolve_tags_add(_root, info, id, tags):
    if info.context.get("user_errors"):
        return {"node": None, "userErrors": [INJECTED_USER_ERROR]}
    if gid_type(id) != "Order":
        return {"node": None, "userErrors": [_missing(id)]}
    new_tags = split_tags(tags)
    order = info.context["store"].update_order(
        id, lambda o: {**o, "tags": merge_tags(o.get("tags", []), new_tags)}
    )
    if order is None:
        return {"node": None, "userErrors": [_missing(id)]}
    webhooks.order_updated(order)
    return {"node": order, "userErrors": []}


def resolve_order_update(_root, info, input):
    if info.context.get("user_errors"):
        return {"order": None, "userErrors": [INJECTED_USER_ERROR]}

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
        return {"order": None, "userErrors": [_missing(input["id"])]}
    webhooks.order_updated(order)
    return {"order": order, "userErrors": []}
