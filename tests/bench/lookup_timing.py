"""Can the start page's timing tell which order numbers exist? `python -m tests.bench.lookup_timing`

Times failed lookups through Django's test client against devshop, in this process, interleaved
so that drift hits every series alike, 200 samples each (BENCH_TIMING_SAMPLES):

- known: an order the portal holds, with a wrong email address;
- unknown: a number never seen, so the portal asks Shopify (devshop) once: the slow path. (A
  number asked about before is answered from the cache with the same work as a known one:
  tests/returns/test_lookup_limits.py compares their queries and cache reads.)

It runs once without the failure floor (LOOKUP_FAILURE_MIN_SECONDS = 0), to show what Shopify's
answer time gives away, and once with it (BENCH_TIMING_FLOOR, 0.3 s here, above devshop's answer
time on a busy laptop; production's default is 0.5 s, above Shopify's usual answer time). It prints the
medians and 95th percentiles and exits 1 if, with the floor, the medians differ by more than
2 ms. It needs nothing but the virtualenv: an SQLite test database and devshop on a free port.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

SAMPLES = int(os.environ.get("BENCH_TIMING_SAMPLES", "200"))
FLOOR = float(os.environ.get("BENCH_TIMING_FLOOR", "0.3"))
TOLERANCE = 0.002


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from devshop.server import start_server
    from devshop.store import get_store
    from tests import shop

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    httpd, settings.DEVSHOP_URL = start_server()
    settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE = settings.LOOKUP_FAILURES_PER_IP_PER_HOUR = 10**9
    settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR = 10**9
    store = get_store()
    store.reset()
    store.load_orders([shop.order("#1001", email="anna@example.com")])
    client = Client()
    fresh = iter(range(500000, 10**7))

    def timed(number: str) -> float:
        start = time.perf_counter()
        response = client.post("/", {"order_number": number, "email": "guess@example.com"})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed

    rows, ok = [], True
    try:
        client.post("/", {"order_number": "1001", "email": "anna@example.com"})  # stored
        for floor in (0.0, FLOOR):
            settings.LOOKUP_FAILURE_MIN_SECONDS = floor
            series = {"known": [], "unknown": []}
            for _ in range(SAMPLES):
                series["known"].append(timed("1001"))
                series["unknown"].append(timed(str(next(fresh))))
            medians = {name: statistics.median(times) for name, times in series.items()}
            spread = max(medians.values()) - min(medians.values())
            for name, times in series.items():
                p95 = statistics.quantiles(times, n=20)[-1]
                rows.append((f"{floor:.2f} s", name, medians[name], p95))
            rows.append((f"{floor:.2f} s", "spread of the medians", spread, None))
            if floor:
                ok = spread <= TOLERANCE
    finally:
        httpd.shutdown()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    print(f"Failed lookups, {SAMPLES} samples each (medians and p95 in milliseconds)")
    print(f"{'floor':>8}  {'lookup':<24}{'median':>10}{'p95':>10}")
    for floor, name, median, p95 in rows:
        p95_text = f"{p95 * 1000:10.2f}" if p95 is not None else ""
        print(f"{floor:>8}  {name:<24}{median * 1000:10.2f}{p95_text}")
    verdict = "holds" if ok else "does NOT hold"
    print(
        f"target: with the floor, medians within {TOLERANCE * 1000:.0f} ms of each other: {verdict}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
