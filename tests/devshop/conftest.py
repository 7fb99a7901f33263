"""Fixtures for devshop's HTTP tests: where to send GraphQL, and app credentials."""

import httpx
import pytest


@pytest.fixture
def graphql_url(devshop_server, settings):
    return f"{devshop_server}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"


@pytest.fixture
def gql(graphql_url, settings):
    def send(query, variables=None, token=None, timeout=5.0):
        return httpx.post(
            graphql_url,
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token or settings.SHOPIFY_ACCESS_TOKEN},
            timeout=timeout,
        )

    return send


@pytest.fixture
def app_credentials(settings):
    settings.SHOPIFY_CLIENT_ID = "devshop-client"
    settings.SHOPIFY_CLIENT_SECRET = "devshop-secret"
    return {"client_id": "devshop-client", "client_secret": "devshop-secret"}
