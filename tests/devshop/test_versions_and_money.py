"""devshop per API version, in shop and presentment money, and the export query merchants run."""

import json
from io import StringIO

import httpx
import pytest
from django.core.management import call_command

from devshop.fidelity import EXPORT_QUERY
from devshop.refunds import IDEMPOTENCY_REQUIRED
from returns.shopify.documents import load
from tests import shop

REFUND = """
mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) {
    refund {
      totalRefundedSet {
        shopMoney { amount currencyCode }
        presentmentMoney { amount currencyCode }
      }
    }
    userErrors { field message }
  }
}
"""


def post(devshop_server, settings, version, query, variables=None):
    return httpx.post(
        f"{devshop_server}/admin/api/{version}/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN},
        timeout=10,
    ).json()


def swiss_order():
    """A Dutch shop's order paid in Swiss francs: 100.00 EUR booked, 95.00 CHF paid."""
    order = shop.order("#1001", items=[shop.line_item(quantity=1, price="100.00")])

    def in_francs(bag, francs):
        return {**bag, "presentmentMoney": {"amount": francs, "currencyCode": "CHF"}}

    item = order["lineItems"]["nodes"][0]
    for key in ("originalUnitPriceSet", "discountedUnitPriceAfterAllDiscountsSet"):
        item[key] = in_francs(item[key], "95.00")
    order["transactions"][0]["amountSet"] = in_francs(
        order["transactions"][0]["amountSet"], "95.00"
    )
    return {
        **order,
        "presentmentCurrencyCode": "CHF",
        "totalPriceSet": in_francs(order["totalPriceSet"], "95.00"),
        "totalRefundedSet": in_francs(order["totalRefundedSet"], "0.00"),
    }


def refund_input(order, amount, **overrides):
    transaction = {
        "orderId": order["id"],
        "parentId": order["transactions"][0]["id"],
        "amount": amount,
        "gateway": "shopify_payments",
        "kind": "REFUND",
    }
    return {"orderId": order["id"], "transactions": [transaction], **overrides}


@pytest.fixture
def versions(devshop, settings):
    devshop.set_option("api_versions", ["2026-01", "2026-04"])


def test_refund_create_without_idempotent_is_made_in_2026_01(
    devshop, devshop_server, settings, versions
):
    order = shop.order()
    devshop.load_orders([order])

    body = post(
        devshop_server, settings, "2026-01", REFUND, {"input": refund_input(order, "10.00")}
    )

    assert body["data"]["refundCreate"]["userErrors"] == []
    assert len(devshop.order_by_id(order["id"])["refunds"]) == 1


def test_refund_create_without_idempotent_is_refused_from_2026_04(
    devshop, devshop_server, settings, versions
):
    order = shop.order()
    devshop.load_orders([order])

    body = post(
        devshop_server, settings, "2026-04", REFUND, {"input": refund_input(order, "10.00")}
    )

    assert body["errors"][0]["message"] == IDEMPOTENCY_REQUIRED
    assert devshop.order_by_id(order["id"])["refunds"] == []


def test_a_refund_is_made_in_presentment_money_and_booked_in_shop_money(
    devshop, devshop_server, settings, versions
):
    order = swiss_order()
    devshop.load_orders([order])

    body = post(
        devshop_server,
        settings,
        "2026-01",
        REFUND,
        {"input": refund_input(order, "19.00", currency="CHF")},
    )

    refunded = body["data"]["refundCreate"]["refund"]["totalRefundedSet"]
    assert refunded == {
        "shopMoney": {"amount": "20.00", "currencyCode": "EUR"},
        "presentmentMoney": {"amount": "19.00", "currencyCode": "CHF"},
    }


def test_a_refund_in_the_shops_currency_of_an_order_paid_in_another_is_refused(
    devshop, devshop_server, settings, versions
):
    order = swiss_order()
    devshop.load_orders([order])

    body = post(
        devshop_server,
        settings,
        "2026-01",
        REFUND,
        {"input": refund_input(order, "19.00", currency="EUR")},
    )

    assert body["data"]["refundCreate"]["userErrors"] == [
        {"field": ["currency"], "message": "Currency must be the order's currency (CHF)"}
    ]


def test_more_than_the_customer_paid_in_their_currency_is_refused(
    devshop, devshop_server, settings, versions
):
    order = swiss_order()
    devshop.load_orders([order])

    body = post(
        devshop_server,
        settings,
        "2026-01",
        REFUND,
        {"input": refund_input(order, "96.00", currency="CHF")},
    )

    (error,) = body["data"]["refundCreate"]["userErrors"]
    assert error["field"] == ["transactions", "0", "amount"]
    assert "95.00 CHF" in error["message"]


def test_a_refund_without_currency_of_an_order_paid_in_another_is_refused(
    devshop, devshop_server, settings, versions
):
    # RefundInput.currency: "required for orders where the currency and presentment currency
    # differ".
    order = swiss_order()
    devshop.load_orders([order])

    body = post(
        devshop_server, settings, "2026-01", REFUND, {"input": refund_input(order, "19.00")}
    )

    (error,) = body["data"]["refundCreate"]["userErrors"]
    assert error["field"] == ["currency"] and "(CHF)" in error["message"]
    assert devshop.order_by_id(order["id"])["refunds"] == []


def test_refunds_in_parts_never_give_back_more_shop_money_than_was_paid(
    devshop, devshop_server, settings, versions
):
    # 95.00 CHF paid, 100.00 EUR booked: each third rounds up in euros (33.33, 33.34, 33.34),
    # which would give back 100.01 EUR; the last refund gives back what is left, 33.33.
    order = swiss_order()
    devshop.load_orders([order])

    shop_amounts = []
    for francs in ("31.66", "31.67", "31.67"):
        body = post(
            devshop_server,
            settings,
            "2026-01",
            REFUND,
            {"input": refund_input(order, francs, currency="CHF")},
        )
        refunded = body["data"]["refundCreate"]["refund"]["totalRefundedSet"]
        assert refunded["presentmentMoney"] == {"amount": francs, "currencyCode": "CHF"}
        shop_amounts.append(refunded["shopMoney"]["amount"])

    assert shop_amounts == ["33.33", "33.34", "33.33"]
    stored = devshop.order_by_id(order["id"])
    assert stored["totalRefundedSet"] == {
        "shopMoney": {"amount": "100.00", "currencyCode": "EUR"},
        "presentmentMoney": {"amount": "95.00", "currencyCode": "CHF"},
    }
    assert stored["displayFinancialStatus"] == "REFUNDED"


def test_orders_exported_with_the_shipped_query_load_as_they_are(
    sample_shop, devshop, devshop_server, settings, tmp_path
):
    # What a merchant does in GraphiQL: run the export query, save the response as a file.
    exported = post(
        devshop_server, settings, settings.SHOPIFY_API_VERSION, EXPORT_QUERY.read_text()
    )
    assert "errors" not in exported
    assert exported["extensions"]["cost"]["requestedQueryCost"] <= 1000
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported))
    devshop.reset()

    out = StringIO()
    call_command("devshop", "load", str(path), stdout=out)

    assert out.getvalue().strip() == "Loaded 2 orders into devshop."
    first = exported["data"]["orders"]["nodes"][0]
    read = post(
        devshop_server,
        settings,
        settings.SHOPIFY_API_VERSION,
        load("order_get"),
        {"id": first["id"]},
    )
    assert "errors" not in read
    assert read["data"]["order"]["name"] == first["name"]
