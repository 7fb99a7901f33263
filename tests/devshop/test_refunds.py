"""devshop's refunds over HTTP: Shopify's suggestion, refundCreate, over-refunds and @idempotent."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from devshop.refunds import IDEMPOTENCY_REQUIRED, KEY_IN_PROGRESS, KEY_MISMATCH

ROOT = Path(__file__).resolve().parents[2]

# #1004 in the sample shop: a belt (29.00) and a wallet (39.95), paid with one SALE of 68.95.
ORDER = "gid://shopify/Order/6012345601004"
BELT = "gid://shopify/LineItem/15012345670066"
WALLET = "gid://shopify/LineItem/15012345670077"
SALE = "gid://shopify/OrderTransaction/7123456700035"

SUGGEST = """
query Suggest($id: ID!, $lines: [RefundLineItemInput!], $full: Boolean) {
  order(id: $id) {
    suggestedRefund(refundLineItems: $lines, suggestFullRefund: $full) {
      amountSet { shopMoney { amount currencyCode } }
      maximumRefundableSet { shopMoney { amount } }
      subtotalSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      refundLineItems { quantity lineItem { id title } priceSet { shopMoney { amount } } subtotalSet { shopMoney { amount } } }
      suggestedTransactions {
        kind gateway parentTransaction { id kind }
        amountSet { shopMoney { amount } } maximumRefundableSet { shopMoney { amount } }
      }
    }
  }
}
"""
REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund {
      id note createdAt
      totalRefundedSet { shopMoney { amount currencyCode } }
      refundLineItems(first: 5) { nodes { quantity restocked lineItem { id } } }
      transactions(first: 5) { nodes { kind gateway amountSet { shopMoney { amount } } parentTransaction { id } } }
    }
    order { id displayFinancialStatus totalRefundedSet { shopMoney { amount } } }
    userErrors { field message }
  }
}
"""
WITHOUT_IDEMPOTENT = """
mutation RefundCreate($input: RefundInput!) {
  refundCreate(input: $input) { refund { id } userErrors { field message } }
}
"""


def refund_input(amount="29.00", lines=((WALLET, 1),), parent=SALE, **overrides):
    transaction = {
        "orderId": ORDER,
        "parentId": parent,
        "amount": amount,
        "gateway": "shopify_payments",
        "kind": "REFUND",
    }
    return {
        "orderId": ORDER,
        "note": "R-1004-1",
        "notify": False,
        "refundLineItems": [
            {"lineItemId": i, "quantity": q, "restockType": "RETURN"} for i, q in lines
        ],
        "transactions": [transaction],
        **overrides,
    }


@pytest.fixture
def refund_create(gql):
    def send(input, key="key-1", **options):
        body = gql(REFUND_CREATE, {"input": input, "key": key}, **options).json()
        return body["data"]["refundCreate"]

    return send


def suggest(gql, order_id, lines=(), full=None):
    variables = {
        "id": order_id,
        "lines": [{"lineItemId": i, "quantity": q} for i, q in lines],
        "full": full,
    }
    return gql(SUGGEST, variables).json()["data"]["order"]["suggestedRefund"]


def amount(money_bag):
    return money_bag["shopMoney"]["amount"]


def line(order, line_item_id):
    return next(i for i in order["lineItems"]["nodes"] if i["id"] == line_item_id)


# -- the suggestion -------------------------------------------------------------------------------


def test_a_suggestion_is_the_discounted_price_of_the_chosen_items(gql, sample_shop):
    socks = "gid://shopify/LineItem/15012345670033"  # #1002: 2 × 19.95, with a sweater 89.95

    suggested = suggest(gql, "gid://shopify/Order/6012345601002", [(socks, 1)])

    assert amount(suggested["amountSet"]) == "19.95"
    assert amount(suggested["subtotalSet"]) == "19.95"
    assert amount(suggested["totalTaxSet"]) == "0.00"
    assert amount(suggested["maximumRefundableSet"]) == "129.85"
    [refund_line] = suggested["refundLineItems"]
    assert (refund_line["lineItem"]["title"], refund_line["quantity"]) == (
        "Wollen sokken 3-pack",
        1,
    )
    assert amount(refund_line["priceSet"]) == amount(refund_line["subtotalSet"]) == "19.95"
    assert suggested["suggestedTransactions"] == [
        {
            "kind": "SUGGESTED_REFUND",
            "gateway": "mollie",
            "parentTransaction": {
                "id": "gid://shopify/OrderTransaction/7123456700014",
                "kind": "SALE",
            },
            "amountSet": {"shopMoney": {"amount": "19.95"}},
            "maximumRefundableSet": {"shopMoney": {"amount": "129.85"}},
        }
    ]


