"""Validation rules: graphql-core's own, with an unknown field reported as Shopify reports it."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationRule,
    specified_rules,
)
from graphql.validation import FieldsOnCorrectTypeRule


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
