"""Refunds through Shopify: its suggestion for some line items, and refundCreate, exactly once.

Every amount here is presentment money, the currency the customer paid in: Shopify's RefundInput
takes the presentment currency and presentment amounts when it differs from the shop's, and the
suggestion, the payments and the refund made carry the shop's booking beside it (Money.shop).

Exactly once is Shopify's job: every refundCreate carries @idempotent(key:), and a repeat with the
same key and the same input answers with the first refund. The portal's part is to send the same
input every time it retries a refund. So the input is built only from things a refund does not
change: the caller's arguments and the order's payments (its SALE and CAPTURE transactions).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import money
from . import documents
from .client import ShopifyClient, get_client
from .errors import ShopifyRejected, ShopifyUnavailable, raise_for_user_errors
from .orders import _money, _optional_datetime, order_gid
from .types import (
    CreatedRefund,
    SuggestedRefund,
    SuggestedRefundLine,
    SuggestedTransaction,
)

# The transactions that took the shopper's money; a refund gives it back through them.
PAYMENT_KINDS = ("SALE", "CAPTURE")


def refund_suggest(
    order_id: str,
    lines: list[tuple[str, int]],
    *,
    refund_shipping: bool = False,
    client: ShopifyClient | None = None,
) -> SuggestedRefund:
    """What Shopify would refund for `lines` [(line item id, quantity)], and the order's maximum;
    with `refund_shipping`, the shipping not yet refunded too.

    Shopify suggests no more than is still refundable: lines already refunded count for nothing.
    """
    client = client or get_client()
    gid = order_gid(order_id)
    data = client.execute(
        documents.load("refund_suggest"),
        {"id": gid, "refundLineItems": _line_inputs(lines), "refundShipping": refund_shipping},
    )
    suggestion = (data.get("order") or {}).get("suggestedRefund")
    if suggestion is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    shipping = suggestion.get("shipping")
    return SuggestedRefund(
        amount=_money(suggestion["amountSet"]),
        maximum=_money(suggestion["maximumRefundableSet"]),
        subtotal=_money(suggestion["subtotalSet"]),
        tax=_money(suggestion["totalTaxSet"]),
        lines=tuple(
            SuggestedRefundLine(
                line_item_id=line["lineItem"]["id"],
                quantity=line["quantity"],
                unit_price=_money(line["priceSet"]),
                subtotal=_money(line["subtotalSet"]),
            )
            for line in suggestion["refundLineItems"]
        ),
        transactions=tuple(
            SuggestedTransaction(
                parent_id=(t.get("parentTransaction") or {}).get("id"),
                amount=_money(t["amountSet"]),
                gateway=t.get("gateway"),
                kind=t["kind"],
                maximum=_money(t["maximumRefundableSet"])
                if t.get("maximumRefundableSet")
                else None,
            )
            for t in suggestion["suggestedTransactions"]
        ),
        shipping=_money(shipping["amountSet"]) if shipping else None,
        shipping_maximum=_money(shipping["maximumRefundableSet"]) if shipping else None,
    )


def refund_create(
    *,
    order_id: str,
    amount: Decimal,
    currency: str,
    lines: list[tuple[str, int]],
    restock: bool,
    notify: bool,
    note: str,
    idempotency_key: str,
    transactions: list[dict] | None = None,
    shipping: Decimal | None = None,
    client: ShopifyClient | None = None,
) -> CreatedRefund:
    """Refund `amount` on the order through Shopify, once per `idempotency_key`.

    `lines` [(line item id, quantity)] are the items refunded (restocked if `restock`); they may be
    empty for a refund of money alone. ValueError for an amount or currency that cannot be right,
    before Shopify is asked to move money; ShopifyRejected with Shopify's userErrors when Shopify
    refuses (over-refund, unknown line, too many items). Retrying with the same key after a
    timeout or outage returns the refund the first attempt made, if it made one. Pass the
    `transactions` from refund_plan() made before the first attempt to send exactly the same input
    on every retry: the split over several payments could differ once the first attempt has spent
    them, and Shopify answers a key reused with other input with an error.
    """
    currency = str(currency).strip().upper()
    amount = _checked_amount(amount, currency)
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise ValueError("A refund needs an idempotency key; Shopify refuses refundCreate without.")
    line_inputs = _line_inputs(lines, restock=restock)
    client = client or get_client()
    gid = order_gid(order_id)
    if transactions is None:
        transactions = refund_plan(gid, amount=amount, currency=currency, client=client)
    refund_input = {
        "orderId": gid,
        "currency": currency,
        "note": note,
        "notify": notify,
        "refundLineItems": line_inputs,
        "transactions": transactions,
    }
    if shipping:
        # The delivery cost given back, as part of `amount`; Shopify refuses more than was charged.
        refund_input["shipping"] = {"amount": money.to_shopify(shipping, currency)}
    data = client.execute(
        documents.load("refund_create"),
        {"input": refund_input, "idempotencyKey": idempotency_key},
    )
    payload = data.get("refundCreate")
    raise_for_user_errors(payload, operation="refundCreate", shop=client.shop)
    refund = (payload or {}).get("refund")
    if refund is None:
        # Whether money moved is unknown; a retry with the same key finds out safely.
        raise ShopifyUnavailable(
            f"Shopify answered refundCreate for order {gid} of shop {client.shop} without a "
            "refund: retry later with the same idempotency key."
        )
    return CreatedRefund(
        id=refund["id"],
        amount=_money(refund["totalRefundedSet"]),
        created_at=_optional_datetime(refund.get("createdAt")),
    )


def refund_note(number: str, idempotency_key: str) -> str:
    """The note on a refund the portal makes: the return's number and the refund's own key."""
    return f"{number} · {idempotency_key}"


def refunds_noted(order_id: str, *, client: ShopifyClient | None = None) -> list[tuple[str, str]]:
    """(id, note) of every refund Shopify holds for the order."""
    client = client or get_client()
    gid = order_gid(order_id)
    order = client.execute(documents.load("refund_find"), {"id": gid}).get("order")
    if order is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    return [(refund["id"], refund.get("note") or "") for refund in order.get("refunds") or []]


def refund_find(
    order_id: str, idempotency_key: str, *, client: ShopifyClient | None = None
) -> str | None:
    """The id of Shopify's refund on the order made with this idempotency key (by its note).

    Shopify remembers a key for a while only, and a refusal does not say whether an earlier attempt
    with the same key made the refund: the order's refunds are the record.
    """
    for refund_id, note in refunds_noted(order_id, client=client):
        if idempotency_key in note:
            return refund_id
    return None


def refund_plan(
    order_id: str, *, amount: Decimal, currency: str, client: ShopifyClient | None = None
) -> list[dict]:
    """The REFUND transactions refundCreate needs for `amount`, over the order's payments."""
    currency = str(currency).strip().upper()
    amount = _checked_amount(amount, currency)
    client = client or get_client()
    gid = order_gid(order_id)
    order = client.execute(documents.load("refund_payments"), {"id": gid}).get("order")
    if order is None:
        raise ShopifyRejected(f"Shop {client.shop} has no order {gid}.")
    # Shopify's RefundInput: a refund is in the currency the customer paid in (the presentment
    # currency), with presentment amounts, whatever the shop's own currency is.
    paid_in = order.get("presentmentCurrencyCode") or order["currencyCode"]
    if currency != paid_in:
        raise ValueError(
            f"Order {gid} was paid in {paid_in}; a refund in {currency} is not possible."
        )
    return _transactions(gid, amount, _payments(order), client.shop)


