"""The access scopes the portal needs, and which of them the shop's installation of the app lacks.

`scopes_missing()` asks Shopify. The back office shows what is missing on its pages, so it asks
through `scopes_missing_remembered()`: one answer is kept in the shared cache for CHECK_SECONDS
(five minutes), and the pages ask Shopify at most that often, whatever the number of staff and
processes; a step Shopify refuses for a missing scope forgets it, so the next page asks again.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyError

logger = logging.getLogger(__name__)

# README "Connecting a real shop" says why each is needed; keep the two in step.
REQUIRED_SCOPES = (
    "read_orders",
    "read_all_orders",
    "write_orders",
    "read_products",
    "read_returns",
    "write_returns",
    "read_locations",
    "write_draft_orders",
)
CHECK_SECONDS = 300
# When Shopify could not be asked: try again sooner, but not on every page.
UNKNOWN_SECONDS = 60


def scopes_missing(*, client: ShopifyClient | None = None) -> list[str]:
    """The required scopes the app was not granted, in REQUIRED_SCOPES order; [] when all are."""
    client = client or get_client()
    data = client.execute(documents.load("access_scopes"))
    granted = {scope["handle"] for scope in data["currentAppInstallation"]["accessScopes"]}
    # Shopify grants write_x without listing read_x beside it; writing implies reading.
    implied = {
        "read_" + handle.removeprefix("write_") for handle in granted if handle.startswith("write_")
    }
    return [scope for scope in REQUIRED_SCOPES if scope not in granted | implied]


def _cache_key(client: ShopifyClient) -> str:
    return f"returns.shopify.scopes_missing:{client.shop}"


def scopes_missing_checked() -> list[str]:
    """Ask Shopify now and remember the answer for the pages; raises ShopifyError."""
    client = get_client()
    missing = scopes_missing(client=client)
    cache.set(_cache_key(client), {"missing": missing}, CHECK_SECONDS)
    return missing


def scopes_missing_remembered() -> list[str] | None:
    """The missing scopes as last checked (asking Shopify if nobody did lately); None when
    Shopify could not be asked. Never raises: a page must not fail over it."""
    try:
        client = get_client()
    except ImproperlyConfigured:  # shopify_check and the settings checks say so
        return None
    remembered = cache.get(_cache_key(client))
    if remembered is not None:
        return remembered["missing"]
    try:
        return scopes_missing_checked()
    except ShopifyError as error:
        logger.warning("Could not check the app's access scopes: %s", error.message)
        cache.set(_cache_key(client), {"missing": None}, UNKNOWN_SECONDS)
        return None


def scopes_check_forget() -> None:
    """Make the next page ask Shopify again (a step was just refused for a missing scope)."""
    try:
        cache.delete(_cache_key(get_client()))
    except ImproperlyConfigured:  # no client, so nothing was remembered either
        pass


def scopes_wanted(named: tuple[str, ...]) -> list[str]:
    """Of the scopes Shopify named as required (any one would do), the ones the portal asks for;
    Shopify's first if the portal asks for none of them."""
    wanted = [scope for scope in REQUIRED_SCOPES if scope in named]
    return wanted or list(named[:1])
