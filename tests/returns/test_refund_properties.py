"""Whatever staff type and however Shopify fails, refunds stay within what was paid, and every
refund Shopify makes is one the portal recorded, made once.

Hypothesis plays random sequences of steps against a fresh order per example: refund requests
with any amount (0, negative, three decimals, above the limit, exactly the limit, another
currency, a double click), and sending pending refunds to devshop with an injected fault (HTTP 503,
THROTTLED, a timeout before or after Shopify made the refund, userErrors). After every step:

- the refunds pending or made for a request never exceed what was paid for its items, and those of
  the order never exceed what the shopper paid (Shopify's maximum before any refund);
- a request is accepted exactly when its amount is valid and within the limit the form shows;
- Shopify never holds more refunds than the portal has pending or made.

At the end every pending refund is sent until Shopify answers, and then Shopify's refunds are
exactly the succeeded refunds: same ids, same amounts, none twice.

The same plays on an order of the EUR shop paid in Swiss francs: every amount above is then in
CHF, a refund asked for in the shop's EUR is refused, and in the shop's currency too Shopify
never gives back more than it booked, each refund's EUR as the portal recorded it.
"""

import itertools
import time
import uuid
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db.models import Sum
from django.test import override_settings
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from devshop.store import get_store
from returns import services
from returns.models import Refund, RefundState
from returns.shopify import notes
from returns.shopify.errors import ShopifyError
from tests import shop
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
EMAIL = "pat@example.com"
# What the two requests of every order are worth: two shirts, and a lamp.
SHIRTS, LAMP = Decimal("79.90"), Decimal("89.00")
# The same order paid in Swiss francs, at 0.96 CHF to the euro (tests/shop.py, presented_in).
FRANCS_PER_EURO = Decimal("0.96")
# A timeout, before or after Shopify made the refund, costs SHOPIFY_TIMEOUT of waiting. Only the
# step that injects one waits that little: every other request has the test settings' timeout, so
# a busy machine answering slowly is not mistaken for an injected fault.
SHOPIFY_TIMEOUT, DEVSHOP_DELAY = 0.25, 0.35
TIMEOUTS = ("timeout", "mutation_timeout")
FAULTS = [None, None, None, "http_503", "throttled", "timeout", "mutation_timeout", "user_errors"]
_order_names = itertools.count(6001)

amounts = st.one_of(
    st.decimals(min_value="0.01", max_value=40, places=2),
    st.decimals(min_value=-20, max_value=200, places=2),
    st.decimals(min_value=0, max_value=100, places=3),
    st.sampled_from(
        ["0", "-0.01", "0.01", "10.000", "29.001", "79.90", "79.91", "89.00", "NaN", "Infinity"]
    ).map(Decimal),
)
# Steps by weight: mostly asking for refunds and sending them, now and then the odd ones out.
requests = st.integers(0, 1)
steps = st.one_of(
    st.tuples(st.just("request"), requests, amounts),
    st.tuples(st.just("request"), requests, amounts),
    st.tuples(st.just("send"), st.integers(0, 9), st.sampled_from(FAULTS)),
    st.tuples(st.just("send"), st.integers(0, 9), st.sampled_from(FAULTS)),
    st.tuples(st.just("send"), st.integers(0, 9), st.sampled_from(FAULTS)),
    st.tuples(
        st.sampled_from(
            ["request_the_maximum", "request_in_usd", "request_in_shop_currency", "double_click"]
        ),
        requests,
    ),
)
# What the shopper paid: everything, less than the lamp and shirts (an order discount), or less
# than the shirts alone, so Shopify's maximum, not the items, is sometimes the limit.
paid_amounts = st.sampled_from([Decimal("168.90"), Decimal("150.00"), Decimal("60.00")])