def _checked_amount(amount: Decimal, currency: str) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"A refund amount must be a Decimal, not {type(amount).__name__}.")
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"A refund amount must be more than 0, not {amount}.")
    if not money.is_exact(amount, currency):
        raise ValueError(
            f"A refund in {currency} has at most {money.decimals(currency)} decimals, not {amount}."
        )
    return money.normalise(amount, currency)


def _line_inputs(lines: list[tuple[str, int]], *, restock: bool | None = None) -> list[dict]:
    inputs = []
    for line_item_id, quantity in lines:
        if not line_item_id or not isinstance(quantity, int) or quantity <= 0:
            raise ValueError(f"Not a line to refund: {line_item_id!r} × {quantity!r}.")
        line: dict[str, Any] = {"lineItemId": str(line_item_id), "quantity": quantity}
        if restock is not None:
            line["restockType"] = "RETURN" if restock else "NO_RESTOCK"
        inputs.append(line)
    return inputs


def _payments(order: dict) -> list[tuple[dict, Decimal]]:
    """(payment transaction, what it can still give back), in the order Shopify lists them."""
    transactions = order.get("transactions") or []
    given_back: dict[str, Decimal] = {}
    for t in transactions:
        parent_id = (t.get("parentTransaction") or {}).get("id")
        if t["kind"] == "REFUND" and t["status"] == "SUCCESS" and parent_id:
            given_back[parent_id] = given_back.get(parent_id, money.ZERO) + _amount(t)
    return [
        (t, max(_amount(t) - given_back.get(t["id"], money.ZERO), money.ZERO))
        for t in transactions
        if t["kind"] in PAYMENT_KINDS and t["status"] == "SUCCESS"
    ]


def _transactions(
    gid: str, amount: Decimal, payments: list[tuple[dict, Decimal]], shop: str
) -> list[dict]:
    """The REFUND transactions: the amount over the payments, in turn, each up to what it has left.

    An amount above everything the payments have left goes, in full, to the last payment: Shopify
    then refuses it as an over-refund, with its own userError. Refusing here instead would also
    refuse the retry of a refund that already went through (the payments are spent by then), where
    Shopify answers with that refund. For the same reason an order with one payment always gets the
    whole amount on it, whatever it has left.
    """
    if not payments:
        message = "The order has no successful payment to refund."
        raise ShopifyRejected(
            f"Shopify cannot refund order {gid} of shop {shop}: {message}",
            user_errors=[{"field": ["transactions"], "message": message, "code": None}],
        )
    shares: dict[str, Decimal] = {}
    left = amount
    for payment, available in payments:
        share = min(left, available)
        if share > 0:
            shares[payment["id"]] = share
            left -= share
    if left > 0:
        last = payments[-1][0]["id"]
        shares[last] = shares.get(last, money.ZERO) + left
    by_id = {payment["id"]: payment for payment, _ in payments}
    return [
        {
            "orderId": gid,
            "parentId": parent_id,
            "amount": money.to_shopify(share, _money(by_id[parent_id]["amountSet"]).currency),
            "gateway": by_id[parent_id]["gateway"],
            "kind": "REFUND",
        }
        for parent_id, share in shares.items()
    ]


def _amount(transaction: dict) -> Decimal:
    return _money(transaction["amountSet"]).amount
