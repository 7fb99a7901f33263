"""Scopes give items and customers periods of their own; the first that names them decides."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import translation

from returns.policy import ReturnPolicy, Scope, item_eligibility
from returns.shopify.types import MailingAddress
from tests.returns.test_policy import NOW, line, order, shipped

BASE = ReturnPolicy(return_window_days=30, guarantee_years=2)


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def eligibility(policy, item, *, days_ago, country="NL"):
    placed = replace(
        order(item, fulfillments=[shipped(days_ago, days_ago)]),
        shipping_address=MailingAddress(country_code=country),
    )
    return item_eligibility(placed, item, reserved=0, now=NOW, policy=policy)


def test_a_tag_scope_gives_its_items_a_longer_window_and_others_keep_the_shops():
    policy = replace(BASE, scopes=(Scope(kind="tag", value="Winter", return_window_days=60),))
    coat, shirt = replace(line(1), product_tags=("winter",)), line(2)

    assert eligibility(policy, coat, days_ago=45).returnable == 2
    assert eligibility(policy, coat, days_ago=61).return_blocker is not None
    assert "30-day" in str(eligibility(policy, shirt, days_ago=45).return_blocker)


def test_product_type_and_collection_scopes_name_the_item_by_what_shopify_says_it_is():
    by_type = replace(
        BASE, scopes=(Scope(kind="product_type", value="Jacken", return_window_days=90),)
    )
    in_sale = replace(BASE, scopes=(Scope(kind="collection", value="sale", return_window_days=14),))
    jacket = replace(line(1), product_type="Jacken", product_collections=("sale", "outdoor"))

    assert eligibility(by_type, jacket, days_ago=80).returnable == 2
    assert "14-day" in str(eligibility(in_sale, jacket, days_ago=20).return_blocker)
    assert eligibility(in_sale, line(2), days_ago=20).returnable == 2


def test_country_and_market_scopes_follow_the_country_the_order_ships_to():
    policy = replace(
        BASE,
        scopes=(
            Scope(kind="country", value="de", return_window_days=100),
            Scope(kind="market", value="nordics", return_window_days=45, countries=("SE", "DK")),
        ),
    )
    assert eligibility(policy, line(1), days_ago=90, country="DE").returnable == 2
    assert eligibility(policy, line(1), days_ago=40, country="SE").returnable == 2
    assert eligibility(policy, line(1), days_ago=40, country="NL").return_blocker is not None


def test_the_first_scope_naming_the_item_decides_and_a_guarantee_never_drops_below_two_years():
    policy = replace(
        BASE,
        scopes=(
            Scope(kind="tag", value="winter", return_window_days=60),
            Scope(kind="country", value="NL", return_window_days=10, guarantee_years=5),
        ),
    )
    coat = replace(line(1), product_tags=("winter",))
    placed = replace(order(coat), shipping_address=MailingAddress(country_code="NL"))

    assert policy.window_days(placed, coat) == 60  # the tag comes first
    assert policy.guarantee_years_for(placed, coat) == 5  # the tag says nothing of it
    assert replace(BASE, guarantee_years=1).guarantee_years_for(placed, line(2)) == 2


def test_a_longer_guarantee_scope_keeps_a_claim_open_after_two_years():
    policy = replace(BASE, scopes=(Scope(kind="tag", value="durable", guarantee_years=5),))
    lamp = replace(line(1), product_tags=("durable",))
    three_years = (NOW - (NOW - timedelta(days=3 * 365 + 1))).days

    assert eligibility(policy, lamp, days_ago=three_years).claimable == 2
    assert eligibility(policy, line(2), days_ago=three_years).claim_blocker is not None
