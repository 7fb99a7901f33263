"""The client against devshop over real HTTP: what each kind of Shopify trouble turns into."""

from __future__ import annotations

import time

import httpx
import pytest

from returns.shopify import documents
from returns.shopify.client import ShopifyClient, get_client
from returns.shopify.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
    raise_for_user_errors,
)

ORDER_1001 = "gid://shopify/Order/6012345601001"
SHOP_NAME_QUERY = f'query {{ order(id: "{ORDER_1001}") {{ id name }} }}'


def test_a_query_returns_its_data_and_reports_its_cost(sample_shop, make_client):
    client = make_client()

    data = client.execute(documents.load("order_get"), {"id": ORDER_1001})

    assert data["order"]["name"] == "#1001"
    cost = client.last_cost
    assert 0 < cost["requestedQueryCost"] <= 1000, "must stay within Shopify's single-query limit"
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_the_shared_client_is_built_from_settings_and_reaches_devshop(sample_shop):
    client = get_client()

    assert client.execute(SHOP_NAME_QUERY)["order"]["name"] == "#1001"
    assert get_client() is client


def test_a_wrong_access_token_is_an_auth_error_that_names_the_setting(sample_shop, make_client):
    client = make_client(access_token="shpat_wrong_token")

    with pytest.raises(ShopifyAuthError) as raised:
        client.execute(SHOP_NAME_QUERY)

    assert "SHOPIFY_ACCESS_TOKEN" in str(raised.value)
    assert "test-shop" in str(raised.value)
    assert "shpat_wrong_token" not in str(raised.value)
    assert not raised.value.retryable


@pytest.mark.parametrize("fault", ["http_500", "http_502", "http_503"])
def test_a_server_error_is_unavailable_and_not_retried_in_process(
    fault, sample_shop, devshop, make_client, wire
):
    client = make_client()
    devshop.add_fault(fault)

    with pytest.raises(ShopifyUnavailable) as raised:
        client.execute(SHOP_NAME_QUERY)

    assert raised.value.retryable
    assert fault.removeprefix("http_") in str(raised.value)
    assert wire.graphql_calls == 1, "retries belong to Celery tasks, never to the request"
    # The fault was Shopify's, once: the next call goes through.
    assert client.execute(SHOP_NAME_QUERY)["order"]["name"] == "#1001"


def test_http_429_is_throttled_with_retry_after_from_the_header(
    sample_shop, devshop, make_client, wire
):
    client = make_client()
    devshop.add_fault("http_429")

    with pytest.raises(ShopifyThrottled) as raised:
        client.execute(SHOP_NAME_QUERY)

    assert raised.value.retry_after == 2.0  # devshop sends Retry-After: 2, as Shopify does
    assert raised.value.retryable
    assert wire.graphql_calls == 1


def test_graphql_throttled_waits_until_the_bucket_holds_the_query_cost(
    sample_shop, devshop, make_client, devshop_clock
):
    client = make_client()
    devshop.set_bucket(0)  # every point spent, as after a burst of expensive queries

    with pytest.raises(ShopifyThrottled) as raised:
        client.execute(documents.load("order_get"), {"id": ORDER_1001})

    cost = client.last_cost
    status = cost["throttleStatus"]
    expected = (cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"]
    assert raised.value.retry_after == pytest.approx(expected)
    assert raised.value.retry_after > 0
    assert cost["actualQueryCost"] is None


def test_an_injected_throttle_is_reported_as_throttled(sample_shop, devshop, make_client):
    devshop.add_fault("throttled")

    with pytest.raises(ShopifyThrottled) as raised:
        make_client().execute(SHOP_NAME_QUERY)

    assert raised.value.retry_after >= 0


def test_a_slow_shopify_is_unavailable_after_about_the_configured_timeout(
    sample_shop, devshop, make_client
):
    devshop.set_option("timeout_seconds", 3)
    devshop.add_fault("timeout")
    client = make_client(timeout=0.5)

    started = time.monotonic()
    with pytest.raises(ShopifyUnavailable) as raised:
        client.execute(SHOP_NAME_QUERY)
    elapsed = time.monotonic() - started

    assert 0.4 <= elapsed < 2.0
    assert "0.5 seconds" in str(raised.value)


def test_an_unreachable_shopify_is_unavailable(settings, make_client):
    settings.DEVSHOP_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there

    with pytest.raises(ShopifyUnavailable):
        make_client().execute(SHOP_NAME_QUERY)


def test_a_misspelled_field_is_rejected_with_shopifys_error(sample_shop, make_client):
    query = f'query {{ order(id: "{ORDER_1001}") {{ id nmae }} }}'

    with pytest.raises(ShopifyRejected) as raised:
        make_client().execute(query)

    assert not isinstance(raised.value, ShopifyAuthError)
    assert not raised.value.retryable
    [error] = raised.value.user_errors
    assert error["message"] == "Field 'nmae' doesn't exist on type 'Order'"
    assert error["code"] == "undefinedField"
    assert "nmae" in str(raised.value)


def test_a_mutation_with_user_errors_is_rejected(sample_shop, devshop, make_client):
    mutation = """
        mutation TagsAdd($id: ID!, $tags: [String!]!) {
          tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
        }
    """
    devshop.add_fault("user_errors")
    client = make_client()
    data = client.execute(mutation, {"id": ORDER_1001, "tags": ["return-requested"]})

    with pytest.raises(ShopifyRejected) as raised:
        raise_for_user_errors(data["tagsAdd"], operation="adding tags", shop=client.shop)

    assert raised.value.user_errors[0]["message"].startswith("Something went wrong")
    assert "adding tags" in str(raised.value)


def test_an_unknown_api_version_is_rejected_naming_the_setting(sample_shop, make_client):
    with pytest.raises(ShopifyRejected) as raised:
        make_client(api_version="1999-01").execute(SHOP_NAME_QUERY)

    assert "SHOPIFY_API_VERSION" in str(raised.value)


def test_every_failure_is_a_shopify_error(sample_shop, devshop, make_client):
    client = make_client()
    for fault in ("http_500", "http_429", "throttled"):
        devshop.add_fault(fault)
        with pytest.raises(ShopifyError):
            client.execute(SHOP_NAME_QUERY)


def test_the_client_never_shows_its_credentials():
    with httpx.Client() as http_client:
        client = ShopifyClient(
            shop="test-shop",
            api_version="2026-10",
            access_token="shpat_very_secret",
            http_client=http_client,
        )

        assert "shpat_very_secret" not in repr(client)
