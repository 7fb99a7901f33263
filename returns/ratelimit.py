"""Limits on failed order lookups, so the start page cannot be used to guess orders and emails.

Counters live in the cache (Redis in production: atomic increments shared by every web process)
in fixed windows. Only failed lookups count, so a shopper who gets it right is never slowed down.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    max_failures: int
    window: int  # seconds


def limits() -> list[Limit]:
    return [
        Limit("ip", settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE, 60),
        Limit("ip", settings.LOOKUP_FAILURES_PER_IP_PER_HOUR, 3600),
        Limit("order", settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR, 3600),
    ]


def client_ip(request) -> str:
    """The client's address; behind a trusted proxy, the last address it did not add itself."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed(forwarded):
        if address and address not in trusted and _is_ip(address):
            return address
    return remote


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _key(limit: Limit, subject: str, now: float) -> tuple[str, int]:
    window_start = int(now // limit.window) * limit.window
    return f"lookup-failures:{limit.scope}:{limit.window}:{subject}:{window_start}", window_start


def _subjects(ip: str, order_name: str | None) -> dict[str, str | None]:
    return {"ip": ip, "order": (order_name or "").lower() or None}


def retry_after(*, ip: str, order_name: str | None) -> int | None:
    """Seconds until this client may look up again, or None if it may now."""
    now = time.time()
    waits = []
    for limit, subject in _pairs(ip, order_name):
        key, window_start = _key(limit, subject, now)
        if (cache.get(key) or 0) >= limit.max_failures:
            waits.append(int(window_start + limit.window - now) + 1)
    return max(waits) if waits else None


def failure_record(*, ip: str, order_name: str | None) -> None:
    now = time.time()
    for limit, subject in _pairs(ip, order_name):
        key, _start = _key(limit, subject, now)
        # add() is a no-op if the key exists; incr() is atomic in Redis and memcached.
        cache.add(key, 0, timeout=limit.window + 5)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start again
            cache.add(key, 1, timeout=limit.window + 5)


def _pairs(ip, order_name):
    subjects = _subjects(ip, order_name)
    return [(limit, subjects[limit.scope]) for limit in limits() if subjects[limit.scope]]
