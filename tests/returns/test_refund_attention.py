"""Refunds that have waited too long for Shopify stand out in the admin, and can be listed alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from returns.models import Refund
from tests.factories import RefundFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:returns_refund_changelist")


def refund(state, minutes_ago):
    made = RefundFactory(state=state)
    Refund.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return made.request.number


@pytest.fixture
def refunds():
    return {
        "stuck": refund("pending", minutes_ago=20),
        "fresh": refund("pending", minutes_ago=5),
        "done": refund("succeeded", minutes_ago=60),
        "refused": refund("failed", minutes_ago=60),
    }


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="anne", is_superuser=True))
    return client


def listed(admin_client, **params):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    return response, {str(r.request) for r in response.context["cl"].result_list}


def test_the_needs_attention_filter_lists_refunds_pending_over_15_minutes(admin_client, refunds):
    response, everything = listed(admin_client)
    assert everything == set(refunds.values())
    assert "?attention=yes" in response.content.decode()  # the filter is offered

    response, attention = listed(admin_client, attention="yes")
    assert attention == {refunds["stuck"]}
    # The list's own column agrees: one ticked "needs attention".
    assert response.content.decode().count('alt="True"') == 1


def test_how_long_is_too_long_is_the_stalled_work_setting(admin_client, refunds, settings):
    settings.STALLED_WORK_MINUTES = 30
    assert listed(admin_client, attention="yes")[1] == set()
    settings.STALLED_WORK_MINUTES = 1
    assert listed(admin_client, attention="yes")[1] == {refunds["stuck"], refunds["fresh"]}


def test_the_to_do_list_of_stalled_work_holds_the_same_refunds(admin_client, refunds):
    # One rule: what Refunds flags as needing attention is what the start page counts as stalled.
    html = admin_client.get(reverse("admin:returns_returnrequest_changelist"), {"todo": "stalled"})
    listed_there = {str(r) for r in html.context["cl"].result_list}
    assert listed_there == {refunds["stuck"]}
