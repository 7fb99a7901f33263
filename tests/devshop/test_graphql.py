"""devshop's GraphQL endpoint over HTTP: data, Shopify's errors, cost and throttling, mutations."""

from tests.devshop.documents import GID, ORDER_QUERY, ORDER_UPDATE, TAGS_ADD, THROTTLED_ERRORS

# -- queries, errors and cost -------------------------------------------------------------------


def test_a_valid_query_returns_data_and_its_cost(gql, sample_shop, devshop_clock):
    body = gql(ORDER_QUERY, {"id": GID}).json()

    order = body["data"]["order"]
    assert order["name"] == "#1003"
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "188.80", "currencyCode": "EUR"}
    assert [i["quantity"] for i in order["lineItems"]["nodes"]] == [4, 1]
    cost = body["extensions"]["cost"]
    # order 1 + totalPriceSet 2 + lineItems (2 + 10 x 1) = 15 requested; 2 lines returned = 7 actual
    assert cost["requestedQueryCost"] == 15
    assert cost["actualQueryCost"] == 7
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": 1993,
        "restoreRate": 100.0,
    }


def test_an_unknown_order_is_null(gql, sample_shop):
    body = gql(ORDER_QUERY, {"id": "gid://shopify/Order/1"}).json()

    assert body["data"] == {"order": None}
    assert body["extensions"]["cost"]["actualQueryCost"] == 0


def test_a_misspelled_field_is_a_graphql_error_like_shopifys(gql, sample_shop, devshop):
    response = gql(f'query Typo {{ order(id: "{GID}") {{ name totalPrice }} }}')

    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": "Field 'totalPrice' doesn't exist on type 'Order'",
                "locations": [{"line": 1, "column": 68}],
                "path": ["query Typo", "order", "totalPrice"],
                "extensions": {
                    "code": "undefinedField",
                    "typeName": "Order",
                    "fieldName": "totalPrice",
                },
            }
        ]
    }
    assert devshop.request_log()[-1]["outcome"] == "invalid"


def test_a_syntax_error_is_a_graphql_error(gql):
    response = gql("{ orders(first: 1) { nodes { id }")

    assert response.status_code == 200
    assert "Syntax Error" in response.json()["errors"][0]["message"]


