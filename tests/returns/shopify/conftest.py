"""Fixtures for the Shopify client tests: real clients talking HTTP to devshop.

devshop's server, its per-test reset and the `devshop` / `sample_shop` fixtures come from the root
conftest.py. Here: a clean token cache and shared client per test, and clients whose requests are
recorded as they leave for the wire, so tests can count token exchanges and GraphQL calls.
"""

from __future__ import annotations

import httpx
import pytest
from django.conf import settings
from django.core.cache import caches

from devshop.transport import DevshopTransport
from returns.shopify.client import ShopifyClient, reset_client

TOKEN_PATH = "/admin/oauth/access_token"
CLIENT_ID = "devshop-test-client-id"
CLIENT_SECRET = "devshop-test-client-secret"


@pytest.fixture(autouse=True)
def fresh_shopify_client():
    reset_client()
    caches["default"].clear()
    yield
    reset_client()
    caches["default"].clear()


class Wire:
    """Every request a client sent, as shopifyapp addressed it (before devshop's transport)."""

    def __init__(self):
        self.requests: list[httpx.Request] = []

    def record(self, request: httpx.Request) -> None:
        self.requests.append(request)

    @property
    def token_exchanges(self) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith(TOKEN_PATH))

    @property
    def graphql_calls(self) -> int:
        return sum(1 for r in self.requests if r.url.path.endswith("/graphql.json"))


@pytest.fixture
def wire():
    return Wire()


@pytest.fixture
def make_client(wire):
    """A ShopifyClient for the test shop over devshop; keyword arguments override the defaults."""
    http_clients: list[httpx.Client] = []

    def make(**overrides) -> ShopifyClient:
        timeout = overrides.pop("timeout", settings.SHOPIFY_TIMEOUT)
        http_client = httpx.Client(
            timeout=timeout,
            transport=DevshopTransport(settings.DEVSHOP_URL),
            event_hooks={"request": [wire.record]},
        )
        options = {
            "shop": settings.SHOPIFY_SHOP,
            "api_version": settings.SHOPIFY_API_VERSION,
            "access_token": settings.SHOPIFY_ACCESS_TOKEN,
            "timeout": timeout,
            "http_client": http_client,
            **overrides,
        }
        http_clients.append(http_client)
        return ShopifyClient(**options)

    yield make
    for http_client in http_clients:
        http_client.close()


@pytest.fixture
def client_credentials(settings):
    """devshop issues tokens to this client id and secret; the static token is switched off."""
    settings.SHOPIFY_ACCESS_TOKEN = ""
    settings.SHOPIFY_CLIENT_ID = CLIENT_ID
    settings.SHOPIFY_CLIENT_SECRET = CLIENT_SECRET
    return {"access_token": "", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
