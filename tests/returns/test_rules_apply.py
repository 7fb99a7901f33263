"""The shop's rules decide a new request as staff would: through Shopify, the note and the email."""

import pytest
from django.core import mail
from django.urls import reverse

from returns import services, steps
from returns.models import DecisionRule, ReturnEvent, ReturnStatus
from returns.services.rules import request_rules_apply

pytestmark = pytest.mark.django_db


def shopify_returns(devshop):
    return devshop.order_by_name("#1001").get("returns") or []


@pytest.fixture
def cheap_returns_approved(db):
    return DecisionRule.objects.create(
        position=2,
        text='kind == "return" and within_window and total < 100 EUR and returns_this_year < 3',
        decision="approve",
    )


def test_a_new_return_a_rule_approves_is_approved_in_shopify_by_the_system(
    file_request, devshop, cheap_returns_approved
):
    request = file_request("not_satisfied", {0: 1})

    request.refresh_from_db()
    assert request.status == ReturnStatus.APPROVED
    assert [r["status"] for r in shopify_returns(devshop)] == ["OPEN"]  # Shopify's approved
    approved = request.events.get(type=steps.APPROVE.event_type)
    assert approved.actor == ReturnEvent.Actor.SYSTEM and approved.user is None
    decided = request.events.get(type=steps.RULES_DECIDED.event_type)
    assert decided.data["rule"] == cheap_returns_approved.pk
    assert decided.data["text"] == cheap_returns_approved.text
    assert any("goedgekeurd" in m.subject for m in mail.outbox)  # the approval email, in Dutch


def test_the_request_screen_says_which_rule_approved_it(
    file_request, client, staff, cheap_returns_approved
):
    request = file_request("not_satisfied", {0: 1})
    client.force_login(staff)

    html = client.get(
        reverse("admin:returns_returnrequest_change", args=[request.pk]),
        headers={"accept-language": "en"},
    ).content.decode()
    assert "Approved automatically by rule 2: kind == &quot;return&quot;" in html
    assert "System" in html


def test_a_claim_above_the_limit_is_left_to_a_person(file_request, devshop):
    DecisionRule.objects.create(text='kind == "claim" and total > 50 EUR', decision="review")
    DecisionRule.objects.create(position=2, text="items > 0", decision="approve")

    claim = file_request("defect", {1: 1}, comment="The switch is broken.")  # a lamp, 89.00

    claim.refresh_from_db()
    assert claim.status == ReturnStatus.REQUESTED
    assert [r["status"] for r in shopify_returns(devshop)] == ["REQUESTED"]
    decided = claim.events.get(type=steps.RULES_DECIDED.event_type)
    assert decided.data["decision"] == "review" and decided.data["position"] == 1


def test_a_rule_rejects_with_a_reason_the_shopper_reads_in_their_language(file_request, devshop):
    DecisionRule.objects.create(
        text='kind == "claim"', decision="reject", reject_reason="not_returnable"
    )

    claim = file_request("defect", {1: 1}, comment="The switch is broken.")

    claim.refresh_from_db()
    assert claim.status == ReturnStatus.REJECTED
    assert claim.rejection_reason == "Deze artikelen kunnen niet worden geretourneerd."
    assert [r["status"] for r in shopify_returns(devshop)] == ["DECLINED"]
    assert "Deze artikelen kunnen niet worden geretourneerd." in mail.outbox[-1].body


def test_no_rule_rejects_a_withdrawal_within_the_legal_period(file_request, devshop):
    DecisionRule.objects.create(
        text="items >= 1", decision="reject", reject_reason="not_returnable"
    )

    request = file_request("not_satisfied", {0: 2})

    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED
    decided = request.events.get(type=steps.RULES_DECIDED.event_type)
    assert decided.data["decision"] == "review"
    assert "withdrawal within the legal period" in decided.data["why"]


def test_no_matching_rule_leaves_the_request_to_a_person(file_request):
    DecisionRule.objects.create(text="items > 5", decision="approve")

    request = file_request("not_satisfied", {0: 1})

    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED
    decided = request.events.get(type=steps.RULES_DECIDED.event_type)
    assert decided.data["decision"] == "review" and decided.data["rule"] is None


def test_a_shop_without_rules_sees_no_word_of_them(file_request, client, staff):
    request = file_request("not_satisfied", {0: 1})

    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED
    assert not request.events.filter(type=steps.RULES_DECIDED.event_type).exists()


def test_a_switched_off_rule_decides_nothing(file_request, cheap_returns_approved):
    cheap_returns_approved.active = False
    cheap_returns_approved.save()

    request = file_request("not_satisfied", {0: 1})

    request.refresh_from_db()
    assert request.status == ReturnStatus.REQUESTED


def test_a_rule_never_approves_what_the_policy_forbids(
    shop_order, devshop, settings, django_capture_on_commit_callbacks
):
    DecisionRule.objects.create(text="items > 0", decision="approve")
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=False):
        request = services.return_request_create(
            order=order,
            quantities={shop_order["lineItems"]["nodes"][0]["id"]: 1},
            reason="not_satisfied",
            comment="",
            locale="nl",
        )
    # Before the rules looked at it, the shop shortened its return period to less than the week
    # since delivery: the policy now forbids the return, and the rule does not approve it.
    settings.RETURN_WINDOW_DAYS = 3

    verdict = request_rules_apply(request_id=request.pk)

    request.refresh_from_db()
    assert verdict.decision == "review" and request.status == ReturnStatus.REQUESTED
    decided = request.events.get(type=steps.RULES_DECIDED.event_type)
    assert decided.data["decision"] == "review" and decided.data["rule"] is not None
    assert "return policy forbids" in decided.data["why"]
    assert "3-day return period" in decided.data["why"]


def test_deciding_twice_is_harmless(file_request, devshop, cheap_returns_approved):
    request = file_request("not_satisfied", {0: 1})
    assert request_rules_apply(request_id=request.pk) is None

    request.refresh_from_db()
    assert request.status == ReturnStatus.APPROVED
    assert request.events.filter(type=steps.RULES_DECIDED.event_type).count() == 1
    assert request.events.filter(type=steps.APPROVE.event_type).count() == 1
    assert [r["status"] for r in shopify_returns(devshop)] == ["OPEN"]


def test_a_customers_earlier_returns_this_year_are_counted(file_request):
    DecisionRule.objects.create(text="returns_this_year < 2 and within_window", decision="approve")

    first, second = file_request("not_satisfied", {0: 1}), file_request("not_satisfied", {0: 1})
    third = file_request("not_satisfied", {1: 1})

    statuses = []
    for request in (first, second, third):
        request.refresh_from_db()
        statuses.append(request.status)
    assert statuses == [ReturnStatus.APPROVED, ReturnStatus.APPROVED, ReturnStatus.REQUESTED]
