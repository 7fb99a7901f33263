"""A claim's replacement order, from staff's step to the warehouse fulfilling it in devshop."""

import httpx
from django.conf import settings

from devshop.webhooks import fulfillment_payload

FULFIL = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id }
    userErrors { field message }
  }
}
"""


def devshop_graphql(base_url: str, query: str, variables: dict) -> dict:
    response = httpx.post(
        f"{base_url}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
        timeout=10,
    )
    return response.json()["data"]


def warehouse_ships(base_url: str, devshop, order_name: str, tracking: dict | None) -> dict:
    """Fulfil the whole order in devshop as a warehouse does; returns what Shopify would send
    as fulfillments/create."""
    order = devshop.order_by_name(order_name)
    fulfillment_order = order["fulfillmentOrders"]["nodes"][0]
    data = devshop_graphql(
        base_url,
        FULFIL,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}],
                **({"trackingInfo": tracking} if tracking else {}),
            }
        },
    )["fulfillmentCreate"]
    assert data["userErrors"] == []
    order = devshop.order_by_name(order_name)
    return fulfillment_payload(order, order["fulfillments"][-1])
