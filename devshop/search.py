"""Shopify's search syntax, the subset the portal uses: `name:"#1001" email:a@b.c tag:x word`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta


def name_key(name: str) -> str:
    """'#1001', '1001' and ' #1001 ' all name the same order."""
    return name.strip().lstrip("#").strip().lower()


_TERM = re.compile(r'(?:(\w+):)?("[^"]*"|\S+)')


def parse_search(query: str) -> list[tuple[str | None, str]]:
    """Split 'name:"#1001" email:a@b.c word' into (field, value) pairs; field None is a bare term."""
    terms = []
    for field, value in _TERM.findall(query):
        if value.upper() in ("AND",):
            continue
        terms.append((field.lower() or None, value.strip('"')))
    return terms


# Shopify's date filters (created_at:>='2026-11-01T00:00:00Z', updated_at:<2026-12-01) and the
# order fields they read.
DATE_FIELDS = {"created_at": "createdAt", "updated_at": "updatedAt", "processed_at": "processedAt"}
_COMPARISON = re.compile(r"^(>=|<=|>|<)?'?([^']*)'?$")


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _compares(stored: str | None, value: str) -> bool:
    match = _COMPARISON.match(value)
    wanted = _moment(match[2]) if match else None
    moment = _moment(stored) if stored else None
    if wanted is None or moment is None:
        return False
    operator = match[1] or ""
    if not operator:  # a bare date: that day
        return wanted <= moment < wanted + timedelta(days=1)
    return {
        ">=": moment >= wanted,
        ">": moment > wanted,
        "<=": moment <= wanted,
        "<": moment < wanted,
    }[operator]


def matches(order: dict, field: str | None, value: str) -> bool:
    value = value.lower()
    if field == "name":
        # Shopify matches order names by prefix, so name:100 also finds #1001..#1009.
        return name_key(order.get("name", "")).startswith(name_key(value))
    if field == "email":
        return (order.get("email") or "").lower() == value
    if field == "tag":
        return value in [t.lower() for t in order.get("tags", [])]
    if field == "status":  # draft orders: status:open, status:completed
        return (order.get("status") or "").lower() == value
    if field == "id":
        return order["id"].rsplit("/", 1)[-1] == value
    if field in DATE_FIELDS:
        return _compares(order.get(DATE_FIELDS[field]), value)
    if field is None:
        haystack = [order.get("name", ""), order.get("email") or "", *order.get("tags", [])]
        return any(value.lstrip("#") in h.lower() for h in haystack)
    return False  # a filter devshop does not know matches nothing, rather than everything
