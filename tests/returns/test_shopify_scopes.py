"""A shop whose app lacks an access scope the portal needs.

Staff read on the back office's pages which scopes are missing and what to do; a step on a
Shopify Return that Shopify denies for a missing scope waits for it (one attempt, no retries, no
refusal) and goes on once the merchant grants it. devshop is installed with fewer scopes (its
option access_scopes) and answers the fields they guard with ACCESS_DENIED, as Shopify does.
"""

import pytest
from django.urls import reverse

from devshop.access import ACCESS_SCOPES
from returns import services, steps
from returns.models import ReturnEvent
from returns.shopify import returns as shopify_returns
from returns.shopify.errors import ShopifyAccessDenied
from returns.shopify.orders import order_gid
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_WRITE_RETURNS = ACCESS_SCOPES.replace("write_returns,", "")
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:returns_returnrequest_changelist")
NOTICE = 'id="shopify-scopes-missing"'


def grant(devshop, scopes):
    devshop.set_option("access_scopes", scopes)


def asked(devshop, operation):
    return [r["outcome"] for r in devshop.request_log() if r["operation_name"] == operation]


def events_of(request, step):
    return list(ReturnEvent.objects.filter(request=request, type=step.event_type).order_by("pk"))


def change(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def sweep(capture):
    with capture(execute=True):
        return services.stalled_work_resume()


def test_shopify_denies_a_returns_mutation_without_its_scope_and_changes_nothing(
    shop_order, devshop
):
    grant(devshop, NO_WRITE_RETURNS)
    order = order_gid(shop_order["id"])
    [line] = shopify_returns.returnable_lines(order)[:1]  # reading is still granted

    with pytest.raises(ShopifyAccessDenied) as denied:
        shopify_returns.return_request(
            order_gid=order,
            lines=[{"fulfillmentLineItemId": line.fulfillment_line_item_id, "quantity": 1}],
        )

    assert denied.value.scopes == ("write_returns", "write_marketplace_returns")
    assert not denied.value.retryable
    assert "write_returns" in denied.value.message
    assert not devshop.order_by_name("#1001").get("returns")


def test_a_request_filed_without_the_write_scope_waits_for_it_after_one_attempt(
    file_request, devshop
):
    grant(devshop, NO_WRITE_RETURNS)

    request = file_request("not_satisfied", {0: 2})

    request.refresh_from_db()
    assert request.status == "requested" and request.shopify_return_id == ""
    [wait] = events_of(request, steps.SHOPIFY_RETURN_WAITING)
    assert wait.data["scopes"] == ["write_returns"]
    assert wait.data["event"] == events_of(request, steps.REQUEST)[0].pk
    assert not events_of(request, steps.SHOPIFY_RETURN_REFUSED)
    assert asked(devshop, "ReturnRequest") == ["errors"]
    assert not devshop.order_by_name("#1001").get("returns")
    # The rest of the step went on: the note line and tag are on the order.
    assert "return-requested" in devshop.order_by_name("#1001")["tags"]


def test_staff_read_the_missing_scopes_and_what_to_do_in_their_language(
    a_return, admin_client, devshop
):
    grant(devshop, "read_all_orders,read_orders,write_orders,read_products,read_returns")

    pages = [
        admin_client.get(page, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        for page in (INDEX, CHANGELIST, change(a_return))
    ]

    for html in pages:
        assert NOTICE in html
        assert "Der Shopify-App fehlen Zugriffsrechte" in html
        assert "write_returns, read_locations" in html
        assert "installieren Sie die App neu" in html
    dutch = admin_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "write_returns, read_locations" in dutch and "installeer de app opnieuw" in dutch
    # Remembered for all of them: Shopify was asked once.
    assert asked(devshop, "AccessScopes") == ["ok"]


def test_no_notice_when_the_app_has_every_scope(a_return, admin_client, devshop):
    assert NOTICE not in admin_client.get(INDEX).content.decode()
    assert NOTICE not in admin_client.get(change(a_return)).content.decode()
    assert asked(devshop, "AccessScopes") == ["ok"]


def test_staff_who_do_not_work_on_requests_are_not_told_and_shopify_is_not_asked(client, devshop):
    grant(devshop, NO_WRITE_RETURNS)
    client.force_login(UserFactory(username="bookkeeper"))

    assert client.get(INDEX).status_code == 200
    assert NOTICE not in client.get(INDEX).content.decode()
    assert services.stalled_work_resume()["returns"] == 0  # nothing waits
    assert asked(devshop, "AccessScopes") == []


def test_a_step_denied_for_a_scope_makes_the_next_page_say_so(admin_client, file_request, devshop):
    assert NOTICE not in admin_client.get(INDEX).content.decode()  # remembered: all granted
    grant(devshop, NO_WRITE_RETURNS)  # the merchant approved a version without write_returns

    file_request("not_satisfied", {0: 1})

    html = admin_client.get(INDEX).content.decode()
    assert NOTICE in html and "write_returns" in html


def test_waiting_steps_go_on_once_the_scope_is_granted_each_done_once(
    file_request, staff, devshop, django_capture_on_commit_callbacks
):
    grant(devshop, NO_WRITE_RETURNS)
    request = file_request("not_satisfied", {0: 2})
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=request.pk, user=staff)
    assert len(events_of(request, steps.SHOPIFY_RETURN_WAITING)) == 2

    # Still missing: the sweep asks Shopify which scopes it has, and sends nothing.
    assert sweep(django_capture_on_commit_callbacks)["returns"] == 0
    assert asked(devshop, "ReturnRequest") == ["errors", "errors"]
    assert len(events_of(request, steps.SHOPIFY_RETURN_WAITING)) == 2

    grant(devshop, ACCESS_SCOPES)
    assert sweep(django_capture_on_commit_callbacks)["returns"] == 1

    request.refresh_from_db()
    [made] = devshop.order_by_name("#1001")["returns"]
    assert made["status"] == "OPEN" and request.shopify_return_id == made["id"]
    [resumed] = events_of(request, steps.SHOPIFY_RETURN_RESUMED)
    assert resumed.data["events"] == [
        events_of(request, steps.REQUEST)[0].pk,
        events_of(request, steps.APPROVE)[0].pk,
    ]
    # Approving had waited at the request it needs first; each is sent once once granted.
    assert asked(devshop, "ReturnRequest") == ["errors", "errors", "ok"]
    assert asked(devshop, "ReturnApprove") == ["ok"]
    assert not events_of(request, steps.SHOPIFY_RETURN_REFUSED)

    assert sweep(django_capture_on_commit_callbacks)["returns"] == 0  # nothing waits any more
    assert len(devshop.order_by_name("#1001")["returns"]) == 1


def test_a_request_cancelled_while_it_waited_is_not_made_in_shopify_just_to_be_cancelled(
    file_request, devshop, django_capture_on_commit_callbacks
):
    grant(devshop, NO_WRITE_RETURNS)
    request = file_request("not_satisfied", {0: 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.return_cancel(request_id=request.pk)  # no Return yet: nothing to cancel

    # The request ended before Shopify had its Return: none is made only to be canceled, and
    # nothing waits any more: the cancellation's catch-up found the Return where it should be.
    assert events_of(request, steps.SHOPIFY_RETURN_IN_STEP)
    grant(devshop, ACCESS_SCOPES)
    assert sweep(django_capture_on_commit_callbacks)["returns"] == 0
    assert devshop.order_by_name("#1001").get("returns", []) == []


def test_send_again_in_the_queue_takes_the_waiting_steps_at_once(
    file_request, admin_client, devshop, django_capture_on_commit_callbacks
):
    grant(devshop, NO_WRITE_RETURNS)
    request = file_request("not_satisfied", {0: 1})
    grant(devshop, ACCESS_SCOPES)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "resume_selected", "_selected_action": [request.pk]},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )

    assert "1 request&#x27;s steps sent to its Shopify Return again" in response.content.decode()
    assert [r["status"] for r in devshop.order_by_name("#1001")["returns"]] == ["REQUESTED"]
    assert NOTICE not in admin_client.get(INDEX).content.decode()
