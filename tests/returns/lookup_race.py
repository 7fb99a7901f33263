"""Parallel wrong lookups that all read the failure counters before any of them writes.

A barrier in the cache backend's get() holds every thread there until all have arrived, so a
limit that reads its counter and then writes it (check, then count) lets every one through: the
race the issue measured. A limit that counts and checks in one atomic step does not read first,
so nobody waits at the barrier.
"""

import threading

from django.core.cache import caches
from django.test import Client

RACERS = 20


def parallel_wrong_lookups(monkeypatch, backend_class, *, number="1001"):
    """The statuses of RACERS simultaneous lookups of `number` with wrong emails, one address."""
    barrier = threading.Barrier(RACERS, timeout=3)
    original = backend_class.get

    def get(self, key, *args, **kwargs):
        if "lookup" in str(key):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # not every thread reads: the limit does not read before it counts
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(backend_class, "get", get)
    statuses, start = [], threading.Barrier(RACERS)

    def racer(n):
        client = Client()
        start.wait()
        response = client.post(
            "/",
            {"order_number": number, "email": f"guess{n}@example.com"},
            REMOTE_ADDR="203.0.113.50",
        )
        statuses.append(response.status_code)
        caches.close_all()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses
