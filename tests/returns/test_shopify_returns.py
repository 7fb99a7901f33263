"""Each portal request is a Shopify Return, moved through Shopify's steps, each done once.

devshop plays Shopify over HTTP. `mutation_timeout` makes a mutation take longer than the portal
waits while Shopify still carries it out: the task then runs again, as a retry or a redelivery
would, and must find what Shopify already did instead of doing it twice.
"""

import time

import pytest
from django.utils import translation

from returns import services, steps
from returns.models import ReturnEvent, ReturnRequest
from returns.services.shopify_returns import shopify_return_sync
from returns.shopify.returns import return_cancel

pytestmark = pytest.mark.django_db


def shopify_returns(devshop):
    return devshop.order_by_name("#1001").get("returns") or []


def settled(devshop, status, within=10.0):
    """Wait for devshop to finish a mutation the portal stopped waiting for."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if [r["status"] for r in shopify_returns(devshop)] == [status]:
            return True
        time.sleep(0.05)
    return False


def slow_shopify(devshop, settings):
    devshop.set_option("timeout_seconds", settings.SHOPIFY_TIMEOUT + 1)
    devshop.add_fault("mutation_timeout")


def last_event(request, step):
    return ReturnEvent.objects.filter(request=request, type=step.event_type).latest("pk")


def sent(devshop, operation, within=10.0):
    """How often the portal sent this mutation, as devshop logged it. devshop logs a request once
    it has answered it: this waits for the slow first one, which the portal stopped waiting for."""
    deadline = time.monotonic() + within
    while True:
        count = sum(r["operation_name"] == operation for r in devshop.request_log())
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def refusals(request):
    return ReturnEvent.objects.filter(request=request, type=steps.SHOPIFY_RETURN_REFUSED.event_type)


def test_a_submission_requests_a_return_and_the_portal_keeps_the_whole_comment(
    file_request, devshop
):
    comment = "Zu klein. " * 40  # 400 characters

    request = file_request("not_satisfied", {0: 2}, comment=comment)

    request.refresh_from_db()
    [made] = shopify_returns(devshop)
    assert request.shopify_return_id == made["id"] and made["status"] == "REQUESTED"
    assert [line["quantity"] for line in made["lines"]] == [2]
    assert made["lines"][0]["customerNote"] == comment.strip()[:300]
    assert made["lines"][0]["returnReasonDefinitionId"]  # the shop's "changed mind" reason
    assert request.comment == comment.strip()


def test_a_request_whose_answer_timed_out_is_not_requested_twice(
    shop_order, devshop, settings, django_capture_on_commit_callbacks
):
    slow_shopify(devshop, settings)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.return_request_create(
            order=services.shopify_order_lookup(order_number="1001", email="anna@example.com"),
            quantities={shop_order["lineItems"]["nodes"][0]["id"]: 2},
            reason="not_satisfied",
            comment="",
            locale="nl",
        )
    assert settled(devshop, "REQUESTED")

    shopify_return_sync(event_id=last_event(request, steps.REQUEST).pk)  # the retry

    request.refresh_from_db()
    [made] = shopify_returns(devshop)
    assert request.shopify_return_id == made["id"]
    assert sent(devshop, "ReturnRequest") == 1


def test_an_approval_whose_answer_timed_out_is_not_sent_twice(
    a_return, staff, devshop, settings, django_capture_on_commit_callbacks
):
    slow_shopify(devshop, settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)
    assert settled(devshop, "OPEN")
    before = refusals(a_return).count()

    shopify_return_sync(event_id=last_event(a_return, steps.APPROVE).pk)

    assert refusals(a_return).count() == before  # not refused as "already open": not sent
    assert [r["status"] for r in shopify_returns(devshop)] == ["OPEN"]
    assert sent(devshop, "ReturnApprove") == 1


def test_a_rejection_declines_once_with_the_message_cut_to_500(
    a_return, staff, devshop, settings, django_capture_on_commit_callbacks
):
    reason = "Die Ware wurde getragen. " * 30  # 750 characters
    slow_shopify(devshop, settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_reject(request_id=a_return.pk, user=staff, reason=reason)
    assert settled(devshop, "DECLINED")
    before = refusals(a_return).count()

    shopify_return_sync(event_id=last_event(a_return, steps.REJECT).pk)

    assert refusals(a_return).count() == before
    assert sent(devshop, "ReturnDecline") == 1
    [declined] = shopify_returns(devshop)
    assert declined["decline"] == {"reason": "OTHER", "note": reason.strip()[:500]}
    a_return.refresh_from_db()
    assert a_return.rejection_reason == reason.strip()


def test_a_shoppers_cancellation_cancels_the_return_once(
    a_return, devshop, settings, django_capture_on_commit_callbacks
):
    slow_shopify(devshop, settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_cancel(request_id=a_return.pk)
    assert settled(devshop, "CANCELED")
    before = refusals(a_return).count()

    shopify_return_sync(event_id=last_event(a_return, steps.CANCEL).pk)

    assert refusals(a_return).count() == before
    assert [r["status"] for r in shopify_returns(devshop)] == ["CANCELED"]
    assert sent(devshop, "ReturnCancel") == 1


def test_a_redelivered_approval_after_success_does_nothing(
    a_return, staff, devshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)

    shopify_return_sync(event_id=last_event(a_return, steps.APPROVE).pk)

    assert not refusals(a_return).exists()
    assert [r["status"] for r in shopify_returns(devshop)] == ["OPEN"]


def test_shopify_refusing_a_step_is_told_to_staff_and_leaves_the_request_where_it_was(
    a_return, staff, devshop, django_capture_on_commit_callbacks
):
    a_return.refresh_from_db()
    return_cancel(return_id=a_return.shopify_return_id)  # staff canceled it in Shopify's admin
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)

    request = ReturnRequest.objects.get(pk=a_return.pk)
    assert request.status == "approved"
    [refused] = refusals(request)
    assert refused.data["error"]
    assert [r["status"] for r in shopify_returns(devshop)] == ["CANCELED"]
    with translation.override("de"):
        assert str(steps.step_for_event(refused.type).label) == (
            "Shopify hat diesen Schritt der Rücksendung abgelehnt"
        )
