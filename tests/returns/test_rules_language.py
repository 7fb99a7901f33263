"""The rule language: what staff may write, what is refused and why, and how a rule decides."""

from decimal import Decimal

import pytest

from returns.rules.engine import ActiveRule, decide, rule_check
from returns.rules.language import Money, RuleError, rule_parse

FINAL_SALE = frozenset({"final-sale"})


def facts(**changes):
    base = {
        "kind": "return",
        "reason": "not_satisfied",
        "country": "nl",
        "total": Money(Decimal("39.95"), "EUR"),
        "items": 1,
        "returns_this_year": 0,
        "tags": frozenset(),
        "within_window": True,
        "within_guarantee": True,
        "final_sale": False,
    }
    return {**base, **changes}


def rules(*pairs):
    return [
        ActiveRule(id=i, position=i, text=text, decision=decision, rule=rule_parse(text))
        for i, (text, decision) in enumerate(pairs, start=1)
    ]


BRIEF_RULE = (
    'kind == "return" and within_window and total < 100 EUR and returns_this_year < 3 -> approve'
)


def test_the_example_rule_reads_and_decides():
    rule = rule_parse(BRIEF_RULE)
    assert rule.decision == "approve"
    assert rule.facts == {"kind", "within_window", "total", "returns_this_year"}
    assert rule.matches(facts())
    assert not rule.matches(facts(total=Money(Decimal("100.00"), "EUR")))
    assert not rule.matches(facts(returns_this_year=3))
    assert not rule.matches(facts(kind="claim"))


@pytest.mark.parametrize(
    "text, fact_changes, expected",
    [
        ('country == "DE"', {"country": "de"}, True),
        ('"final-sale" in tags', {"tags": frozenset({"final-sale"})}, True),
        ('"final-sale" not in tags', {"tags": frozenset({"final-sale"})}, False),
        ("not within_window or items >= 3", {"within_window": True, "items": 3}, True),
        ("total >= 99.5 EUR", {"total": Money(Decimal("99.50"), "EUR")}, True),
        ('reason == "defect"', {"reason": "not_satisfied"}, False),
        ('kind == "claim" and total > 250 EUR', {"kind": "claim"}, False),
    ],
)
def test_conditions_read_as_written(text, fact_changes, expected):
    assert rule_parse(text).matches(facts(**fact_changes)) is expected


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "Write a condition"),
        ("kind ==", "cannot be read"),
        ("colour == 'red'", "“colour” is not a fact"),
        ("total < 100", "is an amount of money"),
        ("100 < total", "is an amount of money"),
        ("kind.upper() == 'X'", "not allowed"),
        ("__import__('os').system('true')", "not allowed"),
        ("items + 1 > 2", "not allowed"),
        ("kind == 3", "cannot be compared"),
        ("kind < 'return'", "cannot be compared"),
        ("items > 1 -> refund", "not a decision"),
        ("items", "not true or false"),
        ("within_window and not total", "not true or false"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_saying_why(text, says):
    with pytest.raises(RuleError) as refused:
        rule_check(text, "review", final_sale_tags=FINAL_SALE)
    assert says in str(refused.value)


def test_a_money_literal_inside_a_string_stays_a_string():
    rule = rule_parse('country == "100 EUR"')
    assert rule.matches(facts(country="100 eur"))


@pytest.mark.parametrize(
    "text",
    [
        'kind == "claim" and not within_guarantee',
        'kind == "return" and not within_window',
        'kind == "return" and "final-sale" in tags',
    ],
)
def test_an_approval_the_policy_always_forbids_is_refused(text):
    with pytest.raises(RuleError) as refused:
        rule_check(text, "approve", final_sale_tags=FINAL_SALE)
    assert "return policy forbids" in str(refused.value)
    # The same condition may still send such requests to a person, or reject them.
    rule_check(text, "review", final_sale_tags=FINAL_SALE)
    rule_check(text, "reject", final_sale_tags=FINAL_SALE)


def test_an_approval_the_policy_sometimes_allows_is_accepted():
    rule_check("not within_window", "approve", final_sale_tags=FINAL_SALE)  # claims may be
    rule_check(BRIEF_RULE, "approve", final_sale_tags=FINAL_SALE)


def test_the_decision_written_in_the_rule_must_be_the_one_chosen():
    with pytest.raises(RuleError, match="decision chosen"):
        rule_check("items > 5 -> reject", "approve", final_sale_tags=FINAL_SALE)


def test_the_first_matching_rule_decides_and_none_matching_means_review():
    shop = rules(("items > 2", "review"), ("total < 100 EUR", "approve"), ("items > 0", "reject"))
    assert decide(shop, facts(items=1), policy_blocker=None).decision == "approve"
    assert decide(shop, facts(items=3), policy_blocker=None).rule.position == 1
    expensive = facts(total=Money(Decimal("500"), "EUR"), kind="claim")
    assert decide(shop, expensive, policy_blocker=None).decision == "reject"
    withdrawal = facts(total=Money(Decimal("500"), "EUR"), withdrawal=True)
    assert decide(shop, withdrawal, policy_blocker=None).decision == "review"
    verdict = decide([], facts(), policy_blocker=None)
    assert verdict.decision == "review" and verdict.rule is None


def test_an_approval_the_policy_forbids_goes_to_a_person_saying_why():
    verdict = decide(
        rules(("items > 0", "approve")), facts(), policy_blocker="The period has ended."
    )
    assert verdict.decision == "review"
    assert "policy forbids" in verdict.why and "The period has ended." in verdict.why


def test_an_amount_in_another_currency_than_the_shops_decides_nothing():
    shop = rules(("total < 100 USD", "approve"))
    verdict = decide(shop, facts(), policy_blocker=None)
    assert verdict.decision == "review" and "currency" in verdict.why
