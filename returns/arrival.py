"""What arrived of a request's parcel, and why a refund is less than what was asked back.

Read by the staff's refund screen, the shopper's status page and the refund emails, so all three
say the same from the same data: the lines' received quantities and conditions, and the refunds.
"""

from dataclasses import dataclass
from decimal import Decimal

from . import money
from .models import ItemCondition, Refund, RefundState, ReturnLine, ReturnRequest


@dataclass(frozen=True)
class LineArrival:
    line: ReturnLine
    arrived: int
    condition: str  # ItemCondition, or "" (received in Shopify, or nothing arrived)
    restock: bool | None

    @property
    def missing(self) -> int:
        return self.line.quantity - self.arrived

    @property
    def condition_label(self) -> str:
        return ItemCondition(self.condition).label if self.condition else ""


@dataclass(frozen=True)
class Arrival:
    """The parcel as staff received it, with what the shopper is told about the refund."""

    lines: tuple[LineArrival, ...]
    expected: int
    arrived: int
    damaged: int
    # The refunds that succeeded, and whether one refunded units that did not arrive anyway.
    refunded: Decimal
    overridden: bool
    # What the arrived units, as new, were paid (None when a line is in another currency).
    arrived_value: Decimal | None

    @property
    def missing(self) -> int:
        return self.expected - self.arrived

    @property
    def refund_for_arrived_only(self) -> bool:
        """Tell the shopper the refund is for what arrived: something did not, and it was not
        refunded all the same."""
        return bool(self.refunded) and self.missing > 0 and not self.overridden

    @property
    def refund_less_for_damage(self) -> bool:
        """Tell the shopper items arrived damaged: the refund is less than what they cost."""
        return (
            bool(self.refunded)
            and self.damaged > 0
            and not self.overridden
            and self.arrived_value is not None
            and self.refunded < self.arrived_value
        )


def request_arrival(request: ReturnRequest) -> Arrival | None:
    """What arrived, once the parcel is received; None before."""
    lines = list(request.lines.all())
    if not lines or any(line.received_quantity is None for line in lines):
        return None
    refunds = Refund.objects.filter(request=request, state=RefundState.SUCCEEDED)
    currency = request.order.currency
    same_currency = all(line.currency == currency for line in lines)
    return Arrival(
        lines=tuple(
            LineArrival(
                line=line,
                arrived=line.received_quantity,
                condition=line.condition,
                restock=line.restock,
            )
            for line in lines
        ),
        expected=sum(line.quantity for line in lines),
        arrived=sum(line.received_quantity for line in lines),
        damaged=sum(
            line.received_quantity for line in lines if line.condition == ItemCondition.DAMAGED
        ),
        refunded=money.total(refunds.values_list("amount", flat=True), currency),
        overridden=refunds.exclude(override_reason="").exists(),
        arrived_value=(
            sum((line.unit_price * line.received_quantity for line in lines), money.ZERO)
            if same_currency
            else None
        ),
    )
