"""The GraphQL documents the portal sends, kept as .graphql files next to this module.

A document names the fragments it spreads (`...OrderFields`) but does not contain them; `load()`
appends every fragment it uses, transitively, so each request is a complete, valid document and the
fields are written down once. Parsing with graphql-core also means a syntax error in a .graphql
file fails on first use with a line number, not as a confusing error from Shopify.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import FragmentDefinitionNode, FragmentSpreadNode, Visitor, parse, visit
from graphql.language import DocumentNode

GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"


def load(name: str) -> str:
    """The document in graphql/<name>.graphql with the fragments it uses appended."""
    return _load(name)


@cache
def _load(name: str) -> str:
    source = _read(name)
    document = parse(source)
    fragments = _fragment_sources()
    defined = _fragments_defined(document)
    needed: set[str] = set()
    pending = list(_spreads(document) - defined)
    while pending:
        fragment = pending.pop()
        if fragment in needed or fragment in defined:
            continue
        if fragment not in fragments:
            raise LookupError(
                f"{name}.graphql uses fragment {fragment}, defined in no .graphql file"
            )
        needed.add(fragment)
        pending.extend(_spreads(parse(fragments[fragment])))
    # One file may define several fragments; append each file once, in a stable order.
    appended = dict.fromkeys(fragments[fragment].rstrip() for fragment in sorted(needed))
    return "\n\n".join([source.rstrip(), *appended]) + "\n"


@cache
def _fragment_sources() -> dict[str, str]:
    """Fragment name -> the source text of a file that defines only that fragment."""
    found: dict[str, str] = {}
    for path in sorted(GRAPHQL_DIR.glob("*.graphql")):
        source = path.read_text(encoding="utf-8")
        document = parse(source)
        names = _fragments_defined(document)
        # A file mixing a fragment with operations would drag those operations along.
        if names and len(names) == len(document.definitions):
            for fragment in names:
                found[fragment] = source
    return found


def _read(name: str) -> str:
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise LookupError(f"No GraphQL document {name}: expected {path}")
    return path.read_text(encoding="utf-8")


def _fragments_defined(document: DocumentNode) -> set[str]:
    return {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _spreads(document: DocumentNode) -> set[str]:
    names: set[str] = set()

    class SpreadCollector(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_args):
            names.add(node.name.value)

    visit(document, SpreadCollector())
    return names
