"""The return policy editor: its own permission, every mistake refused whole, a new version per
save with who and what changed, and requests decided under the version in force."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from devshop.returns import REASON_DEFINITIONS
from returns import selectors, services
from returns.admin_policy_forms import ReasonForm
from returns.models import PolicyVersion, ReturnRequest
from returns.policy import ReturnPolicy
from tests import shop
from tests.factories import UserFactory
from tests.returns.test_shopper_pages import look_up_order, quantity_name

pytestmark = pytest.mark.django_db

EDIT = reverse("admin:returns_policyversion_add")
VERSIONS = reverse("admin:returns_policyversion_changelist")


def reason(code, track, handle, *, shipping=("", ""), restocking=("", ""), words=None):
    words = words or (code.title(), f"{code} (nl)", f"{code} (de)")
    return {
        "code": code,
        "track": track,
        "label_en": words[0],
        "label_nl": words[1],
        "label_de": words[2],
        "shopify_handle": handle,
        "return_shipping_fee_kind": shipping[0],
        "return_shipping_fee": shipping[1],
        "restocking_fee_kind": restocking[0],
        "restocking_fee": restocking[1],
    }


REASONS = [
    reason("too-small", "not_satisfied", "size-too-small", shipping=("amount", "4.95")),
    reason("changed-mind", "not_satisfied", "changed-mind", restocking=("percent", "10")),
    reason("broken", "defect", "damaged-or-defective"),
]


def posted(*, window="30", guarantee="2", tags="final-sale", scopes=(), reasons=REASONS):
    data = {
        "return_window_days": window,
        "guarantee_years": guarantee,
        "final_sale_tags": tags,
        "scopes-TOTAL_FORMS": str(len(scopes)),
        "scopes-INITIAL_FORMS": "0",
        "reasons-TOTAL_FORMS": str(len(reasons)),
        "reasons-INITIAL_FORMS": "0",
    }
    for prefix, rows in (("scopes", scopes), ("reasons", reasons)):
        for n, row in enumerate(rows):
            data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def file(shop_order, django_capture_on_commit_callbacks):
    """File a request for one unit of a line, with the reason code chosen."""

    def make(reason, code, line=0):
        order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
        lines = shop_order["lineItems"]["nodes"]
        with django_capture_on_commit_callbacks(execute=True):
            return services.return_request_create(
                order=order,
                quantities={lines[line]["id"]: 1},
                reason=reason,
                reason_code=code,
                remedy="replacement" if reason == "defect" else "",
                comment="Broken." if reason == "defect" else "",
                locale="nl",
            )

    return make


@pytest.fixture
def editor(client, devshop):
    user = UserFactory(username="petra")
    user.user_permissions.add(Permission.objects.get(codename="change_policy"))
    client.force_login(user)
    return user


def test_staff_without_the_policy_permission_can_neither_open_nor_save_the_editor(client):
    user = UserFactory(username="warehouse")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_returnrequest"]))
    client.force_login(user)

    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, posted()).status_code == 403
    assert client.get(VERSIONS).status_code == 403
    assert not PolicyVersion.objects.exists()


def test_the_editor_shows_todays_settings_until_a_version_is_saved(client, editor, settings):
    settings.RETURN_WINDOW_DAYS = 21
    html = client.get(EDIT).content.decode()

    assert 'name="return_window_days" value="21"' in html
    assert 'value="changed-mind"' in html and 'value="damaged-or-defective"' in html
    assert "None yet" in html
    assert selectors.policy_current().version_id is None


def test_saving_makes_a_new_version_with_its_author_what_changed_and_an_admin_log_entry(
    client, editor
):
    scopes = [{"kind": "tag", "value": "winter", "return_window_days": "60"}]
    response = client.post(EDIT, posted(scopes=scopes))
    assert response.status_code == 302

    version = PolicyVersion.objects.get()
    assert version.created_by == editor
    assert "scope added: tag winter 60 d" in version.changes
    assert "reason added: too-small (not_satisfied)" in version.changes
    assert LogEntry.objects.get(object_id=str(version.pk)).user == editor

    client.post(EDIT, posted(window="45", scopes=scopes))
    newest, first = PolicyVersion.objects.all()
    assert newest.changes == ["return_window_days: 30 → 45"]
    assert first.return_window_days == 30  # never edited
    listed = client.get(EDIT).content.decode()
    assert "return_window_days: 30 → 45" in listed and "petra" in listed
    detail = client.get(reverse("admin:returns_policyversion_change", args=[newest.pk]))
    assert detail.status_code == 200 and "too-small" in detail.content.decode()
    assert client.post(
        reverse("admin:returns_policyversion_change", args=[newest.pk]), {}
    ).status_code in (302, 403)
    newest.refresh_from_db()
    assert newest.return_window_days == 45  # a version is never edited

    policy = selectors.policy_current()
    assert policy.version_id == newest.pk and policy.return_window_days == 45
    assert str(policy.reason("too-small").return_shipping_fee.amount) == "4.95"
    assert str(policy.reason("changed-mind").restocking_fee.percent) == "10"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"window": "-1"}, "The return window cannot be negative"),
        ({"guarantee": "1"}, "The legal guarantee lasts at least 2 years"),
        (
            {
                "reasons": [
                    *REASONS[1:],
                    reason("big", "not_satisfied", "size-too-large", shipping=("percent", "101")),
                ]
            },
            "A percentage fee must be between 0 and 100.",
        ),
        (
            {
                "reasons": [
                    *REASONS[1:],
                    reason("big", "not_satisfied", "size-too-large", restocking=("percent", "-5")),
                ]
            },
            "A percentage fee must be between 0 and 100.",
        ),
        (
            {
                "reasons": [
                    *REASONS[:2],
                    reason("broken", "defect", "damaged-or-defective", shipping=("amount", "4.95")),
                ]
            },
            "the shopper pays no return shipping or restocking fee",
        ),
        (
            {"reasons": [*REASONS, reason("too-small", "not_satisfied", "size-too-small")]},
            "The code “too-small” is used by more than one reason.",
        ),
        (
            {"reasons": [*REASONS[1:], reason("meh", "not_satisfied", "no-such-reason")]},
            "Shopify does not know the return reason “no-such-reason”",
        ),
        ({"reasons": REASONS[:2]}, "at least one reason for “Defect”"),
        (
            {"scopes": [{"kind": "tag", "value": "winter", "return_window_days": "-1"}]},
            "The return window cannot be negative",
        ),
    ],
)
def test_a_mistake_is_refused_with_a_clear_message_and_nothing_is_saved(
    client, editor, changes, message
):
    response = client.post(EDIT, posted(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "The return policy was not saved" in response.content.decode()
    assert not PolicyVersion.objects.exists()
    assert not LogEntry.objects.exists()


def test_the_refusal_is_in_the_staff_members_language(client, editor):
    client.cookies["django_language"] = "de"
    with translation.override("de"):
        response = client.post(EDIT, posted(window="-1"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Die Rückgabefrist kann nicht negativ sein" in response.content.decode()


def test_a_request_records_the_version_it_was_decided_under_and_the_reason_chosen(
    client, editor, file
):
    before = file("not_satisfied", "")
    client.post(EDIT, posted())
    version = PolicyVersion.objects.get()
    after = file("not_satisfied", "too-small", line=1)

    assert before.policy_version is None and before.reason_code == "not_satisfied"
    assert after.policy_version == version and after.reason_code == "too-small"
    assert after.reason == "not_satisfied"
    client.post(EDIT, posted(window="45"))
    after.refresh_from_db()
    assert after.policy_version == version  # a change applies to requests made after it

    with pytest.raises(services.ReturnError):  # a defect's reason on the withdrawal track
        file("not_satisfied", "broken", line=1)


def test_the_shopify_return_is_requested_with_the_chosen_reasons_return_reason(
    client, editor, file, devshop
):
    client.post(EDIT, posted())
    request = file("not_satisfied", "too-small")

    [made] = devshop.order_by_name("#1001")["returns"]
    assert made["id"] == ReturnRequest.objects.get(pk=request.pk).shopify_return_id
    assert made["lines"][0]["returnReasonDefinitionId"] == definition(devshop, "size-too-small")


def test_a_request_without_a_chosen_reason_falls_back_to_its_tracks_return_reason(file, devshop):
    file("defect", "")
    [made] = devshop.order_by_name("#1001")["returns"]
    assert made["lines"][0]["returnReasonDefinitionId"] == definition(
        devshop, "damaged-or-defective"
    )


def definition(devshop, handle):
    return next(d["id"] for d in REASON_DEFINITIONS if d["handle"] == handle)


def test_the_shoppers_form_offers_the_policys_reasons_under_their_track_in_their_language(
    client, devshop
):
    labels = ("Too small", "Te klein", "Zu klein")
    reasons = [
        reason("too-small", "not_satisfied", "size-too-small", words=labels),
        *REASONS[1:],
    ]
    services.policy_version_create(
        policy=ReturnPolicy(reasons=tuple(_reason_option(r) for r in reasons), guarantee_years=2),
        user=None,
    )
    data = look_up_order(client, devshop, "nl")
    html = client.get(reverse("returns:order"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Te klein" in html and 'value="too-small"' in html and 'value="broken"' in html

    client.post(
        reverse("returns:order"),
        {
            "submission_key": "5f0c6a8e-3f55-4b8e-9d5e-7f1c2d3e4a5b",
            quantity_name(data): 1,
            "reason": "too-small",
        },
    )
    made = ReturnRequest.objects.get()
    assert (made.reason, made.reason_code) == ("not_satisfied", "too-small")


def _reason_option(row):
    form = ReasonForm(row)
    assert form.is_valid(), form.errors
    return form.reason()


def test_the_order_copy_carries_shopifys_product_type_and_collections_for_the_scopes(
    client, editor, devshop
):
    items = [
        shop.line_item("Wool coat", quantity=1, product_type="Coats", collections=("winter",)),
    ]
    devshop.load_orders(
        [shop.order("#1077", email="anna@example.com", items=items, delivered_days_ago=50)]
    )
    order = services.shopify_order_lookup(order_number="1077", email="anna@example.com")
    [coat] = selectors.order_snapshot(order).line_items
    assert (coat.product_type, coat.product_collections) == ("Coats", ("winter",))

    def request(code):
        return services.return_request_create(
            order=order,
            quantities={coat.id: 1},
            reason="not_satisfied",
            reason_code=code,
            comment="",
            locale="nl",
        )

    with translation.override("en"), pytest.raises(services.ReturnError, match="30-day"):
        request("not_satisfied")
    scopes = [{"kind": "collection", "value": "winter", "return_window_days": "60"}]
    client.post(EDIT, posted(scopes=scopes))
    made = request("too-small")
    assert made.policy_version == PolicyVersion.objects.get()  # day 50 of 60: accepted
