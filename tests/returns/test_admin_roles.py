"""Staff with exactly the permissions the README tells a shop to give see and do what it says.

The roles are read from the README's table, so the README and the back office cannot drift apart.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from returns import services
from returns.models import RefundState
from tests.factories import RefundFactory, UserFactory

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"
VIEW = "view_returnrequest"
STEPS_OF = {  # the steps each permission of the README's table allows, by their URL name
    "approve_return": {"approve", "reject", "photos_ask"},
    "receive_return": {"receive"},
    "ship_replacement": {"ship"},
    "issue_refund": {"refund"},
}
ALL_STEPS = set().union(*STEPS_OF.values())
# Roles that are not a request's step: each opens its own screen.
SCREENS_OF = {
    "change_policy": "admin:returns_policyversion_add",
    "manage_decision_rules": "admin:returns_decisionrule_changelist",
    "view_report": "admin:returns_report_changelist",
}


def readme_roles() -> list[str]:
    """The permission codenames of the README's table of staff roles."""
    return re.findall(r"^\| `returns\.(\w+)` \|", README.read_text(), re.MULTILINE)


def url(step, request):
    return reverse(f"admin:returns_returnrequest_{step}", args=[request.pk])


def change(request):
    return reverse("admin:returns_returnrequest_change", args=[request.pk])


def login(client, *codenames):
    user = UserFactory(username="-".join(codenames))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def offered(client, request) -> set[str]:
    html = client.get(change(request)).content.decode()
    return {step for step in ALL_STEPS if url(step, request) in html}


@pytest.fixture
def requests(file_request, staff):
    """A new return, an approved claim, and a resolved claim with a replacement and a refund."""
    new = file_request("not_satisfied", {0: 1})
    approved = file_request("defect", {1: 1}, comment="The switch is broken.")
    services.return_approve(request_id=approved.pk, user=staff)
    resolved = file_request("defect", {0: 1}, comment="A seam came open.")
    services.return_approve(request_id=resolved.pk, user=staff)
    services.replacement_ship(
        request_id=resolved.pk,
        user=staff,
        carrier="gls",
        tracking_number="GLS99887766",
        shipped_on=resolved.created_at.date(),
    )
    RefundFactory(request=resolved, amount="12.34", state=RefundState.SUCCEEDED)
    return {"requested": new, "approved": approved, "resolved": resolved}


def test_the_readme_names_the_four_step_permissions_and_the_policy_editors():
    assert sorted(readme_roles()) == sorted([*STEPS_OF, *SCREENS_OF])


@pytest.mark.parametrize("codename", sorted(SCREENS_OF))
def test_a_screen_role_opens_its_screen_and_no_step_role_does(client, requests, codename):
    screen = reverse(SCREENS_OF[codename])
    login(client, codename)
    assert client.get(screen).status_code == 200
    for step_role in STEPS_OF:
        client.logout()
        login(client, VIEW, step_role)
        assert client.get(screen).status_code == 403, step_role


def test_the_report_role_opens_the_report_and_no_request(client, requests):
    assert "view_report" in readme_roles()
    login(client, "view_report")
    assert client.get(reverse("admin:returns_report_changelist")).status_code == 200
    assert client.get(change(requests["approved"])).status_code == 403
    for step in ALL_STEPS:
        assert client.get(url(step, requests["approved"])).status_code == 403, step


@pytest.mark.parametrize("codename", sorted(STEPS_OF))
def test_each_step_role_sees_the_whole_screen_and_its_own_steps(client, requests, codename):
    assert codename in readme_roles()
    login(client, VIEW, codename)

    html = client.get(change(requests["resolved"])).content.decode()
    assert "Linen shirt" in html  # the items
    assert "12.34" in html  # the refunds
    assert "GLS99887766" in html  # the replacement
    assert "Replacement shipped" in html and "returns.replacement_shipped" not in html  # history

    refunds = client.get(reverse("admin:returns_refund_changelist"), {"attention": "yes"})
    assert refunds.status_code == 200
    assert client.get(reverse("admin:returns_returnevent_changelist")).status_code == 200

    mine = STEPS_OF[codename]
    allowed = {
        "requested": {"approve", "reject", "receive"},
        "approved": {"receive", "ship", "refund", "reject", "photos_ask"},
        "resolved": {"refund"},
    }
    for status, request in requests.items():
        assert offered(client, request) == allowed[status] & mine, status
    for step in ALL_STEPS - mine:
        assert client.get(url(step, requests["approved"])).status_code == 403, step


@pytest.mark.parametrize("codename", sorted(STEPS_OF))
def test_a_step_permission_without_the_view_permission_opens_no_step_screen(
    client, requests, codename
):
    login(client, codename)
    for step in STEPS_OF[codename]:
        assert client.get(url(step, requests["approved"])).status_code == 403, step
        assert client.post(url(step, requests["approved"])).status_code == 403, step
