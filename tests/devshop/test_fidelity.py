"""The fidelity check catches each way devshop or a portal document can drift from Shopify.

Small hand-written schemas stand in for Shopify's: each test changes one thing and expects the
problem printed by its path. CI runs the real check against Shopify's published schema.
"""

import gzip
import json

import pytest
from graphql import build_schema, introspection_from_schema, parse

from devshop import fidelity

SHOPIFY = """
schema { query: QueryRoot mutation: Mutation }
directive @idempotent(key: String!) on FIELD
scalar DateTime
interface Node { id: ID! }
type QueryRoot { order(id: ID!): Order  orders(first: Int, query: String): [Order!]! }
type Mutation { tagsAdd(id: ID!, tags: [String!]!): Order }
type Order implements Node {
  id: ID!
  processedAt: DateTime!
  note: String
  totalPrice: String @deprecated(reason: "Use totalPriceSet instead.")
  totalPriceSet: String
  fulfillments(first: Int): [Fulfillment!]!
}
type Fulfillment { status: FulfillmentStatus! }
enum FulfillmentStatus { SUCCESS OPEN @deprecated(reason: "A legacy status.") }
input OrderInput { id: ID!  note: String  legacy: String @deprecated(reason: "Gone soon.") }
type Query2 { orderUpdate(input: OrderInput!, sortKey: FulfillmentStatus): Order }
"""

DEVSHOP = """
schema { query: QueryRoot mutation: Mutation }
directive @idempotent(key: String!) on FIELD
scalar DateTime
interface Node { id: ID! }
type QueryRoot { order(id: ID!): Order }
type Mutation { tagsAdd(id: ID!, tags: [String!]!): Order }
type Order implements Node {
  id: ID!
  processedAt: DateTime!
  note: String
  fulfillments(first: Int): [Fulfillment!]!
}
type Fulfillment { status: FulfillmentStatus! }
enum FulfillmentStatus { SUCCESS OPEN }
input OrderInput { id: ID!  note: String }
"""


@pytest.fixture(scope="module")
def shopify():
    return build_schema(SHOPIFY)


def problems_of(devshop_sdl: str, shopify) -> list[str]:
    return fidelity.compare_schemas(build_schema(devshop_sdl), shopify)


def test_an_identical_subset_has_no_problems(shopify):
    assert problems_of(DEVSHOP, shopify) == []


def test_a_missing_type_is_named(shopify):
    sdl = DEVSHOP + "type Return { id: ID! }"
    assert problems_of(sdl, shopify) == ["Return: type not in Shopify's schema"]


def test_a_type_of_another_kind_is_named(shopify):
    sdl = DEVSHOP.replace("type Fulfillment {", "input Fulfillment {").replace(
        "status: FulfillmentStatus! }",
        "status: FulfillmentStatus! }\ntype Unused { f: Fulfillment }",
    )
    found = fidelity.compare_schemas(build_schema(_without_fulfillments(sdl)), shopify)
    assert "Fulfillment: devshop declares an input, Shopify an object" in found


def _without_fulfillments(sdl: str) -> str:
    return sdl.replace("  fulfillments(first: Int): [Fulfillment!]!\n", "").replace(
        "type Unused { f: Fulfillment }", ""
    )


def test_a_missing_field_is_named(shopify):
    sdl = DEVSHOP.replace("  note: String\n", "  note: String\n  presentmentNote: String\n", 1)
    assert problems_of(sdl, shopify) == ["Order.presentmentNote: field not in Shopify's schema"]


def test_nullability_that_differs_is_named(shopify):
    sdl = DEVSHOP.replace("processedAt: DateTime!", "processedAt: DateTime")
    assert problems_of(sdl, shopify) == [
        "Order.processedAt: devshop declares DateTime, Shopify DateTime!"
    ]


def test_a_list_where_shopify_has_one_value_is_named(shopify):
    sdl = DEVSHOP.replace("status: FulfillmentStatus!", "status: [FulfillmentStatus!]!")
    assert problems_of(sdl, shopify) == [
        "Fulfillment.status: devshop declares [FulfillmentStatus!]!, Shopify FulfillmentStatus!"
    ]


def test_a_missing_or_different_argument_is_named(shopify):
    sdl = DEVSHOP.replace("order(id: ID!)", "order(id: ID, name: String)")
    assert problems_of(sdl, shopify) == [
        "QueryRoot.order(id:): devshop declares ID, Shopify ID!",
        "QueryRoot.order(name:): argument not in Shopify's schema",
    ]


