"""The start page cannot be used to guess orders, and status links leak nowhere."""

import logging

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.logging import RedactFilter
from tests import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(devshop):
    data = shop.order("#1001", email="anna@example.com", locale="nl")
    devshop.load_orders([data])
    return data


def look_up(client, number="1001", email="anna@example.com", **extra):
    return client.post("/", {"order_number": number, "email": email}, **extra)


def test_five_failures_a_minute_from_one_address_get_a_polite_429(client, order, settings):
    for attempt in range(settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE):
        assert look_up(client, str(2000 + attempt)).status_code == 200
    response = look_up(client, "1001", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 61
    with translation.override("de"):
        assert gettext("Please wait a moment") in response.content.decode()


def test_a_correct_lookup_is_never_counted(client, order, settings):
    for _ in range(settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE + 3):
        assert look_up(client).status_code == 302


def test_one_order_number_is_protected_against_many_addresses(client, order, settings):
    for attempt in range(settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR):
        address = f"198.51.100.{attempt}"
        assert (
            look_up(client, email=f"guess{attempt}@example.com", REMOTE_ADDR=address).status_code
            == 200
        )
    # From then on nobody gets in by guessing; the owner gets a link by email instead
    # (tests/returns/test_lookup_limits.py).
    response = look_up(client, email="guess99@example.com", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert look_up(client, REMOTE_ADDR="203.0.113.10").status_code == 200
    assert client.get("/order/").status_code == 302


def test_the_limits_are_settings(client, order, settings):
    settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE = 1
    look_up(client, "2000")
    assert look_up(client, "2001").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, order, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE = 2
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        look_up(client, "2000", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert look_up(client, "2001", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    assert look_up(client, "2002", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 200


def test_an_untrusted_client_cannot_pick_its_address(client, order, settings):
    settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE = 2
    for n in range(2):
        look_up(client, "2000", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert look_up(client, "2001", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_probing_unknown_numbers_does_not_cost_shopify_requests(client, order, devshop):
    for _ in range(3):
        look_up(client, "9999")
    assert len(devshop.request_log()) == 1


def test_status_links_and_emails_stay_out_of_the_logs(client, a_return, caplog, settings):
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    wrong = "not-a-real-token-" + "x" * 30
    with caplog.at_level(logging.INFO):
        client.get(reverse("returns:status", args=[wrong]))
        logging.getLogger("returns").warning(
            "Mail to %s about /r/%s/", a_return.customer_email, a_return.token
        )
    redact = RedactFilter()
    text = "\n".join(record.getMessage() for record in caplog.records if redact.filter(record))
    assert "Not Found: /r/[token]/" in text
    assert a_return.customer_email not in text and a_return.token not in text and wrong not in text


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def printed_lines(logger_name, message, *args):
    """What every handler a record from this logger reaches would print: filters, then format."""
    logger, printed = logging.getLogger(logger_name), []
    while logger is not None:
        # pytest's own capturing handlers are not part of the portal's configuration.
        for handler in [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]:
            record = logger.makeRecord(
                logger_name, logging.WARNING, __file__, 1, message, args, None
            )
            if handler.filter(record):
                printed.append(handler.format(record))
        logger = logger.parent if logger.propagate else None
    return printed


def test_status_links_stay_out_of_the_logs_with_debug_on(a_return, settings):
    # With DEBUG on, Django's own console handler (DEFAULT_LOGGING) prints django.* records too,
    # past the portal's redaction, unless the portal's logging configuration replaces it.
    settings.DEBUG = True
    for name in ("django.request", "django.server", "django.security.csrf", "returns"):
        printed = printed_lines(name, "Not Found: /r/%s/", a_return.token)
        assert printed, name
        assert all("/r/[token]/" in line for line in printed), (name, printed)
        assert not any(a_return.token in line for line in printed)


def test_status_pages_are_never_stored_by_browsers_or_proxies(client, a_return):
    for name in ("returns:status", "returns:submitted"):
        response = client.get(reverse(name, args=[a_return.token]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
