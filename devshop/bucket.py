"""Shopify's leaky bucket of query cost points, kept in the store so every process shares it."""

from __future__ import annotations


class Bucket:
    """Mixed into Store: `_db()`, `_now()` and the options come from there."""

    # -- the leaky bucket -----------------------------------------------------------------------

    def _bucket_level(self, db, now: float) -> tuple[float, float, float]:
        size, rate = float(self._opt(db, "bucket_size")), float(self._opt(db, "restore_rate"))
        row = db.execute("SELECT available, updated_at FROM bucket WHERE id = 1").fetchone()
        available = size if row is None else min(size, row[0] + (now - row[1]) * rate)
        return available, size, rate

    def take_from_bucket(self, cost: float) -> tuple[bool, dict]:
        """Take `cost` points if the bucket holds them; returns (taken, throttleStatus)."""
        with self._db(write=True) as db:
            now = self._now(db)
            available, size, rate = self._bucket_level(db, now)
            taken = cost <= available
            if taken:
                available -= cost
            db.execute("INSERT OR REPLACE INTO bucket VALUES (1, ?, ?)", (available, now))
        return taken, _throttle_status(available, size, rate)

    def refund_to_bucket(self, points: float) -> dict:
        """Give back what a query was charged beyond its actual cost."""
        with self._db(write=True) as db:
            now = self._now(db)
            available, size, rate = self._bucket_level(db, now)
            available = min(size, available + points)
            db.execute("INSERT OR REPLACE INTO bucket VALUES (1, ?, ?)", (available, now))
        return _throttle_status(available, size, rate)

    def set_bucket(self, available: float) -> None:
        """Set the points available now (tests use 0 to provoke throttling)."""
        with self._db(write=True) as db:
            db.execute("INSERT OR REPLACE INTO bucket VALUES (1, ?, ?)", (available, self._now(db)))

    def throttle_status(self) -> dict:
        with self._db() as db:
            return _throttle_status(*self._bucket_level(db, self._now(db)))


def _throttle_status(available: float, size: float, rate: float) -> dict:
    return {
        "maximumAvailable": size,
        "currentlyAvailable": int(available),
        "restoreRate": rate,
    }