def test_a_missing_or_different_input_field_is_named(shopify):
    sdl = DEVSHOP.replace(
        "input OrderInput { id: ID!  note: String }", "input OrderInput { id: ID  tags: [String!] }"
    )
    assert problems_of(sdl, shopify) == [
        "OrderInput.id: devshop declares ID, Shopify ID!",
        "OrderInput.tags: input field not in Shopify's schema",
    ]


def test_a_missing_enum_value_is_named(shopify):
    sdl = DEVSHOP.replace(
        "enum FulfillmentStatus { SUCCESS OPEN }", "enum FulfillmentStatus { SUCCESS DONE }"
    )
    assert problems_of(sdl, shopify) == [
        "FulfillmentStatus.DONE: enum value not in Shopify's schema"
    ]


def test_a_directive_that_differs_is_named(shopify):
    sdl = DEVSHOP.replace("directive @idempotent(key: String!)", "directive @idempotent(key: ID!)")
    sdl += "directive @devshopOnly on FIELD"
    assert problems_of(sdl, shopify) == [
        "@idempotent(key:): devshop declares ID!, Shopify String!",
        "@devshopOnly: directive not in Shopify's schema",
    ]


def test_an_interface_shopify_does_not_implement_is_named(shopify):
    sdl = DEVSHOP.replace("type Fulfillment {", "type Fulfillment implements Node { id: ID!")
    assert "Fulfillment: Shopify's Fulfillment does not implement Node" in problems_of(sdl, shopify)


# -- documents -----------------------------------------------------------------------------------


def test_a_valid_document_has_no_problems(shopify):
    document = parse(
        "query OrderGet($id: ID!) { order(id: $id) { id note fulfillments { status } } }"
    )
    assert fidelity.check_document(shopify, "order_get.graphql", document) == []


def test_a_document_that_does_not_validate_is_named(shopify):
    document = parse("query OrderGet($id: ID!) {\n  order(id: $id) { id notes }\n}")
    assert fidelity.check_document(shopify, "order_get.graphql", document) == [
        "order_get.graphql: Cannot query field 'notes' on type 'Order'. "
        "Did you mean 'note'? (line 2)"
    ]


def test_a_deprecated_field_in_a_document_is_named_by_path(shopify):
    document = parse("query OrderGet($id: ID!) { order(id: $id) { id total: totalPrice } }")
    assert fidelity.check_document(shopify, "order_get.graphql", document) == [
        "order_get.graphql > query OrderGet > order > total: Order.totalPrice is deprecated "
        "(Use totalPriceSet instead.)"
    ]


def test_a_deprecated_field_in_a_fragment_is_named_by_path(shopify):
    document = parse("query OrderGet { order(id: 1) { ...F } }\nfragment F on Order { totalPrice }")
    assert fidelity.check_document(shopify, "d", document) == [
        "d > fragment F > totalPrice: Order.totalPrice is deprecated (Use totalPriceSet instead.)"
    ]


def test_deprecated_enum_values_and_input_fields_in_a_document_are_named():
    shopify = build_schema(
        SHOPIFY.replace("type Query2", "type Mutation2").replace(
            "type Mutation { tagsAdd(id: ID!, tags: [String!]!): Order }",
            "type Mutation { orderUpdate(input: OrderInput!, status: FulfillmentStatus): Order }",
        )
    )
    document = parse(
        'mutation U { orderUpdate(input: {id: "1", legacy: "x"}, status: OPEN) { id } }'
    )
    assert fidelity.check_document(shopify, "u.graphql", document) == [
        "u.graphql > mutation U > orderUpdate: OrderInput.legacy is deprecated (Gone soon.)",
        "u.graphql > mutation U > orderUpdate: FulfillmentStatus.OPEN is deprecated (A legacy status.)",
    ]


# -- the command ---------------------------------------------------------------------------------


def test_the_command_fails_without_the_schema_file(tmp_path, capsys):
    assert fidelity.main([str(tmp_path / "admin.json.gz")]) == 1
    assert "no such file" in capsys.readouterr().out


def test_the_command_reads_a_gzipped_introspection_and_prints_each_problem(tmp_path, capsys):
    # Shopify's schema without Order.processedAt: devshop declares it, and the portal reads it.
    shopify = build_schema(
        fidelity.DEVSHOP_SCHEMA.read_text().replace("  processedAt: DateTime!\n", "", 1)
    )
    path = tmp_path / "admin.json.gz"
    path.write_bytes(
        gzip.compress(json.dumps({"data": introspection_from_schema(shopify)}).encode())
    )

    assert fidelity.main([str(path)]) == 1

    out = capsys.readouterr().out
    assert "devshop/schema.graphql: Order.processedAt: field not in Shopify's schema" in out
    assert (
        "returns/shopify/graphql/order_get.graphql: Cannot query field 'processedAt' on type 'Order'"
        in out
    )
