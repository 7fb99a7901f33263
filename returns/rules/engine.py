"""Deciding a request by the shop's rules, never against its policy.

Pure functions: the caller passes the request's facts (returns/rules/facts.py), whether the policy
(returns/policy.py) allows the request's items at all, and the active rules in their order. The
first rule whose condition holds decides; none holding leaves the request to a person. A rule
that would approve what the policy forbids does not: the request goes to review, saying why.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .language import (
    BOOL,
    FACTS,
    MONEY,
    NUMBER,
    TEXT,
    TEXTS,
    MismatchedCurrency,
    Money,
    Rule,
    RuleError,
    rule_parse,
)

APPROVE, REJECT, REVIEW = "approve", "reject", "review"

AGAINST_POLICY = _(
    "This rule would approve only what the return policy forbids (%(why)s); it can never apply."
)
NO_RULE = _("No rule matched: a person decides.")
POLICY_FORBIDS = _("Rule %(position)s would approve it, but the return policy forbids it: %(why)s")
WITHDRAWAL_NOT_REJECTED = _(
    "Rule %(position)s would reject it, but it is a withdrawal within the legal period, which "
    "needs no reason: a person decides."
)
CURRENCY_DIFFERS = _("Rule %(position)s compares amounts in another currency than the shop's.")


@dataclass(frozen=True)
class ActiveRule:
    """A rule as the engine reads it: where it stands, its words, its decision."""

    id: int | None
    position: int
    text: str
    decision: str
    rule: Rule
    reject_reason: str = ""


@dataclass(frozen=True)
class Verdict:
    """The engine's answer for one request."""

    decision: str
    rule: ActiveRule | None = None
    why: str = ""


def policy_allows(facts: dict) -> bool:
    """What returns/policy.py would say of a request with these facts: a return within its window
    of no final-sale item, or a claim within the guarantee."""
    if facts["kind"] == "claim":
        return facts["within_guarantee"]
    return facts["within_window"] and not facts["final_sale"]


def decide(rules: Sequence[ActiveRule], facts: dict, *, policy_blocker: str | None) -> Verdict:
    """The first matching rule's decision; an approval the policy forbids becomes review."""
    for active in rules:
        try:
            matched = active.rule.matches(facts)
        except MismatchedCurrency:
            return Verdict(REVIEW, active, str(CURRENCY_DIFFERS % {"position": active.position}))
        if not matched:
            continue
        if active.decision == APPROVE and policy_blocker:
            why = POLICY_FORBIDS % {"position": active.position, "why": policy_blocker}
            return Verdict(REVIEW, active, str(why))
        # A consumer may withdraw within the period without giving any reason (Art. 9 (1)
        # Directive 2011/83/EU, § 355 (1) BGB, art. 6:230o BW): no rule of the shop's refuses it.
        if active.decision == REJECT and facts["kind"] == "return" and facts.get("withdrawal"):
            why = WITHDRAWAL_NOT_REJECTED % {"position": active.position}
            return Verdict(REVIEW, active, str(why))
        return Verdict(active.decision, active)
    return Verdict(REVIEW, None, str(NO_RULE))


def rule_check(text: str, decision: str, *, final_sale_tags: frozenset[str]) -> Rule:
    """The parsed rule, or RuleError when it cannot be used: unreadable, an unknown fact, money
    compared with a number, a decision its text contradicts, or an approval the policy always
    forbids (checked on every example request the rule's own values make up)."""
    rule = rule_parse(text)
    if rule.decision and rule.decision != decision:
        raise RuleError(
            _("The rule says “%(said)s” but the decision chosen is “%(chosen)s”.")
            % {"said": rule.decision, "chosen": decision}
        )
    if decision == APPROVE:
        _approves_something_allowed(rule, final_sale_tags)
    return rule


# Beyond this many example requests the check gives up and trusts the engine's own guard.
MAX_EXAMPLES = 20000


def _approves_something_allowed(rule: Rule, final_sale_tags: frozenset[str]) -> None:
    matching = forbidden = tried = 0
    for facts in examples(rule, final_sale_tags):
        tried += 1
        try:
            if not rule.matches(facts):
                continue
        except MismatchedCurrency:
            continue
        matching += 1
        if policy_allows(facts):
            return
        forbidden += 1
    # Past MAX_EXAMPLES not every case was tried: the engine's own guard still holds.
    if matching and matching == forbidden and tried < MAX_EXAMPLES:
        raise RuleError(AGAINST_POLICY % {"why": _why_forbidden(rule)})


def _why_forbidden(rule: Rule) -> str:
    if "within_guarantee" in rule.facts:
        return str(_("a claim after the guarantee has ended"))
    if "tags" in rule.facts:
        return str(_("a final-sale item"))
    return str(_("a return after the return period"))


def examples(rule: Rule, final_sale_tags: frozenset[str]):
    """Requests that differ in every way the rule's facts can: each fact takes the values the rule
    names, and values just beside them."""
    texts = [c for c in rule.constants if isinstance(c, str)]
    numbers = [
        c for c in rule.constants if isinstance(c, int | Decimal) and not isinstance(c, bool)
    ]
    amounts = [c for c in rule.constants if isinstance(c, Money)]
    options = {}
    for name in sorted(rule.facts | {"kind", "within_window", "within_guarantee", "tags"}):
        kind = FACTS[name]
        if name == "kind":
            options[name] = ["return", "claim"]
        elif kind == BOOL:
            options[name] = [True, False]
        elif kind == TEXT:
            options[name] = sorted({*(t.lower() for t in texts), "-"})
        elif kind == NUMBER:
            options[name] = sorted({0, *(n + d for n in numbers for d in (-1, 0, 1) if n + d >= 0)})
        elif kind == MONEY:
            currencies = {a.currency for a in amounts} or {"EUR"}
            step = Decimal("0.01")
            options[name] = [
                Money(a.amount + d, a.currency) for a in amounts for d in (-step, 0, step)
            ] or [Money(Decimal(0), c) for c in currencies]
        elif kind == TEXTS:
            tags = sorted({*(t.lower() for t in texts), *final_sale_tags})
            options[name] = [frozenset(), *(frozenset({t}) for t in tags), frozenset(tags)]
    names = list(options)
    for count, values in enumerate(itertools.product(*options.values())):
        if count >= MAX_EXAMPLES:
            return
        facts = dict(zip(names, values, strict=True))
        facts["final_sale"] = bool(facts["tags"] & final_sale_tags)
        yield {**_defaults(), **facts}


def _defaults() -> dict:
    return {name: _default(kind) for name, kind in FACTS.items()}


def _default(kind):
    return {
        BOOL: False,
        TEXT: "",
        NUMBER: 0,
        MONEY: Money(Decimal(0), "EUR"),
        TEXTS: frozenset(),
    }[kind]


def active_rules(rows) -> list[ActiveRule]:
    """The engine's view of stored rules (DecisionRule rows), in order; a row that no longer
    parses (saved by an older release) is left out."""
    rules = []
    for row in rows:
        try:
            rule = rule_parse(row.text)
        except RuleError:
            continue
        rules.append(
            ActiveRule(
                id=row.pk,
                position=row.position,
                text=row.text,
                decision=row.decision,
                rule=rule,
                reject_reason=row.reject_reason,
            )
        )
    return rules
