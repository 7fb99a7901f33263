"""Query cost as Shopify calculates it for the GraphQL Admin API.

Shopify's documented defaults (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits):
scalars and enums cost 0, objects 1, a connection 2 plus `first` (or `last`) times the cost of
one of its nodes, a mutation 10. The requested cost is computed from the document before it runs;
the actual cost from the result, where a null object costs nothing and a connection counts the
nodes it really returned.

Plain lists (Order.fulfillments, Order.refunds: `[X!]!` with a `first` that only truncates) are
counted like one object: Shopify sizes only connections by `first`.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.utilities import value_from_ast

MUTATION_COST = 10

_REQUESTED = object()  # stands in for "no result yet": cost the whole selection


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict | None = None,
    data: dict | None = _REQUESTED,
) -> int:
    """The requested cost, or the actual cost when `data` (the execution result) is given."""
    if operation.operation == OperationType.MUTATION:
        if data is not _REQUESTED and data is None:
            return 0
        return MUTATION_COST * len(operation.selection_set.selections)
    ctx = _Context(schema, document, variables or {})
    root = schema.query_type
    return ctx.selection_cost(root, [operation.selection_set], data)


class _Context:
    def __init__(self, schema, document, variables):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def collect(self, parent, selection_sets) -> dict[str, list[FieldNode]]:
        """Fields by response key, fragments expanded, so a field selected twice counts once."""
        fields: dict[str, list[FieldNode]] = {}
        pending = list(selection_sets)
        while pending:
            for selection in pending.pop(0).selections:
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(selection.type_condition, parent):
                        pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment and self._applies(fragment.type_condition, parent):
                        pending.append(fragment.selection_set)
        return fields

    def _applies(self, condition, parent) -> bool:
        if condition is None or not isinstance(parent, GraphQLObjectType):
            return True
        name = condition.name.value
        return name == parent.name or any(i.name == name for i in parent.interfaces)

    def selection_cost(self, parent, selection_sets, value) -> int:
        total = 0
        for key, nodes in self.collect(parent, selection_sets).items():
            field_def = parent.fields.get(nodes[0].name.value)
            if field_def is None:  # __typename and friends
                continue
            child = _REQUESTED if value is _REQUESTED else (value or {}).get(key)
            total += self.field_cost(field_def, nodes, child)
        return total

    def field_cost(self, field_def, nodes, value) -> int:
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        sub_selections = [n.selection_set for n in nodes if n.selection_set]
        if named.name.endswith("Connection"):
            return self.connection_cost(field_def, nodes[0], named, sub_selections, value)
        if value is None:
            return 0
        if is_list_type(get_nullable_type(field_def.type)):
            if value is _REQUESTED:
                return 1 + self.selection_cost(named, sub_selections, _REQUESTED)
            return max(
                (1 + self.selection_cost(named, sub_selections, v) for v in value), default=0
            )
        return 1 + self.selection_cost(named, sub_selections, value)

    def connection_cost(self, field_def, node, connection, sub_selections, value) -> int:
        if value is None:
            return 0
        fields = self.collect(connection, sub_selections)
        item_type = get_named_type(connection.fields["nodes"].type)
        edge_type = get_named_type(connection.fields["edges"].type)
        node_selections = [n.selection_set for n in fields.get("nodes", []) if n.selection_set]
        edge_selections = [n.selection_set for n in fields.get("edges", []) if n.selection_set]
        edge_node_selections = [
            n.selection_set
            for n in self.collect(edge_type, edge_selections).get("node", [])
            if n.selection_set
        ]

        def item_cost(item) -> int:
            costs = [
                1 + self.selection_cost(item_type, sels, item)
                for sels in (node_selections, edge_node_selections)
                if sels
            ]
            return max(costs, default=0)

        if value is _REQUESTED:
            return 2 + self.page_size(field_def, node) * item_cost(_REQUESTED)
        items = value.get("nodes")
        if items is None:
            items = [edge.get("node") for edge in value.get("edges") or []]
        return 2 + sum(item_cost(item) for item in items)

    def page_size(self, field_def, node) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                arg_type = field_def.args[argument.name.value].type
                size = value_from_ast(argument.value, arg_type, self.variables)
                if isinstance(size, int):
                    return size
        return 0
