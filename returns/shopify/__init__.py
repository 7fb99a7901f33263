"""The only code that talks to Shopify.

Modules: client (auth, transport, errors), orders (reading orders), notes (note lines and tags),
refunds (Shopify's suggestion and refundCreate), types (the dataclasses they return), errors (the
exception family), documents (the .graphql files).
"""

from .errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyUnavailable,
)

__all__ = [
    "ShopifyAuthError",
    "ShopifyError",
    "ShopifyRejected",
    "ShopifyThrottled",
    "ShopifyUnavailable",
]
