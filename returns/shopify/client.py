"""The Shopify Admin GraphQL client: auth, transport, and turning every failure into one exception.

Requests go through shopifyapp (Shopify's own package) over an httpx.Client we own, so timeouts and
the destination are ours to set. shopifyapp's in-process retries are switched off
(`max_retries=0`): sleeping inside a web request helps nobody; Celery tasks retry with backoff,
guided by ShopifyThrottled.retry_after. Only code that runs inside `throttle_patience(seconds)`
(Celery tasks do, returns/tasks.py) waits when throttled: exactly until Shopify's bucket holds the
request's cost, then sends it again, so a rush spends the shop's whole rate limit and no more.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from shopify_app.exchange.client_credentials import exchange_using_client_credentials
from shopify_app.graphql.admin_graphql import admin_graphql_request
from shopify_app.types import GQLResult, Res

from . import throttle
from .errors import (
    DEFAULT_RETRY_AFTER,
    ShopifyAccessDenied,
    ShopifyAuthError,
    ShopifyError,
    ShopifyRejected,
    ShopifyThrottled,
    ShopifyTokenRejected,
    ShopifyUnavailable,
    graphql_errors,
    parse_retry_after,
    scopes_required,
    throttle_wait,
)
from .throttle import THROTTLE_JITTER, set_throttle_patience, throttle_patience

logger = logging.getLogger(__name__)

SHOP_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# GraphQL error codes that are Shopify's trouble, not the request's.
TRANSIENT_GRAPHQL_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})


class ShopifyClient:
    """One shop, one API version, one set of credentials.

    A static token (custom apps created in the Shopify admin) takes precedence over client
    credentials, because such shops still set SHOPIFY_CLIENT_SECRET for webhook signatures.
    Otherwise client id + secret are exchanged for a token, cached in Django's cache so web and
    worker processes share it, and renewed `token_renew_margin` seconds before it expires.
    """

    def __init__(
        self,
        *,
        shop: str,
        api_version: str,
        access_token: str = "",
        client_id: str = "",
        client_secret: str = "",
        timeout: float = 10.0,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        token_cache: Any = None,
        token_renew_margin: float | None = None,
    ):
        self.shop = _shop_handle(shop)
        if not api_version:
            raise ImproperlyConfigured(
                "SHOPIFY_API_VERSION is not set: set it to a Shopify API version such as 2026-10."
            )
        if not access_token and not (client_id and client_secret):
            if client_id or client_secret:
                missing = "SHOPIFY_CLIENT_SECRET" if client_id else "SHOPIFY_CLIENT_ID"
                raise ImproperlyConfigured(
                    f"{missing} is not set: client-credentials auth needs both SHOPIFY_CLIENT_ID "
                    "and SHOPIFY_CLIENT_SECRET (or set SHOPIFY_ACCESS_TOKEN instead)."
                )
            raise ImproperlyConfigured(
                "No Shopify credentials: set SHOPIFY_ACCESS_TOKEN, or SHOPIFY_CLIENT_ID and "
                "SHOPIFY_CLIENT_SECRET."
            )
        self.api_version = api_version
        self.uses_client_credentials = not access_token
        self._static_token = access_token
        self._client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout, transport=transport)
        self._token_cache = token_cache
        self._token_renew_margin = token_renew_margin
        self._local = threading.local()

    def __repr__(self) -> str:  # never shows a credential
        mode = "client credentials" if self.uses_client_credentials else "static token"
        return f"<ShopifyClient shop={self.shop} api_version={self.api_version} auth={mode}>"

    @property
    def last_cost(self) -> dict | None:
        """`extensions.cost` of this thread's last call: query cost and throttle status."""
        return getattr(self._local, "cost", None)

    @property
    def token_cache_key(self) -> str:
        return f"returns.shopify.token:{self.shop}:{self._client_id}"

    def close(self) -> None:
        if self._owns_http_client:
            self._http.close()

    def execute(self, document: str, variables: dict | None = None) -> dict:
        """Run a query or mutation and return its `data`, or raise a ShopifyError."""
        waited, allowed = 0.0, throttle.patience()
        while True:
            try:
                return self._execute(document, variables)
            except ShopifyThrottled as throttled:
                # Throttled requests are refused before they run, so sending one again is safe.
                wait = throttled.retry_after + random.uniform(0, THROTTLE_JITTER)
                if waited + wait > allowed:
                    raise
                time.sleep(wait)
                waited += wait

    def _execute(self, document: str, variables: dict | None) -> dict:
        token = self._access_token()
        result = self._post(document, variables, token)
        if result.log.code == "unauthorized" and self.uses_client_credentials:
            # Shopify may revoke a token before its stated expiry (app reinstalled, secret
            # rotated): one fresh exchange and one retry, then it is a configuration problem.
            self._forget_token()
            result = self._post(document, variables, self._exchange_token())
            if result.log.code == "unauthorized":
                raise ShopifyTokenRejected(
                    f"Shopify rejected a freshly issued access token for shop {self.shop}: check "
                    "that the app is installed on the shop and has the access scopes it needs."
                )
        return self._data_or_raise(result)

    # Requests

    def _post(self, document: str, variables: dict | None, token: str) -> GQLResult:
        self._local.cost = None
        return admin_graphql_request(
            document,
            shop=self.shop,
            access_token=token,
            api_version=self.api_version,
            variables=variables,
            max_retries=0,
            http_client=self._http,
        )

    def _data_or_raise(self, result: GQLResult) -> dict:
        body = _json_body(result.response)
        self._local.cost = (result.extensions or body.get("extensions") or {}).get("cost")
        if result.ok:
            if result.data is None:
                raise ShopifyUnavailable(
                    f"Shopify answered shop {self.shop}'s request without data: retry later."
                )
            return result.data
        code = result.log.code
        status = _http_status(result)
        if code == "graphql_errors":
            self._raise_for_graphql_errors(graphql_errors(body.get("errors")))
        if code == "network_error":
            raise ShopifyUnavailable(
                f"Shopify did not answer for shop {self.shop} within {self.timeout:g} seconds or "
                f"could not be reached: retry later, and check network access to "
                f"{self.shop}.myshopify.com if it persists."
            )
        if code == "unauthorized":
            raise ShopifyTokenRejected(
                f"Shopify rejected the access token for shop {self.shop}: check "
                "SHOPIFY_ACCESS_TOKEN."
            )
        if status == 403:
            raise ShopifyAuthError(
                f"Shopify refused access for shop {self.shop} (HTTP 403): grant the app the "
                "access scopes it needs (read_orders, write_orders) and reinstall it."
            )
        if status == 429:
            raise ShopifyThrottled(
                f"Shopify is rate limiting requests for shop {self.shop} (HTTP 429): retry later.",
                retry_after=_retry_after(result),
            )
        if status >= 500:
            raise ShopifyUnavailable(
                f"Shopify had an error serving shop {self.shop} (HTTP {status}): retry later."
            )
        if status == 404:
            raise ShopifyRejected(
                f"Shopify has no Admin API at shop {self.shop}, version {self.api_version} "
                "(HTTP 404): check SHOPIFY_SHOP and SHOPIFY_API_VERSION."
            )
        raise ShopifyRejected(
            f"Shopify refused the request for shop {self.shop} (HTTP {status}, {code}).",
            user_errors=graphql_errors(body.get("errors")),
        )

    def _raise_for_graphql_errors(self, errors: list[dict]) -> None:
        codes = {error["code"] for error in errors}
        if "THROTTLED" in codes:
            raise ShopifyThrottled(
                f"Shopify throttled a query for shop {self.shop}: its query cost budget is spent, "
                "retry later.",
                retry_after=throttle_wait(self.last_cost),
            )
        summary = "; ".join(error["message"] for error in errors)
        if "ACCESS_DENIED" in codes:
            raise ShopifyAccessDenied(
                f"Shopify denied access for shop {self.shop}: grant the app the missing access "
                f"scope ({summary}).",
                scopes=scopes_required([e for e in errors if e["code"] == "ACCESS_DENIED"]),
                user_errors=errors,
            )
        if codes <= TRANSIENT_GRAPHQL_CODES:
            raise ShopifyUnavailable(
                f"Shopify had an internal error for shop {self.shop}: retry later ({summary})."
            )
        raise ShopifyRejected(
            f"Shopify rejected the GraphQL request for shop {self.shop}: {summary}",
            user_errors=errors,
        )

    # Tokens

    def _access_token(self) -> str:
        if not self.uses_client_credentials:
            return self._static_token
        cached = self._cache.get(self.token_cache_key)
        now = time.time()
        if cached and (cached["expires_at"] is None or cached["expires_at"] - self._margin > now):
            return cached["token"]
        try:
            return self._exchange_token()
        except (ShopifyUnavailable, ShopifyThrottled):
            # Renewal is early on purpose; while the old token still works, keep working.
            if cached and cached["expires_at"] > now + 1:
                logger.warning(
                    "Renewing the token for shop %s failed; using the old one", self.shop
                )
                return cached["token"]
            raise

    def _exchange_token(self) -> str:
        credentials = {
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "old_client_secret": None,
        }
        try:
            result = exchange_using_client_credentials(
                self.shop, credentials, http_client=self._http
            )
        except ValueError:  # shopifyapp parses a 200 as JSON unguarded; a proxy page is not JSON
            raise ShopifyUnavailable(
                f"Shopify's token endpoint for shop {self.shop} answered with something that is "
                "not a token: retry later."
            ) from None
        if not result.ok or result.access_token is None:
            self._raise_for_failed_exchange(result.log.code, _http_status(result))
        token = result.access_token.token
        expires_at = (
            datetime.fromisoformat(result.access_token.expires).timestamp()
            if result.access_token.expires
            else None
        )
        timeout = None if expires_at is None else max(1, int(expires_at - time.time()))
        self._cache.set(self.token_cache_key, {"token": token, "expires_at": expires_at}, timeout)
        logger.info("Obtained a Shopify access token for shop %s", self.shop)
        return token

    def _raise_for_failed_exchange(self, code: str, status: int) -> None:
        if code == "network_error":
            raise ShopifyUnavailable(
                f"Could not reach Shopify to obtain an access token for shop {self.shop}: "
                "retry later."
            )
        if status == 429:
            raise ShopifyThrottled(
                f"Shopify is rate limiting token requests for shop {self.shop}: retry later.",
                retry_after=DEFAULT_RETRY_AFTER,
            )
        if status >= 500:
            raise ShopifyUnavailable(
                f"Shopify had an error issuing an access token for shop {self.shop} "
                f"(HTTP {status}): retry later."
            )
        if code == "invalid_client":
            raise ShopifyTokenRejected(
                f"Shopify rejected the client credentials for shop {self.shop}: check "
                "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET, and that the app is installed."
            )
        raise ShopifyAuthError(
            f"Shopify refused to issue an access token for shop {self.shop} ({code}, HTTP "
            f"{status}): check SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET."
        )

    def _forget_token(self) -> None:
        self._cache.delete(self.token_cache_key)

    @property
    def _cache(self):
        return self._token_cache if self._token_cache is not None else caches["default"]

    @property
    def _margin(self) -> float:
        if self._token_renew_margin is not None:
            return self._token_renew_margin
        return settings.SHOPIFY_TOKEN_RENEW_MARGIN


