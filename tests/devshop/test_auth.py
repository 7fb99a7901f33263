"""devshop's auth over HTTP: the client-credentials grant and the access token check."""

import httpx
import pytest

from tests.devshop.documents import GID, ORDER_QUERY

# -- the client-credentials grant ---------------------------------------------------------------


def token_request(devshop_server, **kwargs):
    return httpx.post(f"{devshop_server}/admin/oauth/access_token", **kwargs)


def test_client_credentials_give_a_token_that_opens_the_api(
    devshop_server, app_credentials, gql, sample_shop
):
    response = token_request(
        devshop_server, json={**app_credentials, "grant_type": "client_credentials"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("shpat_")
    assert body["expires_in"] == 86399
    assert {"read_orders", "read_returns", "write_returns"} <= set(body["scope"].split(","))
    assert (
        gql(ORDER_QUERY, {"id": GID}, token=body["access_token"]).json()["data"]["order"]["name"]
        == "#1003"
    )


def test_the_granted_scopes_follow_the_shops_installation(
    devshop_server, app_credentials, gql, devshop
):
    devshop.set_option("access_scopes", "read_orders,write_orders")

    body = token_request(
        devshop_server, json={**app_credentials, "grant_type": "client_credentials"}
    ).json()
    installed = gql(
        "{ currentAppInstallation { accessScopes { handle } } }", token=body["access_token"]
    ).json()["data"]["currentAppInstallation"]["accessScopes"]

    assert body["scope"] == "read_orders,write_orders"
    assert [scope["handle"] for scope in installed] == ["read_orders", "write_orders"]


def test_the_grant_accepts_a_form_body_and_a_short_lifetime(
    devshop_server, app_credentials, devshop
):
    devshop.set_option("token_lifetime", 5)

    response = token_request(
        devshop_server, data={**app_credentials, "grant_type": "client_credentials"}
    )

    assert response.status_code == 200
    assert response.json()["expires_in"] == 5


@pytest.mark.parametrize("wrong", [{"client_secret": "guess"}, {"client_id": "someone-else"}])
def test_wrong_client_credentials_are_refused(devshop_server, app_credentials, wrong):
    payload = {**app_credentials, **wrong, "grant_type": "client_credentials"}

    response = token_request(devshop_server, json=payload)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"]


def test_only_the_client_credentials_grant_is_offered(devshop_server, app_credentials):
    response = token_request(devshop_server, json={**app_credentials, "grant_type": "password"})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_no_configured_client_means_no_token(devshop_server):
    # The test settings configure a static token only; no client id/secret pair exists.
    response = token_request(
        devshop_server,
        json={"client_id": "", "client_secret": "", "grant_type": "client_credentials"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


# -- access to the GraphQL endpoint -------------------------------------------------------------


INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}


@pytest.mark.parametrize("token", ["shpat_wrong", ""])
def test_a_wrong_or_missing_token_is_401(graphql_url, token):
    response = httpx.post(
        graphql_url,
        json={"query": "{ orders(first: 1) { nodes { id } } }"},
        headers={"X-Shopify-Access-Token": token},
    )

    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_an_expired_token_is_401(gql, devshop):
    expired = devshop.issue_token(lifetime=-1)

    assert gql("{ orders(first: 1) { nodes { id } } }", token=expired).status_code == 401


def test_an_unknown_api_version_is_404(devshop_server, settings):
    response = httpx.post(
        f"{devshop_server}/admin/api/2019-04/graphql.json",
        json={"query": "{ orders(first: 1) { nodes { id } } }"},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
    )

    assert response.status_code == 404


def test_a_request_for_another_shop_is_404(graphql_url, settings):
    response = httpx.post(
        graphql_url,
        json={"query": "{ orders(first: 1) { nodes { id } } }"},
        headers={
            "X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN,
            "X-Devshop-Shop-Domain": "someone-else.myshopify.com",
        },
    )

    assert response.status_code == 404


def test_a_body_without_a_query_is_400(graphql_url, settings):
    response = httpx.post(
        graphql_url,
        json={"variables": {}},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}


def test_only_shopifys_paths_exist_and_only_for_post(devshop_server, graphql_url):
    assert httpx.post(f"{devshop_server}/admin/api/unstable/products.json").status_code == 404
    response = httpx.get(graphql_url)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_the_portal_served_devshop_issues_tokens_too(client, app_credentials):
    response = client.post(
        "/devshop/admin/oauth/access_token",
        data={**app_credentials, "grant_type": "client_credentials"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["access_token"].startswith("shpat_")


def test_once_the_app_is_uninstalled_no_token_opens_the_api(
    devshop_server, devshop, gql, app_credentials
):
    issued = token_request(
        devshop_server, json={**app_credentials, "grant_type": "client_credentials"}
    ).json()["access_token"]

    devshop.app_uninstall()

    # As Shopify: every token the app had is revoked, the static one included, and no new one.
    assert gql("{ orders(first: 1) { nodes { id } } }", token=issued).status_code == 401
    assert gql("{ orders(first: 1) { nodes { id } } }").status_code == 401
    refused = token_request(
        devshop_server, json={**app_credentials, "grant_type": "client_credentials"}
    )
    assert refused.status_code == 400 and "access_token" not in refused.json()
    devshop.reset()
    assert gql("{ orders(first: 1) { nodes { id } } }").status_code == 200


# -- access scopes ------------------------------------------------------------------------------

RETURN_REQUEST = """
mutation ($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id } userErrors { message } }
}
"""


def test_a_field_without_its_access_scope_is_denied_as_shopify_denies_it(gql, devshop, sample_shop):
    devshop.set_option("access_scopes", "read_orders,write_orders,read_returns")
    order = sample_shop["#1001"]["id"]

    body = gql(RETURN_REQUEST, {"input": {"orderId": order, "returnLineItems": []}}).json()

    assert body["data"] == {"returnRequest": None}
    [error] = body["errors"]
    assert error["path"] == ["returnRequest"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["message"] == (
        "Access denied for returnRequest field. Required access: `write_returns` access scope "
        "or `write_marketplace_returns` access scope."
    )
    # Reading is granted; locations need a scope of their own, and their field is non-null.
    read = gql(
        "query ($id: ID!) { order(id: $id) { name returns(first: 5) { nodes { id } } } }",
        {"id": order},
    ).json()
    assert read == {**read, "data": {"order": {"name": "#1001", "returns": {"nodes": []}}}}
    assert "errors" not in read
    locations = gql("{ locations(first: 1) { nodes { id } } }").json()
    assert locations["data"] is None
    assert [e["extensions"]["code"] for e in locations["errors"]] == ["ACCESS_DENIED"]


def test_a_write_scope_grants_its_read_scope(gql, devshop, sample_shop):
    devshop.set_option("access_scopes", "write_orders,write_returns")

    body = gql(
        "query ($id: ID!) { order(id: $id) { returns(first: 5) { nodes { id } } } }",
        {"id": sample_shop["#1001"]["id"]},
    ).json()

    assert "errors" not in body and body["data"]["order"]["returns"] == {"nodes": []}
