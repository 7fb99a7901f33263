"""devshop's Returns API over HTTP: Shopify's statuses, its refusals, its webhooks, its faults.

#1012 in the sample shop: one sweater (80.96) and three pairs of socks (17.96 each), delivered in
one fulfillment and paid with one SALE of 134.84.
"""

import httpx
import pytest

from devshop.returns_flow import Refused, admin_return_create
from devshop.webhooks import wait_for_deliveries
from tests.webhooks import sign

ORDER = "gid://shopify/Order/6012345601012"
SOCKS = "gid://shopify/LineItem/15012345670242"
SALE = "gid://shopify/OrderTransaction/7123456700105"
WAREHOUSE = "gid://shopify/Location/70123456001"
CLOSED_WAREHOUSE = "gid://shopify/Location/70123456003"
DEFECTIVE = "gid://shopify/ReturnReasonDefinition/2"

RETURN_FIELDS = """
id name status requestApprovedAt closedAt decline { reason note }
order { id returnStatus }
totalQuantity
returnLineItems(first: 10) { nodes { id quantity customerNote processedQuantity
  processableQuantity refundedQuantity returnReasonDefinition { handle }
  ... on ReturnLineItem { fulfillmentLineItem { id lineItem { id } } } } }
reverseFulfillmentOrders(first: 5) { nodes { id status lineItems(first: 10) { nodes {
  id totalQuantity dispositions { quantity type location { id } } } } } }
refunds(first: 5) { nodes { id totalRefundedSet { presentmentMoney { amount currencyCode } } } }
"""
RETURNABLE = """
query Returnable($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes {
  fulfillment { id } returnableFulfillmentLineItems(first: 10) { nodes {
    quantity fulfillmentLineItem { id quantity lineItem { id } } } } } } }
"""
REQUEST = f"""
mutation Request($input: ReturnRequestInput!) {{ returnRequest(input: $input) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
APPROVE = f"""
mutation Approve($id: ID!) {{ returnApproveRequest(input: {{id: $id}}) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
DECLINE = f"""
mutation Decline($input: ReturnDeclineRequestInput!) {{ returnDeclineRequest(input: $input) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
CANCEL = f"""
mutation Cancel($id: ID!) {{ returnCancel(id: $id) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
CLOSE = f"""
mutation Close($id: ID!) {{ returnClose(id: $id) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
REOPEN = f"""
mutation Reopen($id: ID!) {{ returnReopen(id: $id) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
DISPOSE = """
mutation Dispose($inputs: [ReverseFulfillmentOrderDisposeInput!]!) {
  reverseFulfillmentOrderDispose(dispositionInputs: $inputs) {
    reverseFulfillmentOrderLineItems { id dispositions { quantity type location { name } } }
    userErrors { code field message } } }
"""
PROCESS = f"""
mutation Process($input: ReturnProcessInput!) {{ returnProcess(input: $input) {{
  return {{ {RETURN_FIELDS} }} userErrors {{ code field message }} }} }}
"""
READ = f"query Read($id: ID!) {{ return(id: $id) {{ {RETURN_FIELDS} }} }}"
ORDER_READ = """
query O($id: ID!) { order(id: $id) { returnStatus totalRefundedSet { shopMoney { amount } }
  returns(first: 5) { nodes { id status } } } }
"""


@pytest.fixture
def call(gql):
    def send(document, variables=None, **kwargs):
        answer = gql(document, variables, **kwargs).json()
        assert "errors" not in answer, answer
        [payload] = answer["data"].values()
        return payload

    return send


def returnable(call):
    [fulfillment] = call(RETURNABLE, {"id": ORDER})["nodes"]
    lines = fulfillment["returnableFulfillmentLineItems"]["nodes"]
    return {line["fulfillmentLineItem"]["lineItem"]["id"]: line for line in lines}


def socks_line(call):
    return returnable(call)[SOCKS]["fulfillmentLineItem"]["id"]


def request(call, quantity=2, note="Te klein", fli=None):
    line = {
        "fulfillmentLineItemId": fli or socks_line(call),
        "quantity": quantity,
        "customerNote": note,
        "returnReasonDefinitionId": DEFECTIVE,
    }
    return call(REQUEST, {"input": {"orderId": ORDER, "returnLineItems": [line]}})


def opened(call, quantity=2):
    made = request(call, quantity)["return"]
    return call(APPROVE, {"id": made["id"]})["return"]


def rfo_line(ret):
    [rfo] = ret["reverseFulfillmentOrders"]["nodes"]
    [line] = rfo["lineItems"]["nodes"]
    return line


def test_returnable_fulfillments_list_what_was_delivered_less_what_is_in_a_return(
    sample_shop, call
):
    before = returnable(call)
    assert before[SOCKS]["quantity"] == 3 and before[SOCKS]["fulfillmentLineItem"]["quantity"] == 3
    request(call, 2)
    assert returnable(call)[SOCKS]["quantity"] == 1


def test_a_requested_return_keeps_the_customers_note_and_reason(sample_shop, call):
    answer = request(call, 2, note="Zijn te klein uitgevallen")
    assert answer["userErrors"] == []
    made = answer["return"]
    assert made["status"] == "REQUESTED" and made["name"] == "#1012-R1"
    assert made["order"]["returnStatus"] == "RETURN_REQUESTED"
    [line] = made["returnLineItems"]["nodes"]
    assert line["quantity"] == 2 and line["customerNote"] == "Zijn te klein uitgevallen"
    assert line["returnReasonDefinition"] == {"handle": "damaged-or-defective"}
    assert line["processableQuantity"] == 0  # nothing to process before it is approved
    assert made["reverseFulfillmentOrders"]["nodes"] == []
    listed = call(ORDER_READ, {"id": ORDER})
    assert listed["returns"]["nodes"] == [{"id": made["id"], "status": "REQUESTED"}]


def test_returning_more_than_was_delivered_is_refused_and_changes_nothing(
    sample_shop, call, devshop
):
    answer = request(call, 4)
    assert answer["return"] is None
    [problem] = answer["userErrors"]
    assert problem["code"] == "INVALID"
    assert problem["field"] == ["input", "returnLineItems", "0", "quantity"]
    assert "returns" not in devshop.order_by_id(ORDER)
    socks = socks_line(call)
    request(call, 3, fli=socks)
    assert request(call, 1, fli=socks)["userErrors"][0]["code"] == "INVALID"  # all three taken


def test_a_customer_note_longer_than_300_characters_is_refused(sample_shop, call):
    answer = request(call, 1, note="x" * 301)
    assert [e["code"] for e in answer["userErrors"]] == ["TOO_LONG"]
    assert request(call, 1, note="x" * 300)["userErrors"] == []


def test_an_unknown_fulfillment_line_item_is_not_found(sample_shop, call):
    answer = request(call, 1, fli="gid://shopify/FulfillmentLineItem/1")
    assert [e["code"] for e in answer["userErrors"]] == ["NOT_FOUND"]


def test_approving_opens_the_return_with_a_reverse_fulfillment_order(sample_shop, call):
    ret = opened(call)
    assert ret["status"] == "OPEN" and ret["requestApprovedAt"]
    assert ret["order"]["returnStatus"] == "IN_PROGRESS"
    assert rfo_line(ret)["totalQuantity"] == 2
    assert ret["returnLineItems"]["nodes"][0]["processableQuantity"] == 2


def test_approving_a_declined_return_is_refused(sample_shop, call):
    made = request(call)["return"]
    declined = call(
        DECLINE,
        {"input": {"id": made["id"], "declineReason": "FINAL_SALE", "declineNote": "Sale"}},
    )
    assert declined["return"]["status"] == "DECLINED"
    assert declined["return"]["decline"] == {"reason": "FINAL_SALE", "note": "Sale"}
    again = call(APPROVE, {"id": made["id"]})
    assert again["return"] is None
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]
    assert call(READ, {"id": made["id"]})["status"] == "DECLINED"
    assert returnable(call)[SOCKS]["quantity"] == 3  # a declined return gives its units back


def test_a_decline_note_longer_than_500_characters_is_refused(sample_shop, call):
    made = request(call)["return"]
    long = {"id": made["id"], "declineReason": "OTHER", "declineNote": "x" * 501}
    assert [e["code"] for e in call(DECLINE, {"input": long})["userErrors"]] == ["TOO_LONG"]
    assert call(READ, {"id": made["id"]})["status"] == "REQUESTED"


def test_units_are_disposed_once_restocked_at_a_location_not_restocked_or_missing(
    sample_shop, call
):
    ret = opened(call, 3)
    line = rfo_line(ret)["id"]
    inputs = [
        {
            "reverseFulfillmentOrderLineItemId": line,
            "quantity": 1,
            "dispositionType": "RESTOCKED",
            "locationId": WAREHOUSE,
        },
        {
            "reverseFulfillmentOrderLineItemId": line,
            "quantity": 1,
            "dispositionType": "NOT_RESTOCKED",
        },
    ]
    answer = call(DISPOSE, {"inputs": inputs})
    assert answer["userErrors"] == []
    [disposed] = answer["reverseFulfillmentOrderLineItems"]
    assert disposed["dispositions"] == [
        {"quantity": 1, "type": "RESTOCKED", "location": {"name": "Magazijn Utrecht"}},
        {"quantity": 1, "type": "NOT_RESTOCKED", "location": None},
    ]
    twice = [
        {"reverseFulfillmentOrderLineItemId": line, "quantity": 2, "dispositionType": "MISSING"}
    ]
    assert [e["code"] for e in call(DISPOSE, {"inputs": twice})["userErrors"]] == [
        "LESS_THAN_OR_EQUAL_TO"
    ]
    last = [
        {"reverseFulfillmentOrderLineItemId": line, "quantity": 1, "dispositionType": "MISSING"}
    ]
    assert call(DISPOSE, {"inputs": last})["userErrors"] == []
    kinds = [d["type"] for d in rfo_line(call(READ, {"id": ret["id"]}))["dispositions"]]
    assert kinds == ["RESTOCKED", "NOT_RESTOCKED", "MISSING"]


@pytest.mark.parametrize("location", [None, CLOSED_WAREHOUSE, "gid://shopify/Location/1"])
def test_restocking_needs_one_of_the_shops_active_locations(sample_shop, call, location):
    ret = opened(call, 1)
    restock = {
        "reverseFulfillmentOrderLineItemId": rfo_line(ret)["id"],
        "quantity": 1,
        "dispositionType": "RESTOCKED",
        "locationId": location,
    }
    answer = call(DISPOSE, {"inputs": [restock]})
    assert [e["field"] for e in answer["userErrors"]] == [["dispositionInputs", "0", "locationId"]]
    assert rfo_line(call(READ, {"id": ret["id"]}))["dispositions"] == []


def process_input(ret, quantity, amount=None):
    [line] = ret["returnLineItems"]["nodes"]
    given = {"returnId": ret["id"], "returnLineItems": [{"id": line["id"], "quantity": quantity}]}
    if amount is not None:
        money = {"amount": amount, "currencyCode": "EUR"}
        given["financialTransfer"] = {
            "issueRefund": {"orderTransactions": [{"parentId": SALE, "transactionAmount": money}]}
        }
    return {"input": given}


def test_processing_with_issue_refund_refunds_the_returned_units_once(sample_shop, call):
    ret = opened(call, 2)
    answer = call(PROCESS, process_input(ret, 2, "35.92"))
    assert answer["userErrors"] == []
    [line] = answer["return"]["returnLineItems"]["nodes"]
    assert (line["processedQuantity"], line["refundedQuantity"]) == (2, 2)
    [refund] = answer["return"]["refunds"]["nodes"]
    assert refund["totalRefundedSet"]["presentmentMoney"] == {
        "amount": "35.92",
        "currencyCode": "EUR",
    }
    order = call(ORDER_READ, {"id": ORDER})
    assert order["totalRefundedSet"]["shopMoney"]["amount"] == "35.92"
    again = call(PROCESS, process_input(ret, 1, "17.96"))
    assert [e["code"] for e in again["userErrors"]] == ["INVALID"]  # more than was returned
    assert call(ORDER_READ, {"id": ORDER})["totalRefundedSet"]["shopMoney"]["amount"] == "35.92"


def test_a_refund_shopify_refuses_processes_nothing(sample_shop, call):
    ret = opened(call, 1)
    answer = call(PROCESS, process_input(ret, 1, "500.00"))
    assert answer["return"] is None and answer["userErrors"]
    [line] = call(READ, {"id": ret["id"]})["returnLineItems"]["nodes"]
    assert line["processedQuantity"] == 0
    assert call(ORDER_READ, {"id": ORDER})["totalRefundedSet"]["shopMoney"]["amount"] == "0.00"


def test_close_reopen_and_cancel_follow_shopifys_statuses(sample_shop, call):
    ret = opened(call, 1)
    closed = call(CLOSE, {"id": ret["id"]})["return"]
    assert closed["status"] == "CLOSED" and closed["closedAt"]
    assert closed["reverseFulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert closed["order"]["returnStatus"] == "RETURNED"
    assert call(CLOSE, {"id": ret["id"]})["userErrors"][0]["code"] == "INVALID_STATE"
    assert call(REOPEN, {"id": ret["id"]})["return"]["status"] == "OPEN"
    cancelled = call(CANCEL, {"id": ret["id"]})["return"]
    assert cancelled["status"] == "CANCELED"
    assert cancelled["order"]["returnStatus"] == "NO_RETURN"


def test_a_processed_return_cannot_be_cancelled(sample_shop, call):
    ret = opened(call, 1)
    call(PROCESS, process_input(ret, 1))
    answer = call(CANCEL, {"id": ret["id"]})
    assert [e["code"] for e in answer["userErrors"]] == ["INVALID_STATE"]
    assert call(READ, {"id": ret["id"]})["status"] == "OPEN"


def test_the_shop_offers_locations_and_return_reasons(sample_shop, call):
    active = call("{ locations(first: 10) { nodes { id name isActive } } }")["nodes"]
    assert [loc["id"] for loc in active] == [WAREHOUSE, "gid://shopify/Location/70123456002"]
    every = call("{ locations(first: 10, includeInactive: true) { nodes { id } } }")["nodes"]
    assert CLOSED_WAREHOUSE in [loc["id"] for loc in every]
    reasons = call("{ returnReasonDefinitions(first: 20) { nodes { id handle name deleted } } }")
    assert {
        "id": DEFECTIVE,
        "handle": "damaged-or-defective",
        "name": "Damaged or defective",
        "deleted": False,
    } in reasons["nodes"]


def test_staff_can_make_a_return_in_shopifys_admin(sample_shop, call, devshop, portal):
    made = admin_return_create(devshop, order_id=ORDER, lines=[(socks_line(call), 1)])
    assert made["status"] == "OPEN"
    assert call(ORDER_READ, {"id": ORDER})["returns"]["nodes"] == [
        {"id": made["id"], "status": "OPEN"}
    ]
    with pytest.raises(Refused):
        admin_return_create(devshop, order_id=ORDER, lines=[(socks_line(call), 3)])
    wait_for_deliveries()
    assert [d.topic for d in portal] == ["returns/approve"]
    assert portal[0].payload["admin_graphql_api_id"] == made["id"]


def test_each_step_sends_its_signed_webhook(sample_shop, call, portal):
    ret = opened(call, 2)
    dispose = [
        {
            "reverseFulfillmentOrderLineItemId": rfo_line(ret)["id"],
            "quantity": 1,
            "dispositionType": "MISSING",
        }
    ]
    call(DISPOSE, {"inputs": dispose})
    call(PROCESS, process_input(ret, 2, "35.92"))
    call(CLOSE, {"id": ret["id"]})
    call(REOPEN, {"id": ret["id"]})
    other = request(call, 1)["return"]
    call(DECLINE, {"input": {"id": other["id"], "declineReason": "RETURN_PERIOD_ENDED"}})
    third = request(call, 1)["return"]
    call(CANCEL, {"id": third["id"]})
    wait_for_deliveries()
    # Each mutation's deliveries go out on their own thread, so they may arrive in any order.
    by_topic = {}
    for delivery in portal:
        by_topic.setdefault(delivery.topic, []).append(delivery)
    assert sorted(d.topic for d in portal) == sorted(
        [
            "returns/request",
            "returns/approve",
            "reverse_fulfillment_orders/dispose",
            "orders/updated",
            "refunds/create",
            "returns/process",
            "returns/close",
            "returns/reopen",
            "returns/request",
            "returns/decline",
            "returns/request",
            "returns/cancel",
        ]
    )
    assert all(d.headers["x-shopify-hmac-sha256"] == sign(d.body) for d in portal)
    [approve] = by_topic["returns/approve"]
    assert approve.payload["admin_graphql_api_id"] == ret["id"]
    assert approve.payload["status"] == "open"
    assert approve.payload["order"]["admin_graphql_api_id"] == ORDER
    [disposal] = by_topic["reverse_fulfillment_orders/dispose"]
    assert disposal.payload["dispositions"][0]["type"] == "missing"
    [decline] = by_topic["returns/decline"]
    assert decline.payload["decline"] == {"reason": "return_period_ended", "note": None}


def test_every_return_mutation_is_carried_out_when_the_client_timed_out(
    sample_shop, call, gql, devshop
):
    """Shopify finishes a mutation its client gave up on: a retry must read before it repeats."""
    devshop.set_option("timeout_seconds", 0.5)

    def timed_out(document, variables):
        devshop.add_fault("mutation_timeout")
        with pytest.raises(httpx.TimeoutException):
            gql(document, variables, timeout=0.25)

    line = {"fulfillmentLineItemId": socks_line(call), "quantity": 2}
    timed_out(REQUEST, {"input": {"orderId": ORDER, "returnLineItems": [line]}})
    [made] = call(ORDER_READ, {"id": ORDER})["returns"]["nodes"]
    timed_out(APPROVE, {"id": made["id"]})
    ret = call(READ, {"id": made["id"]})
    assert ret["status"] == "OPEN"
    restock = {
        "reverseFulfillmentOrderLineItemId": rfo_line(ret)["id"],
        "quantity": 1,
        "dispositionType": "RESTOCKED",
        "locationId": WAREHOUSE,
    }
    timed_out(DISPOSE, {"inputs": [restock]})
    assert len(rfo_line(call(READ, {"id": made["id"]}))["dispositions"]) == 1
    timed_out(PROCESS, process_input(ret, 2, "35.92"))
    assert call(READ, {"id": made["id"]})["returnLineItems"]["nodes"][0]["refundedQuantity"] == 2
    timed_out(CLOSE, {"id": made["id"]})
    assert call(READ, {"id": made["id"]})["status"] == "CLOSED"
    timed_out(REOPEN, {"id": made["id"]})
    assert call(READ, {"id": made["id"]})["status"] == "OPEN"
    other = request(call, 1)["return"]
    timed_out(DECLINE, {"input": {"id": other["id"], "declineReason": "OTHER"}})
    assert call(READ, {"id": other["id"]})["status"] == "DECLINED"
    third = request(call, 1)["return"]
    timed_out(CANCEL, {"id": third["id"]})
    assert call(READ, {"id": third["id"]})["status"] == "CANCELED"
