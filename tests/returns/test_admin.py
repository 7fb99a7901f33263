"""The back office as staff use it: the queue, one screen per request, and the step screens."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns import services
from returns.models import ReturnEvent, ReturnRequest
from tests.factories import (
    RefundFactory,
    ReturnLineFactory,
    ReturnRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:returns_returnrequest_changelist")


def url(step, request):
    return reverse(f"admin:returns_returnrequest_{step}", args=[request.pk])


def change(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def warehouse(client):
    """A warehouse worker: may see requests and mark parcels received, nothing else."""
    user = UserFactory(username="wim")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_returnrequest", "receive_return"])
    )
    client.force_login(user)
    return client


def queue_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_shows_what_staff_need_and_does_not_grow_in_queries(admin_client):
    for _ in range(3):
        ReturnLineFactory(request=ReturnRequestFactory(), title="Linen shirt", quantity=2)
    few = queue_queries(admin_client)
    for _ in range(30):
        ReturnLineFactory(request=ReturnRequestFactory())
    assert queue_queries(admin_client) == few
    html = admin_client.get(CHANGELIST).content.decode()
    assert "2 × Linen shirt" in html and "R-" in html


def test_the_queue_finds_requests_by_number_order_email_name_and_tracking(
    a_claim, admin_client, staff
):
    services.return_approve(request_id=a_claim.pk, user=staff)
    services.replacement_ship(
        request_id=a_claim.pk,
        user=staff,
        carrier="gls",
        tracking_number="GLS99887766",
        shipped_on=a_claim.created_at.date(),
    )
    for term in ["R-1001-1", "#1001", "anna@example.com", "Anna Jansen", "GLS99887766"]:
        html = admin_client.get(CHANGELIST, {"q": term}).content.decode()
        assert "R-1001-1" in html, term
    assert "R-1001-1" not in admin_client.get(CHANGELIST, {"q": "nothing-like-it"}).content.decode()


def test_one_screen_shows_the_order_and_only_the_allowed_steps(a_return, admin_client):
    html = admin_client.get(change(a_return)).content.decode()
    assert "admin.shopify.com/store/test-shop/orders/" in html
    assert "Linen shirt" in html and "returns.requested" not in html
    assert url("approve", a_return) in html and url("receive", a_return) in html
    assert url("refund", a_return) not in html and url("ship", a_return) not in html


def test_approving_from_the_screen(a_return, admin_client):
    response = admin_client.post(url("approve", a_return))
    assert response.status_code == 302
    assert ReturnRequest.objects.get().status == "approved"


def test_a_step_for_the_wrong_status_is_explained_and_changes_nothing(
    a_return, admin_client, staff
):
    services.return_reject(request_id=a_return.pk, user=staff, reason="Too late.")
    response = admin_client.post(url("approve", a_return), follow=True)
    assert "that step is not possible now" in response.content.decode()
    assert ReturnRequest.objects.get().status == "rejected"


def test_bulk_approval(file_request, admin_client):
    first = file_request("not_satisfied", {0: 1})
    second = file_request("not_satisfied", {0: 1})
    admin_client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert set(ReturnRequest.objects.values_list("status", flat=True)) == {"approved"}


def test_a_warehouse_worker_may_receive_but_not_approve_or_refund(a_return, warehouse):
    html = warehouse.get(change(a_return)).content.decode()
    assert url("receive", a_return) in html and url("approve", a_return) not in html
    assert warehouse.post(url("approve", a_return)).status_code == 403
    assert warehouse.get(url("refund", a_return)).status_code == 403
    line = a_return.lines.get()
    warehouse.post(
        url("receive", a_return), {f"received_{line.pk}": "2", f"restock_{line.pk}": "on"}
    )
    assert ReturnRequest.objects.get().status == "received"


@pytest.mark.parametrize("tracking", ["", "x" * 500])
def test_a_bad_tracking_number_gets_a_form_error(a_claim, admin_client, staff, tracking):
    services.return_approve(request_id=a_claim.pk, user=staff)
    response = admin_client.post(
        url("ship", a_claim),
        {"carrier": "dhl", "tracking_number": tracking, "shipped_on": "2026-11-01"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert a_claim.replacements.count() == 0


def test_events_cannot_be_added_changed_or_deleted_in_the_admin(a_return, admin_client):
    event = ReturnEvent.objects.filter(request=a_return).first()
    assert admin_client.get(reverse("admin:returns_returnevent_add")).status_code == 403
    detail = reverse("admin:returns_returnevent_change", args=[event.pk])
    admin_client.post(detail, {"type": "edited"})
    delete = reverse("admin:returns_returnevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ReturnEvent.objects.get(pk=event.pk).type == event.type


def test_the_queue_shows_requests_shopify_never_heard_about_and_sends_them_again(
    a_return, admin_client, staff, devshop, django_capture_on_commit_callbacks
):
    other = ReturnRequestFactory()
    devshop.add_fault("http_503")  # Shopify fails the write once; the task gives up (no broker)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=a_return.pk, user=staff)
    html = admin_client.get(CHANGELIST, {"todo": "stalled"}).content.decode()
    assert a_return.number in html and other.number not in html

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            CHANGELIST, {"action": "resume_selected", "_selected_action": [a_return.pk]}
        )
    assert "return-approved" in devshop.order_by_name("#1001")["tags"]
    html = admin_client.get(CHANGELIST, {"todo": "stalled"}).content.decode()
    assert a_return.number not in html


def test_reject_is_not_offered_once_a_request_has_a_refund(a_return, admin_client, staff):
    services.return_approve(request_id=a_return.pk, user=staff)
    assert url("reject", a_return) in admin_client.get(change(a_return)).content.decode()
    RefundFactory(request=a_return)
    html = admin_client.get(change(a_return)).content.decode()
    assert url("reject", a_return) not in html and url("refund", a_return) in html
