"""The back office's start page: what needs doing, with counts, and the next request of each list."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from returns import services
from returns.models import Refund, ReturnEvent, ReturnRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:returns_returnrequest_changelist")
NEXT = reverse("admin:returns_returnrequest_next")


def change(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def make(shop_order):
    """A request on the shop's order with the status, kind and remedy given, made `days_ago`."""
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    made = []

    def make(status, kind="return", remedy="", days_ago=0, **times):
        made.append(None)
        request = ReturnRequest.objects.create(
            order=order,
            sequence=len(made),
            number=f"R-7001-{len(made)}",
            kind=kind,
            reason="defect" if kind == "claim" else "not_satisfied",
            remedy=remedy,
            status=status,
            locale="nl",
            customer_email=order.email,
            **times,
        )
        ReturnRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        request.refresh_from_db()
        return request

    return make


@pytest.fixture
def mix(make):
    """Requests on every list, and some on none, created so the oldest is not the first made."""
    long_ago = timezone.now() - timedelta(hours=1)
    mix = {
        "new": make("requested", days_ago=1),
        "older_new": make("requested", kind="claim", remedy="repair", days_ago=3),
        "approved": make("approved", days_ago=5, approved_at=timezone.now() - timedelta(days=2)),
        "received": make("received", days_ago=9, received_at=timezone.now()),
        "claim_to_replace": make(
            "received", kind="claim", remedy="replacement", days_ago=2, received_at=timezone.now()
        ),
        "claim_to_repair": make(
            "approved", kind="claim", remedy="repair", days_ago=6, approved_at=timezone.now()
        ),
        "resolved": make("resolved", days_ago=20),
        "rejected": make("rejected", days_ago=2),
    }
    # Stalled Shopify work: a refund pending an hour with no attempt sending it, a failed
    # write-back, a Return step waiting for an access scope.
    refund = Refund.objects.create(
        request=mix["resolved"], amount=Decimal("10.00"), currency="EUR", state="pending"
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=long_ago, updated_at=long_ago)
    failed = ReturnEvent.objects.create(
        request=mix["rejected"], type="shopify.write_failed", actor="system", data={"event": 1}
    )
    ReturnEvent.objects.filter(pk=failed.pk).update(created_at=long_ago)
    ReturnEvent.objects.create(
        request=mix["approved"],
        type="shopify.return_waiting_for_scope",
        actor="system",
        data={"event": 1, "scopes": ["write_returns"]},
    )
    return mix


EXPECTED = {  # each list's requests, in its order (oldest or soonest due first)
    "decide": ["older_new", "new"],
    "expected": ["approved", "claim_to_repair"],
    "arrived": ["received", "claim_to_replace"],
    "refunds_due": ["received", "approved", "new"],
    "replacements": ["claim_to_replace"],
    "stalled": ["resolved", "approved", "rejected"],
}


def counts(html):
    return {
        key: int(count)
        for key, count in re.findall(
            r'<tr class="todo-(\w+)">.*?class="todo-count">(\d+)<', html, re.DOTALL
        )
    }


def numbers_listed(html):
    return re.findall(r'<th class="field-number"><a href="[^"]+">([^<]+)</a>', html)


def test_the_start_page_counts_each_list(admin_client, mix):
    html = admin_client.get(INDEX).content.decode()
    assert counts(html) == {key: len(names) for key, names in EXPECTED.items()}


def test_each_count_opens_the_queue_filtered_to_its_list_in_its_order(admin_client, mix):
    html = admin_client.get(INDEX).content.decode()
    for key, names in EXPECTED.items():
        assert f'href="{CHANGELIST}?todo={key}"' in html
        listed = numbers_listed(admin_client.get(CHANGELIST, {"todo": key}).content.decode())
        assert listed == [mix[name].number for name in names], key


def test_open_the_next_opens_the_oldest_or_soonest_due(admin_client, mix):
    for key, names in EXPECTED.items():
        response = admin_client.get(NEXT, {"todo": key})
        assert response["Location"] == f"{change(mix[names[0]])}?todo={key}", key
    # The next after the first is the second.
    response = admin_client.get(NEXT, {"todo": "decide", "after": mix["older_new"].pk})
    assert response["Location"] == f"{change(mix['new'])}?todo=decide"


