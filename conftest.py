"""Fixtures shared by the whole test suite.

devshop stands in for Shopify: one devshop server per test session (a thread serving real HTTP),
settings.DEVSHOP_URL pointing at it so the portal's Shopify client reaches it, and an empty shop
with a full rate-limit bucket, no queued faults and an empty request log for every test.
"""

import pytest
from django.conf import settings as django_settings


@pytest.fixture(scope="session", autouse=True)
def devshop_server():
    """The base URL of devshop's server for this session."""
    from devshop.server import start_server

    httpd, base_url = start_server()
    previous = django_settings.DEVSHOP_URL
    django_settings.DEVSHOP_URL = base_url
    yield base_url
    django_settings.DEVSHOP_URL = previous
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _devshop_reset():
    # One short SQLite transaction: cheap enough to run before every test. A mutation an earlier
    # test made slow may still be under way: it finishes first, in the earlier test's shop.
    from devshop import server
    from devshop.store import get_store

    server.idle()
    get_store().reset()


@pytest.fixture
def devshop():
    """devshop's Store: load orders, inject faults, read the request log."""
    from devshop.store import get_store

    return get_store()


@pytest.fixture
def devshop_clock(devshop):
    """devshop's clock, stopped: nothing refills or expires until the test advances it."""
    # A whole second, so that the fractions tests advance by are exact in floating point.
    devshop.clock.freeze(int(devshop.clock.now()))
    return devshop.clock


@pytest.fixture
def shopify_waits(devshop_clock, monkeypatch):
    """The Shopify client's waits for a throttle, taken on devshop's clock instead of slept.

    Returns the list of seconds the client waited. The bucket refills by exactly that much, so a
    test sees the client's waiting as Shopify would, without depending on how busy the machine is.
    """
    import time
    from types import SimpleNamespace

    from returns.shopify import client

    waits = []

    def sleep(seconds):
        waits.append(seconds)
        devshop_clock.advance(seconds)

    clock_module = SimpleNamespace(**{**vars(time), "sleep": sleep})
    monkeypatch.setattr(client, "time", clock_module)
    return waits


@pytest.fixture
def sample_shop(devshop):
    """The demo's sample shop, dates shifted to now; returns its orders by name ('#1001')."""
    from devshop.loading import SAMPLE_SHOP, read_orders, shift_dates

    orders = shift_dates(read_orders(SAMPLE_SHOP))
    devshop.load_orders(orders)
    return {order["name"]: order for order in orders}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, cached tokens and remembered unknown orders never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _lookup_windows_hold_still(monkeypatch):
    """The lookup limits count in fixed windows of wall time; a test crossing a minute's end would
    see its counts start again. The windows' clock stands still in the middle of an hour."""
    from returns import ratelimit

    monkeypatch.setattr(ratelimit.clock, "wall", lambda: 1_800_000_030.0)


@pytest.fixture(scope="session", autouse=True)
def photo_store():
    """Claim photos' store: the filesystem, or an S3 bucket (TEST_PHOTOS_S3_ENDPOINT_URL, as CI's
    run against moto's server sets it), which is created here."""
    from django.core.files.storage import storages

    store = storages["photos"]
    bucket = getattr(store, "bucket_name", None)
    if bucket:
        client = store.connection.meta.client
        try:
            client.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": store.region_name},
            )
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
    return store
