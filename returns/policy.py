"""Who may return what, and until when: pure functions over an order snapshot.

Nothing here touches the database or Shopify; the caller passes the order, how many units of each
item are already in open requests, how many were settled outside what Shopify counts as refunded
(replaced under a claim, or refunded but not yet in the order copy), and the time. The rules read the shop's settings through
ReturnPolicy.from_settings() (today's settings: the policy while the shop has saved none) or a
stored PolicyVersion (returns/policy_versions.py), so a test can build any policy it likes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import ReturnReason
from .shopify.types import LineItem, Order

NOT_PAID = _("This order has not been paid yet, so it cannot be returned.")
NOT_SHIPPED = _("Nothing from this order has been shipped yet.")
CANCELLED = _("This order was cancelled.")
WINDOW_CLOSED = _("The %(days)s-day return period for this item has ended.")
GUARANTEE_ENDED = _(
    "The legal guarantee period for this item (%(years)s years from delivery) ended on %(date)s."
)
FINAL_SALE = _(
    "This item was sold as final sale and cannot be returned, only claimed if defective."
)
NOTHING_LEFT = _("All units of this item have already been refunded, replaced or are in a return.")

LEGAL_GUARANTEE_YEARS = 2
PAID_STATUSES = frozenset({"PAID", "PARTIALLY_REFUNDED"})
# The trader refunds a withdrawal within 14 days of receiving it (Art. 13 Directive 2011/83/EU,
# § 357 (1) BGB, art. 6:230s BW); it may hold the refund until the goods or a proof of their
# dispatch arrive (§ 357 (4) BGB, art. 6:230s (3) BW).
WITHDRAWAL_REFUND_DAYS = 14


@dataclass(frozen=True)
class Fee:
    """A fee the shopper pays on a return: a flat amount in the shop's currency, or a percentage of
    the price paid for the items returned. Exactly one of the two is set."""

    amount: Decimal | None = None
    percent: Decimal | None = None


@dataclass(frozen=True)
class ReasonOption:
    """One reason the shopper may choose, on one track (ReturnReason: a defect is a claim, not
    satisfied a withdrawal), with its words in each language and the Shopify return reason
    (ReturnReasonDefinition handle) Shopify's own reports count it under."""

    code: str
    track: str
    labels: tuple[tuple[str, str], ...]  # (language code, label), e.g. (("en", "Too small"), ...)
    shopify_handle: str = ""
    return_shipping_fee: Fee | None = None
    restocking_fee: Fee | None = None

    def label(self, language: str) -> str:
        words = dict(self.labels)
        return words.get(language) or words.get("en") or self.code


# Until a shop edits its list, the shopper chooses between the two tracks only.
DEFAULT_REASONS = (
    ReasonOption(
        code="not_satisfied",
        track=ReturnReason.NOT_SATISFIED,
        labels=(("en", "Not satisfied"), ("nl", "Niet tevreden"), ("de", "Nicht zufrieden")),
        shopify_handle="changed-mind",
    ),
    ReasonOption(
        code="defect",
        track=ReturnReason.DEFECT,
        labels=(("en", "Defect"), ("nl", "Defect"), ("de", "Defekt")),
        shopify_handle="damaged-or-defective",
    ),
)


# What a scope may be about: the product (its tag, product type or collection handle) or the
# customer (the country shipped to, or the Shopify market that country belongs to).
SCOPE_KINDS = ("tag", "product_type", "collection", "country", "market")


@dataclass(frozen=True)
class Scope:
    """A return window and/or guarantee period of its own for the items or customers it names.

    A market scope carries the countries the market covered when the policy was saved: an order
    says which country it ships to, not which market it was sold in (Shopify's Order has no
    market field in 2026-04)."""

    kind: str
    value: str
    return_window_days: int | None = None
    guarantee_years: int | None = None
    countries: tuple[str, ...] = ()

    def applies(self, order: Order, item: LineItem) -> bool:
        wanted = self.value.strip().lower()
        if self.kind == "tag":
            return wanted in {tag.lower() for tag in item.product_tags}
        if self.kind == "product_type":
            return (item.product_type or "").lower() == wanted
        if self.kind == "collection":
            return wanted in {handle.lower() for handle in item.product_collections}
        country = (order.shipping_address.country_code or "") if order.shipping_address else ""
        if self.kind == "country":
            return country.upper() == wanted.upper()
        if self.kind == "market":
            return bool(country) and country.upper() in {c.upper() for c in self.countries}
        return False


