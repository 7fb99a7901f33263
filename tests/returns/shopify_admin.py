"""Staff working in Shopify's admin, and the webhooks Shopify then sends, for the portal's tests.

devshop plays Shopify over HTTP: the steps below are its Admin API mutations, sent as Shopify's
admin would send them. Its signed webhooks are caught by a small HTTP server (`Webhooks`) and
handed to the portal's endpoint as Shopify would deliver them, in the order (and as often) a test
chooses: Shopify delivers at least once and in no promised order.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from django.conf import settings

from devshop.webhooks import wait_for_deliveries
from returns.shopify import returns as shopify_returns
from tests.webhooks import SECRET, URL

WAREHOUSE = "gid://shopify/Location/70123456001"
DEFECTIVE = "gid://shopify/ReturnReasonDefinition/2"  # "damaged-or-defective"
REOPEN = """
mutation Reopen($id: ID!) {
  returnReopen(id: $id) { return { id status } userErrors { field message } }
}
"""
REQUEST = """
mutation Request($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id status } userErrors { field message } }
}
"""


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


class Webhooks:
    """What devshop sent, and handing it to the portal."""

    def __init__(self, client, capture_on_commit):
        self.caught: list[Caught] = []
        self.client = client
        self.capture_on_commit = capture_on_commit

    def sent(self, topic: str) -> list[Caught]:
        """The deliveries of this topic devshop has sent so far, oldest first."""
        wait_for_deliveries()
        return [delivery for delivery in self.caught if delivery.topic == topic]

    def last(self, topic: str) -> Caught:
        return self.sent(topic)[-1]

    def deliver(self, delivery: Caught, *, webhook_id: str | None = None):
        """POST a caught delivery to the portal and run what it queued. `webhook_id` delivers the
        same body as another delivery (a second subscription, or Shopify sending the event again)."""
        headers = {n: v for n, v in delivery.headers.items() if n.startswith("x-shopify-")}
        if webhook_id:
            headers["x-shopify-webhook-id"] = webhook_id
        with self.capture_on_commit(execute=True):
            response = self.client.post(
                URL, data=delivery.body, content_type="application/json", headers=headers
            )
        assert response.status_code == 200
        return response


def webhook_catcher(settings_fixture, client, capture_on_commit):
    """Start catching devshop's webhooks; returns (Webhooks, stop)."""
    webhooks = Webhooks(client, capture_on_commit)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            webhooks.caught.append(Caught(dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings_fixture.SHOPIFY_CLIENT_SECRET = SECRET
    settings_fixture.DEVSHOP_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}{URL}"

    def stop():
        wait_for_deliveries()
        server.shutdown()
        server.server_close()

    return webhooks, stop


def admin_graphql(document: str, variables: dict) -> dict:
    """One Admin API call to devshop, as Shopify's admin makes it, outside the portal's client."""
    url = f"{settings.DEVSHOP_URL}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"
    answer = httpx.post(
        url,
        json={"query": document, "variables": variables},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
        timeout=10,
    ).json()
    assert "errors" not in answer, answer
    [payload] = answer["data"].values()
    assert payload["userErrors"] == [], payload
    return payload


# Staff's steps in Shopify's admin.


def approve(return_id):
    return shopify_returns.return_approve(return_id=return_id)


def decline(return_id, note="", reason="OTHER"):
    return shopify_returns.return_decline(return_id=return_id, reason=reason, note=note)


def cancel(return_id):
    return shopify_returns.return_cancel(return_id=return_id)


def close(return_id):
    return shopify_returns.return_close(return_id=return_id)


def reopen(return_id):
    return admin_graphql(REOPEN, {"id": return_id})


def dispose(return_id, *counts: tuple[int, str]):
    """Dispose units of the Return's first line: (quantity, RESTOCKED | NOT_RESTOCKED | MISSING)."""
    line = shopify_returns.return_get(return_id).reverse_lines[0]
    shopify_returns.reverse_lines_dispose(
        dispositions=[
            {
                "reverseFulfillmentOrderLineItemId": line.id,
                "quantity": quantity,
                "dispositionType": kind,
                **({"locationId": WAREHOUSE} if kind == "RESTOCKED" else {}),
            }
            for quantity, kind in counts
        ]
    )


def process_with_refund(return_id, order, amount, *, quantity=None, note=None):
    """Process the Return's first line in Shopify's admin and refund `amount` EUR with it."""
    line = shopify_returns.return_get(return_id).lines[0]
    sale = order["transactions"][0]["id"]
    given = {
        "returnId": return_id,
        "returnLineItems": [{"id": line.id, "quantity": quantity or line.quantity}],
        "financialTransfer": {
            "issueRefund": {
                "orderTransactions": [
                    {
                        "parentId": sale,
                        "transactionAmount": {"amount": amount, "currencyCode": "EUR"},
                    }
                ]
            }
        },
    }
    if note is not None:
        given["note"] = note
    return shopify_returns.return_process(process_input=given)


def customer_request(order, line_index, quantity, *, reason=DEFECTIVE, note=""):
    """A Return the customer asks for in their Shopify account (not through the portal)."""
    line_item = order["lineItems"]["nodes"][line_index]["id"]
    [returnable] = [
        line
        for line in shopify_returns.returnable_lines(order["id"])
        if line.line_item_id == line_item
    ]
    given = {
        "fulfillmentLineItemId": returnable.fulfillment_line_item_id,
        "quantity": quantity,
        "returnReasonDefinitionId": reason,
        "customerNote": note,
    }
    return admin_graphql(REQUEST, {"input": {"orderId": order["id"], "returnLineItems": [given]}})
