"""The .graphql documents: complete, valid against devshop's Shopify-shaped schema, affordable."""

from __future__ import annotations

import httpx
import pytest
from graphql import parse, validate

from devshop import api
from devshop.transport import DevshopTransport
from returns.shopify import documents


@pytest.mark.parametrize("name", ["order_get", "order_find"])
def test_a_document_carries_the_fragments_it_uses_once(name):
    source = documents.load(name)

    assert source.count("fragment OrderFields on Order") == 1
    assert validate(api.schema(), parse(source), api.RULES) == []


def test_an_unknown_document_is_named_in_the_error():
    with pytest.raises(LookupError, match="order_lost"):
        documents.load("order_lost")


@pytest.mark.parametrize(
    ("devshop_url", "shopify_url", "expected"),
    [
        (
            "http://127.0.0.1:8000/devshop",
            "https://test-shop.myshopify.com/admin/api/2026-10/graphql.json",
            "http://127.0.0.1:8000/devshop/admin/api/2026-10/graphql.json",
        ),
        (
            "http://127.0.0.1:8123/",
            "https://test-shop.myshopify.com/admin/oauth/access_token?x=1",
            "http://127.0.0.1:8123/admin/oauth/access_token?x=1",
        ),
    ],
)
def test_the_devshop_transport_changes_only_the_destination(devshop_url, shopify_url, expected):
    transport = DevshopTransport(devshop_url)

    assert str(transport.rewrite_url(httpx.URL(shopify_url))) == expected
    transport.close()


def test_the_devshop_transport_refuses_a_relative_url():
    with pytest.raises(ValueError, match="DEVSHOP_URL"):
        DevshopTransport("/devshop")
