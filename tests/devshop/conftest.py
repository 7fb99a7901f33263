"""Fixtures for devshop's HTTP tests: where to send GraphQL, app credentials, a webhook catcher."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.webhooks import SECRET, URL


@pytest.fixture
def graphql_url(devshop_server, settings):
    return f"{devshop_server}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"


@pytest.fixture
def gql(graphql_url, settings):
    def send(query, variables=None, token=None, timeout=5.0):
        return httpx.post(
            graphql_url,
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token or settings.SHOPIFY_ACCESS_TOKEN},
            timeout=timeout,
        )

    return send


@pytest.fixture
def app_credentials(settings):
    settings.SHOPIFY_CLIENT_ID = "devshop-client"
    settings.SHOPIFY_CLIENT_SECRET = "devshop-secret"
    return {"client_id": "devshop-client", "client_secret": "devshop-secret"}


class Caught:
    def __init__(self, headers, body):
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.body = body

    @property
    def topic(self):
        return self.headers["x-shopify-topic"]

    @property
    def payload(self):
        return json.loads(self.body)


@pytest.fixture
def portal(settings):
    """Where devshop's webhooks go: a stand-in for the portal that answers 200 to everything."""
    caught = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            caught.append(Caught(dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    settings.DEVSHOP_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}{URL}"
    yield caught
    server.shutdown()
    server.server_close()