@dataclass(frozen=True)
class ReturnPolicy:
    return_window_days: int = 30
    # The legal guarantee lasts two years from delivery (Art. 10 Directive (EU) 2019/771, § 438
    # (1) no. 3 BGB); a shop may give longer, never shorter. Counted in calendar years, not 730
    # days, so a leap day in between does not cut the last day off.
    guarantee_years: int = 2
    final_sale_tags: frozenset[str] = frozenset({"final-sale"})
    reasons: tuple[ReasonOption, ...] = field(default=DEFAULT_REASONS)
    # The first scope naming the item or the customer decides its periods; the shop orders them.
    scopes: tuple[Scope, ...] = ()
    # The stored PolicyVersion this is, None for the settings' policy.
    version_id: int | None = None

    def reason(self, code: str) -> ReasonOption | None:
        return next((option for option in self.reasons if option.code == code), None)

    def reasons_on(self, track: str) -> tuple[ReasonOption, ...]:
        return tuple(option for option in self.reasons if option.track == track)

    def window_days(self, order: Order, item: LineItem) -> int:
        chosen = self._scope(order, item, "return_window_days")
        return self.return_window_days if chosen is None else chosen

    def guarantee_years_for(self, order: Order, item: LineItem) -> int:
        chosen = self._scope(order, item, "guarantee_years")
        # Never below the legal two years, whatever a scope says (Art. 10 Directive 2019/771).
        return max(self.guarantee_years if chosen is None else chosen, LEGAL_GUARANTEE_YEARS)

    def _scope(self, order: Order, item: LineItem, name: str) -> int | None:
        for scope in self.scopes:
            value = getattr(scope, name)
            if value is not None and scope.applies(order, item):
                return value
        return None

    @classmethod
    def from_settings(cls) -> "ReturnPolicy":
        return cls(
            return_window_days=settings.RETURN_WINDOW_DAYS,
            guarantee_years=settings.GUARANTEE_YEARS,
            final_sale_tags=frozenset(tag.lower() for tag in settings.FINAL_SALE_TAGS),
        )


@dataclass(frozen=True)
class ItemEligibility:
    item: LineItem
    refunded: int
    reserved: int
    # Units the shopper may still choose for each reason, and why not when that is zero.
    returnable: int
    claimable: int
    return_blocker: str | None
    claim_blocker: str | None

    @property
    def available(self) -> int:
        return max(self.item.refundable_quantity - self.reserved, 0)

    def limit(self, reason: str) -> int:
        return self.claimable if reason == ReturnReason.DEFECT else self.returnable

    def blocker(self, reason: str) -> str | None:
        return self.claim_blocker if reason == ReturnReason.DEFECT else self.return_blocker


def order_blocker(order: Order) -> str | None:
    """Why nothing in this order can be returned, or None when items may be."""
    if order.cancelled_at:
        return CANCELLED
    if order.financial_status not in PAID_STATUSES:
        return NOT_PAID
    if order.fulfilled_at is None:
        return NOT_SHIPPED
    return None


def period_start(order: Order) -> datetime | None:
    """Periods run from delivery, or from shipping where no delivery date is known."""
    return order.delivered_at or order.fulfilled_at


def guarantee_last_day(start: datetime, *, years: int) -> date:
    """The last day a defect may be claimed: the delivery date `years` later, in the shop's time
    zone (§§ 187 (1), 188 (2) BGB); a delivery on 29 February ends on 28 February (§ 188 (3))."""
    day = timezone.localdate(start)
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def refunded_quantity(order: Order, item: LineItem) -> int:
    return sum(
        line.quantity for r in order.refunds for line in r.lines if line.line_item_id == item.id
    )


