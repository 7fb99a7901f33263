"""What every devshop resource shares: global ids, connections and userErrors, Shopify's way."""

from __future__ import annotations

import base64
import secrets

from graphql import GraphQLError


def gid_type(gid: str) -> str | None:
    """'gid://shopify/Order/123' -> 'Order'."""
    parts = str(gid).split("/")
    if len(parts) == 5 and parts[:3] == ["gid:", "", "shopify"] and parts[4]:
        return parts[3]
    return None


def new_gid(kind: str) -> str:
    return f"gid://shopify/{kind}/{10**12 + secrets.randbelow(9 * 10**12)}"


def user_error(field: list[str] | None, message: str) -> dict:
    return {"field": field, "message": message}


def missing(gid: str) -> dict:
    return user_error(["id"], f"{gid_type(gid) or 'Resource'} does not exist")


# -- pagination ---------------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"devshop:{index}".encode()).decode()


def _index(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def paginate(items, first=None, after=None, last=None, before=None, reverse=False) -> dict:
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    indexed = list(enumerate(reversed(items) if reverse else items))
    lo, hi = _index(after), _index(before)
    window = [(i, x) for i, x in indexed if (lo is None or i > lo) and (hi is None or i < hi)]
    page = window if first is None else window[:first]
    if last is not None:
        page = page[-last:] if last > 0 else []
    return {
        "nodes": [x for _, x in page],
        "edges": [{"cursor": _cursor(i), "node": x} for i, x in page],
        "pageInfo": {
            "hasNextPage": bool(page) and page[-1][0] < window[-1][0],
            "hasPreviousPage": bool(page) and page[0][0] > indexed[0][0],
            "startCursor": _cursor(page[0][0]) if page else None,
            "endCursor": _cursor(page[-1][0]) if page else None,
        },
    }


def stored_nodes(stored: dict | None) -> list:
    """The items of a connection as stored: {"nodes": [...]} or {"edges": [{"node": ...}]}."""
    stored = stored or {}
    nodes = stored.get("nodes")
    return nodes if nodes is not None else [edge["node"] for edge in stored.get("edges", [])]


def resolve_connection(parent, info, **args):
    return paginate(stored_nodes(parent.get(info.field_name)), **args)


def resolve_truncated_list(parent, info, first=None, **_filters):
    items = parent.get(info.field_name) or []
    return items if first is None else items[:first]
