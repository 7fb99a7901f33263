"""Whether a stored order holds everything the portal's queries read, named by path.

Orders are stored as the Admin API returns them and served by graphql-core's default resolvers,
so a field a query asks for and the order lacks comes back null: for a non-null field every read
of that order then fails ("Cannot return null for non-nullable field Order.processedAt"). `devshop
load` checks each order against every selection on Order in the portal's documents and refuses a
file with the exact list, before anything is stored. Fields devshop works out itself (a suggested
refund, presentment money of a one-currency order) are not required.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    parse,
)

from . import api

PORTAL_DOCUMENTS = Path(__file__).resolve().parent.parent / "returns" / "shopify" / "graphql"


@cache
def portal_order_selections() -> tuple:
    """Every selection set the portal's documents make on an Order, with their fragments."""
    schema = api.schema()
    selections, fragments = [], {}
    documents = [parse(p.read_text()) for p in sorted(PORTAL_DOCUMENTS.glob("*.graphql"))]
    for document in documents:
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    for document in documents:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = schema.get_root_type(definition.operation)
                _collect(root, definition.selection_set, fragments, selections)
    return tuple(selections), fragments


def _collect(parent, selection_set, fragments, found) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            field = parent.fields.get(selection.name.value) if hasattr(parent, "fields") else None
            if field is None or selection.selection_set is None:
                continue
            named = get_named_type(field.type)
            if named.name == "Order":
                found.append(selection.selection_set)
            else:
                _collect(named, selection.selection_set, fragments, found)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value == "Order":
                found.append(selection.selection_set)
            else:
                _collect(parent, selection.selection_set, fragments, found)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and fragment.type_condition.name.value != "Order":
                _collect(parent, fragment.selection_set, fragments, found)


def missing_fields(order: dict) -> list[str]:
    """Paths ('lineItems.nodes[0].refundableQuantity') of what the portal reads and `order` lacks."""
    selections, fragments = portal_order_selections()
    schema, computed = api.schema(), api.computed_fields()
    problems: dict[str, None] = {}
    for selection_set in selections:
        _check(schema.type_map["Order"], selection_set, order, "", fragments, computed, problems)
    return list(problems)


def _check(parent, selection_set, value, path, fragments, computed, problems) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
            inner = selection if isinstance(selection, InlineFragmentNode) else None
            if inner is None:
                inner = fragments.get(selection.name.value)
                if inner is None:
                    continue
            condition = inner.type_condition
            if condition is None or condition.name.value == parent.name:
                _check(parent, inner.selection_set, value, path, fragments, computed, problems)
            continue
        name = selection.name.value
        field = parent.fields.get(name)
        if field is None or f"{parent.name}.{name}" in computed:
            continue  # __typename, or worked out by devshop
        where = f"{path}.{name}" if path else name
        _check_value(
            field.type,
            selection,
            value.get(name),
            name in value,
            where,
            fragments,
            computed,
            problems,
        )


def _check_value(type_, selection, value, present, where, fragments, computed, problems) -> None:
    if value is None:
        if isinstance(type_, GraphQLNonNull) or not present:
            problems[f"{where} (missing)" if not present else f"{where} (null)"] = None
        return
    type_ = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    named = get_named_type(type_)
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            problems[f"{where} (not a list)"] = None
            return
        for index, item in enumerate(value):
            _check_value(
                type_.of_type,
                selection,
                item,
                True,
                f"{where}[{index}]",
                fragments,
                computed,
                problems,
            )
        return
    if isinstance(named, GraphQLEnumType):
        if value not in named.values:
            problems[f"{where} ({value!r} is not a {named.name})"] = None
        return
    if not isinstance(named, GraphQLObjectType) or selection.selection_set is None:
        return
    if not isinstance(value, dict):
        problems[f"{where} (not an object)"] = None
        return
    if named.name.endswith("Connection"):
        nodes = value.get("nodes")
        if nodes is None:
            nodes = [
                edge.get("node") for edge in value.get("edges") or [] if isinstance(edge, dict)
            ]
        value = {**value, "nodes": nodes, "pageInfo": value.get("pageInfo") or _PAGE_INFO}
        value["edges"] = [{"node": node, "cursor": ""} for node in nodes]
    _check(named, selection.selection_set, value, where, fragments, computed, problems)


# devshop pages connections itself, so a stored connection needs no pageInfo or cursors.
_PAGE_INFO = {
    "hasNextPage": False,
    "hasPreviousPage": False,
    "startCursor": None,
    "endCursor": None,
}