def _shop_handle(shop: str) -> str:
    """Accept 'my-shop', 'my-shop.myshopify.com' or its https URL; return 'my-shop'."""
    handle = (shop or "").strip().lower().removeprefix("https://").removeprefix("http://")
    handle = handle.rstrip("/").removesuffix(".myshopify.com")
    if not handle:
        raise ImproperlyConfigured(
            "SHOPIFY_SHOP is not set: set it to the shop's handle, the part before .myshopify.com."
        )
    if not SHOP_HANDLE.match(handle):
        raise ImproperlyConfigured(
            f"SHOPIFY_SHOP must be the shop's handle, the part before .myshopify.com "
            f"(e.g. my-shop), not {shop!r}."
        )
    return handle


def _json_body(response: Res | None) -> dict:
    try:
        body = json.loads(response.body) if response and response.body else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _http_status(result) -> int:
    """The status Shopify really sent; shopifyapp's summary `response` sometimes replaces it."""
    for log in reversed(result.http_logs):
        if log.res.status:
            return log.res.status
    return result.response.status if result.response else 0


def _retry_after(result: GQLResult) -> float:
    for log in reversed(result.http_logs):
        headers = {name.lower(): value for name, value in log.res.headers.items()}
        if "retry-after" in headers:
            return parse_retry_after(headers["retry-after"])
    return DEFAULT_RETRY_AFTER


