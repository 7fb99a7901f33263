"""Limits on failed order lookups, so the start page cannot be used to guess orders and emails.

Counters live in the cache (Redis in production: atomic increments shared by every web process)
in fixed windows. A lookup is counted *before* it is made, with one atomic increment whose result
is also the check: of twenty parallel guesses exactly the limit get through, where reading the
counter first and writing it afterwards let them all through. A lookup that succeeds takes its
count back, so a shopper who gets it right is never slowed down.

IPv6 addresses are counted per /64: one subscriber gets at least that many addresses, and
rotating through them is free. An order whose number has been guessed at too often is not closed
to its owner: the right email address then gets a one-time link by email instead of the order
page (returns.services.lookup_links), and a guesser learns nothing from the answer.
"""

import ipaddress
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    max_failures: int
    window: int  # seconds


@dataclass
class Attempt:
    """One lookup, counted: whether it may be made, and the counters to give back on success."""

    retry_after: int | None = None  # the address is over its limit: answer 429
    order_locked: bool = False  # the order number is over its limit: answer by email only
    keys: list[str] = field(default_factory=list)


class Clock:
    """Time for the windows and the failure floor; the tests put a controlled one in its place."""

    wall = staticmethod(time.time)  # the windows: the same in every process
    now = staticmethod(time.monotonic)  # the floor
    sleep = staticmethod(time.sleep)


clock = Clock()


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


def address_subject(ip: str) -> str:
    """What an address is counted as: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _key(limit: Limit, subject: str, now: float) -> tuple[str, int]:
    window_start = int(now // limit.window) * limit.window
    return f"lookup-failures:{limit.scope}:{limit.window}:{subject}:{window_start}", window_start


def attempt_count(*, ip: str, order_name: str | None) -> Attempt:
    """Count a lookup about to be made, and say in the same step whether it may be made."""
    now = clock.wall()
    attempt = Attempt()
    subjects = {"ip": address_subject(ip) or None, "order": (order_name or "").lower() or None}
    waits = []
    for scope in ("ip", "order"):
        for limit in [limit for limit in limits() if limit.scope == scope]:
            if not subjects[scope]:
                continue
            key, window_start = _key(limit, subjects[scope], now)
            attempt.keys.append(key)
            if _increment(key, limit.window) > limit.max_failures:
                if scope == "ip":
                    waits.append(int(window_start + limit.window - now) + 1)
                else:
                    attempt.order_locked = True
        if waits:
            # Refused before the lookup: the order's counter is not touched.
            attempt.retry_after = max(waits)
            return attempt
    return attempt


def attempt_succeeded(attempt: Attempt) -> None:
    """The lookup found the order: it was no failure, so its counts are given back."""
    for key in attempt.keys:
        try:
            cache.decr(key)
        except ValueError:  # the window ended meanwhile
            pass


def answer_no_sooner(started: float) -> None:
    """Hold a failed lookup's answer until LOOKUP_FAILURE_MIN_SECONDS after it started.

    An unknown order number may cost a request to Shopify, a known one with a wrong email does
    not: without a floor above Shopify's answer time, timing would tell which orders exist.
    """
    wait = started + settings.LOOKUP_FAILURE_MIN_SECONDS - clock.now()
    if wait > 0:
        clock.sleep(wait)


def _increment(key: str, window: int) -> int:
    # add() is a no-op if the key exists; incr() is atomic in Redis, memcached and locmem.
    for _ in range(3):
        cache.add(key, 0, timeout=window + 5)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: start again
            continue
    return 1
