"""The portal's Returns API calls, through the production Shopify client, against devshop."""

from __future__ import annotations

import pytest

from returns.shopify import returns as shopify_returns
from returns.shopify.errors import ShopifyRejected

ORDER = "gid://shopify/Order/6012345601012"  # #1012: a sweater and three pairs of socks
SOCKS = "gid://shopify/LineItem/15012345670242"
SALE = "gid://shopify/OrderTransaction/7123456700105"


def socks_line() -> str:
    lines = shopify_returns.returnable_lines(ORDER)
    return next(line.fulfillment_line_item_id for line in lines if line.line_item_id == SOCKS)


def requested(quantity: int = 2, note: str = "Te klein") -> shopify_returns.ShopifyReturn:
    setup = shopify_returns.shop_return_setup()
    line = {
        "fulfillmentLineItemId": socks_line(),
        "quantity": quantity,
        "returnReasonDefinitionId": setup.reasons["changed-mind"],
        "customerNote": note,
    }
    return shopify_returns.return_request(order_gid=ORDER, lines=[line])


def test_a_return_goes_through_shopifys_steps(sample_shop):
    made = requested(2, note="x" * 400)  # the portal keeps the whole comment; Shopify gets 300
    assert made.status == "REQUESTED" and made.lines[0].quantity == 2
    opened = shopify_returns.return_approve(return_id=made.id)
    assert opened.status == "OPEN" and opened.reverse_lines[0].quantity == 2
    [location] = [gid for gid, name in shopify_returns.shop_return_setup().locations.items()][:1]
    shopify_returns.reverse_lines_dispose(
        dispositions=[
            {
                "reverseFulfillmentOrderLineItemId": opened.reverse_lines[0].id,
                "quantity": 2,
                "dispositionType": "RESTOCKED",
                "locationId": location,
            }
        ]
    )
    money = {"amount": "35.92", "currencyCode": "EUR"}
    processed = shopify_returns.return_process(
        process_input={
            "returnId": made.id,
            "returnLineItems": [{"id": made.lines[0].id, "quantity": 2}],
            "financialTransfer": {
                "issueRefund": {
                    "orderTransactions": [{"parentId": SALE, "transactionAmount": money}]
                }
            },
        }
    )
    assert processed.lines[0].refunded == 2 and len(processed.refund_ids) == 1
    assert processed.reverse_lines[0].disposed == 2
    closed = shopify_returns.return_close(return_id=made.id)
    assert shopify_returns.return_get(closed.id).status == "CLOSED"
    assert [r.id for r in shopify_returns.order_returns(ORDER)] == [made.id]


def test_shopifys_refusal_is_raised_with_its_user_errors(sample_shop):
    made = requested(1)
    shopify_returns.return_decline(return_id=made.id, reason="OTHER", note="y" * 600)
    with pytest.raises(ShopifyRejected) as refused:
        shopify_returns.return_approve(return_id=made.id)
    assert refused.value.user_errors[0]["code"] == "INVALID_STATE"
    assert shopify_returns.return_get(made.id).status == "DECLINED"
