"""devshop's clock: the one time every part of devshop reads, and that a test can move.

Throttling (the bucket refills with time), access-token and idempotency-key expiry, the request
log and the timestamps devshop writes on orders and refunds all read it. It runs with the wall
clock until told otherwise; `freeze()` stops it at a moment, `advance()` moves it on. Its setting
is stored with the shop (the options table), so every process of the demo and the tests, and
devshop's own server thread, reads the same time; resetting the shop puts it back on the wall
clock. `manage.py devshop clock` moves it from a shell.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

OPTION = "clock"


def moment(setting: dict | None, wall: float) -> float:
    """The time a stored clock setting says it is, given the wall clock's."""
    setting = setting or {}
    if setting.get("frozen") is not None:
        return float(setting["frozen"])
    return wall + float(setting.get("offset", 0.0))


def iso(seconds: float) -> str:
    """Shopify's way of writing a moment: UTC, to the second, with a Z."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """The clock of one shop (a Store): read it, freeze it, move it."""

    def __init__(self, store):
        self.store = store

    def now(self) -> float:
        return moment(self.store.option(OPTION, {}), time.time())

    def iso(self) -> str:
        return iso(self.now())

    def frozen(self) -> bool:
        return (self.store.option(OPTION, {}) or {}).get("frozen") is not None

    def freeze(self, at: float | datetime | None = None) -> float:
        """Stop the clock at `at` (default: now); it stays there until advanced or resumed."""
        if isinstance(at, datetime):
            at = at.timestamp()
        at = self.now() if at is None else float(at)
        self.store.set_option(OPTION, {"frozen": at})
        return at

    def advance(self, seconds: float) -> float:
        """Move the clock on (frozen or running); returns the new time."""
        setting = dict(self.store.option(OPTION, {}) or {})
        if setting.get("frozen") is not None:
            setting["frozen"] = float(setting["frozen"]) + seconds
        else:
            setting["offset"] = float(setting.get("offset", 0.0)) + seconds
        self.store.set_option(OPTION, setting)
        return self.now()

    def resume(self) -> None:
        """Back to the wall clock."""
        self.store.set_option(OPTION, {})
