"""The admin login cannot be brute-forced: wrong passwords lock that username from that address."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def anne(db):
    user = UserFactory(username="anne", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, password, username="anne", address="203.0.113.5", language="en"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_thirty_wrong_passwords_then_the_right_one_is_still_locked_out(client, anne):
    for attempt in range(30):
        log_in(client, f"guess-{attempt}")

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # to the login page: not in


def test_the_lockout_page_is_in_the_staff_members_language(client, anne):
    for attempt in range(5):
        log_in(client, f"guess-{attempt}", language="de")
    response = log_in(client, PASSWORD, language="de")
    assert response.status_code == 429
    with translation.override("de"):
        expected = gettext("Too many failed logins")
    assert expected != "Too many failed logins"
    assert expected in response.content.decode()


def test_a_lockout_is_for_that_username_from_that_address_only(client, anne):
    for attempt in range(10):
        log_in(client, f"guess-{attempt}", address="203.0.113.5")
    # The same staff member from the office, and someone else from the attacker's address.
    assert log_in(client, PASSWORD, address="198.51.100.7").status_code == 302
    client.logout()
    bert = UserFactory(username="bert", is_staff=True)
    bert.set_password(PASSWORD)
    bert.save()
    assert log_in(client, PASSWORD, username="bert", address="203.0.113.5").status_code == 302


def test_a_few_typos_do_not_lock_anyone_out(client, anne):
    for attempt in range(3):
        assert log_in(client, f"typo-{attempt}").status_code == 200
    assert log_in(client, PASSWORD).status_code == 302
