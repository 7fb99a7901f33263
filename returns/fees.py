"""Return fees, worked out once: what the shopper is shown, stored and charged through Shopify.

A pure function over the request's lines and the reason option it was made for (policy.py). The
amounts are in the currency the customer paid in (the order's presentment currency), at that
currency's smallest unit: the shop's flat fees are in the shop's currency and are converted at
the rate Shopify booked the order at. Nothing here is rounded again later: the request stores
these amounts (ReturnRequest.return_shipping_fee, ReturnLine.restocking_fee) and everything
after (the confirmation, the Shopify Return, the refund offered to staff) reads them.

The law decides which fees a withdrawal may carry:

- Within the withdrawal period the trader reimburses all payments received (Art. 13 (1)
  Directive 2011/83/EU, § 357 (1) BGB, art. 6:230r (1) BW); the consumer bears only the direct
  cost of returning the goods, and only if the trader told them so beforehand (Art. 14 (1)
  third subparagraph, § 357 (5) BGB, art. 6:230s (2) BW). Beyond that "the consumer shall not
  incur any liability as a consequence of the exercise of the right of withdrawal" (Art. 14 (5);
  § 361 (1) BGB: no further claims against the consumer; art. 6:230s (5) BW). A restocking fee
  is a charge for handling the goods, not a cost of returning them, so a withdrawal never
  carries one; only loss of value from handling beyond what was needed to try the goods may be
  claimed (Art. 14 (2)), which is for staff to assess on the parcel, never a flat fee.
  The return shipping fee is that direct cost: the shop must state it in its withdrawal
  instructions (Art. 6 (1) (i)); the portal shows it on the confirmation step as well.
- A request counts as a withdrawal when it is made through the withdrawal function, or within
  the statutory period (14 days from delivery: Art. 9 (1), § 355 (2) BGB, art. 6:230o BW).
  A shop that lets shoppers return for longer does so by its own promise, on its own terms:
  only returns after the statutory period may carry its restocking fee.
- A defect is a claim under the legal guarantee, which is free of charge for the consumer
  (Art. 14 (1) (a) Directive (EU) 2019/771, § 439 (2) BGB, art. 7:21 (2) BW): no fees at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext_lazy as _

from . import money
from .models import ReturnReason
from .policy import Fee, ReasonOption

HUNDRED = Decimal(100)
FEES_ABOVE_PRICE = _(
    "The fees for this return (%(fees)s) would be more than the items cost (%(price)s), so it "
    "cannot be made this way. Please choose more items or contact us."
)


class FeeTooHigh(ValueError):
    """The fees would come to more than the items' price: the request is refused, never capped."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class FeeLine:
    """One line of a request: its Shopify line item, units and the price paid per unit."""

    line_item_id: str
    quantity: int
    unit_price: Decimal

    @property
    def value(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class ReturnFees:
    """The fees of one request, in `currency`: the return shipping fee (once per request) and the
    restocking fee of each line, by line item id."""

    currency: str
    items_value: Decimal
    shipping: Decimal = money.ZERO
    restocking: tuple[tuple[str, Decimal], ...] = ()

    @property
    def restocking_total(self) -> Decimal:
        return money.total((fee for _, fee in self.restocking), self.currency)

    @property
    def total(self) -> Decimal:
        return self.shipping + self.restocking_total

    @property
    def refund(self) -> Decimal:
        """What the shopper can expect back for the items: their price less the fees."""
        return self.items_value - self.total

    def restocking_for(self, line_item_id: str) -> Decimal:
        return dict(self.restocking).get(line_item_id, money.ZERO)


def no_fees(currency: str, lines: Sequence[FeeLine]) -> ReturnFees:
    return ReturnFees(currency=currency, items_value=_value(lines, currency))


def return_fees(
    *,
    option: ReasonOption | None,
    lines: Sequence[FeeLine],
    currency: str,
    withdrawal: bool,
    shop_rate: Decimal | None = None,
) -> ReturnFees:
    """The fees for these lines under `option`, in the order's `currency`.

    `shop_rate`: units of `currency` per unit of the shop's currency, where the customer paid in
    another (for flat fees, which the shop sets in its own). `withdrawal`: the request is a
    withdrawal (no restocking fee). Raises FeeTooHigh when the fees would exceed the items' price.
    """
    if option is None or option.track == ReturnReason.DEFECT:
        return no_fees(currency, lines)
    shipping = _flat(option.return_shipping_fee, currency, shop_rate)
    restocking: tuple[tuple[str, Decimal], ...] = ()
    if not withdrawal and option.restocking_fee is not None:
        restocking = _restocking(option.restocking_fee, lines, currency, shop_rate)
    fees = ReturnFees(
        currency=currency,
        items_value=_value(lines, currency),
        shipping=shipping,
        restocking=restocking,
    )
    if fees.total > fees.items_value:
        raise FeeTooHigh(
            FEES_ABOVE_PRICE
            % {
                "fees": money.format_amount(fees.total, currency),
                "price": money.format_amount(fees.items_value, currency),
            }
        )
    return fees


def restocking_percentage(fee: Decimal, line_value: Decimal) -> float:
    """The percentage Shopify's RestockingFeeInput takes (a Float) for a line whose restocking fee
    is `fee`: the exact ratio, so that Shopify's amount, rounded to the currency, is `fee`. A float
    has 15 significant digits; the error it leaves is far below half a cent of any price."""
    if line_value <= 0 or fee <= 0:
        return 0.0
    return float(fee * HUNDRED / line_value)


def _value(lines: Sequence[FeeLine], currency: str) -> Decimal:
    return money.total((line.value for line in lines), currency)


def _round(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(money.quantum(currency), rounding=ROUND_HALF_EVEN)


def _flat(fee: Fee | None, currency: str, shop_rate: Decimal | None) -> Decimal:
    if fee is None or fee.amount is None:
        return money.ZERO
    return _round(fee.amount * (shop_rate or 1), currency)


def _restocking(fee: Fee, lines, currency, shop_rate) -> tuple[tuple[str, Decimal], ...]:
    """Per line: a percentage of the line's price, each line rounded on its own (as Shopify
    computes it per return line item); a flat fee is shared out by the lines' prices, the
    largest remainders taking the last cents, so the lines add up to it exactly."""
    if fee.percent is not None:
        return tuple(
            (line.line_item_id, _round(line.value * fee.percent / HUNDRED, currency))
            for line in lines
        )
    flat = _flat(fee, currency, shop_rate)
    value = sum((line.value for line in lines), money.ZERO)
    if not flat or value <= 0:
        return tuple((line.line_item_id, money.ZERO) for line in lines)
    step = money.quantum(currency)
    exact = [flat * line.value / value for line in lines]
    shares = [share.quantize(step, rounding=ROUND_DOWN) for share in exact]
    left = int((flat - sum(shares, money.ZERO)) / step)
    by_remainder = sorted(range(len(lines)), key=lambda i: shares[i] - exact[i])
    for index in by_remainder[:left]:
        shares[index] += step
    return tuple((line.line_item_id, share) for line, share in zip(lines, shares, strict=True))
