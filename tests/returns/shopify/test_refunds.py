"""Refunds through the Shopify client, against devshop over real HTTP."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from django.conf import settings

from devshop.transport import DevshopTransport
from returns.shopify.client import ShopifyClient
from returns.shopify.errors import ShopifyRejected, ShopifyUnavailable
from returns.shopify.orders import order_get
from returns.shopify.refunds import refund_create, refund_suggest
from returns.shopify.types import Money, SuggestedRefundLine, SuggestedTransaction
from tests import shop

# #1004 in the sample shop: a belt (29.00) and a wallet (39.95), paid with one SALE of 68.95.
ORDER = "gid://shopify/Order/6012345601004"
BELT = "gid://shopify/LineItem/15012345670066"
WALLET = "gid://shopify/LineItem/15012345670077"
SALE = "gid://shopify/OrderTransaction/7123456700035"


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def refund(client, amount="29.00", *, key="key-1", lines=((WALLET, 1),), **overrides):
    options = {
        "order_id": ORDER,
        "amount": Decimal(amount),
        "currency": "EUR",
        "lines": list(lines),
        "restock": True,
        "notify": False,
        "note": "R-1004-1",
        "idempotency_key": key,
        "client": client,
        **overrides,
    }
    return refund_create(**options)


def refunds_made(devshop, order_id=ORDER):
    return devshop.order_by_id(order_id)["refunds"]


def refund_creates_sent(devshop):
    return [r for r in devshop.request_log() if r["operation_name"] == "RefundCreate"]


# -- the suggestion -------------------------------------------------------------------------------


def test_a_suggestion_prices_the_chosen_items_and_says_the_maximum(sample_shop, make_client):
    suggestion = refund_suggest(ORDER, [(WALLET, 1)], client=make_client())

    assert (suggestion.amount, suggestion.maximum) == (eur("39.95"), eur("68.95"))
    assert (suggestion.subtotal, suggestion.tax) == (eur("39.95"), eur("0.00"))
    assert suggestion.lines == (SuggestedRefundLine(WALLET, 1, eur("39.95"), eur("39.95")),)
    assert suggestion.transactions == (
        SuggestedTransaction(
            SALE, eur("39.95"), "shopify_payments", "SUGGESTED_REFUND", eur("68.95")
        ),
    )


def test_a_suggestion_without_items_still_says_the_maximum(sample_shop, make_client):
    suggestion = refund_suggest(ORDER, [], client=make_client())

    assert (suggestion.amount, suggestion.maximum) == (eur("0.00"), eur("68.95"))


def test_a_suggestion_for_an_unknown_order_is_rejected(sample_shop, make_client):
    with pytest.raises(ShopifyRejected, match="no order"):
        refund_suggest("gid://shopify/Order/1", [(WALLET, 1)], client=make_client())


# -- refund_create --------------------------------------------------------------------------------


def test_a_partial_refund_is_recorded_on_the_order(sample_shop, make_client, devshop):
    client = make_client()

    created = refund(client, "29.00")  # of the wallet's 39.95

    assert created.amount == eur("29.00") and created.created_at is not None
    [made] = refunds_made(devshop)
    assert made["id"] == created.id and made["note"] == "R-1004-1"
    assert made["refundLineItems"]["nodes"][0]["lineItem"] == {"id": WALLET}
    assert made["refundLineItems"]["nodes"][0]["restocked"] is True
    [transaction] = made["transactions"]["nodes"]
    assert transaction["parentTransaction"] == {"id": SALE}
    assert transaction["gateway"] == "shopify_payments"
    order = order_get(ORDER, client=client)
    assert order.total_refunded == eur("29.00")
    assert order.financial_status == "PARTIALLY_REFUNDED"
    assert order.line_item(WALLET).refundable_quantity == 0
    assert order.line_item(BELT).refundable_quantity == 1
    assert refund_suggest(ORDER, [], client=client).maximum == eur("39.95")


def test_money_alone_can_be_refunded(sample_shop, make_client, devshop):
    created = refund(make_client(), "5.00", lines=[])

    assert created.amount == eur("5.00")
    assert refunds_made(devshop)[0]["refundLineItems"]["nodes"] == []


def test_the_same_key_twice_refunds_once(sample_shop, make_client, devshop):
    client = make_client()

    first = refund(client, key="same")
    second = refund(client, key="same")

    assert second == first
    assert len(refunds_made(devshop)) == 1
    assert order_get(ORDER, client=client).total_refunded == eur("29.00")


def test_an_over_refund_is_rejected_with_shopifys_user_error(sample_shop, make_client, devshop):
    client = make_client()
    refund(client, "40.00", key="first", lines=[])

    with pytest.raises(ShopifyRejected) as rejected:
        refund(client, "30.00", key="second", lines=[])

    [error] = rejected.value.user_errors
    assert error["field"] == ["transactions", "0", "amount"]
    assert "28.95" in error["message"]
    assert not rejected.value.retryable
    assert len(refunds_made(devshop)) == 1


def test_after_a_timeout_the_retry_with_the_same_key_refunds_exactly_once(
    sample_shop, make_client, devshop
):
    devshop.set_option("timeout_seconds", 0.8)

    def time_out_the_refund(request: httpx.Request) -> None:
        if b"mutation RefundCreate" in request.content:
            devshop.add_fault("timeout")

    impatient = httpx.Client(
        timeout=0.3,
        transport=DevshopTransport(settings.DEVSHOP_URL),
        event_hooks={"request": [time_out_the_refund]},
    )
    with impatient:
        with pytest.raises(ShopifyUnavailable):
            refund(client_over(impatient), key="late")

    retried = refund(make_client(), key="late")

    deadline = time.monotonic() + 5  # let the request the client gave up on finish too
    while len(refund_creates_sent(devshop)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["outcome"] for r in refund_creates_sent(devshop)] == ["ok", "ok"]
    assert [r["id"] for r in refunds_made(devshop)] == [retried.id]
    assert retried.amount == eur("29.00")


def client_over(http_client: httpx.Client) -> ShopifyClient:
    return ShopifyClient(
        shop=settings.SHOPIFY_SHOP,
        api_version=settings.SHOPIFY_API_VERSION,
        access_token=settings.SHOPIFY_ACCESS_TOKEN,
        timeout=0.3,
        http_client=http_client,
    )


def test_shopifys_refusal_is_rejected_and_changes_nothing(sample_shop, make_client, devshop):
    devshop.add_fault("user_errors")

    with pytest.raises(ShopifyRejected):
        refund(make_client())

    assert refunds_made(devshop) == []


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("0", "EUR"),
        ("0.00", "EUR"),
        ("-5.00", "EUR"),
        ("29.001", "EUR"),
        ("NaN", "EUR"),
        ("29.00", "USD"),
    ],
    ids=["zero", "zero-cents", "negative", "three-decimals", "not-a-number", "other-currency"],
)
def test_an_impossible_amount_or_currency_never_reaches_refund_create(
    sample_shop, make_client, devshop, amount, currency
):
    with pytest.raises(ValueError):
        refund(make_client(), amount, currency=currency)

    assert refund_creates_sent(devshop) == []
    assert refunds_made(devshop) == []


def test_an_amount_must_be_a_decimal(sample_shop, make_client, devshop):
    with pytest.raises(TypeError):
        refund_create(
            order_id=ORDER,
            amount=29.0,  # type: ignore[arg-type]
            currency="EUR",
            lines=[],
            restock=False,
            notify=False,
            note="",
            idempotency_key="float",
            client=make_client(),
        )

    assert devshop.request_log() == []


def test_an_order_without_a_payment_cannot_be_refunded(sample_shop, make_client, devshop):
    pending = "gid://shopify/Order/6012345601008"  # paid by bank transfer, not yet received

    with pytest.raises(ShopifyRejected) as rejected:
        refund(make_client(), "10.00", order_id=pending, lines=[])

    assert rejected.value.user_errors[0]["field"] == ["transactions"]
    assert refund_creates_sent(devshop) == []


def test_a_refund_larger_than_one_payment_is_split_over_the_payments(make_client, devshop):
    order = shop.order("#2001", items=[shop.line_item(quantity=2, price="34.50")])
    card, gift_card = order["transactions"][0], dict(order["transactions"][0])
    card["amountSet"] = shop.money("49.00")
    gift_card.update(id=card["id"] + "1", gateway="gift_card", amountSet=shop.money("20.00"))
    order["transactions"].append(gift_card)
    devshop.load_orders([order])

    refund(make_client(), "60.00", order_id=order["id"], lines=[])

    [made] = refunds_made(devshop, order["id"])
    assert [
        (t["parentTransaction"]["id"], t["gateway"], t["amountSet"]["shopMoney"]["amount"])
        for t in made["transactions"]["nodes"]
    ] == [(card["id"], "shopify_payments", "49.00"), (gift_card["id"], "gift_card", "11.00")]
