"""devshop's HTTP endpoints, written once as a plain function and served two ways.

`handle()` takes a request (method, path relative to the devshop base URL, headers, body) and
returns (status, headers, body). `wsgi_app` serves it over WSGI (`start_server()` runs that in a
thread for the tests and `manage.py devshop serve`), and devshop.views serves it inside the
portal's own runserver under /devshop/ for the demo.

Paths mirror Shopify's: POST /admin/oauth/access_token and POST /admin/api/<version>/graphql.json.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import time
from http import HTTPStatus
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from graphql import GraphQLError, OperationType, execute, get_operation_ast, parse, validate

from . import api, faults
from .access import access_scopes, effective_scopes
from .cost import query_cost
from .store import get_store

logger = logging.getLogger(__name__)

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")
TOKEN_PATH = "/admin/oauth/access_token"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
THROTTLED_ERROR = {
    "message": "Throttled",
    "extensions": {
        "code": "THROTTLED",
        "documentation": "https://shopify.dev/api/usage/rate-limits",
    },
}
Response = tuple[int, dict[str, str], bytes]


def _json(status: int, payload, headers: dict | None = None) -> Response:
    body = json.dumps(payload).encode()
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body


def handle(method: str, path: str, headers: dict, body: bytes) -> Response:
    headers = {k.lower(): v for k, v in headers.items()}
    path = path.split("?", 1)[0]
    match = GRAPHQL_PATH.match(path)
    if path != TOKEN_PATH and not match:
        return _json(404, {"errors": "Not Found"})
    if method != "POST":
        return _json(405, {"errors": "Method Not Allowed"}, {"Allow": "POST"})
    try:
        if match:
            return graphql_request(match["version"], headers, body)
        return access_token(headers, body)
    except Exception:
        # A bug in devshop should look like Shopify having a bad moment, not hang the client.
        logger.exception("devshop failed to answer %s %s", method, path)
        return _json(500, {"errors": "Internal Server Error"})


# -- client credentials grant -------------------------------------------------------------------


def access_token(headers: dict, body: bytes) -> Response:
    try:
        if headers.get("content-type", "").startswith("application/json"):
            params = json.loads(body or b"{}")
        else:
            params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if not isinstance(params, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        return _json(
            400, {"error": "invalid_request", "error_description": "Malformed request body."}
        )
    if params.get("grant_type") != "client_credentials":
        return _json(
            400,
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported.",
            },
        )
    store = get_store()
    if not store.app_installed() or not _client_matches(
        params.get("client_id"), params.get("client_secret")
    ):
        return _json(
            400,
            {
                "error": "invalid_client",
                "error_description": "Client authentication failed due to unknown client, "
                "no client authentication included, or unsupported authentication method.",
            },
        )
    lifetime = int(store.option("token_lifetime"))
    token = store.issue_token(lifetime)
    return _json(
        200,
        {"access_token": token, "scope": ",".join(access_scopes(store)), "expires_in": lifetime},
    )


def _client_matches(client_id, client_secret) -> bool:
    expected_id, expected_secret = settings.SHOPIFY_CLIENT_ID, settings.SHOPIFY_CLIENT_SECRET
    if not (expected_id and expected_secret and client_id and client_secret):
        return False
    return _same(client_id, expected_id) & _same(client_secret, expected_secret)


def _same(given, expected: str) -> bool:
    return hmac.compare_digest(str(given).encode(), expected.encode())


def _token_accepted(store, token: str) -> bool:
    if not store.app_installed():
        return False  # an uninstalled app's tokens are all revoked, a static one too
    static = settings.SHOPIFY_ACCESS_TOKEN
    if static and _same(token, static):
        return True
    return bool(token) and store.token_valid(token)


# -- GraphQL ------------------------------------------------------------------------------------


def _shop_domain() -> str:
    return f"{settings.SHOPIFY_SHOP}.myshopify.com"


def supported_versions(store) -> set[str]:
    return {settings.SHOPIFY_API_VERSION, *store.option("api_versions", [])}


def graphql_request(version: str, headers: dict, body: bytes) -> Response:
    store = get_store()
    shop_domain = headers.get("x-devshop-shop-domain")  # set by devshop.transport
    wrong_shop = shop_domain and settings.SHOPIFY_SHOP and shop_domain != _shop_domain()
    if wrong_shop or version not in supported_versions(store):
        return _json(404, {"errors": "Not Found"})
    if not _token_accepted(store, headers.get("x-shopify-access-token", "")):
        return _json(401, {"errors": INVALID_TOKEN})
    try:
        payload = json.loads(body)
        query, variables = payload["query"], payload.get("variables") or {}
        operation_name = payload.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _json(400, {"errors": {"query": "Required parameter missing or invalid"}})

    try:
        document = parse(query)
    except GraphQLError as error:
        store.log_request(operation_name, None, "syntax_error")
        return _json(200, {"errors": [error.formatted]})
    operation = get_operation_ast(document, operation_name)
    label = operation_name or (operation.name.value if operation and operation.name else None)
    mutation = operation is not None and operation.operation == OperationType.MUTATION

    fault, http_answer = faults.before_execution(store, mutation=mutation)
    if http_answer is not None:
        store.log_request(label, None, fault)
        status, extra, message = http_answer
        return _json(status, {"errors": message}, extra)

    schema = api.schema()
    errors = validate(schema, document, api.RULES)
    if errors:
        store.log_request(label, None, "invalid")
        return _json(200, {"errors": [e.formatted for e in errors]})

    requested = query_cost(schema, document, operation, variables)
    if fault == "throttled":
        return _throttled(store, label, requested, store.throttle_status())
    max_cost = int(store.option("max_query_cost"))
    if requested > max_cost:
        store.log_request(label, None, "max_cost_exceeded")
        return _json(200, {"errors": [_max_cost_error(requested, max_cost)]})
    taken, status = store.take_from_bucket(requested)
    if not taken:
        return _throttled(store, label, requested, status)

    # A slow mutation: refundCreate takes the time with its idempotency key in progress (see
    # refunds.py); any other mutation takes it after it ran, the client having given up meanwhile.
    slow = float(store.option("timeout_seconds")) if fault == "mutation_timeout" else 0
    context = {
        "store": store,
        "fault": fault,
        "api_version": version,
        "slow_seconds": slow,
        "scopes": effective_scopes(store),
    }
    result = execute(
        schema,
        document,
        variable_values=variables,
        operation_name=operation_name,
        context_value=context,
        middleware=api.MIDDLEWARE,
    )
    if context["slow_seconds"]:
        time.sleep(context["slow_seconds"])
    actual = query_cost(schema, document, operation, variables, data=result.data)
    status = store.refund_to_bucket(requested - actual)
    store.log_request(label, actual, "errors" if result.errors else "ok")
    response = {"data": result.data}
    if result.errors:
        response = {"errors": [e.formatted for e in result.errors], **response}
    cost = {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}
    return _json(200, {**response, "extensions": {"cost": cost}})


def _throttled(store, label, requested: int, status: dict) -> Response:
    store.log_request(label, None, "throttled")
    cost = {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status}
    return _json(200, {"errors": [THROTTLED_ERROR], "extensions": {"cost": cost}})


def _max_cost_error(requested: int, max_cost: int) -> dict:
    return {
        "message": f"Query cost is {requested}, which exceeds the single query max cost limit "
        f"({max_cost}). See https://shopify.dev/concepts/about-apis/rate-limits for more "
        "information on how the cost of a query is calculated.",
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": max_cost},
    }


# -- serving ------------------------------------------------------------------------------------


# Requests being answered. A slow fault answers after the client gave up; a test suite waits for
# them (idle()) before emptying the shop, so that none lands in the next test's shop or log.
_in_flight = 0
_in_flight_changed = threading.Condition()


def idle(within: float = 30.0) -> bool:
    """Wait until no request is being answered; False if one still is after `within` seconds."""
    with _in_flight_changed:
        return _in_flight_changed.wait_for(lambda: _in_flight == 0, timeout=within)


def wsgi_app(environ, start_response):
    global _in_flight
    with _in_flight_changed:
        _in_flight += 1
    try:
        return _answer(environ, start_response)
    finally:
        with _in_flight_changed:
            _in_flight -= 1
            _in_flight_changed.notify_all()


def _answer(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    status, response_headers, payload = handle(
        environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/", headers, body
    )
    response_headers = {**response_headers, "Content-Length": str(len(payload))}
    start_response(f"{status} {HTTPStatus(status).phrase}", list(response_headers.items()))
    return [payload]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def make_devshop_server(host: str = "127.0.0.1", port: int = 0):
    return make_server(
        host, port, wsgi_app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )


def start_server(host: str = "127.0.0.1", port: int = 0):
    """Serve devshop from a daemon thread; returns (httpd, base_url). Stop with httpd.shutdown()."""
    httpd = make_devshop_server(host, port)
    threading.Thread(target=httpd.serve_forever, name="devshop", daemon=True).start()
    return httpd, f"http://{host}:{httpd.server_port}"
