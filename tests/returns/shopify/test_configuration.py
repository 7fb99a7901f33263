"""Misconfiguration fails at once, with a message naming the setting to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from returns.shopify.client import ShopifyClient, get_client

BASE = {"shop": "test-shop", "api_version": "2026-10"}


@pytest.mark.parametrize(
    ("options", "setting"),
    [
        ({**BASE, "shop": "", "access_token": "shpat_x"}, "SHOPIFY_SHOP"),
        ({**BASE, "shop": "my shop", "access_token": "shpat_x"}, "SHOPIFY_SHOP"),
        ({**BASE, "api_version": "", "access_token": "shpat_x"}, "SHOPIFY_API_VERSION"),
        ({**BASE}, "SHOPIFY_ACCESS_TOKEN"),
        ({**BASE, "client_id": "abc"}, "SHOPIFY_CLIENT_SECRET"),
        ({**BASE, "client_secret": "shh"}, "SHOPIFY_CLIENT_ID"),
    ],
    ids=["no-shop", "bad-shop", "no-api-version", "no-credentials", "no-secret", "no-client-id"],
)
def test_misconfiguration_names_the_setting(options, setting):
    with pytest.raises(ImproperlyConfigured) as raised:
        ShopifyClient(**options)

    assert setting in str(raised.value)
    assert "shh" not in str(raised.value)


@pytest.mark.parametrize(
    "shop",
    ["test-shop", "test-shop.myshopify.com", "https://test-shop.myshopify.com/", " Test-Shop "],
)
def test_the_shop_may_be_given_as_its_domain(shop):
    client = ShopifyClient(shop=shop, api_version="2026-10", access_token="shpat_x")

    assert client.shop == "test-shop"
    client.close()


def test_get_client_reports_missing_settings(settings):
    settings.SHOPIFY_SHOP = ""

    with pytest.raises(ImproperlyConfigured, match="SHOPIFY_SHOP"):
        get_client()


def test_changing_a_shopify_setting_rebuilds_the_shared_client(settings):
    before = get_client()

    settings.SHOPIFY_API_VERSION = "2026-07"

    assert get_client() is not before
    assert get_client().api_version == "2026-07"


def test_a_static_token_wins_over_client_credentials():
    # Admin-created apps set a client secret for webhook signatures alongside their token.
    client = ShopifyClient(**BASE, access_token="shpat_x", client_id="id", client_secret="secret")

    assert not client.uses_client_credentials
    client.close()


def test_production_never_imports_devshop():
    script = """
import sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=[], SHOPIFY_SHOP="shop", SHOPIFY_API_VERSION="2026-10",
    SHOPIFY_ACCESS_TOKEN="shpat_x", SHOPIFY_CLIENT_ID="", SHOPIFY_CLIENT_SECRET="",
    SHOPIFY_TIMEOUT=1.0, SHOPIFY_TOKEN_RENEW_MARGIN=300, DEVSHOP_ENABLED=False,
)
django.setup()
from returns.shopify import client, orders
client.get_client()
assert not any(name.startswith("devshop") for name in sys.modules), "devshop was imported"
"""
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
