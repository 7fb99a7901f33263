"""Refunds as Shopify makes them: Order.suggestedRefund and the refundCreate mutation.

What may be refunded is worked out from the stored order alone, as Shopify does: each successful
SALE or CAPTURE transaction can give back what it took, less the REFUND transactions already
made against it. A refund that would go past that is refused with userErrors and changes nothing.
Amounts are presentment money, the currency the customer paid in (see money.py).

refundCreate needs @idempotent(key:) from API version 2026-04 (before, it is optional: a refund
without a key is made each time it is asked for; see versions.py). The key is stored in
the same SQLite transaction as the refund, so every process sees a refund and its key together:
a repeat with the same input answers with the first refund, a repeat with other input is refused.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from decimal import Decimal

from graphql import GraphQLError
from graphql.execution.values import get_directive_values

from . import webhooks
from .money import (
    CENT,
    ZERO,
    amount_of,
    bag,
    exchange_rate,
    presentment_currency,
    shop_amount_of,
    shop_currency,
)
from .relay import gid_type, new_gid, resolve_connection, stored_nodes
from .relay import user_error as _error
from .shipping import check_shipping, suggested_shipping
from .versions import idempotency_required

REFUNDABLE_KINDS = ("SALE", "CAPTURE")
RESTOCKED_TYPES = ("RETURN", "CANCEL")
# Shopify's words: the first as its API answers a refundCreate without the directive, the second
# as it describes its IDEMPOTENCY_KEY_PARAMETER_MISMATCH userError code.
IDEMPOTENCY_REQUIRED = (
    "The @idempotent directive is required for this mutation but was not provided."
)
KEY_MISMATCH = "The same idempotency key cannot be used with different operation parameters."
# Shopify's words for IDEMPOTENCY_CONCURRENT_REQUEST: a second request with a key whose first
# request is still being carried out. refundCreate's userErrors carry no code, only the message.
KEY_IN_PROGRESS = "This request is currently in progress, please try again."
# After RefundInput.currency's description: "required for orders where the currency and
# presentment currency differ".
CURRENCY_REQUIRED = (
    "Currency is required for orders where the currency and presentment currency differ; "
    "it must be the presentment currency (%(currency)s)"
)


# -- what an order can still refund ---------------------------------------------------------------


def _line_items(order: dict) -> list[dict]:
    return stored_nodes(order.get("lineItems"))


def refundable_parents(order: dict) -> list[tuple[dict, Decimal]]:
    """(transaction, amount it can still give back) for each transaction that took money."""
    transactions = order.get("transactions") or []
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for transaction in transactions:
        parent = transaction.get("parentTransaction") or {}
        if transaction["kind"] == "REFUND" and transaction["status"] == "SUCCESS" and parent:
            refunded[parent["id"]] += amount_of(transaction["amountSet"])
    return [
        (t, max(amount_of(t["amountSet"]) - refunded[t["id"]], ZERO))
        for t in transactions
        if t["kind"] in REFUNDABLE_KINDS and t["status"] == "SUCCESS"
    ]


def shop_money_left(order: dict) -> dict[str, Decimal]:
    """What each transaction that took money can still give back in shop money."""
    transactions = order.get("transactions") or []
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for transaction in transactions:
        parent = transaction.get("parentTransaction") or {}
        if transaction["kind"] == "REFUND" and transaction["status"] == "SUCCESS" and parent:
            refunded[parent["id"]] += shop_amount_of(transaction["amountSet"])
    return {
        t["id"]: max(shop_amount_of(t["amountSet"]) - refunded[t["id"]], ZERO)
        for t in transactions
        if t["kind"] in REFUNDABLE_KINDS and t["status"] == "SUCCESS"
    }


def _shop_shares(order: dict, payments) -> list[Decimal]:
    """The shop amount of each (parent, presentment amount) refunded: at the order's rate, and
    never more than the parent has left in shop money; all of it once the parent is emptied."""
    left = {t["id"]: amount for t, amount in refundable_parents(order)}
    shop_left = shop_money_left(order)
    rate, shares = exchange_rate(order), []
    for parent, amount in payments:
        if amount >= left[parent["id"]]:
            share = shop_left[parent["id"]]
        else:
            share = min((amount * rate).quantize(CENT), shop_left[parent["id"]])
        left[parent["id"]] -= amount
        shop_left[parent["id"]] -= share
        shares.append(share)
    return shares


def _unit_price(item: dict) -> Decimal:
    return amount_of(item["discountedUnitPriceAfterAllDiscountsSet"])


def resolve_suggested_refund(
    order,
    _info,
    refundLineItems=None,
    suggestFullRefund=False,
    refundShipping=None,
    shippingAmount=None,
):
    items = _line_items(order)
    wanted: dict[str, int] = defaultdict(int)
    if suggestFullRefund:  # Shopify ignores refundLineItems then
        for item in items:
            wanted[item["id"]] = item["refundableQuantity"]
    else:
        known = {item["id"] for item in items}
        for line in refundLineItems or []:
            if line["lineItemId"] not in known:
                raise GraphQLError(f"Line item {line['lineItemId']} does not exist on this order")
            wanted[line["lineItemId"]] += line["quantity"]
    lines, subtotal = [], ZERO
    for item in items:
        # Shopify suggests what can still be refunded, never more.
        quantity = min(wanted.get(item["id"], 0), item["refundableQuantity"])
        if quantity <= 0:
            continue
        line_total = _unit_price(item) * quantity
        subtotal += line_total
        lines.append(
            {
                "id": None,
                "lineItem": item,
                "quantity": quantity,
                "restocked": False,
                "priceSet": item["discountedUnitPriceAfterAllDiscountsSet"],
                "subtotalSet": bag(line_total, order),
                "totalTaxSet": bag(ZERO, order),
            }
        )
    parents = refundable_parents(order)
    maximum = sum((remaining for _, remaining in parents), ZERO)
    shipping = suggested_shipping(order, refundShipping or suggestFullRefund, shippingAmount)
    amount = min(subtotal + amount_of(shipping["amountSet"]), maximum)
    return {
        "amountSet": bag(amount, order),
        "maximumRefundableSet": bag(maximum, order),
        "subtotalSet": bag(subtotal, order),
        "totalTaxSet": bag(ZERO, order),
        "refundLineItems": lines,
        "shipping": shipping,
        "suggestedTransactions": _suggested_transactions(amount, parents, order),
    }


def _suggested_transactions(amount: Decimal, parents, order: dict) -> list[dict]:
    suggested = []
    for parent, remaining in parents:
        share = min(amount, remaining)
        if share <= 0:
            continue
        amount -= share
        suggested.append(
            {
                "amountSet": bag(share, order),
                "gateway": parent.get("gateway"),
                "kind": "SUGGESTED_REFUND",
                "maximumRefundableSet": bag(remaining, order),
                "parentTransaction": parent,
            }
        )
    return suggested


# -- refundCreate ---------------------------------------------------------------------------------


def resolve_refund_create(_root, info, input):
    key = _idempotency_key(info)
    if key is None:  # an API version before 2026-04: a refund without a key is not deduplicated
        key = f"unkeyed:{uuid.uuid4()}"
    now = info.context["store"].now_iso()
    # Shopify compares a repeat's variables with the first request's; the coerced input is that.
    fingerprint = json.dumps(input, sort_keys=True, default=str)
    status, result, order = info.context["store"].update_order_once(
        "refundCreate",
        key,
        fingerprint,
        input["orderId"],
        lambda order: _refund(order, input, now),
        meanwhile=lambda: _take_time(info.context),
    )
    if status == "mismatch":
        return {"order": None, "refund": None, "userErrors": [_error(None, KEY_MISMATCH)]}
    if status == "in_progress":
        return {"order": None, "refund": None, "userErrors": [_error(None, KEY_IN_PROGRESS)]}
    if status == "refused":
        return {"order": None, "refund": None, "userErrors": result["userErrors"]}
    refund = next(
        (r for r in (order or {}).get("refunds", []) if r["id"] == result["refundId"]), None
    )
    if status == "done" and refund is not None:  # a replayed key changed nothing
        webhooks.refund_created(order, refund)
    return {"order": order, "refund": refund, "userErrors": []}


def _take_time(context: dict) -> None:
    """A slow refund (the mutation_timeout fault) takes its time while its key is in progress."""
    seconds, context["slow_seconds"] = context.get("slow_seconds", 0), 0
    if seconds:
        time.sleep(seconds)


def _idempotency_key(info) -> str:
    values = get_directive_values(
        info.schema.get_directive("idempotent"), info.field_nodes[0], info.variable_values
    )
    if values is None:
        if not idempotency_required(info.context.get("api_version")):
            return None
        raise GraphQLError(IDEMPOTENCY_REQUIRED, extensions={"code": "BAD_REQUEST"})
    if not values["key"].strip():
        raise GraphQLError(
            "The idempotency key must not be blank.", extensions={"code": "BAD_REQUEST"}
        )
    return values["key"]


def _refund(order: dict | None, input: dict, now: str):
    """(the order with the refund made, {"refundId"}) or (None, {"userErrors"})."""
    errors, lines, payments = _check(order, input)
    shipping = check_shipping(order, input, errors) if order is not None else ZERO
    if errors:
        return None, {"userErrors": errors}
    refund_lines = []
    for item, quantity, restock_type in lines:
        item["refundableQuantity"] -= quantity
        item["currentQuantity"] = max(item["currentQuantity"] - quantity, 0)
        refund_lines.append(
            {
                "id": new_gid("RefundLineItem"),
                "quantity": quantity,
                "restocked": restock_type in RESTOCKED_TYPES,
                "restockType": restock_type,
                "lineItem": {"id": item["id"]},
                "priceSet": item["discountedUnitPriceAfterAllDiscountsSet"],
                "subtotalSet": bag(_unit_price(item) * quantity, order),
                "totalTaxSet": bag(ZERO, order),
            }
        )
    shop_shares = _shop_shares(order, payments)
    transactions = [
        {
            "id": new_gid("OrderTransaction"),
            "kind": "REFUND",
            "status": "SUCCESS",
            "gateway": parent.get("gateway"),
            "createdAt": now,
            "processedAt": now,
            "test": bool(parent.get("test")),
            "amountSet": bag(amount, order, shop_amount=shop_share),
            "parentTransaction": {"id": parent["id"]},
        }
        for (parent, amount), shop_share in zip(payments, shop_shares, strict=True)
    ]
    total = sum((amount for _, amount in payments), ZERO)
    total_shop = sum(shop_shares, ZERO)
    refund = {
        "id": new_gid("Refund"),
        "createdAt": now,
        "processedAt": now,
        "updatedAt": now,
        "note": input.get("note"),
        "shippingRefunded": str(shipping),
        "totalRefundedSet": bag(total, order, shop_amount=total_shop),
        "refundLineItems": {"nodes": refund_lines},
        "transactions": {"nodes": transactions},
    }
    order["transactions"] = [*(order.get("transactions") or []), *transactions]
    order["refunds"] = [*(order.get("refunds") or []), refund]
    if total > 0:
        refunded = amount_of(order["totalRefundedSet"]) + total
        refunded_shop = shop_amount_of(order["totalRefundedSet"]) + total_shop
        received = sum((amount_of(t["amountSet"]) for t, _ in refundable_parents(order)), ZERO)
        order["totalRefundedSet"] = bag(refunded, order, shop_amount=refunded_shop)
        order["displayFinancialStatus"] = (
            "REFUNDED" if refunded >= received else "PARTIALLY_REFUNDED"
        )
    return order, {"refundId": refund["id"]}


def _check(order: dict | None, input: dict):
    """(userErrors, [(line item, quantity, restock type)], [(parent transaction, amount)])."""
    if order is None or gid_type(input["orderId"]) != "Order":
        return [_error(["orderId"], "Order does not exist")], [], []
    errors: list[dict] = []
    currency = presentment_currency(order)
    if input.get("currency") is None and currency != shop_currency(order):
        # Shopify's RefundInput: required where the shop's and the customer's currencies differ.
        errors.append(_error(["currency"], CURRENCY_REQUIRED % {"currency": currency}))
    elif input.get("currency") not in (None, currency):
        # Shopify refunds in the currency the customer paid in.
        errors.append(_error(["currency"], f"Currency must be the order's currency ({currency})"))
    if not any(input.get(part) for part in ("refundLineItems", "transactions", "shipping")):
        errors.append(_error(None, "A refund needs line items, shipping or transactions"))
    lines = _check_lines(order, input.get("refundLineItems") or [], errors)
    payments = _check_transactions(order, input, errors)
    return errors, lines, payments


def _check_lines(order: dict, requested: list[dict], errors: list[dict]):
    items = {item["id"]: item for item in _line_items(order)}
    taken: dict[str, int] = defaultdict(int)
    lines = []
    for index, line in enumerate(requested):
        where = ["refundLineItems", str(index)]
        item, quantity = items.get(line["lineItemId"]), line["quantity"]
        restock_type = line.get("restockType") or "NO_RESTOCK"
        if item is None:
            errors.append(_error([*where, "lineItemId"], "Line item does not exist"))
            continue
        if quantity <= 0:
            errors.append(_error([*where, "quantity"], "Quantity must be greater than 0"))
            continue
        taken[item["id"]] += quantity
        if taken[item["id"]] > item["refundableQuantity"]:
            errors.append(
                _error(
                    [*where, "quantity"],
                    f"Quantity cannot refund more items than remain refundable "
                    f"({item['refundableQuantity']})",
                )
            )
        if restock_type == "LEGACY_RESTOCK":
            errors.append(
                _error([*where, "restockType"], "LEGACY_RESTOCK is not accepted for new refunds")
            )
        lines.append((item, quantity, restock_type))
    return lines


def _check_transactions(order: dict, input: dict, errors: list[dict]):
    currency = presentment_currency(order)
    known = {t["id"]: t for t in order.get("transactions") or []}
    remaining = {t["id"]: left for t, left in refundable_parents(order)}
    payments = []
    for index, transaction in enumerate(input.get("transactions") or []):
        where = ["transactions", str(index)]
        amount, parent = transaction["amount"], known.get(transaction.get("parentId") or "")
        if transaction["orderId"] != order["id"]:
            errors.append(_error([*where, "orderId"], "Transaction must be for the refunded order"))
        if transaction["kind"] != "REFUND":
            errors.append(_error([*where, "kind"], "Kind must be REFUND for a refund"))
        if amount <= 0:
            errors.append(_error([*where, "amount"], "Amount must be greater than 0"))
            continue
        if amount != amount.quantize(CENT):
            errors.append(_error([*where, "amount"], "Amount can have at most 2 decimals"))
            continue
        if parent is None:
            errors.append(_error([*where, "parentId"], "Parent transaction does not exist"))
            continue
        if parent["id"] not in remaining:
            errors.append(_error([*where, "parentId"], "Parent transaction cannot be refunded"))
            continue
        if transaction["gateway"] != parent.get("gateway"):
            errors.append(
                _error(
                    [*where, "gateway"],
                    f"Gateway must be the parent transaction's ({parent.get('gateway')})",
                )
            )
        if amount > remaining[parent["id"]]:
            errors.append(
                _error(
                    [*where, "amount"],
                    f"Refund amount {amount.quantize(CENT)} {currency} is more than the "
                    f"{remaining[parent['id']]:.2f} {currency} that can still be refunded",
                )
            )
        # Two transactions on one parent share what it can give back.
        remaining[parent["id"]] = max(remaining[parent["id"]] - amount, ZERO)
        payments.append((parent, amount))
    return payments


class RefundRefused(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


def refund_apply(order: dict, input: dict, now: str) -> tuple[dict, dict]:
    """A refund made on `order` in place, as refundCreate makes it (returnProcess's refund uses
    this, so both are one model of the order's money); raises RefundRefused with userErrors."""
    changed, result = _refund(order, input, now)
    if changed is None:
        raise RefundRefused(result["userErrors"])
    return changed, result


RESOLVERS = {
    "Mutation.refundCreate": resolve_refund_create,
    "Order.suggestedRefund": resolve_suggested_refund,
    "Refund.refundLineItems": resolve_connection,
    "Refund.transactions": resolve_connection,
}
COMPUTED = {"Order.suggestedRefund"}
