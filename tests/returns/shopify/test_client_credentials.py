"""Client-credentials auth (Dev Dashboard apps): one token exchange, shared, renewed in time."""

from __future__ import annotations

import pytest

from returns.shopify.client import get_client
from returns.shopify.errors import ShopifyAuthError, ShopifyUnavailable

from .conftest import CLIENT_ID

QUERY = 'query { order(id: "gid://shopify/Order/6012345601001") { name } }'


def test_the_token_is_obtained_once_and_reused(sample_shop, client_credentials, make_client, wire):
    client = make_client(**client_credentials)

    for _ in range(3):
        assert client.execute(QUERY)["order"]["name"] == "#1001"

    assert wire.token_exchanges == 1
    assert wire.graphql_calls == 3


def test_processes_share_the_token_through_the_cache(
    sample_shop, client_credentials, make_client, wire
):
    web, worker = make_client(**client_credentials), make_client(**client_credentials)

    web.execute(QUERY)
    worker.execute(QUERY)

    assert wire.token_exchanges == 1


def test_the_token_is_renewed_once_it_is_within_the_margin_of_expiry(
    sample_shop, devshop, settings, client_credentials, make_client, wire
):
    devshop.set_option("token_lifetime", 600)
    settings.SHOPIFY_TOKEN_RENEW_MARGIN = 300
    client = make_client(**client_credentials)
    client.execute(QUERY)
    client.execute(QUERY)
    assert wire.token_exchanges == 1

    # Time has not passed, but a token with at most 600 s left is now inside the margin.
    settings.SHOPIFY_TOKEN_RENEW_MARGIN = 601
    client.execute(QUERY)

    assert wire.token_exchanges == 2


def test_a_rejected_token_is_renewed_once_and_the_call_retried(
    sample_shop, devshop, client_credentials, make_client, wire
):
    client = make_client(**client_credentials)
    client.execute(QUERY)

    # Shopify forgets every token it issued (as when the app is reinstalled); the orders stay.
    orders = devshop.orders()
    devshop.reset()
    devshop.load_orders(orders)

    assert client.execute(QUERY)["order"]["name"] == "#1001"
    assert wire.token_exchanges == 2
    assert wire.graphql_calls == 3  # the first call, the rejected one, the retry


def test_a_second_rejection_is_an_auth_error(
    sample_shop, devshop, client_credentials, make_client, wire
):
    # Every token devshop issues now is expired on arrival, so even a fresh one is refused.
    devshop.set_option("token_lifetime", -1)
    client = make_client(**client_credentials)

    with pytest.raises(ShopifyAuthError) as raised:
        client.execute(QUERY)

    assert wire.token_exchanges == 2, "one renewal, not a loop"
    assert "test-shop" in str(raised.value)


def test_a_wrong_client_secret_is_an_auth_error_naming_the_settings(
    sample_shop, client_credentials, make_client, wire
):
    client = make_client(**{**client_credentials, "client_secret": "not-the-secret"})

    with pytest.raises(ShopifyAuthError) as raised:
        client.execute(QUERY)

    message = str(raised.value)
    assert "SHOPIFY_CLIENT_ID" in message and "SHOPIFY_CLIENT_SECRET" in message
    assert "not-the-secret" not in message
    assert wire.graphql_calls == 0


def test_a_token_exchange_that_cannot_reach_shopify_is_unavailable(
    settings, client_credentials, make_client
):
    settings.DEVSHOP_URL = "http://127.0.0.1:9"

    with pytest.raises(ShopifyUnavailable):
        make_client(**client_credentials).execute(QUERY)


def test_the_shared_client_uses_client_credentials_when_no_static_token_is_set(
    sample_shop, client_credentials
):
    client = get_client()

    assert client.uses_client_credentials
    assert client.execute(QUERY)["order"]["name"] == "#1001"
    assert CLIENT_ID in client.token_cache_key
