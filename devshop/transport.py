"""An httpx transport that sends Shopify requests to devshop instead of *.myshopify.com.

shopifyapp builds `https://<shop>.myshopify.com/...` URLs itself. Rewriting only the destination at
the transport keeps every other line of the production path (shopifyapp, our client, error
handling) exactly as it runs against Shopify. The portal installs this transport only when
settings.DEVSHOP_ENABLED; production code never imports this module.
"""

from __future__ import annotations

import httpx

SHOPIFY_DOMAIN_SUFFIX = ".myshopify.com"
# The shop the request was meant for; devshop may use it, and the Host header can no longer say it
# because it must name devshop's own host (a Django-served devshop checks ALLOWED_HOSTS).
SHOP_DOMAIN_HEADER = "X-Devshop-Shop-Domain"


class DevshopTransport(httpx.BaseTransport):
    def __init__(self, devshop_url: str, *, transport: httpx.BaseTransport | None = None):
        self.base_url = httpx.URL(devshop_url)
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise ValueError(f"DEVSHOP_URL must be an absolute http(s) URL, got {devshop_url!r}")
        self._transport = transport or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if not host.endswith(SHOPIFY_DOMAIN_SUFFIX):
            return self._transport.handle_request(request)
        headers = request.headers.copy()
        headers["Host"] = self.base_url.netloc.decode("ascii")
        headers[SHOP_DOMAIN_HEADER] = host
        rewritten = httpx.Request(
            request.method,
            self.rewrite_url(request.url),
            headers=headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return self._transport.handle_request(rewritten)

    def rewrite_url(self, url: httpx.URL) -> httpx.URL:
        """`https://<shop>.myshopify.com/<path>?<query>` -> `<DEVSHOP_URL>/<path>?<query>`."""
        prefix = self.base_url.path.rstrip("/")
        return self.base_url.copy_with(path=prefix + url.path, query=url.query or None)

    def close(self) -> None:
        self._transport.close()
