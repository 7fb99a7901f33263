"""The portal's GraphQL documents as it sends them: each operation with the fragments it uses."""

from pathlib import Path

from graphql import FragmentDefinitionNode, FragmentSpreadNode, parse, visit
from graphql.language import Visitor

GRAPHQL_DIR = Path(__file__).resolve().parents[2] / "returns" / "shopify" / "graphql"


def _fragment_files() -> dict[str, str]:
    found = {}
    for path in GRAPHQL_DIR.glob("*.graphql"):
        document = parse(path.read_text())
        if all(isinstance(d, FragmentDefinitionNode) for d in document.definitions):
            for definition in document.definitions:
                found[definition.name.value] = path.read_text()
    return found


def _spreads(document) -> set[str]:
    names = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_):
            names.add(node.name.value)

    visit(document, Spreads())
    return names


def with_fragments(source: str) -> str:
    """The document plus every fragment file it uses, transitively."""
    fragments, needed, pending = _fragment_files(), [], list(_spreads(parse(source)))
    while pending:
        name = pending.pop()
        if fragments[name] not in needed:
            needed.append(fragments[name])
            pending.extend(_spreads(parse(fragments[name])))
    return "\n".join([source, *needed])


def operation_files() -> list[Path]:
    """The .graphql files holding operations (the others hold only fragments)."""
    return sorted(
        path
        for path in GRAPHQL_DIR.glob("*.graphql")
        if any(
            not isinstance(d, FragmentDefinitionNode) for d in parse(path.read_text()).definitions
        )
    )


# -- documents the HTTP tests send -------------------------------------------------------------

GID = "gid://shopify/Order/6012345601003"  # #1003 in the sample shop
ORDER_QUERY = """
query OrderBrief($id: ID!) {
  order(id: $id) {
    name
    note
    tags
    totalPriceSet { shopMoney { amount currencyCode } }
    lineItems(first: 10) { nodes { title quantity } }
  }
}
"""
TAGS_ADD = """
mutation OrderTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}
"""
ORDER_UPDATE = """
mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { id note tags } userErrors { field message } }
}
"""

THROTTLED_ERRORS = [
    {
        "message": "Throttled",
        "extensions": {
            "code": "THROTTLED",
            "documentation": "https://shopify.dev/api/usage/rate-limits",
        },
    }
]