# The client built from settings, shared by every caller in the process.

_client: ShopifyClient | None = None
_client_lock = threading.Lock()


def get_client() -> ShopifyClient:
    global _client
    with _client_lock:
        if _client is None:
            _client = _client_from_settings()
        return _client


def reset_client() -> None:
    """Forget the shared client so the next get_client() reads settings again."""
    global _client
    with _client_lock:
        if _client is not None:
            _client.close()
        _client = None


@receiver(setting_changed)
def _reset_client_on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith(("SHOPIFY_", "DEVSHOP_")):
        reset_client()


def _client_from_settings() -> ShopifyClient:
    transport = None
    if settings.DEVSHOP_ENABLED:
        from devshop.transport import DevshopTransport  # only the demo and the tests get here

        transport = DevshopTransport(settings.DEVSHOP_URL)
    return ShopifyClient(
        shop=settings.SHOPIFY_SHOP,
        api_version=settings.SHOPIFY_API_VERSION,
        access_token=settings.SHOPIFY_ACCESS_TOKEN,
        client_id=settings.SHOPIFY_CLIENT_ID,
        client_secret=settings.SHOPIFY_CLIENT_SECRET,
        timeout=settings.SHOPIFY_TIMEOUT,
        transport=transport,
    )


__all__ = [
    "ShopifyClient",
    "ShopifyError",
    "get_client",
    "reset_client",
    "set_throttle_patience",
    "throttle_patience",
]
