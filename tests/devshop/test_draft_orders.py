"""devshop's draft orders and fulfilments over GraphQL, as a replacement order uses them."""

from devshop.webhooks import wait_for_deliveries
from tests import shop

CREATE = """
mutation Create($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status tags note2 totalPriceSet { shopMoney { amount } } }
    userErrors { field message }
  }
}
"""
COMPLETE = """
mutation Complete($id: ID!) {
  draftOrderComplete(id: $id, paymentPending: false) {
    draftOrder { id status order { id name tags note totalPriceSet { shopMoney { amount } }
      lineItems(first: 5) { nodes { title quantity variant { id } } }
      fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 5) { nodes { id remainingQuantity } } } } } }
    userErrors { field message }
  }
}
"""
FIND = """
query Find($query: String) {
  draftOrders(first: 5, query: $query) { nodes { id status order { name } } }
}
"""
FULFIL = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { company number } }
    userErrors { field message }
  }
}
"""


def _order(devshop):
    item = shop.line_item("Desk lamp", quantity=1, price="89.00", variant="Black")
    devshop.load_orders([shop.order("#1041", items=[item])])
    return item


def _input(item, **extra):
    return {
        "email": "anna@example.com",
        "note": "Replacement for R-1041-1",
        "tags": ["return-replacement", "R-1041-1"],
        "shippingAddress": {"address1": "Kerkstraat 1", "city": "Utrecht", "countryCode": "NL"},
        "lineItems": [
            {
                "variantId": item["variant"]["id"],
                "quantity": 1,
                "priceOverride": {"amount": "0.00", "currencyCode": "EUR"},
            }
        ],
        **extra,
    }


def test_a_completed_draft_order_is_an_order_at_no_charge_that_a_warehouse_fulfils(
    devshop, gql, portal
):
    item = _order(devshop)
    created = gql(CREATE, {"input": _input(item)}).json()["data"]["draftOrderCreate"]
    draft = created["draftOrder"]
    assert created["userErrors"] == []
    assert (draft["name"], draft["status"]) == ("#D1", "OPEN")
    assert draft["totalPriceSet"]["shopMoney"]["amount"] == "0.00"
    # A draft order is not an order yet.
    assert [o["name"] for o in devshop.orders()] == ["#1041"]

    done = gql(COMPLETE, {"id": draft["id"]}).json()["data"]["draftOrderComplete"]
    order = done["draftOrder"]["order"]
    assert done["draftOrder"]["status"] == "COMPLETED"
    assert order["name"] == "#1042"
    assert order["tags"] == ["return-replacement", "R-1041-1"]
    assert order["note"] == "Replacement for R-1041-1"
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "0.00"
    assert order["lineItems"]["nodes"] == [
        {"title": "Desk lamp", "quantity": 1, "variant": {"id": item["variant"]["id"]}}
    ]
    assert devshop.order_by_name("#1042")["shippingAddress"]["city"] == "Utrecht"

    # Completing it again makes no second order.
    again = gql(COMPLETE, {"id": draft["id"]}).json()["data"]["draftOrderComplete"]
    assert again["userErrors"] and again["draftOrder"] is None
    assert [o["name"] for o in devshop.orders()] == ["#1041", "#1042"]

    found = gql(FIND, {"query": "tag:R-1041-1"}).json()["data"]["draftOrders"]["nodes"]
    assert found == [{"id": draft["id"], "status": "COMPLETED", "order": {"name": "#1042"}}]
    assert gql(FIND, {"query": "tag:R-9999-1"}).json()["data"]["draftOrders"]["nodes"] == []

    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    assert fulfillment_order["status"] == "OPEN"
    fulfilled = gql(
        FULFIL,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}],
                "trackingInfo": {"company": "DHL", "number": "00340434161234567890"},
            }
        },
    ).json()["data"]["fulfillmentCreate"]
    assert fulfilled["userErrors"] == []
    assert fulfilled["fulfillment"]["trackingInfo"] == [
        {"company": "DHL", "number": "00340434161234567890"}
    ]
    stored = devshop.order_by_name("#1042")
    assert stored["displayFulfillmentStatus"] == "FULFILLED"
    assert stored["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"

    wait_for_deliveries()
    sent = {d.topic: d.payload for d in portal}
    payload = sent["fulfillments/create"]
    assert payload["order_id"] == int(stored["id"].rsplit("/", 1)[-1])
    assert payload["tracking_company"] == "DHL"
    assert payload["tracking_number"] == "00340434161234567890"
    assert payload["tracking_numbers"] == ["00340434161234567890"]
    assert payload["status"] == "success"
    assert payload["line_items"][0]["quantity"] == 1

    # Nothing is left to fulfil.
    twice = gql(
        FULFIL,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}]
            }
        },
    ).json()["data"]["fulfillmentCreate"]
    assert twice["fulfillment"] is None and twice["userErrors"]


def test_a_draft_order_needs_line_items_and_known_variants(devshop, gql):
    item = _order(devshop)
    empty = gql(CREATE, {"input": _input(item, lineItems=[])}).json()["data"]["draftOrderCreate"]
    assert empty["draftOrder"] is None and empty["userErrors"][0]["field"] == ["lineItems"]
    unknown = _input(
        item, lineItems=[{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}]
    )
    refused = gql(CREATE, {"input": unknown}).json()["data"]["draftOrderCreate"]
    assert refused["draftOrder"] is None and refused["userErrors"]
    assert devshop.documents("DraftOrder") == []


def test_the_demos_warehouse_fulfils_an_order_from_the_command_line(devshop, gql, portal):
    from django.core.management import call_command

    item = _order(devshop)
    draft = gql(CREATE, {"input": _input(item)}).json()["data"]["draftOrderCreate"]["draftOrder"]
    gql(COMPLETE, {"id": draft["id"]})
    call_command("devshop", "fulfil", "#1042", "--company", "PostNL", "--number", "3SABC123")
    [fulfillment] = devshop.order_by_name("#1042")["fulfillments"]
    assert fulfillment["trackingInfo"] == [{"company": "PostNL", "number": "3SABC123", "url": None}]
    assert [d.payload["tracking_number"] for d in portal if d.topic == "fulfillments/create"] == [
        "3SABC123"
    ]
