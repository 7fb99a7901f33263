"""The rules' screen in the back office: who may use it, what it refuses, and its preview."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns.models import DecisionRule, ReturnRequest, ReturnStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:returns_decisionrule_add")
LIST = reverse("admin:returns_decisionrule_changelist")
RULE = 'kind == "return" and within_window and total < 100 EUR and returns_this_year < 3'


@pytest.fixture
def rule_writer(client):
    user = UserFactory(username="ruth", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="manage_decision_rules"))
    client.force_login(user)
    return user


def form(**changes):
    return {
        "position": 1,
        "text": RULE,
        "decision": "approve",
        "reject_reason": "",
        "active": "on",
        **changes,
    }


def test_only_staff_with_the_rules_permission_see_the_rules(client):
    viewer = UserFactory(username="vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_returnrequest"))
    client.force_login(viewer)
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, form()).status_code == 403
    assert not DecisionRule.objects.exists()


def test_a_valid_rule_is_saved_and_its_saving_is_in_the_history(client, rule_writer):
    response = client.post(ADD, form())
    assert response.status_code == 302
    rule = DecisionRule.objects.get()
    assert rule.text == RULE and rule.decision == "approve"
    change = reverse("admin:returns_decisionrule_change", args=[rule.pk])
    client.post(change, form(text=RULE.replace("100 EUR", "80 EUR")))
    messages = [e.change_message for e in LogEntry.objects.order_by("pk")]
    assert messages[0].startswith("Rule added: 1: " + RULE)
    assert "to 1: " in messages[1] and "80 EUR" in messages[1] and "100 EUR" in messages[1]


@pytest.mark.parametrize(
    "changes, field, says",
    [
        ({"text": "total < 100"}, "text", "is an amount of money"),
        ({"text": "colour == 'red'"}, "text", "is not a fact"),
        ({"text": "kind == 'claim' and not within_guarantee"}, "text", "return policy forbids"),
        ({"text": "items > 1", "decision": "reject"}, "reject_reason", "Choose the reason"),
        ({"text": "import os"}, "text", "cannot be read"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_with_its_reason(
    client, rule_writer, changes, field, says
):
    response = client.post(ADD, form(**changes), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert says in " ".join(response.context["adminform"].form.errors[field])
    assert not DecisionRule.objects.exists()


def test_a_refusal_reads_in_the_staff_members_language(client, rule_writer):
    response = client.post(ADD, form(text="total < 100"), headers={"accept-language": "de"})
    assert "ist ein Geldbetrag" in response.content.decode()


def test_the_preview_shows_what_the_rules_would_decide_without_saving(
    client, rule_writer, file_request
):
    cheap = file_request("not_satisfied", {0: 1})  # a shirt, 39.95
    lamp = file_request("not_satisfied", {1: 1})  # a lamp, 89.00
    DecisionRule.objects.create(position=5, text="items > 0", decision="review")

    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            ADD,
            form(text='kind == "return" and total < 50 EUR', _preview="Preview"),
            headers={"accept-language": "en"},
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 approved, 0 rejected, 1 to review" in html
    preview = response.context["preview"]
    decided = {row.number: row.verdict.decision for row in preview.rows}
    assert decided == {cheap.number: "approve", lamp.number: "review"}
    assert DecisionRule.objects.count() == 1  # nothing saved
    assert set(ReturnRequest.objects.values_list("status", flat=True)) == {ReturnStatus.REQUESTED}
    request_reads = [q for q in queries.captured_queries if "returns_returnline" in q["sql"]]
    assert len(request_reads) == 1  # the requests and their lines in one query


def test_the_preview_of_a_refused_rule_shows_the_refusal_and_no_preview(client, rule_writer):
    response = client.post(ADD, form(text="total < 100", _preview="Preview"))
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert response.context["adminform"].form.errors["text"]
    assert not DecisionRule.objects.exists()


def test_previewing_a_change_leaves_the_saved_rule_as_it_was(client, rule_writer, file_request):
    file_request("not_satisfied", {0: 1})
    rule = DecisionRule.objects.create(text="items > 5", decision="review")
    change = reverse("admin:returns_decisionrule_change", args=[rule.pk])

    response = client.post(change, form(text="items > 0", _preview="Preview"))

    assert response.context["preview"].approved == 1
    rule.refresh_from_db()
    assert rule.text == "items > 5" and rule.decision == "review"
    assert not LogEntry.objects.exists()
