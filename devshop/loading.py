"""Reading order files in the shapes the Admin GraphQL API returns, so a real order pasted from
Shopify (or from the GraphiQL app) loads as-is."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .relay import gid_type

SAMPLE_SHOP = Path(__file__).parent / "fixtures" / "sample_shop.json"
ACCEPTED_SHAPES = (
    '{"data": {"orders": {"nodes": [...]}}} (or "edges"), {"data": {"order": {...}}}, '
    '{"orders": [...]} or a list of orders'
)
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class OrderFileError(ValueError):
    """An order file that cannot be loaded; the message says what is wrong, for a person."""


def read_orders(path: str | Path) -> list[dict]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OrderFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise OrderFileError(f"{path}: cannot be read ({error})") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise OrderFileError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    orders = [normalise(order) for order in _unwrap(path, payload)]
    for position, order in enumerate(orders, start=1):
        _check(path, position, order)
    names = [o["name"] for o in orders]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise OrderFileError(f"{path}: more than one order named {', '.join(duplicates)}")
    return orders


def _unwrap(path: Path, payload) -> list:
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        data = payload["data"]
        if isinstance(data.get("order"), dict):
            return [data["order"]]
        if isinstance(data.get("orders"), dict):
            connection = data["orders"]
            if isinstance(connection.get("nodes"), list):
                return connection["nodes"]
            if isinstance(connection.get("edges"), list):
                return [
                    edge.get("node") if isinstance(edge, dict) else edge
                    for edge in connection["edges"]
                ]
    elif isinstance(payload, dict) and isinstance(payload.get("orders"), list):
        return payload["orders"]
    elif isinstance(payload, list):
        return payload
    found = (
        f"an object with keys {', '.join(sorted(payload)) or '(none)'}"
        if isinstance(payload, dict)
        else f"a JSON {type(payload).__name__}"
    )
    raise OrderFileError(f"{path}: expected {ACCEPTED_SHAPES}; found {found}")


def _check(path: Path, position: int, order) -> None:
    where = f"{path}: order {position}"
    if not isinstance(order, dict):
        raise OrderFileError(f"{where} is not a JSON object")
    if not order.get("id"):
        named = f" ({order['name']})" if order.get("name") else ""
        raise OrderFileError(f"{where}{named} has no id")
    if gid_type(order["id"]) != "Order":
        raise OrderFileError(
            f"{where} has id {order['id']!r}; expected gid://shopify/Order/<number>"
        )
    if not order.get("name"):
        raise OrderFileError(f"{where} ({order['id']}) has no name")


def normalise(value):
    """Connections as {"nodes": [...]} throughout: edges become nodes, cursors are dropped."""
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if not isinstance(value, dict):
        return value
    if isinstance(value.get("edges"), list) and "nodes" not in value:
        nodes = [edge.get("node") if isinstance(edge, dict) else edge for edge in value["edges"]]
        value = {k: v for k, v in value.items() if k not in ("edges", "pageInfo")}
        value["nodes"] = nodes
    return {key: normalise(item) for key, item in value.items()}


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def shift_dates(orders: list[dict], now: datetime | None = None) -> list[dict]:
    """Move every timestamp by one offset so the newest processedAt is two days before `now`.

    The sample shop is written around a fixed date; shifting keeps its return windows meaningful
    whenever the demo runs.
    """
    stamps = [_parse(o["processedAt"]) for o in orders if o.get("processedAt")]
    if not stamps:
        return orders
    now = now or datetime.now(UTC)
    offset = (now - timedelta(days=2)) - max(stamps)

    def shift(value):
        if isinstance(value, list):
            return [shift(item) for item in value]
        if isinstance(value, dict):
            return {key: shift(item) for key, item in value.items()}
        if isinstance(value, str) and ISO_TIMESTAMP.match(value):
            return (_parse(value) + offset).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value

    return [shift(order) for order in orders]
