"""Behaviour that differs between the Admin API versions devshop answers.

The version is the one in the request's URL (/admin/api/<version>/graphql.json), which the portal
takes from SHOPIFY_API_VERSION. Versions are named YYYY-MM, so they compare as strings.
"""

from __future__ import annotations

# From 2026-04 Shopify refuses a refundCreate without @idempotent(key:); before, it was optional.
IDEMPOTENT_REFUNDS_REQUIRED_FROM = "2026-04"


def idempotency_required(version: str | None) -> bool:
    return version is None or version >= IDEMPOTENT_REFUNDS_REQUIRED_FROM
