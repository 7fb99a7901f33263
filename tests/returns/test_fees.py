"""Return fees: worked out once, shown before the shopper sends, stored, sent with the Shopify
Return, and taken once from the refund: what devshop keeps is exactly what the shopper was shown.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returns import services
from returns.fees import FeeLine, FeeTooHigh, return_fees
from returns.models import ReturnReason, ReturnRequest
from returns.policy import DEFAULT_REASONS, ReturnPolicy
from tests.returns import fee_shop
from tests.returns.fee_shop import flat, percent

pytestmark = pytest.mark.django_db

NOT_SATISFIED, DEFECT = DEFAULT_REASONS


def _option(shipping=None, restocking=None, base=NOT_SATISFIED):
    import dataclasses

    return dataclasses.replace(base, return_shipping_fee=shipping, restocking_fee=restocking)


def _lines(*lines):
    return [FeeLine(f"gid://shopify/LineItem/{i}", q, Decimal(p)) for i, (q, p) in enumerate(lines)]


# -- the fee function ---------------------------------------------------------------------------


def test_a_percent_restocking_fee_is_rounded_per_line_as_the_currency_rounds():
    fees = return_fees(
        option=_option(shipping=flat("5.95"), restocking=percent("10")),
        lines=_lines((2, "39.95"), (1, "0.05")),
        currency="EUR",
        withdrawal=False,
    )
    assert fees.shipping == Decimal("5.95")
    assert [fee for _, fee in fees.restocking] == [Decimal("7.99"), Decimal("0.00")]
    assert fees.items_value == Decimal("79.95")
    assert fees.refund == Decimal("79.95") - Decimal("5.95") - Decimal("7.99")


def test_a_flat_restocking_fee_is_shared_by_the_lines_to_the_cent():
    fees = return_fees(
        option=_option(restocking=flat("10.00")),
        lines=_lines((1, "10.00"), (1, "10.00"), (1, "10.00")),
        currency="EUR",
        withdrawal=False,
    )
    assert fees.restocking_total == Decimal("10.00")
    assert sorted(fee for _, fee in fees.restocking) == [
        Decimal("3.33"),
        Decimal("3.33"),
        Decimal("3.34"),
    ]


def test_a_shop_fee_in_euros_is_charged_in_the_customers_currency():
    fees = return_fees(
        option=_option(shipping=flat("5.95")),
        lines=_lines((1, "38.35")),
        currency="CHF",
        withdrawal=True,
        shop_rate=Decimal("0.96"),
    )
    assert (fees.shipping, fees.currency) == (Decimal("5.71"), "CHF")


def test_a_withdrawal_carries_no_restocking_fee_and_a_claim_no_fee_at_all():
    option = _option(shipping=flat("5.95"), restocking=percent("10"))
    withdrawal = return_fees(
        option=option, lines=_lines((1, "50.00")), currency="EUR", withdrawal=True
    )
    assert (withdrawal.shipping, withdrawal.restocking_total) == (Decimal("5.95"), 0)
    claim = return_fees(
        option=_option(shipping=flat("5.95"), restocking=percent("10"), base=DEFECT),
        lines=_lines((1, "50.00")),
        currency="EUR",
        withdrawal=False,
    )
    assert claim.total == 0


def test_fees_above_the_items_price_are_refused_not_capped():
    with pytest.raises(FeeTooHigh) as refused:
        return_fees(
            option=_option(shipping=flat("5.95")),
            lines=_lines((1, "4.99")),
            currency="EUR",
            withdrawal=True,
        )
    assert "5.95" in refused.value.message and "4.99" in refused.value.message


# -- through the portal, Shopify and the refund -------------------------------------------------


@pytest.fixture
def fees_in_force(monkeypatch):
    def put(**fees):
        policy = fee_shop.fee_policy(ReturnPolicy.from_settings(), **fees)
        fee_shop.policy_in_force(monkeypatch, policy)
        return policy

    return put


def test_a_return_after_the_withdrawal_period_pays_both_fees_once(
    devshop, fees_in_force, staff, django_capture_on_commit_callbacks
):
    """Delivered 20 days ago, within the shop's 30 days: its own promise, restocking fee and all.
    The first refund takes the fees off; the second gives the rest and takes nothing more."""
    capture = django_capture_on_commit_callbacks
    fees_in_force(shipping=flat("5.95"), restocking=percent("10"))
    data = fee_shop.load_order(devshop, [("Linen shirt", 2, "39.95")], delivered_days_ago=20)
    request, shown = fee_shop.file(data, {0: 2}, capture)
    assert (request.return_shipping_fee, request.fee_currency) == (Decimal("5.95"), "EUR")
    assert request.lines.get().restocking_fee == Decimal("7.99")
    kept = fee_shop.shopify_return(devshop, request)
    assert kept["returnShippingFees"][0]["amount"] == "5.95"

    request = fee_shop.receive(request, staff, capture)
    quote = services.refund_quote(request=request)
    assert quote.suggested == quote.maximum == Decimal("79.90") - Decimal("13.94")
    first = fee_shop.refund(request, staff, capture, amount="50.00")
    assert first.state == "succeeded" and first.shopify_return_id
    # A partial first refund: the rest is offered without the fees coming off again.
    quote = services.refund_quote(request=request)
    assert quote.suggested == quote.maximum == Decimal("15.96")
    fee_shop.refund(request, staff, capture)
    assert fee_shop.refunded_in_shopify(request) == Decimal("65.96")
    assert Decimal("79.90") - fee_shop.refunded_in_shopify(request) == shown.total
    assert services.refund_quote(request=request).maximum == 0


def test_shopify_refuses_a_refund_through_the_return_that_gives_its_fees_back(
    devshop, fees_in_force, staff, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    fees_in_force(shipping=flat("5.95"))
    data = fee_shop.load_order(devshop, [("Linen shirt", 1, "39.95")])
    request, _ = fee_shop.file(data, {0: 1}, capture)
    request = fee_shop.receive(request, staff, capture)
    with pytest.raises(services.ReturnError):
        fee_shop.refund(request, staff, capture, amount="39.95")
    assert fee_shop.refunded_in_shopify(request) == 0


def test_a_withdrawal_through_the_withdrawal_function_pays_the_return_shipping_only(
    devshop, fees_in_force, django_capture_on_commit_callbacks
):
    import uuid

    fees_in_force(shipping=flat("4.50"), restocking=percent("15"))
    data = fee_shop.load_order(devshop, [("Desk lamp", 1, "89.00")], delivered_days_ago=20)
    with django_capture_on_commit_callbacks(execute=True):
        declaration = services.withdrawal_declare(
            order=fee_shop.local_order(data),
            consumer_name="Anna Jansen",
            email="anna@example.com",
            quantities=None,
            reason="",
            locale="nl",
            submission_key=uuid.uuid4(),
        )
    request = declaration.return_request
    assert request.return_shipping_fee == Decimal("4.50")
    assert request.lines.get().restocking_fee == 0
    kept = fee_shop.shopify_return(devshop, request)
    assert [line.get("restockingFee") for line in kept["lines"]] == [None]


def test_a_claim_has_no_fees_whatever_the_policy_says(
    devshop, fees_in_force, django_capture_on_commit_callbacks
):
    fees_in_force(shipping=flat("5.95"), restocking=percent("10"))
    data = fee_shop.load_order(devshop, [("Desk lamp", 1, "89.00")], delivered_days_ago=20)
    request, shown = fee_shop.file(
        data, {0: 1}, django_capture_on_commit_callbacks, reason=ReturnReason.DEFECT
    )
    assert shown.total == 0
    assert request.return_shipping_fee == 0 and request.lines.get().restocking_fee == 0
    assert fee_shop.shopify_return(devshop, request)["returnShippingFees"] == []


def test_a_request_whose_fees_exceed_its_price_is_refused_and_nothing_is_saved(
    devshop, fees_in_force
):
    fees_in_force(shipping=flat("5.95"))
    data = fee_shop.load_order(devshop, [("Socks", 1, "4.95")])
    order = fee_shop.local_order(data)
    with pytest.raises(services.ReturnError) as refused:
        services.return_request_create(
            order=order,
            quantities={data["lineItems"]["nodes"][0]["id"]: 1},
            reason=ReturnReason.NOT_SATISFIED,
            comment="",
            locale="nl",
        )
    assert "5,95" in str(refused.value.message) or "5.95" in str(refused.value.message)
    assert not ReturnRequest.objects.exists()


def test_a_request_is_refused_when_its_fees_are_not_the_ones_the_shopper_confirmed(
    devshop, fees_in_force
):
    fees_in_force(shipping=flat("5.95"))
    data = fee_shop.load_order(devshop, [("Linen shirt", 1, "39.95")])
    with pytest.raises(services.ReturnError):
        services.return_request_create(
            order=fee_shop.local_order(data),
            quantities={data["lineItems"]["nodes"][0]["id"]: 1},
            reason=ReturnReason.NOT_SATISFIED,
            comment="",
            locale="nl",
            fees_shown=Decimal("0"),
        )
    assert not ReturnRequest.objects.exists()


# -- the shopper's confirmation step ------------------------------------------------------------


def test_the_shopper_sees_the_fees_and_the_refund_before_sending(
    client, devshop, fees_in_force, django_capture_on_commit_callbacks
):
    fees_in_force(shipping=flat("5.95"))
    data = fee_shop.load_order(devshop, [("Linen shirt", 2, "39.95")])
    client.post(
        reverse("returns:start"), {"order_number": data["name"], "email": "anna@example.com"}
    )
    client.cookies["django_language"] = "de"
    item = data["lineItems"]["nodes"][0]["id"].rsplit("/", 1)[-1]
    form = {
        f"quantity_{item}": "1",
        "reason": "not_satisfied",
        "comment": "",
        "submission_key": "6f1c2d3e-0000-4000-8000-000000000001",
    }
    page = client.post(reverse("returns:order"), form)
    html = page.content.decode()
    assert "Rückversand" in html and "5,95\xa0€" in html and "34,00\xa0€" in html
    assert not ReturnRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("returns:order"), {**form, "fees_shown": "5.95", "fees_confirmed": "1"}
        )
    assert sent.status_code == 302
    assert ReturnRequest.objects.get().return_shipping_fee == Decimal("5.95")


# -- the property: charged exactly as shown -----------------------------------------------------

# Rates at which every euro price converts to whole cents, so that Shopify's order total in the
# customer's currency is its lines' sum, and what was paid for the units is plain to see.
CURRENCIES = [("EUR", Decimal("1")), ("CHF", Decimal("2")), ("USD", Decimal("0.5"))]
prices = st.integers(min_value=50, max_value=20000).map(lambda cents: Decimal(cents * 2) / 100)
fees = st.one_of(
    st.none(),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9.99"), places=2).map(
        lambda d: flat(str(d))
    ),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("30"), places=1).map(
        lambda d: percent(str(d))
    ),
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.lists(st.tuples(st.integers(1, 3), prices), min_size=1, max_size=2),
    shipping=st.one_of(st.none(), st.decimals(Decimal("0.50"), Decimal("9.95"), places=2)),
    restocking=fees,
    currency=st.sampled_from(CURRENCIES),
)
def test_the_amount_kept_after_the_refund_is_exactly_what_the_shopper_was_shown(
    devshop,
    monkeypatch,
    staff,
    django_capture_on_commit_callbacks,
    lines,
    shipping,
    restocking,
    currency,
):
    from devshop import server

    # A fresh shop for each example, as for each test: its query budget full again.
    server.idle()
    devshop.reset()
    capture = django_capture_on_commit_callbacks
    policy = fee_shop.fee_policy(
        ReturnPolicy(), shipping=shipping and flat(str(shipping)), restocking=restocking
    )
    fee_shop.policy_in_force(monkeypatch, policy)
    code, rate = currency
    items = [(f"Item {i}", q, str(p)) for i, (q, p) in enumerate(lines)]
    data = fee_shop.load_order(devshop, items, currency=code, rate=rate, delivered_days_ago=20)
    try:
        request, shown = fee_shop.file(data, {i: q for i, (q, _) in enumerate(lines)}, capture)
    except services.ReturnError:
        return  # fees above the price: refused, which the tests above look at
    paid = sum((line.unit_price * line.quantity for line in request.lines.all()), Decimal(0))
    request = fee_shop.receive(request, staff, capture)
    if shown.refund == 0:  # the fees take all of it: nothing is offered
        assert services.refund_quote(request=request).maximum == 0
        return
    made = fee_shop.refund(request, staff, capture)
    assert made.state == "succeeded", list(request.events.values_list("type", "data"))
    assert paid - fee_shop.refunded_in_shopify(request) == shown.total
    assert made.currency == shown.currency == code
