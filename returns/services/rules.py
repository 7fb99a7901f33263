"""The shop's decision rules taken on a new request, as staff would take them.

After the request is made (a task queued on commit), its facts are read, the active rules tried in
their order (returns/rules/engine.py), and what they decided recorded as a system event with the
rule's id and words. An approval or a rejection then goes through the very services staff use, so
the Shopify Return, the order's note and tags and the shopper's email follow as for staff; the
actor is the system. Running it again for the same request does nothing.
"""

from dataclasses import replace

from django.db import transaction
from django.utils import translation

from .. import events, steps
from ..models import DecisionRule, RejectReason, ReturnRequest
from ..rules.engine import APPROVE, REJECT, REVIEW, Verdict, active_rules, decide
from ..rules.facts import requests_with_facts
from .common import event_record
from .transitions import return_approve, return_reject

SYSTEM_APPROVE = replace(steps.APPROVE, actor=steps.Actor.SYSTEM)
SYSTEM_REJECT = replace(steps.REJECT, actor=steps.Actor.SYSTEM)


def shop_rules() -> list:
    return active_rules(DecisionRule.objects.filter(active=True).order_by("position", "pk"))


def request_rules_apply(*, request_id: int) -> Verdict | None:
    """Decide a new request by the shop's rules; None when it was decided before, or a person
    took it up first."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update(of=("self",)).get(pk=request_id)
        decided = request.events.filter(type=steps.RULES_DECIDED.event_type).exists()
        if decided or request.status != steps.Status.REQUESTED:
            return None
        rules = shop_rules()
        if not rules:
            return Verdict(REVIEW)  # a shop without rules: nothing to record on every request
        found = requests_with_facts(request_ids=[request_id])
        if not found:
            return None
        _request, known = found[0]
        verdict = decide(rules, known.facts, policy_blocker=known.policy_blocker)
        rule = verdict.rule
        event_record(
            request=request,
            step=steps.RULES_DECIDED,
            payload=events.RuleDecided(
                decision=verdict.decision,
                rule=rule.id if rule else None,
                position=rule.position if rule else None,
                text=rule.text if rule else "",
                why=verdict.why,
            ),
        )
        if verdict.decision == APPROVE:
            return_approve(request_id=request_id, user=None, step=SYSTEM_APPROVE)
        elif verdict.decision == REJECT:
            # The shopper reads the reason in the language they asked in.
            with translation.override(request.locale or None):
                reason = str(RejectReason(rule.reject_reason).label)
            return_reject(request_id=request_id, user=None, reason=reason, step=SYSTEM_REJECT)
    return verdict
