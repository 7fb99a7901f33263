"""The lookup limit's count-and-check is atomic on Redis too, the cache production shares.

Twenty simultaneous wrong lookups from one address, held together at the cache, against a limit
of five: exactly five are looked up, the rest get 429.
"""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from tests import shop
from tests.returns.lookup_race import RACERS, parallel_wrong_lookups

REDIS_URL = os.environ.get("TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_lookups_get_no_more_than_the_limit_through_on_redis(
    client, devshop, settings, monkeypatch
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Counters of this run only, whatever an earlier run left in the database.
            "KEY_PREFIX": f"lookup-race-{uuid.uuid4()}",
        }
    }
    settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR = 1000
    devshop.load_orders([shop.order("#1001", email="anna@example.com")])
    client.post("/", {"order_number": "1001", "email": "anna@example.com"})

    statuses = parallel_wrong_lookups(monkeypatch, RedisCache)

    assert len(statuses) == RACERS
    assert statuses.count(200) == settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE
    assert statuses.count(429) == RACERS - settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE
