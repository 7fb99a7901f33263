"""A step Shopify refused on a request's Return keeps the request on the to-do list of stalled
Shopify work until the Return is in step again: a later step Shopify takes, or staff sending the
refused step again once they have put right what Shopify objected to. The sweep leaves refused
steps alone: unchanged, Shopify would refuse them again.

devshop plays Shopify over HTTP; `user_errors` makes it refuse the next mutation. Order #1001:
two shirts; a return of both.
"""

import html

import pytest
from django.urls import reverse

from returns import services, steps, tasks, todo
from returns.models import ReturnEvent

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:returns_returnrequest_changelist")
REFUSED = steps.SHOPIFY_RETURN_REFUSED.event_type
IN_STEP = steps.SHOPIFY_RETURN_IN_STEP.event_type


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def refused(a_return, staff, devshop, django_capture_on_commit_callbacks):
    """The request approved in the portal, its approval refused by Shopify."""
    with django_capture_on_commit_callbacks():  # the approval's tasks not run yet
        services.return_approve(request_id=a_return.pk, user=staff)
    approved = ReturnEvent.objects.get(request=a_return, type=steps.APPROVE.event_type)
    devshop.add_fault("user_errors")
    tasks.shopify_return_step.apply(args=[approved.pk])
    assert the_return(devshop)["status"] == "REQUESTED"
    return a_return


def the_return(devshop):
    [made] = devshop.order_by_name("#1001").get("returns") or []
    return made


def stalled():
    return set(todo.STALLED.requests().values_list("number", flat=True))


def trail(request):
    return list(
        ReturnEvent.objects.filter(request=request, type__in=(REFUSED, IN_STEP))
        .order_by("pk")
        .values_list("type", flat=True)
    )


def approvals_sent(devshop):
    return sum(e["operation_name"] == "ReturnApprove" for e in devshop.request_log())


def test_a_refused_step_is_stalled_work_until_a_later_step_brings_the_return_in_step(
    refused, staff, devshop, run
):
    assert stalled() == {refused.number}
    line = refused.lines.get()
    with run():
        services.return_receive(
            request_id=refused.pk, user=staff, received={line.pk: 2}, restock=True
        )
    # The receipt's catch-up approved the Return first, then disposed of its units.
    assert the_return(devshop)["status"] == "OPEN"
    assert trail(refused) == [REFUSED, IN_STEP]
    assert stalled() == set()


def test_staff_send_a_refused_step_again_and_it_leaves_the_list(
    refused, client, staff, devshop, run
):
    client.force_login(staff)
    with run():
        response = client.post(
            CHANGELIST,
            {"action": "resume_selected", "_selected_action": [refused.pk]},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "1 request's steps that Shopify refused sent to its Shopify Return again." in (
        html.unescape(response.content.decode())
    )
    assert the_return(devshop)["status"] == "OPEN"
    assert trail(refused) == [REFUSED, IN_STEP] and stalled() == set()


def test_refused_again_it_stays_on_the_list_with_shopify_s_new_reason(
    refused, client, staff, devshop, run
):
    client.force_login(staff)
    devshop.add_fault("user_errors")
    with run():
        client.post(CHANGELIST, {"action": "resume_selected", "_selected_action": [refused.pk]})
    assert trail(refused) == [REFUSED, REFUSED] and stalled() == {refused.number}


def test_the_sweep_does_not_send_refused_steps_by_itself(refused, devshop, run):
    before = approvals_sent(devshop)
    with run():
        services.stalled_work_resume()
    assert approvals_sent(devshop) == before
    assert stalled() == {refused.number}