class Shop:
    """One order in devshop and the portal, with a return of the shirts and one of the lamp."""

    def __init__(self, paid: Decimal, currency: str = "EUR"):
        self.devshop = get_store()
        self.devshop.reset()
        self.devshop.set_option("timeout_seconds", DEVSHOP_DELAY)
        self.name = f"#{next(_order_names)}"
        shirts = shop.line_item("Linen shirt", quantity=2, price="39.95")
        lamp = shop.line_item("Desk lamp", quantity=1, price="89.00")
        data = shop.order(self.name, email=EMAIL, items=[shirts, lamp])
        data["transactions"][0]["amountSet"] = shop.money(f"{paid:.2f}")
        self.currency, self.paid_in_shop = currency, paid
        self.values = [SHIRTS, LAMP]
        if currency != "EUR":
            data = shop.presented_in(data, currency, FRANCS_PER_EURO)
            paid = (paid * FRANCS_PER_EURO).quantize(CENT)
            self.values = [(v / 2 * FRANCS_PER_EURO).quantize(CENT) * 2 for v in (SHIRTS,)]
            self.values.append((LAMP * FRANCS_PER_EURO).quantize(CENT))
        self.devshop.load_orders([data])
        self.paid = paid
        self.staff = UserFactory(username="anne", is_superuser=True)
        order = services.shopify_order_lookup(order_number=self.name, email=EMAIL)
        self.order_id = order.shopify_id
        self.requests = []
        for item, quantity in ((shirts, 2), (lamp, 1)):
            request = services.return_request_create(
                order=order,
                quantities={item["id"]: quantity},
                reason="not_satisfied",
                comment="",
                locale="en",
            )
            services.return_approve(request_id=request.pk, user=self.staff)
            self.requests.append(request)

    # -- what the portal and Shopify hold ---------------------------------------------------

    def refunds(self, *states, request=None):
        refunds = Refund.objects.filter(request__in=self.requests, state__in=states)
        return refunds.filter(request=request) if request else refunds

    def total(self, *states, request=None) -> Decimal:
        return self.refunds(*states, request=request).aggregate(t=Sum("amount"))["t"] or Decimal()

    def shopify_refunds(self, money="presentmentMoney") -> dict[str, Decimal]:
        """Shopify's refunds in the customer's currency, or in the shop's (money="shopMoney")."""
        refunds = self.devshop.order_by_name(self.name)["refunds"]
        return {r["id"]: Decimal(r["totalRefundedSet"][money]["amount"]) for r in refunds}

    # -- the steps ----------------------------------------------------------------------------

    def ask(self, index, amount, currency=None, key=None):
        """Staff's refund form: Shopify's maximum read live, then the amount confirmed."""
        request = self.requests[index]
        try:
            quote = services.refund_quote(request=request)
        except ShopifyError:
            return None, None  # the form could not open: nothing was asked for
        try:
            refund = services.refund_request(
                request_id=request.pk,
                user=self.staff,
                amount=amount,
                currency=currency or self.currency,
                restock=False,
                notify=False,
                shopify_maximum=quote.shopify_maximum,
                submission_key=key or uuid.uuid4(),
            )
        except services.ReturnError:
            return quote, None
        return quote, refund

    def request(self, index, amount):
        open_before = self.total(
            RefundState.PENDING, RefundState.SUCCEEDED, request=self.requests[index]
        )
        pending_before = self.total(RefundState.PENDING)
        quote, refund = self.ask(index, amount)
        if quote is None:
            return
        limit = min(self.values[index] - open_before, quote.shopify_maximum - pending_before)
        valid = amount.is_finite() and amount > 0 and amount == amount.quantize(CENT)
        assert (refund is not None) == (valid and amount <= limit), (amount, limit)
        event("refund accepted" if refund else "refund refused")
        if refund is not None:
            assert (refund.amount, refund.state) == (amount, RefundState.PENDING)

    def request_the_maximum(self, index):
        quote, refund = self.ask(index, Decimal("0"))  # first learn what the form offers
        if quote is None or quote.maximum <= 0:
            return
        self.request(index, quote.maximum)

    def request_in_usd(self, index):
        assert self.ask(index, Decimal("1.00"), currency="USD")[1] is None

    def request_in_shop_currency(self, index):
        # Only the currency the customer paid in is refunded, never the shop's other one.
        if self.currency != "EUR":
            assert self.ask(index, Decimal("1.00"), currency="EUR")[1] is None

    def double_click(self, index):
        before = Refund.objects.count()
        key = uuid.uuid4()
        _, first = self.ask(index, Decimal("5.00"), key=key)
        _, second = self.ask(index, Decimal("5.00"), key=key)
        if first is not None and second is not None:
            assert first.pk == second.pk
        assert Refund.objects.count() - before <= 1

    def send(self, which, fault):
        pending = list(self.refunds(RefundState.PENDING).order_by("pk"))
        if not pending:
            return
        refund = pending[which % len(pending)]
        # Shopify answers a repeated idempotency key with its first answer; devshop injects
        # userErrors before it looks at the key, so only a refund's first attempt gets them.
        if fault == "user_errors" and refund.attempts:
            fault = None
        if fault:
            self.devshop.add_fault(fault)
        timeout = SHOPIFY_TIMEOUT if fault in TIMEOUTS else django_settings.SHOPIFY_TIMEOUT
        with override_settings(SHOPIFY_TIMEOUT=timeout):
            try:
                services.refund_execute(refund_id=refund.pk)
            except ShopifyError:
                pass  # still pending; the task would retry
        self.drain_faults()
        refund.refresh_from_db()
        event(f"sent with {fault}: {refund.state}")

    def drain_faults(self):
        """A fault meant for refundCreate stays queued if an earlier request timed out by itself
        (a slow machine): spend it on a harmless mutation so it cannot hit a later step."""
        while self.devshop.pending_faults():
            try:
                notes.order_tags_add(self.order_id, ["drained-fault"])
            except ShopifyError:
                pass

    def settle(self):
        """What the task's retries do: send every pending refund until Shopify answers (a refund
        whose first attempt timed out is in progress at Shopify until devshop's delay is over)."""
        deadline = time.monotonic() + 10 * DEVSHOP_DELAY + 5
        while time.monotonic() < deadline:
            pending = list(self.refunds(RefundState.PENDING).values_list("pk", flat=True))
            if not pending:
                return
            for refund_id in pending:
                try:
                    services.refund_execute(refund_id=refund_id)
                except ShopifyError:
                    pass
        raise AssertionError("refunds still pending after Shopify finished every attempt")

    # -- what must always hold ----------------------------------------------------------------

    def check(self):
        open_states = (RefundState.PENDING, RefundState.SUCCEEDED)
        for request, value in zip(self.requests, self.values, strict=True):
            assert self.total(*open_states, request=request) <= value
        assert self.total(*open_states) <= self.paid
        in_shopify = self.shopify_refunds()
        assert len(in_shopify) <= self.refunds(*open_states).count()
        assert sum(in_shopify.values(), Decimal()) <= self.total(*open_states)
        for refund in self.refunds(RefundState.SUCCEEDED):
            assert in_shopify[refund.shopify_refund_id] == refund.amount
            assert refund.currency == self.currency
        # In the shop's currency too: never more given back than was booked, each refund's
        # booking as the portal recorded it.
        in_shop = self.shopify_refunds("shopMoney")
        assert sum(in_shop.values(), Decimal()) <= self.paid_in_shop
        for refund in self.refunds(RefundState.SUCCEEDED).exclude(shop_amount=None):
            assert (refund.shop_amount, refund.shop_currency) == (
                in_shop[refund.shopify_refund_id],
                "EUR",
            )

    def check_settled(self):
        assert not self.refunds(RefundState.PENDING).exists()
        succeeded = {r.shopify_refund_id: r.amount for r in self.refunds(RefundState.SUCCEEDED)}
        assert self.shopify_refunds() == succeeded
        assert len(succeeded) == self.refunds(RefundState.SUCCEEDED).count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # Shrinking replays timeouts; skip the explain phase and stop at the first bug to keep a
    # failure's report within a minute or so.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
)
@given(paid=paid_amounts, plan=st.lists(steps, min_size=5, max_size=12))
def test_refunds_never_exceed_what_was_paid_and_shopify_refunds_each_once(paid, plan):
    play(lambda: Shop(paid), plan)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    report_multiple_bugs=False,
)
@given(paid=paid_amounts, plan=st.lists(steps, min_size=5, max_size=12))
def test_in_the_customers_currency_refunds_stay_within_what_was_paid_in_both_currencies(paid, plan):
    play(lambda: Shop(paid, currency="CHF"), plan)


def play(make_world, plan):
    world = make_world()
    for name, *args in plan:
        getattr(world, name)(*args)
        world.check()
    world.settle()
    world.check()
    world.check_settled()
