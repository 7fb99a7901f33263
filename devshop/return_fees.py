"""Return fees as Shopify keeps them: a return shipping fee per Return (ReturnShippingFeeInput: an
amount in the order's presentment currency) and a restocking fee per return line item
(RestockingFeeInput: a percentage, a Float, of the line's discounted price).

Both are "captured as part of a return" (Shopify's RestockingFee and ReturnShippingFee): the
fees are kept on the Return when it is requested, shown in shop and presentment money, and taken
when the Return is processed with a refund. devshop models that as Shopify's maximum refundable
for the processing: the processed units' price and the shipping refunded, less the fees they
carry (the restocking fee of the units processed; the return shipping fee with the first refund),
so a refund that would give any fee back is refused, and each fee is charged once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from . import returns
from .money import CENT, ZERO, amount_of, bag, presentment_currency
from .relay import new_gid
from .returns import error

HUNDRED = Decimal(100)


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def shipping_fee_checked(order: dict, given: dict | None, refused) -> list[dict]:
    """The Return's stored shipping fees from ReturnRequestInput.returnShippingFee."""
    if not given:
        return []
    amount, currency = given["amount"]["amount"], given["amount"]["currencyCode"]
    where = ["input", "returnShippingFee", "amount"]
    if currency != presentment_currency(order):
        raise refused(
            error(
                [*where, "currencyCode"],
                "Currency must match the order's presentment currency.",
                "INVALID",
            )
        )
    amount = Decimal(str(amount))
    if amount < 0 or amount != amount.quantize(CENT):
        raise refused(error([*where, "amount"], "Amount is invalid.", "INVALID"))
    return [{"id": new_gid("ReturnShippingFee"), "amount": str(amount)}] if amount else []


def restocking_fee_checked(given: dict | None, where: list[str], refused) -> dict | None:
    """A return line's stored restocking fee from ReturnRequestLineItemInput.restockingFee."""
    if not given:
        return None
    percentage = given["percentage"]
    if not 0 <= percentage <= 100:
        raise refused(
            error(
                [*where, "restockingFee", "percentage"],
                "Percentage must be between 0 and 100.",
                "INVALID",
            )
        )
    return {"id": new_gid("RestockingFee"), "percentage": percentage}


def unit_price(order: dict, line: dict) -> Decimal:
    fli = returns.fulfillment_line_item(order, line["fulfillmentLineItemId"])
    return amount_of(fli["lineItem"]["discountedUnitPriceAfterAllDiscountsSet"]) if fli else ZERO


def restocking_amount(order: dict, line: dict, quantity: int | None = None) -> Decimal:
    """The restocking fee of `quantity` units of the line (all of them by default)."""
    fee = line.get("restockingFee")
    if not fee:
        return ZERO
    whole = _round(
        unit_price(order, line) * line["quantity"] * Decimal(repr(fee["percentage"])) / HUNDRED
    )
    if quantity is None or quantity == line["quantity"]:
        return whole
    return _round(whole * quantity / line["quantity"])


def present_restocking(order: dict, line: dict) -> dict | None:
    fee = line.get("restockingFee")
    if not fee:
        return None
    return {**fee, "amountSet": bag(restocking_amount(order, line), order)}


def present_shipping(order: dict, stored: dict) -> list[dict]:
    return [
        {"id": fee["id"], "amountSet": bag(Decimal(fee["amount"]), order)}
        for fee in stored.get("returnShippingFees") or []
    ]


def fees_taken(order: dict, stored: dict, processed: list[tuple[dict, int]]) -> Decimal:
    """The fees a processing with a refund takes: the processed units' restocking fees, and the
    return shipping fee if no refund of this Return has taken it yet. Marked taken on `stored`."""
    due = sum((restocking_amount(order, line, quantity) for line, quantity in processed), ZERO)
    if not stored.get("shippingFeeTaken"):
        due += sum((Decimal(f["amount"]) for f in stored.get("returnShippingFees") or []), ZERO)
        stored["shippingFeeTaken"] = True
    stored["feesTaken"] = str(Decimal(stored.get("feesTaken") or "0") + due)
    return due


def refundable_after_fees(
    order: dict, stored: dict, processed: list[tuple[dict, int]], shipping: Decimal
) -> tuple[Decimal, Decimal]:
    """(the most this processing may refund, the fees it takes)."""
    value = sum((unit_price(order, line) * quantity for line, quantity in processed), ZERO)
    due = fees_taken(order, stored, processed)
    return value + shipping - due, due