def item_eligibility(
    order: Order,
    item: LineItem,
    *,
    reserved: int,
    now: datetime,
    policy: ReturnPolicy,
    settled: int = 0,
) -> ItemEligibility:
    # Shopify's refundable quantity knows nothing of a replacement: a unit replaced under a claim
    # was answered once and is not offered again.
    available = max(item.refundable_quantity - reserved - settled, 0)
    blocker = order_blocker(order)
    start = period_start(order)
    return_blocker = claim_blocker = blocker
    if blocker is None:
        years = policy.guarantee_years_for(order, item)
        window = policy.window_days(order, item)
        last_day = guarantee_last_day(start, years=years)
        if timezone.localdate(now) > last_day:
            claim_blocker = GUARANTEE_ENDED % {
                "years": years,
                "date": formats.date_format(last_day, "DATE_FORMAT"),
            }
        if {tag.lower() for tag in item.product_tags} & policy.final_sale_tags:
            return_blocker = FINAL_SALE
        elif now - start > timedelta(days=window):
            return_blocker = WINDOW_CLOSED % {"days": window}
        if available == 0:
            return_blocker = return_blocker or NOTHING_LEFT
            claim_blocker = claim_blocker or NOTHING_LEFT
    return ItemEligibility(
        item=item,
        refunded=refunded_quantity(order, item),
        reserved=reserved,
        returnable=0 if return_blocker else available,
        claimable=0 if claim_blocker else available,
        return_blocker=return_blocker,
        claim_blocker=claim_blocker,
    )


def order_eligibility(
    order: Order,
    *,
    reserved: dict[str, int],
    now: datetime,
    policy: ReturnPolicy,
    settled: dict[str, int] | None = None,
) -> list[ItemEligibility]:
    """Every line item of the order, each with what may still be returned or claimed."""
    settled = settled or {}
    return [
        item_eligibility(
            order,
            item,
            reserved=reserved.get(item.id, 0),
            now=now,
            policy=policy,
            settled=settled.get(item.id, 0),
        )
        for item in order.line_items
    ]


# The right of withdrawal (Art. 9 and 11a Directive 2011/83/EU; §§ 355, 356, 356a BGB;
# art. 6:230o BW): at least 14 days from delivery, or the shop's longer return window.
LEGAL_WITHDRAWAL_DAYS = 14
WITHDRAWAL_ENDED = _(
    "The withdrawal period for this order ended on %(date)s (%(days)s days after delivery). "
    "A defect can still be reported as a claim under the legal guarantee."
)
WITHDRAWAL_CANCELLED = _("This order was cancelled; there is no contract left to withdraw from.")


def withdrawal_days(policy: ReturnPolicy) -> int:
    return max(LEGAL_WITHDRAWAL_DAYS, policy.return_window_days)


def withdrawal_deadline(order: Order, *, policy: ReturnPolicy) -> datetime | None:
    """The last moment of the withdrawal period, or None while nothing has been delivered.

    The period starts the day after delivery and ends at the end of its last day, in the shop's
    time zone; an order not shipped yet may be withdrawn from at any time.
    """
    start = period_start(order)
    if start is None:
        return None
    zone = timezone.get_default_timezone()
    last_day = timezone.localtime(start, zone).date() + timedelta(days=withdrawal_days(policy))
    return datetime.combine(last_day, time.max, tzinfo=zone)


def withdrawal_blocker(order: Order, *, now: datetime, policy: ReturnPolicy) -> str | None:
    """Why the consumer can no longer withdraw from this order, or None while they can."""
    if order.cancelled_at:
        return WITHDRAWAL_CANCELLED
    deadline = withdrawal_deadline(order, policy=policy)
    if deadline is not None and now > deadline:
        return WITHDRAWAL_ENDED % {
            "date": formats.date_format(deadline, "DATE_FORMAT"),
            "days": withdrawal_days(policy),
        }
    return None


def order_closed_reasons(order: Order, items: list[ItemEligibility]) -> list[str]:
    """Why nothing in this order can be returned or claimed, each reason once; empty while some
    item still can be. The order's own reason (cancelled, unpaid, not shipped) comes alone."""
    if any(entry.returnable or entry.claimable for entry in items):
        return []
    blocker = order_blocker(order)
    if blocker:
        return [blocker]
    reasons = []
    for entry in items:
        reason = str(entry.claim_blocker or entry.return_blocker or NOTHING_LEFT)
        if reason not in reasons:
            reasons.append(reason)
    return reasons
