"""What a rule set would have decided for the last requests, before a change to it is saved.

Reads only: one query for the rules, one for the requests with their lines, orders and each
customer's returns that year. Nothing is saved, no request changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import DecisionRule
from ..selectors import policy_current
from .engine import APPROVE, REJECT, REVIEW, Verdict, active_rules, decide
from .facts import requests_with_facts

PREVIEW_SIZE = 200


@dataclass(frozen=True)
class PreviewRow:
    number: str
    request_id: int
    verdict: Verdict


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)

    def count(self, decision: str) -> int:
        return sum(1 for row in self.rows if row.verdict.decision == decision)

    @property
    def approved(self) -> int:
        return self.count(APPROVE)

    @property
    def rejected(self) -> int:
        return self.count(REJECT)

    @property
    def review(self) -> int:
        return self.count(REVIEW)


def rule_set_with(candidate: DecisionRule) -> list:
    """The active rules as they would be with `candidate` saved (added, changed or switched off)."""
    others = DecisionRule.objects.filter(active=True).order_by("position", "pk")
    if candidate.pk:
        others = others.exclude(pk=candidate.pk)
    rows = list(others)
    if candidate.active:
        rows.append(candidate)
    # A new rule stands after those already at its position, as it will once saved.
    rows.sort(key=lambda row: (row.position, row.pk is None, row.pk or 0))
    return active_rules(rows)


def rules_preview(*, candidate: DecisionRule, size: int = PREVIEW_SIZE) -> Preview:
    rules = rule_set_with(candidate)
    policy = policy_current()
    preview = Preview()
    for request, known in requests_with_facts(last=size, policy=policy):
        verdict = decide(rules, known.facts, policy_blocker=known.policy_blocker)
        preview.rows.append(
            PreviewRow(number=request.number, request_id=request.pk, verdict=verdict)
        )
    return preview
