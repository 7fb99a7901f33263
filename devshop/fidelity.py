"""devshop and the portal checked against Shopify's own published Admin schema.

    python -m devshop.fidelity SCHEMA.json[.gz]

SCHEMA is an introspection result of Shopify's Admin GraphQL API (CI passes the 2026-04 one kept
beside the repository). It fails, printing each problem by its path, when

- a type, field, argument, input field, enum value or directive devshop declares is missing from
  Shopify's schema, is of another kind, or differs in type or nullability;
- a GraphQL document the portal sends (returns/shopify/graphql/, and devshop's export query that
  merchants run in GraphiQL) does not validate against Shopify's schema, or uses a field, argument,
  input field or enum value Shopify marks deprecated.

devshop's schema may use what Shopify deprecates (it describes Shopify, deprecations included);
the portal's documents may not, since those names are the ones that disappear in a later version.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_client_schema,
    build_schema,
    get_named_type,
    parse,
    validate,
    visit,
)
from graphql.type import is_introspection_type, is_specified_directive, is_specified_scalar_type

ROOT = Path(__file__).resolve().parent.parent
DEVSHOP_SCHEMA = Path(__file__).with_name("schema.graphql")
PORTAL_DOCUMENTS = ROOT / "returns" / "shopify" / "graphql"
EXPORT_QUERY = Path(__file__).with_name("export_orders.graphql")


def load_introspection(path: str | Path) -> GraphQLSchema:
    path = Path(path)
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    result = json.loads(raw)
    schema = build_client_schema(result.get("data", result))
    # Shopify's published schema breaks a rule graphql-core enforces before validating documents
    # (a few implementations deprecate fields their interfaces do not); mark it checked, since
    # it is the reference here, not something to correct.
    schema._validation_errors = []
    return schema


# -- devshop's schema against Shopify's -----------------------------------------------------------


def _kind(named) -> str:
    for kind, cls in (
        ("object", GraphQLObjectType),
        ("interface", GraphQLInterfaceType),
        ("union", GraphQLUnionType),
        ("enum", GraphQLEnumType),
        ("input", GraphQLInputObjectType),
    ):
        if isinstance(named, cls):
            return kind
    return "scalar"


def _args(problems: list[str], where: str, ours: dict, theirs: dict) -> None:
    for name, arg in ours.items():
        if name not in theirs:
            problems.append(f"{where}({name}:): argument not in Shopify's schema")
        elif str(arg.type) != str(theirs[name].type):
            problems.append(
                f"{where}({name}:): devshop declares {arg.type}, Shopify {theirs[name].type}"
            )


def _root_name(schema: GraphQLSchema, named) -> str:
    """Root types are compared by role: devshop's QueryRoot is whatever Shopify's query type is."""
    for ours, theirs in (
        (schema.query_type, "query"),
        (schema.mutation_type, "mutation"),
        (schema.subscription_type, "subscription"),
    ):
        if ours is not None and named.name == ours.name:
            return theirs
    return ""


def compare_schemas(devshop: GraphQLSchema, shopify: GraphQLSchema) -> list[str]:
    """Each way devshop's schema says something Shopify's does not, as 'Type.field: problem'."""
    problems: list[str] = []
    for name, ours in sorted(devshop.type_map.items()):
        if is_introspection_type(ours) or is_specified_scalar_type(ours):
            continue
        role = _root_name(devshop, ours)
        theirs = getattr(shopify, f"{role}_type") if role else shopify.type_map.get(name)
        if theirs is None:
            problems.append(f"{name}: type not in Shopify's schema")
            continue
        if role and theirs.name != name:
            problems.append(f"{name}: Shopify's {role} type is called {theirs.name}")
        if _kind(ours) != _kind(theirs):
            problems.append(
                f"{name}: devshop declares an {_kind(ours)}, Shopify an {_kind(theirs)}"
            )
            continue
        if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
            _compare_fields(problems, name, ours, theirs)
        elif isinstance(ours, GraphQLInputObjectType):
            for field_name, field in ours.fields.items():
                other = theirs.fields.get(field_name)
                if other is None:
                    problems.append(f"{name}.{field_name}: input field not in Shopify's schema")
                elif str(field.type) != str(other.type):
                    problems.append(
                        f"{name}.{field_name}: devshop declares {field.type}, Shopify {other.type}"
                    )
        elif isinstance(ours, GraphQLEnumType):
            for value in ours.values:
                if value not in theirs.values:
                    problems.append(f"{name}.{value}: enum value not in Shopify's schema")
        elif isinstance(ours, GraphQLUnionType):
            members = {t.name for t in theirs.types}
            for member in ours.types:
                if member.name not in members:
                    problems.append(f"{name}: {member.name} is not a member in Shopify's schema")
    for directive in devshop.directives:
        if is_specified_directive(directive):
            continue
        other = shopify.get_directive(directive.name)
        if other is None:
            problems.append(f"@{directive.name}: directive not in Shopify's schema")
            continue
        _args(problems, f"@{directive.name}", directive.args, other.args)
        missing = set(directive.locations) - set(other.locations)
        if missing:
            places = ", ".join(sorted(loc.name for loc in missing))
            problems.append(f"@{directive.name}: Shopify does not allow it on {places}")
    return problems


def _compare_fields(problems: list[str], name: str, ours, theirs) -> None:
    interfaces = {i.name for i in theirs.interfaces}
    for interface in ours.interfaces:
        if interface.name not in interfaces:
            problems.append(f"{name}: Shopify's {name} does not implement {interface.name}")
    for field_name, field in ours.fields.items():
        other = theirs.fields.get(field_name)
        where = f"{name}.{field_name}"
        if other is None:
            problems.append(f"{where}: field not in Shopify's schema")
            continue
        if str(field.type) != str(other.type):
            problems.append(f"{where}: devshop declares {field.type}, Shopify {other.type}")
        _args(problems, where, field.args, other.args)


# -- the portal's documents against Shopify's schema ----------------------------------------------


class _DeprecationFinder(Visitor):
    """Every deprecated field, argument, input field and enum value a document uses, by path."""

    def __init__(self, type_info: TypeInfo, problems: list[str], label: str):
        super().__init__()
        self.type_info, self.problems, self.label = type_info, problems, label
        self.path: list[str] = []

    def _report(self, what: str, reason: str | None) -> None:
        where = " > ".join([self.label, *self.path])
        self.problems.append(f"{where}: {what} is deprecated ({reason or 'no reason given'})")

    def enter_operation_definition(self, node, *_):
        name = node.name.value if node.name else ""
        self.path.append(f"{node.operation.value} {name}".strip())

    def leave_operation_definition(self, *_):
        self.path.pop()

    def enter_fragment_definition(self, node, *_):
        self.path.append(f"fragment {node.name.value}")

    def leave_fragment_definition(self, *_):
        self.path.pop()

    def enter_field(self, node, *_):
        self.path.append(node.alias.value if node.alias else node.name.value)
        field, parent = self.type_info.get_field_def(), self.type_info.get_parent_type()
        if field is not None and field.deprecation_reason is not None:
            self._report(f"{parent.name}.{node.name.value}", field.deprecation_reason)

    def leave_field(self, *_):
        self.path.pop()

    def enter_argument(self, node, *_):
        argument = self.type_info.get_argument()
        if argument is not None and argument.deprecation_reason is not None:
            self._report(f"argument {node.name.value}", argument.deprecation_reason)

    def enter_object_field(self, node, *_):
        parent = get_named_type(self.type_info.get_parent_input_type())
        if isinstance(parent, GraphQLInputObjectType):
            field = parent.fields.get(node.name.value)
            if field is not None and field.deprecation_reason is not None:
                self._report(f"{parent.name}.{node.name.value}", field.deprecation_reason)

    def enter_enum_value(self, node, *_):
        enum = get_named_type(self.type_info.get_input_type())
        if isinstance(enum, GraphQLEnumType):
            value = enum.values.get(node.value)
            if value is not None and value.deprecation_reason is not None:
                self._report(f"{enum.name}.{node.value}", value.deprecation_reason)


def check_document(shopify: GraphQLSchema, label: str, document: DocumentNode) -> list[str]:
    problems = [
        f"{label}: {error.message}"
        + (f" (line {error.locations[0].line})" if error.locations else "")
        for error in validate(shopify, document)
    ]
    if problems:
        return problems
    type_info = TypeInfo(shopify)
    visit(document, TypeInfoVisitor(type_info, _DeprecationFinder(type_info, problems, label)))
    return problems


def portal_documents() -> Iterable[tuple[str, DocumentNode]]:
    """Each document as it is sent: the portal's with their fragments appended, and the export."""
    from returns.shopify.documents import load

    for path in sorted(PORTAL_DOCUMENTS.glob("*.graphql")):
        source = path.read_text(encoding="utf-8")
        if all(d.kind == "fragment_definition" for d in parse(source).definitions):
            continue  # sent only as part of the documents that spread it, checked there
        yield str(path.relative_to(ROOT)), parse(load(path.stem))
    yield str(EXPORT_QUERY.relative_to(ROOT)), parse(EXPORT_QUERY.read_text(encoding="utf-8"))


def check(shopify: GraphQLSchema, devshop: GraphQLSchema, documents) -> list[str]:
    problems = [f"devshop/schema.graphql: {p}" for p in compare_schemas(devshop, shopify)]
    for label, document in documents:
        problems.extend(check_document(shopify, label, document))
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m devshop.fidelity SHOPIFY_SCHEMA.json[.gz]", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"{path}: no such file (Shopify's Admin schema, an introspection result)")
        return 1
    shopify = load_introspection(path)
    devshop = build_schema(DEVSHOP_SCHEMA.read_text(encoding="utf-8"))
    problems = check(shopify, devshop, portal_documents())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s) from Shopify's schema in {path.name}")
        return 1
    print(f"devshop's schema and the portal's documents agree with {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
