"""Failed order lookups are limited per address (IPv6 per /64) and per order, atomically, and the
limit on an order never locks out its owner."""

import re

import pytest
from django.core import mail
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse

from returns.models import ShopifyOrder
from tests import shop
from tests.returns.lookup_race import RACERS, parallel_wrong_lookups

START = "/"
ORDER = reverse("returns:order")


@pytest.fixture
def order(devshop):
    data = shop.order("#1001", email="anna@example.com", locale="de")
    devshop.load_orders([data])
    return data


def look_up(client, number="1001", email="anna@example.com", address="192.0.2.1"):
    return client.post(START, {"order_number": number, "email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_lookups_get_no_more_than_the_limit_through(
    client, order, settings, monkeypatch
):
    settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR = 1000
    look_up(client)  # the order copy is stored
    statuses = parallel_wrong_lookups(monkeypatch, LocMemCache)
    assert len(statuses) == RACERS
    assert statuses.count(429) == RACERS - settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE
    assert statuses.count(200) == settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE


@pytest.mark.django_db
def test_ipv6_addresses_are_counted_per_64(client, order, settings):
    for host in range(1, settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE + 1):
        assert look_up(client, "2000", address=f"2001:db8:1:2::{host:x}").status_code == 200
    # Another address of the same /64 (one household, or one attacker rotating): limited.
    assert look_up(client, "2000", address="2001:db8:1:2:aaaa:bbbb:cccc:dddd").status_code == 429
    assert look_up(client, "2000", address="::ffff:192.0.2.1").status_code == 200
    # The neighbouring /64 is someone else.
    assert look_up(client, "2000", address="2001:db8:1:3::1").status_code == 200


def lock_order_by_guessing(client, settings):
    for n in range(settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR):
        assert (
            look_up(client, email=f"guess{n}@example.com", address=f"198.51.100.{n}").status_code
            == 200
        )


@pytest.mark.django_db
def test_ten_wrong_lookups_do_not_lock_out_the_owner_who_gets_a_one_time_link(
    client, order, settings, django_capture_on_commit_callbacks
):
    lock_order_by_guessing(client, settings)

    with django_capture_on_commit_callbacks(execute=True):
        response = look_up(client, address="203.0.113.9")

    # Not in at once (a guesser's right guess would be too), but a link to the order's address.
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session and client.get(ORDER).status_code == 302
    assert [message.to for message in mail.outbox] == [["anna@example.com"]]
    message = mail.outbox[0]
    assert "#1001" in message.subject and "\n" not in message.subject
    assert "Ihrer Bestellung" in message.body  # the order's language: German
    link = re.search(r"http://\S+/lookup/\S+/", message.body).group(0)
    path = link.split("http://testserver", 1)[-1].split("127.0.0.1:8000", 1)[-1]

    # A mail scanner following the link (GET) does not use it up; the shopper's click does.
    assert client.get(path).status_code == 200
    opened = client.post(path)

    assert opened.status_code == 302 and opened["Location"] == ORDER
    assert client.get(ORDER).status_code == 200
    # One time only, in any browser.
    other = client.__class__()
    assert other.get(path).status_code == 410
    assert other.post(path).status_code == 410
    assert other.get(ORDER).status_code == 302


@pytest.mark.django_db
def test_while_an_order_is_locked_a_wrong_email_gets_the_same_answer_and_no_mail(
    client, order, settings, django_capture_on_commit_callbacks
):
    lock_order_by_guessing(client, settings)
    with django_capture_on_commit_callbacks(execute=True):
        right = look_up(client, address="203.0.113.9")
        wrong = look_up(client, email="someone@example.com", address="203.0.113.10")
        unknown = look_up(client, number="4242", address="203.0.113.11")

    def shape(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert right.status_code == wrong.status_code == 200
    assert shape(right).replace("anna@example.com", "someone@example.com") == shape(wrong)
    assert len(mail.outbox) == 1
    assert unknown.status_code == 200


@pytest.mark.django_db
def test_a_forged_or_expired_link_opens_nothing(client, order, settings):
    from returns.services.lookup_links import lookup_link_make

    look_up(client)
    stored = ShopifyOrder.objects.get()
    other = client.__class__()
    assert other.post("/lookup/forged:value/").status_code == 410
    settings.LOOKUP_LINK_MAX_AGE = -1  # every link is already expired
    path = lookup_link_make(order=stored).split("8000", 1)[1]
    assert other.post(path).status_code == 410
    assert other.get(ORDER).status_code == 302


class CacheReads:
    """Which cache operations a lookup makes, by kind (the keys differ by order number)."""

    def __init__(self, monkeypatch):
        self.calls = []
        for name in ("get", "set", "add", "incr", "decr", "delete"):
            original = getattr(LocMemCache, name)
            monkeypatch.setattr(LocMemCache, name, self._spy(name, original))

    def _spy(self, name, original):
        def spy(cache, key, *args, **kwargs):
            self.calls.append((name, re.sub(r"#?\d{3,}", "N", str(key))))
            return original(cache, key, *args, **kwargs)

        return spy


def sql_shapes(queries):
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


@pytest.mark.django_db
def test_a_known_and_an_unknown_order_number_do_the_same_work(
    client, order, settings, monkeypatch, devshop
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    look_up(client, email="wrong@example.com")  # the order's copy is stored
    look_up(client, number="9999")  # the unknown number is remembered
    shopify_before = len(devshop.request_log())
    work = {}
    for label, number in (("known", "1001"), ("unknown", "9999")):
        reads = CacheReads(monkeypatch)
        with CaptureQueriesContext(connection) as queries:
            response = look_up(
                client, number=number, email="wrong@example.com", address="192.0.2.7"
            )
        monkeypatch.undo()
        assert response.status_code == 200
        work[label] = (sql_shapes(queries.captured_queries), reads.calls)
    assert work["known"] == work["unknown"]
    assert len(devshop.request_log()) == shopify_before


@pytest.mark.django_db
def test_a_failed_lookup_is_answered_no_sooner_than_the_floor(client, order, settings, monkeypatch):
    from returns import ratelimit

    class Controlled:
        """A clock that moves only when told to: 10 ms per reading, and by each sleep."""

        def __init__(self):
            self.time, self.slept = 1000.0, []

        def wall(self):
            return 1_800_000_030.0

        def now(self):
            self.time += 0.01
            return self.time

        def sleep(self, seconds):
            self.slept.append(seconds)
            self.time += seconds

    clock = Controlled()
    monkeypatch.setattr(ratelimit, "clock", clock)
    settings.LOOKUP_FAILURE_MIN_SECONDS = 0.5

    look_up(client, number="9999")
    look_up(client, email="wrong@example.com")
    assert [round(seconds, 2) for seconds in clock.slept] == [0.49, 0.49]
    assert look_up(client).status_code == 302
    assert len(clock.slept) == 2  # the right answer never waits