def test_a_suggestion_counts_what_was_refunded_before(gql, sample_shop):
    mugs = "gid://shopify/LineItem/15012345670044"  # #1003: 4 mugs of 14.95, one refunded

    suggested = suggest(gql, "gid://shopify/Order/6012345601003", [(mugs, 4)])

    assert [r["quantity"] for r in suggested["refundLineItems"]] == [3]
    assert amount(suggested["amountSet"]) == "44.85"
    assert amount(suggested["maximumRefundableSet"]) == "173.85"  # 188.80 paid - 14.95


def test_a_full_suggestion_takes_every_refundable_item(gql, sample_shop):
    suggested = suggest(gql, "gid://shopify/Order/6012345601003", full=True)

    assert sorted(r["quantity"] for r in suggested["refundLineItems"]) == [1, 3]
    assert amount(suggested["amountSet"]) == "173.85"


def test_a_captured_order_is_refunded_through_its_capture(gql, sample_shop):
    suggested = suggest(gql, "gid://shopify/Order/6012345601010", full=True)

    [transaction] = suggested["suggestedTransactions"]
    assert transaction["parentTransaction"]["kind"] == "CAPTURE"
    assert amount(transaction["amountSet"]) == "109.35"


def test_an_unpaid_order_has_nothing_to_refund(gql, sample_shop):
    suggested = suggest(gql, "gid://shopify/Order/6012345601008", full=True)  # payment pending

    assert amount(suggested["maximumRefundableSet"]) == "0.00"
    assert amount(suggested["amountSet"]) == "0.00"
    assert suggested["suggestedTransactions"] == []


# -- refundCreate ---------------------------------------------------------------------------------