def test_the_request_screen_of_a_list_offers_the_next_with_a_shortcut(admin_client, mix):
    html = admin_client.get(change(mix["older_new"]), {"todo": "decide"}).content.decode()
    button = re.search(r'<a href="([^"]+)" class="button todo-next" accesskey="n"', html)
    assert button[1] == f"{NEXT}?todo=decide&amp;after={mix['older_new'].pk}"
    # Its steps keep the list, so the step leads on to the next request of it.
    approve = reverse("admin:returns_returnrequest_approve", args=[mix["older_new"].pk])
    assert f'action="{approve}?todo=decide"' in html


def test_an_empty_list_says_so_and_shows_the_queue(admin_client, make):
    make("resolved")
    response = admin_client.get(NEXT, {"todo": "decide"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}?todo=decide"
    assert "Nothing left in “To decide”." in response.content.decode()


def test_an_unknown_list_opens_the_whole_queue(admin_client, mix):
    assert admin_client.get(NEXT, {"todo": "nonsense", "after": "x"})["Location"] == CHANGELIST


def test_after_approving_from_the_list_the_next_undecided_request_opens(admin_client, file_request):
    first = file_request("not_satisfied", {0: 1})
    second = file_request("defect", {1: 1}, comment="The switch is broken.")
    approve = reverse("admin:returns_returnrequest_approve", args=[first.pk])
    response = admin_client.post(f"{approve}?todo=decide", follow=True)
    assert response.redirect_chain[-1][0] == f"{change(second)}?todo=decide"
    html = response.content.decode()
    assert f"{first.number} approved." in html
    assert "todo-next" in html  # and the one after that is one key away
    first.refresh_from_db()
    assert first.status == "approved"


def test_after_approving_the_last_undecided_the_list_says_it_is_empty(admin_client, file_request):
    only = file_request("not_satisfied", {0: 1})
    approve = reverse("admin:returns_returnrequest_approve", args=[only.pk])
    response = admin_client.post(f"{approve}?todo=decide", follow=True)
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}?todo=decide"
    assert "Nothing left in “To decide”." in response.content.decode()


def test_a_row_of_a_filtered_queue_opens_with_its_list(admin_client, mix):
    html = admin_client.get(CHANGELIST, {"todo": "decide"}).content.decode()
    row = re.search(r'<th class="field-number"><a href="([^"]+)">', html)[1]
    screen = admin_client.get(row.replace("&amp;", "&")).content.decode()
    assert f"{NEXT}?todo=decide&amp;after={mix['older_new'].pk}" in screen


def test_staff_without_the_view_permission_see_nothing_of_it(client, mix):
    clerk = UserFactory(username="clerk")  # staff, but no permission on return requests
    clerk.user_permissions.add(Permission.objects.get(codename="view_shopifyorder"))
    client.force_login(clerk)
    html = client.get(INDEX).content.decode()
    assert "todo-queue" not in html and "To do" not in html
    assert client.get(NEXT, {"todo": "decide"}).status_code == 403
    assert client.get(CHANGELIST, {"todo": "decide"}).status_code == 403


def test_the_queue_is_searched_by_a_replacements_tracking_number(admin_client, mix):
    mix["claim_to_replace"].replacements.create(
        shipped_on=timezone.localdate(), carrier="DHL", tracking_number="JJD0099887766"
    )
    html = admin_client.get(CHANGELIST, {"q": "JJD0099887766"}).content.decode()
    assert numbers_listed(html) == [mix["claim_to_replace"].number]


def test_after_asking_for_photos_the_next_request_to_decide_opens(admin_client, file_request):
    claim = file_request("defect", {1: 1}, comment="The switch is broken.")
    later = file_request("not_satisfied", {0: 1})
    ask = reverse("admin:returns_returnrequest_photos_ask", args=[claim.pk])
    response = admin_client.post(
        f"{ask}?todo=decide", {"message": "Please show the switch."}, follow=True
    )
    # The claim still waits for a decision, but the one after it opens.
    assert response.redirect_chain[-1][0] == f"{change(later)}?todo=decide"


def test_a_filtered_queue_offers_its_next_request(admin_client, mix):
    html = admin_client.get(CHANGELIST, {"todo": "arrived"}).content.decode()
    assert f'href="{NEXT}?todo=arrived" class="button todo-next" accesskey="n"' in html
    html = admin_client.get(CHANGELIST, {"status__exact": "requested"}).content.decode()
    assert "todo-next" not in html
