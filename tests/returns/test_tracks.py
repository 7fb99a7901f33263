"""The two legal tracks: "not satisfied" is a withdrawal, "defect" a claim under the legal
guarantee. Each says so on the shopper's form, status page and emails, on the Shopify order's
note and in the back office; staff see when a withdrawal's refund falls due."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from returns import services
from returns.models import ReturnRequest
from tests import shop
from tests.factories import ReturnLineFactory, ReturnRequestFactory

pytestmark = pytest.mark.django_db

START = reverse("returns:start")
ORDER = reverse("returns:order")
CHANGELIST = reverse("admin:returns_returnrequest_changelist")


def make_order(devshop, *, locale="en", delivered_days_ago=8):
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order(
        "#1001",
        email="anna@example.com",
        locale=locale,
        items=items,
        shipped_days_ago=delivered_days_ago + 2,
        delivered_days_ago=delivered_days_ago,
    )
    devshop.load_orders([data])
    return data


def file(client, data, index, *, reason, remedy="", comment=""):
    client.post(START, {"order_number": "1001", "email": "anna@example.com"})
    item = data["lineItems"]["nodes"][index]["id"].rsplit("/", 1)[1]
    form = {
        "reason": reason,
        "remedy": remedy,
        "comment": comment,
        "submission_key": str(uuid.uuid4()),
        f"quantity_{item}": 1,
    }
    return client.post(ORDER, form)


def note_lines(devshop):
    return devshop.order_by_name("#1001")["note"].splitlines()


def status_page(client, request):
    return client.get(reverse("returns:status", args=[request.token])).content.decode()


def test_not_satisfied_is_a_withdrawal_without_a_reason_everywhere(
    client, devshop, django_capture_on_commit_callbacks
):
    data = make_order(devshop)
    with django_capture_on_commit_callbacks(execute=True):
        response = file(client, data, 0, reason="not_satisfied", comment="")
    assert response.status_code == 302
    request = ReturnRequest.objects.get()
    assert request.comment == "" and request.remedy == ""

    html = status_page(client, request)
    assert "Withdrawal R-1001-1" in html
    assert "A withdrawal needs no reason." in html
    assert "within 14 days of receiving your withdrawal" in html

    (email,) = mail.outbox
    assert email.subject.startswith("Your withdrawal R-1001-1 at ")
    assert "We have received your withdrawal R-1001-1 for order #1001." in email.body
    assert "We refund you within 14 days of receiving your withdrawal" in email.body

    (line,) = [line for line in note_lines(devshop) if "R-1001-1" in line]
    assert "R-1001-1 (withdrawal): withdrawal received (not satisfied), no reason needed" in line


def test_a_defect_is_a_guarantee_claim_with_the_remedy_the_shopper_chose(
    client, devshop, django_capture_on_commit_callbacks, staff
):
    data = make_order(devshop)
    with django_capture_on_commit_callbacks(execute=True):
        file(client, data, 1, reason="defect", remedy="repair", comment="The switch is loose.")
    request = ReturnRequest.objects.get()
    assert request.remedy == "repair"

    html = status_page(client, request)
    assert "Guarantee claim R-1001-1" in html
    assert "claim under the legal guarantee" in html and "You asked for a repair." in html
    assert "Once we have accepted the repair, we tell you where to send the item." in html
    # The withdrawal function's button is in every page's header, as the law wants; the claim's
    # own words never call it a withdrawal.
    main = html[html.index('<main id="main"') : html.index("</main>")]
    assert "withdraw" not in main.lower()

    (email,) = mail.outbox
    assert email.subject.startswith("Your guarantee claim R-1001-1 at ")
    assert "You asked for a repair." in email.body
    assert "withdraw" not in email.body.lower() and "withdraw" not in email.subject.lower()

    (line,) = [line for line in note_lines(devshop) if "R-1001-1" in line]
    assert (
        "R-1001-1 (legal guarantee): defect reported, remedy asked for: Repair; 1 × Desk lamp"
        in (line)
    )

    # Staff read the same remedy on the request's screen and in the queue.
    client.force_login(staff)
    screen = client.get(reverse("admin:returns_returnrequest_change", args=[request.pk]))
    assert (
        "Repair" in screen.content.decode() and "Legal guarantee claim" in screen.content.decode()
    )
    queue = client.get(CHANGELIST).content.decode()
    assert "Repair" in queue and "Legal guarantee claim" in queue


def test_every_later_step_says_the_track_in_its_email_and_note_line(
    client, devshop, django_capture_on_commit_callbacks, staff
):
    data = make_order(devshop)
    with django_capture_on_commit_callbacks(execute=True):
        file(client, data, 1, reason="defect", remedy="replacement", comment="Cracked.")
    request = ReturnRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_approve(request_id=request.pk, user=staff)
    approved = mail.outbox[-1]
    assert "Guarantee claim R-1001-1, order #1001" in approved.body
    assert "Your claim has been accepted. We are preparing a replacement." in approved.body
    assert (
        note_lines(devshop)[-1].split(" ", 1)[1].startswith("R-1001-1 (legal guarantee): approved")
    )


def test_a_claim_needs_a_remedy_chosen(client, devshop):
    data = make_order(devshop)
    response = file(client, data, 1, reason="defect", remedy="", comment="Broken.")
    assert response.status_code == 200
    assert (
        "Please choose whether you want the item repaired or replaced." in response.content.decode()
    )
    assert not ReturnRequest.objects.exists()
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    lamp = data["lineItems"]["nodes"][1]["id"]
    with pytest.raises(services.ReturnError, match="repaired or replaced"):
        services.return_request_create(
            order=order, quantities={lamp: 1}, reason="defect", comment="Broken.", locale="en"
        )


def test_a_remedy_sent_with_a_withdrawal_is_not_kept(client, devshop):
    data = make_order(devshop)
    file(client, data, 0, reason="not_satisfied", remedy="repair")
    assert ReturnRequest.objects.get().remedy == ""


def test_staff_may_refund_a_claim_when_neither_remedy_works(
    client, devshop, django_capture_on_commit_callbacks, staff
):
    data = make_order(devshop)
    with django_capture_on_commit_callbacks(execute=True):
        file(client, data, 1, reason="defect", remedy="repair", comment="Cannot be fixed.")
    request = ReturnRequest.objects.get()
    services.return_approve(request_id=request.pk, user=staff)
    client.force_login(staff)
    screen = client.get(reverse("admin:returns_returnrequest_change", args=[request.pk]))
    assert (
        reverse("admin:returns_returnrequest_refund", args=[request.pk]) in screen.content.decode()
    )


def test_a_defect_is_refused_after_the_two_year_guarantee_with_its_reason(client, devshop):
    data = make_order(devshop, delivered_days_ago=800)
    response = file(client, data, 1, reason="defect", remedy="replacement", comment="Broken.")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The legal guarantee period for this item (2 years from delivery) ended on" in html
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("de", ["Widerruf R-1001-1", "Ein Widerruf bedarf keiner Begründung."]),
        ("nl", ["Herroeping R-1001-1", "Voor een herroeping hoeft u geen reden op te geven."]),
    ],
)
def test_the_withdrawal_is_worded_as_the_law_does_in_german_and_dutch(
    client, devshop, django_capture_on_commit_callbacks, locale, words
):
    data = make_order(devshop, locale=locale)
    with django_capture_on_commit_callbacks(execute=True):
        file(client, data, 0, reason="not_satisfied")
    request = ReturnRequest.objects.get()
    with translation.override(locale):
        html = client.get(
            reverse("returns:status", args=[request.token]), HTTP_ACCEPT_LANGUAGE=locale
        ).content.decode()
    for word in words:
        assert word in html
        email = mail.outbox[0]
        assert word.lower() in f"{email.subject}\n{email.body}".lower()


# --- the legal deadline for staff --------------------------------------------------------------


def withdrawal(days_ago, **fields):
    request = ReturnRequestFactory(**fields)
    ReturnLineFactory(request=request)
    ReturnRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return request


@pytest.fixture
def queue(client, staff):
    client.force_login(staff)
    return client


def rows(html, *numbers):
    return sorted(numbers, key=html.index)


def test_the_queue_shows_days_left_for_unrefunded_withdrawals_soonest_first(queue):
    fresh = withdrawal(1)
    urgent = withdrawal(12)
    overdue = withdrawal(16)
    refunded = withdrawal(13, status="resolved")
    claim = withdrawal(13, kind="claim", reason="defect", remedy="replacement")
    html = queue.get(CHANGELIST).content.decode()
    assert "13 days left" in html and "2 days left" in html and "2 days overdue" in html
    numbers = [r.number for r in (fresh, urgent, overdue, refunded, claim)]
    # Overdue first, then the soonest deadline; requests without one after them.
    assert rows(html, *numbers)[:3] == [overdue.number, urgent.number, fresh.number]
    assert html.count("days left") + html.count("days overdue") == 3


def test_the_deadline_in_3_days_filter(queue):
    fresh = withdrawal(1)
    urgent = withdrawal(11)
    overdue = withdrawal(15)
    claim = withdrawal(13, kind="claim", reason="defect", remedy="repair")
    rejected = withdrawal(13, status="rejected")
    html = queue.get(CHANGELIST, {"deadline": "3"}).content.decode()
    assert urgent.number in html and overdue.number in html
    for other in (fresh, claim, rejected):
        assert other.number not in html
    assert "Deadline in 3 days or passed" in queue.get(CHANGELIST).content.decode()


def test_the_queue_writes_the_deadline_day_first_in_english(queue):
    # A shop in Europe reads 05/12/2026 as the 5th of December; so must the English back office.
    withdrawal(10)
    due = timezone.localdate(timezone.now() - timedelta(days=10) + timedelta(days=14))
    html = queue.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"({due:%d/%m/%Y})" in html
