"""The one exception family the Shopify client raises.

Callers decide what to do by class: `retryable` errors (unavailable, throttled) are retried later
by a Celery task, never inside a web request; the others need a person (a fix to the request, the
data or the configuration). Messages are one sentence an operator can act on and never contain a
token or secret.
"""

from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import Any

# Shopify's message for IDEMPOTENCY_CONCURRENT_REQUEST (userErrors of refundCreate carry no code).
IDEMPOTENCY_IN_PROGRESS = "This request is currently in progress, please try again."
# When Shopify says 429 without saying how long to wait.
DEFAULT_RETRY_AFTER = 2.0


class ShopifyError(Exception):
    """Anything that went wrong talking to Shopify."""

    retryable = False

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ShopifyUnavailable(ShopifyError):
    """Shopify could not be reached, timed out or answered 5xx: safe to retry later."""

    retryable = True


class ShopifyThrottled(ShopifyError):
    """Shopify asked us to slow down (HTTP 429 or GraphQL THROTTLED)."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float):
        super().__init__(message)
        # Seconds to wait before the same request can succeed.
        self.retry_after = retry_after


class ShopifyRejected(ShopifyError):
    """Shopify understood the request and refused it; repeating it unchanged will not help."""

    def __init__(self, message: str, *, user_errors: list[dict] | None = None):
        super().__init__(message)
        # Each {"field": [...] | None, "message": str, "code": str | None}, as Shopify reports them.
        self.user_errors = list(user_errors or [])


class ShopifyAuthError(ShopifyRejected):
    """The credentials are wrong, revoked or lack a scope: the configuration needs fixing."""


class ShopifyAccessDenied(ShopifyAuthError):
    """Shopify answered ACCESS_DENIED: the app lacks an access scope for a field it asked for.

    Not retryable: only the merchant can grant the scope. `scopes` are the ones Shopify said the
    field requires (any one of them would do), in its words' order; empty if it named none.
    """

    def __init__(self, message: str, *, scopes: tuple[str, ...] = (), user_errors=None):
        super().__init__(message, user_errors=user_errors)
        self.scopes = tuple(scopes)


class ShopifyTokenRejected(ShopifyAuthError):
    """Shopify refused the app's token itself (HTTP 401), or to issue one: not a missing scope.

    What Shopify answers once the app is uninstalled; shop/redact is believed only then.
    """


def raise_for_user_errors(payload: dict | None, *, operation: str, shop: str) -> None:
    """Raise ShopifyRejected if a mutation payload carries userErrors.

    Shopify reports validation failures of a mutation as `userErrors` in an otherwise successful
    response, so the transport cannot see them; each mutation's caller checks its payload here.
    """
    user_errors = graphql_errors((payload or {}).get("userErrors") or [])
    if any(error["message"] == IDEMPOTENCY_IN_PROGRESS for error in user_errors):
        # Not a refusal: Shopify is still carrying out an earlier request with this key.
        raise ShopifyUnavailable(
            f"Shopify is still carrying out an earlier {operation} with this idempotency key for "
            f"shop {shop}: retry later with the same key."
        )
    if user_errors:
        summary = "; ".join(error["message"] for error in user_errors)
        raise ShopifyRejected(
            f"Shopify refused {operation} for shop {shop}: {summary}", user_errors=user_errors
        )


# Reading how Shopify reports trouble.


def graphql_errors(errors: Any) -> list[dict]:
    """A response's `errors` as [{field, message, code}].

    GraphQL errors are a list of objects, but Shopify sends a bare string (or an object) for some
    failures, e.g. {"errors": "[API] Invalid API key or access token"}.
    """
    if isinstance(errors, str):
        errors = [{"message": errors}]
    elif isinstance(errors, dict):
        errors = [{"message": str(message)} for message in errors.values()]
    return [
        {
            "field": error.get("path") or error.get("field"),
            "message": error.get("message", ""),
            "code": (error.get("extensions") or {}).get("code") or error.get("code"),
        }
        for error in errors or []
        if isinstance(error, dict)
    ]


SCOPE_NAMED = re.compile(r"`([a-z_]+)` access scope")


def scopes_required(errors: list[dict]) -> tuple[str, ...]:
    """The access scopes ACCESS_DENIED errors name ("Required access: `write_returns` access
    scope or `write_marketplace_returns` access scope."), each once."""
    named = (scope for e in errors for scope in SCOPE_NAMED.findall(e.get("message") or ""))
    return tuple(dict.fromkeys(named))


def parse_retry_after(value: str) -> float:
    """Seconds from a Retry-After header: a number of seconds or, per RFC 9110, an HTTP date."""
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def throttle_wait(cost: dict | None) -> float:
    """Seconds until the bucket holds enough points for the query that was refused."""
    try:
        status = cost["throttleStatus"]
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.0, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return DEFAULT_RETRY_AFTER
