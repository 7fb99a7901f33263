"""The access scopes the portal needs, and which of them the shop's installation of the app lacks."""

from __future__ import annotations

from . import documents
from .client import ShopifyClient, get_client

# README "Connecting a real shop" says why each is needed; keep the two in step.
REQUIRED_SCOPES = (
    "read_orders",
    "read_all_orders",
    "write_orders",
    "read_products",
    "read_returns",
    "write_returns",
)


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
