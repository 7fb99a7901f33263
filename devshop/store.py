"""devshop's shop state: orders, tokens, faults, options, the request log and the rate-limit bucket.

Everything lives in one SQLite file (settings.DEVSHOP_STATE) so that every process of the demo
and the tests (web, worker, test runner, devshop's own server thread) sees the same shop. It uses
the stdlib sqlite3 module, not the Django ORM, so it stays outside the portal's database and its
test transactions. Writes take the database lock up front (BEGIN IMMEDIATE) so two processes can
never interleave a read-modify-write.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from . import clock
from .bucket import Bucket
from .faults import FAULT_KINDS, MUTATION_FAULTS
from .search import matches, name_key, parse_search

__all__ = ["FAULT_KINDS", "Store", "StoreError", "get_store", "name_key", "parse_search"]

# Shopify's published limits for a Standard plan: 100 points/second restore rate. The bucket size
# keeps Shopify's long-standing 20-seconds-of-restore ratio (1000 at 50/s), i.e. 2000 at 100/s.
DEFAULTS = {
    "bucket_size": 2000.0,
    "restore_rate": 100.0,
    "max_query_cost": 1000,
    "token_lifetime": 86399,
    "timeout_seconds": 5,
    # How long a used idempotency key is remembered; a key reused later is a new request.
    "idempotency_key_retention_seconds": 86400,
}

BUSY_TIMEOUT_SECONDS = 30
# The result stored for an idempotency key while its request is being carried out.
IN_PROGRESS = ""

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS options (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation_name TEXT,
    cost INTEGER,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    operation TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (operation, key)
);
-- Resources other than orders (draft orders), each a document of its kind, as stored orders are.
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS bucket (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    available REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


TABLES = (
    "orders",
    "tokens",
    "faults",
    "options",
    "requests",
    "bucket",
    "idempotency_keys",
    "documents",
)


class StoreError(ValueError):
    """The shop refuses a change (for example a second order with an existing name)."""


class Store(Bucket):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            # WAL lets readers in other processes proceed while one process writes.
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        self.clock = clock.Clock(self)

    @contextmanager
    def _db(self, write: bool = False):
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            if write:
                db.execute("BEGIN IMMEDIATE")
            yield db
            if write:
                db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    @staticmethod
    def _opt(db, name: str, default=None):
        return _option(db, name, default)

    def _now(self, db) -> float:
        """The shop's clock, read inside the transaction that uses it."""
        return clock.moment(_option(db, clock.OPTION, {}), time.time())

    def now_iso(self) -> str:
        return self.clock.iso()

    # -- the whole shop -------------------------------------------------------------------------

    def reset(self) -> None:
        """An empty shop: every table emptied, so also a full bucket and no used idempotency keys."""
        with self._db(write=True) as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")

    # -- orders ---------------------------------------------------------------------------------

    def load_orders(self, orders: list[dict]) -> int:
        """Store orders, replacing any with the same id; returns how many were stored."""
        with self._db(write=True) as db:
            for order in orders:
                self._put(db, order)
        return len(orders)

    def _put(self, db, order: dict) -> None:
        gid, name = order.get("id"), order.get("name")
        if not gid or not name:
            raise StoreError("an order needs an id and a name")
        clash = db.execute(
            "SELECT id FROM orders WHERE name = ? AND id != ?", (name, gid)
        ).fetchone()
        if clash:
            raise StoreError(f"order name {name} already belongs to {clash[0]}, not {gid}")
        db.execute(
            "INSERT INTO orders (id, name, doc) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
            (gid, name, json.dumps(order)),
        )

    def order_by_id(self, gid: str) -> dict | None:
        with self._db() as db:
            row = db.execute("SELECT doc FROM orders WHERE id = ?", (gid,)).fetchone()
        return json.loads(row[0]) if row else None

    def order_by_name(self, name: str) -> dict | None:
        key = name_key(name)
        return next((o for o in self.orders() if name_key(o["name"]) == key), None)

    def orders(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT doc FROM orders ORDER BY name").fetchall()
        return [json.loads(row[0]) for row in rows]

    def search_orders(self, query: str | None) -> list[dict]:
        """Orders matching a query in Shopify's search syntax (the subset the portal uses)."""
        terms = parse_search(query or "")
        return [o for o in self.orders() if all(matches(o, f, v) for f, v in terms)]

    def save_order(self, order: dict) -> dict:
        """Store a changed order, stamping updatedAt as Shopify does on every change."""
        with self._db(write=True) as db:
            order = {**order, "updatedAt": clock.iso(self._now(db))}
            self._put(db, order)
        return order

    def update_order(self, gid: str, change) -> dict | None:
        """Apply change(order) -> order atomically; None if there is no such order."""
        with self._db(write=True) as db:
            row = db.execute("SELECT doc FROM orders WHERE id = ?", (gid,)).fetchone()
            if row is None:
                return None
            order = {**change(json.loads(row[0])), "updatedAt": clock.iso(self._now(db))}
            self._put(db, order)
        return order

    def update_order_once(
        self, operation: str, key: str, fingerprint: str, gid: str, change, meanwhile=None
    ):
        """Apply change(order) -> (order | None, result) once per idempotency key.

        Returns (status, result, order) with status "done" (changed now), "refused" (change
        returned no order: nothing stored, so the key stays free), "replayed" (the key was used
        before with the same fingerprint: the stored result, nothing changed), "in_progress"
        (another request with this key is being carried out right now) or "mismatch".

        The key is taken, as in progress, before the change is worked on (`meanwhile()` is the
        time that takes), and written with its result in the same transaction as the order, so a
        change and its key are never seen apart, by any process. A key older than the option
        `idempotency_key_retention_seconds` is forgotten: reusing it is a new request.
        """
        with self._db(write=True) as db:
            retention = float(_option(db, "idempotency_key_retention_seconds"))
            used = db.execute(
                "SELECT fingerprint, result, created_at FROM idempotency_keys "
                "WHERE operation = ? AND key = ?",
                (operation, key),
            ).fetchone()
            if used and self._now(db) - used[2] < retention:
                row = db.execute("SELECT doc FROM orders WHERE id = ?", (gid,)).fetchone()
                order = json.loads(row[0]) if row else None
                if used[0] != fingerprint:
                    return "mismatch", None, order
                if used[1] == IN_PROGRESS:
                    return "in_progress", None, order
                return "replayed", json.loads(used[1]), order
            db.execute(
                "INSERT OR REPLACE INTO idempotency_keys VALUES (?, ?, ?, ?, ?)",
                (operation, key, fingerprint, IN_PROGRESS, self._now(db)),
            )
        try:
            if meanwhile:
                meanwhile()
            with self._db(write=True) as db:
                row = db.execute("SELECT doc FROM orders WHERE id = ?", (gid,)).fetchone()
                changed, result = change(json.loads(row[0]) if row else None)
                if changed is None:
                    self._forget_key(db, operation, key)
                    return "refused", result, json.loads(row[0]) if row else None
                changed = {**changed, "updatedAt": clock.iso(self._now(db))}
                self._put(db, changed)
                db.execute(
                    "UPDATE idempotency_keys SET result = ? WHERE operation = ? AND key = ?",
                    (json.dumps(result), operation, key),
                )
        except BaseException:
            with self._db(write=True) as db:
                self._forget_key(db, operation, key)
            raise
        return "done", result, changed

    @staticmethod
    def _forget_key(db, operation: str, key: str) -> None:
        db.execute(
            "DELETE FROM idempotency_keys WHERE operation = ? AND key = ? AND result = ?",
            (operation, key, IN_PROGRESS),
        )

    # -- other resources ------------------------------------------------------------------------

    def documents(self, kind: str) -> list[dict]:
        """Every stored document of this kind, oldest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT doc FROM documents WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def document(self, kind: str, gid: str) -> dict | None:
        with self._db() as db:
            row = db.execute(
                "SELECT doc FROM documents WHERE kind = ? AND id = ?", (kind, gid)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def change_document(self, kind: str, gid: str | None, change) -> dict | None:
        """change(doc | None, shop) -> doc, in one transaction with the orders it adds through
        `shop.add_order(order)` (`shop.next_order_name()` names one); gid None makes a new
        document. None if there is no document with that gid."""
        with self._db(write=True) as db:
            row = None
            if gid is not None:
                row = db.execute(
                    "SELECT doc FROM documents WHERE kind = ? AND id = ?", (kind, gid)
                ).fetchone()
                if row is None:
                    return None
            doc = change(json.loads(row[0]) if row else None, _Within(self, db))
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
            db.execute(
                "INSERT INTO documents (kind, id, seq, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc",
                (kind, doc["id"], seq, json.dumps(doc)),
            )
        return doc

    # -- access tokens --------------------------------------------------------------------------

    def issue_token(self, lifetime: float | None = None) -> str:
        if lifetime is None:
            lifetime = self.option("token_lifetime")
        token = "shpat_" + secrets.token_hex(16)
        with self._db(write=True) as db:
            db.execute("INSERT INTO tokens VALUES (?, ?)", (token, self._now(db) + lifetime))
        return token

    def app_uninstall(self) -> None:
        """As Shopify when a merchant uninstalls the app: every token is revoked, none issued."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM tokens")
        self.set_option("app_installed", False)

    def app_installed(self) -> bool:
        return bool(self.option("app_installed", True))

    def token_valid(self, token: str) -> bool:
        with self._db() as db:
            row = db.execute("SELECT expires_at FROM tokens WHERE token = ?", (token,)).fetchone()
            return bool(row) and row[0] > self._now(db)

    # -- faults ---------------------------------------------------------------------------------

    def add_fault(self, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        with self._db(write=True) as db:
            db.executemany("INSERT INTO faults (kind) VALUES (?)", [(kind,)] * count)

    def take_fault(self, mutation: bool = True) -> str | None:
        """The oldest queued fault, removed from the queue.

        Mutation-only faults (userErrors, a timeout after the change was made) stay queued while
        queries pass.
        """
        sql = "SELECT seq, kind FROM faults"
        if not mutation:
            placeholders = ", ".join("?" for _ in MUTATION_FAULTS)
            sql += f" WHERE kind NOT IN ({placeholders})"
        with self._db(write=True) as db:
            params = () if mutation else MUTATION_FAULTS
            row = db.execute(sql + " ORDER BY seq LIMIT 1", params).fetchone()
            if row:
                db.execute("DELETE FROM faults WHERE seq = ?", (row[0],))
        return row[1] if row else None

    def pending_faults(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT kind FROM faults ORDER BY seq")]

    # -- options --------------------------------------------------------------------------------

    def set_option(self, name: str, value) -> None:
        with self._db(write=True) as db:
            db.execute(
                "INSERT INTO options VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(value)),
            )

    def option(self, name: str, default=None):
        with self._db() as db:
            return _option(db, name, default)

    # -- request log ----------------------------------------------------------------------------

    def log_request(
        self, operation_name: str | None, cost: int | None, outcome: str = "ok"
    ) -> None:
        with self._db(write=True) as db:
            db.execute(
                "INSERT INTO requests (at, operation_name, cost, outcome) VALUES (?, ?, ?, ?)",
                (self._now(db), operation_name, cost, outcome),
            )

    def request_log(self) -> list[dict]:
        with self._db() as db:
            rows = db.execute(
                "SELECT operation_name, cost, outcome, at FROM requests ORDER BY seq"
            ).fetchall()
        return [
            dict(zip(("operation_name", "cost", "outcome", "at"), row, strict=False))
            for row in rows
        ]


class _Within:
    """What a document change may do to the shop's orders, inside its transaction."""

    def __init__(self, store: Store, db):
        self.store, self.db = store, db

    def now_iso(self) -> str:
        return clock.iso(self.store._now(self.db))

    def next_order_name(self) -> str:
        numbers = [
            int("".join(c for c in name if c.isdigit()) or 0)
            for (name,) in self.db.execute("SELECT name FROM orders")
        ]
        return f"#{max(numbers, default=1000) + 1}"

    def count(self, kind: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE kind = ?", (kind,)).fetchone()[
            0
        ]

    def add_order(self, order: dict) -> None:
        self.store._put(self.db, order)


def _option(db, name: str, default=None):
    row = db.execute("SELECT value FROM options WHERE name = ?", (name,)).fetchone()
    if row:
        return json.loads(row[0])
    return DEFAULTS.get(name) if default is None else default


_stores: dict[str, Store] = {}


def get_store() -> Store:
    """The Store at settings.DEVSHOP_STATE (one instance per path per process)."""
    from django.conf import settings

    path = str(settings.DEVSHOP_STATE)
    if path not in _stores:
        _stores[path] = Store(path)
    return _stores[path]
