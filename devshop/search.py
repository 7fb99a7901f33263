"""Shopify's search syntax, the subset the portal uses: `name:"#1001" email:a@b.c tag:x word`."""

from __future__ import annotations

import re


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
    if field is None:
        haystack = [order.get("name", ""), order.get("email") or "", *order.get("tags", [])]
        return any(value.lstrip("#") in h.lower() for h in haystack)
    return False  # a filter devshop does not know matches nothing, rather than everything