def test_orders_are_searched_sorted_and_paginated(gql, sample_shop):
    query = """query Page($after: String) {
      orders(first: 5, after: $after, sortKey: ORDER_NUMBER, reverse: true) {
        nodes { name } pageInfo { hasNextPage endCursor }
      }
    }"""

    first = gql(query).json()["data"]["orders"]
    second = gql(query, {"after": first["pageInfo"]["endCursor"]}).json()["data"]["orders"]

    assert [o["name"] for o in first["nodes"]] == ["#1013", "#1012", "#1011", "#1010", "#1009"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [o["name"] for o in second["nodes"]] == ["#1008", "#1007", "#1006", "#1005", "#1004"]
    found = gql(
        '{ orders(first: 5, query: "email:lena.schmidt@example.org") { edges { node { name } } } }'
    )
    assert found.json()["data"]["orders"]["edges"] == [{"node": {"name": "#1005"}}]


def test_a_connection_without_first_or_last_is_an_error(gql, sample_shop):
    body = gql("{ orders { nodes { id } } }").json()

    assert body["errors"][0]["message"] == "you must provide one of first or last"


def test_a_query_over_the_single_query_limit_is_refused(gql, sample_shop, devshop):
    query = """{ orders(first: 50) { nodes { lineItems(first: 50) { nodes { id } } } } }"""

    body = gql(query).json()

    assert body["errors"][0]["extensions"] == {
        "code": "MAX_COST_EXCEEDED",
        "cost": 2652,
        "maxCost": 1000,
    }
    assert "data" not in body


def test_requests_are_logged_with_operation_name_and_cost(gql, sample_shop, devshop):
    gql(ORDER_QUERY, {"id": GID})
    gql(TAGS_ADD, {"id": GID, "tags": ["return-requested"]})

    assert [(r["operation_name"], r["cost"]) for r in devshop.request_log()] == [
        ("OrderBrief", 7),
        ("OrderTagsAdd", 10),
    ]


# -- throttling ---------------------------------------------------------------------------------


def test_an_empty_bucket_throttles_like_shopify(gql, sample_shop, devshop, devshop_clock):
    devshop.set_bucket(0)

    response = gql(TAGS_ADD, {"id": GID, "tags": ["never-added"]})

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == THROTTLED_ERRORS
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 10
    assert "never-added" not in devshop.order_by_id(GID)["tags"]


def test_the_bucket_is_drained_by_requests_and_refilled_over_time(
    gql, sample_shop, devshop, devshop_clock
):
    devshop.set_option("bucket_size", 30)
    devshop.set_option("restore_rate", 20)

    costs = [gql(ORDER_QUERY, {"id": GID}).json() for _ in range(3)]

    # Each request reserves 15, runs, and gets back the 8 it did not use.
    assert "errors" not in costs[1]
    available = [c["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] for c in costs]
    assert available == [23, 16, 9]
    devshop.set_bucket(0)
    assert gql(ORDER_QUERY, {"id": GID}).json()["errors"] == THROTTLED_ERRORS
    devshop_clock.advance(0.5)  # 20 points/second: 10 points, short of the next 15
    assert gql(ORDER_QUERY, {"id": GID}).json()["errors"] == THROTTLED_ERRORS
    devshop_clock.advance(0.25)  # 15 points
    assert "errors" not in gql(ORDER_QUERY, {"id": GID}).json()


# -- mutations ----------------------------------------------------------------------------------


def test_tags_add_adds_tags_once_and_stamps_the_order(gql, sample_shop, devshop):
    updated_before = devshop.order_by_id(GID)["updatedAt"]

    first = gql(TAGS_ADD, {"id": GID, "tags": ["return-requested", "WEBSHOP"]}).json()
    gql(TAGS_ADD, {"id": GID, "tags": "return-requested, return-refunded"})

    assert first["data"]["tagsAdd"] == {"node": {"id": GID}, "userErrors": []}
    stored = devshop.order_by_id(GID)
    assert stored["tags"] == ["webshop", "return-requested", "return-refunded"]
    assert stored["updatedAt"] > updated_before


def test_tags_add_on_an_unknown_order_is_a_user_error(gql, sample_shop):
    payload = gql(TAGS_ADD, {"id": "gid://shopify/Order/1", "tags": ["x"]}).json()["data"][
        "tagsAdd"
    ]

    assert payload == {
        "node": None,
        "userErrors": [{"field": ["id"], "message": "Order does not exist"}],
    }


def test_order_update_replaces_note_and_tags(gql, sample_shop, devshop):
    payload = gql(
        ORDER_UPDATE,
        {"input": {"id": GID, "note": "R-1003-1: mok defect", "tags": ["a", "b", "A"]}},
    )

    assert payload.json()["data"]["orderUpdate"] == {
        "order": {"id": GID, "note": "R-1003-1: mok defect", "tags": ["a", "b"]},
        "userErrors": [],
    }
    assert devshop.order_by_id(GID)["note"] == "R-1003-1: mok defect"


def test_order_update_leaves_fields_it_was_not_given(gql, sample_shop, devshop):
    gql(ORDER_UPDATE, {"input": {"id": GID, "note": "only the note"}})

    assert devshop.order_by_id(GID)["tags"] == ["webshop"]


def test_order_update_on_an_unknown_order_is_a_user_error(gql, sample_shop):
    payload = gql(ORDER_UPDATE, {"input": {"id": "gid://shopify/Order/1", "note": "x"}}).json()

    assert payload["data"]["orderUpdate"]["userErrors"] == [
        {"field": ["id"], "message": "Order does not exist"}
    ]


# -- served by the portal itself ----------------------------------------------------------------


def test_the_portal_serves_devshop_under_devshop(client, settings, sample_shop):
    response = client.post(
        f"/devshop/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json",
        data={"query": ORDER_QUERY, "variables": {"id": GID}},
        content_type="application/json",
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
    )

    assert response.status_code == 200
    assert response.json()["data"]["order"]["name"] == "#1003"


def test_the_portal_served_devshop_reports_errors_with_their_headers(client, settings, devshop):
    devshop.add_fault("http_429")

    response = client.post(
        f"/devshop/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json",
        data={"query": "{ orders(first: 1) { nodes { id } } }"},
        content_type="application/json",
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
    )

    assert response.status_code == 429
    assert response["Retry-After"] == "2"
