"""devshop's schema against the portal's GraphQL documents, and Shopify's query cost rules."""

import pytest
from graphql import get_operation_ast, parse, validate

from devshop.api import schema
from devshop.cost import query_cost
from tests.devshop.documents import GRAPHQL_DIR, operation_files, with_fragments

OPERATION_FILES = operation_files()


def test_the_portal_sends_documents():
    assert {p.stem for p in OPERATION_FILES} >= {"order_get", "order_find"}


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_every_portal_document_validates_against_devshops_schema(path):
    document = parse(with_fragments(path.read_text()))

    assert validate(schema(), document) == []


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.name)
def test_every_portal_document_stays_under_shopifys_single_query_limit(path):
    document = parse(with_fragments(path.read_text()))

    assert query_cost(schema(), document, get_operation_ast(document)) <= 1000


def test_a_misspelled_field_in_a_portal_document_would_be_caught():
    source = with_fragments((GRAPHQL_DIR / "order_get.graphql").read_text())
    misspelled = source.replace("displayFinancialStatus", "displayFinancialStatuss", 1)

    errors = validate(schema(), parse(misspelled))

    assert [e.message for e in errors] == [
        "Cannot query field 'displayFinancialStatuss' on type 'Order'. "
        "Did you mean 'displayFinancialStatus'?"
    ]


# -- Shopify's cost rules -----------------------------------------------------------------------


def cost(query: str, data=None, variables=None) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    if data is None:
        return query_cost(schema(), document, operation, variables)
    return query_cost(schema(), document, operation, variables, data=data)


@pytest.mark.parametrize(
    "query, expected",
    [
        ('{ order(id: "x") { id name tags displayFinancialStatus } }', 1),  # scalars, enums: 0
        ('{ order(id: "x") { totalPriceSet { shopMoney { amount } } } }', 3),  # objects: 1 each
        ('{ order(id: "x") { lineItems(first: 10) { nodes { id } } } }', 13),  # 2 + 10 x 1
        ('{ order(id: "x") { lineItems(first: 10) { edges { cursor node { id } } } } }', 13),
        ('{ order(id: "x") { lineItems(first: 10) { pageInfo { hasNextPage } } } }', 3),
        ('{ order(id: "x") { lineItems(first: 10) { nodes { product { id } } } } }', 23),
        ("{ orders(first: 5) { nodes { lineItems(first: 10) { nodes { id } } } } }", 2 + 5 * 13),
        ('{ order(id: "x") { refunds(first: 20) { id } } }', 2),  # a plain list: not sized
        (
            '{ order(id: "x") { id ...F ...F } } fragment F on Order { totalPriceSet { shopMoney { amount } } }',
            3,
        ),
        ('mutation { tagsAdd(id: "x", tags: ["a"]) { node { id } userErrors { message } } }', 10),
    ],
)
def test_requested_cost_follows_shopifys_rules(query, expected):
    assert cost(query) == expected


def test_a_page_size_given_as_a_variable_counts():
    query = "query($n: Int) { orders(first: $n) { nodes { id } } }"

    assert cost(query, variables={"n": 25}) == 27


def test_actual_cost_counts_what_came_back():
    query = '{ order(id: "x") { image: totalPriceSet { shopMoney { amount } } lineItems(first: 10) { nodes { product { id } } } } }'
    data = {
        "order": {
            "image": None,
            "lineItems": {"nodes": [{"product": {"id": "p"}}, {"product": None}]},
        }
    }

    # order 1 + null object 0 + connection 2 + (1 + 1) + (1 + 0)
    assert cost(query, data=data) == 6
    assert cost(query, data={"order": None}) == 0