def test_a_refund_gives_money_back_and_takes_the_items_off_the_order(
    gql, sample_shop, refund_create, devshop
):
    before = devshop.order_by_id(ORDER)

    payload = refund_create(refund_input("29.00"))

    assert payload["userErrors"] == []
    refund = payload["refund"]
    assert refund["note"] == "R-1004-1" and refund["createdAt"]
    assert refund["totalRefundedSet"]["shopMoney"] == {"amount": "29.00", "currencyCode": "EUR"}
    assert refund["refundLineItems"]["nodes"] == [
        {"quantity": 1, "restocked": True, "lineItem": {"id": WALLET}}
    ]
    assert refund["transactions"]["nodes"] == [
        {
            "kind": "REFUND",
            "gateway": "shopify_payments",
            "amountSet": {"shopMoney": {"amount": "29.00"}},
            "parentTransaction": {"id": SALE},
        }
    ]
    assert payload["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    order = devshop.order_by_id(ORDER)
    assert amount(order["totalRefundedSet"]) == "29.00"
    assert (line(order, WALLET)["refundableQuantity"], line(order, WALLET)["currentQuantity"]) == (
        0,
        0,
    )
    assert line(order, BELT)["refundableQuantity"] == 1
    assert [t["kind"] for t in order["transactions"]] == ["SALE", "REFUND"]
    assert order["updatedAt"] > before["updatedAt"]
    assert amount(suggest(gql, ORDER, full=True)["maximumRefundableSet"]) == "39.95"


def test_refunding_everything_that_was_paid_makes_the_order_refunded(
    gql, sample_shop, refund_create, devshop
):
    refund_create(refund_input("29.00"), key="first")
    payload = refund_create(refund_input("39.95", lines=[(BELT, 1)]), key="second")

    assert payload["userErrors"] == []
    assert payload["order"]["displayFinancialStatus"] == "REFUNDED"
    assert amount(payload["order"]["totalRefundedSet"]) == "68.95"


def test_a_mutation_costs_ten_points(gql, sample_shop):
    body = gql(REFUND_CREATE, {"input": refund_input(), "key": "cost"}).json()

    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


# -- refusals: userErrors, and nothing changes ---------------------------------------------------


UNKNOWN_LINE, UNKNOWN_PAYMENT = "gid://shopify/LineItem/1", "gid://shopify/OrderTransaction/1"
IMPOSSIBLE = {  # what is asked, the userError's field, and words its message must have
    "over-refund": (refund_input("68.96", lines=[]), "transactions.0.amount", "68.95"),
    "zero": (refund_input("0"), "transactions.0.amount", "greater than 0"),
    "negative": (refund_input("-5.00"), "transactions.0.amount", "greater than 0"),
    "three-decimals": (refund_input("29.001"), "transactions.0.amount", "2 decimals"),
    "too-many-items": (refund_input(lines=[(WALLET, 2)]), "refundLineItems.0.quantity", "(1)"),
    "unknown-line": (refund_input(lines=[(UNKNOWN_LINE, 1)]), "refundLineItems.0.lineItemId", ""),
    "unknown-payment": (refund_input(parent=UNKNOWN_PAYMENT), "transactions.0.parentId", ""),
    "unknown-order": (refund_input(orderId="gid://shopify/Order/1"), "orderId", "does not exist"),
    "other-currency": (refund_input(currency="USD"), "currency", "EUR"),
}


@pytest.mark.parametrize(("input", "field", "words"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
def test_shopify_refuses_an_impossible_refund_and_changes_nothing(
    sample_shop, refund_create, devshop, input, field, words
):
    before = devshop.order_by_id(ORDER)

    payload = refund_create(input)

    assert payload["refund"] is None
    assert [e["field"] for e in payload["userErrors"]] == [field.split(".")]
    assert words in payload["userErrors"][0]["message"]
    assert devshop.order_by_id(ORDER) == before


def test_two_refunds_together_cannot_give_back_more_than_was_paid(
    sample_shop, refund_create, devshop
):
    assert refund_create(refund_input("40.00", lines=[]), key="first")["userErrors"] == []

    second = refund_create(refund_input("30.00", lines=[]), key="second")

    assert "28.95" in second["userErrors"][0]["message"]
    order = devshop.order_by_id(ORDER)
    assert len(order["refunds"]) == 1 and amount(order["totalRefundedSet"]) == "40.00"


def test_a_user_errors_fault_refuses_the_refund_and_leaves_the_key_unused(
    sample_shop, refund_create, devshop
):
    devshop.add_fault("user_errors")

    assert refund_create(refund_input())["userErrors"][0]["message"]
    assert devshop.order_by_id(ORDER)["refunds"] == []
    assert refund_create(refund_input())["userErrors"] == []
    assert len(devshop.order_by_id(ORDER)["refunds"]) == 1


# -- @idempotent ----------------------------------------------------------------------------------


def test_refund_create_without_idempotent_is_refused_as_shopify_does(gql, sample_shop, devshop):
    before = devshop.order_by_id(ORDER)

    body = gql(WITHOUT_IDEMPOTENT, {"input": refund_input()}).json()

    [error] = body["errors"]
    assert error["message"] == IDEMPOTENCY_REQUIRED
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert error["path"] == ["refundCreate"]
    assert body["data"] == {"refundCreate": None}
    assert devshop.order_by_id(ORDER) == before


def test_idempotent_without_its_key_is_not_a_valid_document(gql, sample_shop, devshop):
    document = WITHOUT_IDEMPOTENT.replace("(input: $input)", "(input: $input) @idempotent")

    body = gql(document, {"input": refund_input()}).json()

    assert "key" in body["errors"][0]["message"] and "data" not in body
    assert devshop.order_by_id(ORDER)["refunds"] == []


def test_a_blank_idempotency_key_is_refused(gql, sample_shop, devshop):
    body = gql(REFUND_CREATE, {"input": refund_input(), "key": " "}).json()

    assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert devshop.order_by_id(ORDER)["refunds"] == []


def test_the_same_key_twice_refunds_once_and_answers_with_the_first_refund(
    sample_shop, refund_create, devshop
):
    first = refund_create(refund_input(), key="same")
    second = refund_create(refund_input(), key="same")

    assert second["userErrors"] == []
    assert second["refund"]["id"] == first["refund"]["id"]
    order = devshop.order_by_id(ORDER)
    assert len(order["refunds"]) == 1
    assert amount(order["totalRefundedSet"]) == "29.00"
    assert [t["kind"] for t in order["transactions"]].count("REFUND") == 1


def test_the_same_key_with_other_input_is_refused(sample_shop, refund_create, devshop):
    refund_create(refund_input("29.00"), key="same")
    before = devshop.order_by_id(ORDER)

    payload = refund_create(refund_input("30.00"), key="same")

    assert payload["refund"] is None
    assert payload["userErrors"] == [{"field": None, "message": KEY_MISMATCH}]
    assert devshop.order_by_id(ORDER) == before


def test_after_a_timeout_the_retry_with_the_same_key_finds_the_refund(
    sample_shop, refund_create, devshop
):
    devshop.set_option("timeout_seconds", 0.6)
    devshop.add_fault("timeout")

    with pytest.raises(httpx.ReadTimeout):
        refund_create(refund_input(), key="late", timeout=0.2)
    retried = refund_create(refund_input(), key="late")

    # Both requests are carried out, in whichever order; wait for the one the client gave up on.
    deadline = time.monotonic() + 5
    while len(refund_log(devshop)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert refund_log(devshop) == ["ok", "ok"]
    order = devshop.order_by_id(ORDER)
    assert [r["id"] for r in order["refunds"]] == [retried["refund"]["id"]]
    assert amount(order["totalRefundedSet"]) == "29.00"


def key_in_progress(devshop, key):
    """True once devshop has taken `key` and is working on its refund."""
    with sqlite3.connect(devshop.path) as db:
        row = db.execute("SELECT result FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
    return row is not None and row[0] == ""


def test_a_second_request_while_the_first_is_in_progress_is_told_to_try_again(
    sample_shop, refund_create, devshop
):
    """Shopify's IDEMPOTENCY_CONCURRENT_REQUEST: "This request is currently in progress, please
    try again." The first request goes on and makes the refund; a later retry gets that refund."""
    devshop.set_option("timeout_seconds", 2.0)
    devshop.add_fault("mutation_timeout")
    first = {}
    slow = threading.Thread(
        target=lambda: first.update(refund_create(refund_input(), key="busy", timeout=10))
    )
    slow.start()
    deadline = time.monotonic() + 5
    while not key_in_progress(devshop, "busy") and time.monotonic() < deadline:
        time.sleep(0.01)

    meanwhile = refund_create(refund_input(), key="busy")
    slow.join(timeout=10)
    again = refund_create(refund_input(), key="busy")

    assert meanwhile == {
        "refund": None,
        "order": None,
        "userErrors": [{"field": None, "message": KEY_IN_PROGRESS}],
    }
    assert first["userErrors"] == [] and again["refund"]["id"] == first["refund"]["id"]
    assert [r["id"] for r in devshop.order_by_id(ORDER)["refunds"]] == [first["refund"]["id"]]


def test_a_key_reused_after_it_expired_is_a_new_request(sample_shop, refund_create, devshop):
    """Shopify remembers a key for a while only: reused after that, it moves money again."""
    first = refund_create(refund_input("10.00", lines=()), key="old")
    devshop.set_option("idempotency_key_retention_seconds", 0)

    second = refund_create(refund_input("10.00", lines=()), key="old")

    assert second["userErrors"] == [] and second["refund"]["id"] != first["refund"]["id"]
    assert amount(devshop.order_by_id(ORDER)["totalRefundedSet"]) == "20.00"


def refund_log(devshop):
    return [r["outcome"] for r in devshop.request_log() if r["operation_name"] == "RefundCreate"]


SECOND_PROCESS = """
import json, sys
from django.conf import settings

config, path, headers, body = json.loads(sys.argv[1])
settings.configure(**config)
from devshop.server import handle

print(handle("POST", path, headers, body.encode())[2].decode())
"""


def test_another_devshop_process_answers_a_used_key_with_the_same_refund(
    sample_shop, refund_create, devshop, settings
):
    first = refund_create(refund_input(), key="shared")
    config = {
        "DEVSHOP_STATE": str(devshop.path),
        "SHOPIFY_SHOP": settings.SHOPIFY_SHOP,
        "SHOPIFY_API_VERSION": settings.SHOPIFY_API_VERSION,
        "SHOPIFY_ACCESS_TOKEN": settings.SHOPIFY_ACCESS_TOKEN,
        "SHOPIFY_CLIENT_ID": "",
        "SHOPIFY_CLIENT_SECRET": "",
    }
    path = f"/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"
    headers = {"X-Shopify-Access-Token": settings.SHOPIFY_ACCESS_TOKEN}
    body = json.dumps(
        {"query": REFUND_CREATE, "variables": {"input": refund_input(), "key": "shared"}}
    )

    result = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, json.dumps([config, path, headers, body])],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )

    second = json.loads(result.stdout)["data"]["refundCreate"]
    assert second["refund"]["id"] == first["refund"]["id"]
    assert len(devshop.order_by_id(ORDER)["refunds"]) == 1
