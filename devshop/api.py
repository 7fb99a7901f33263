"""devshop's GraphQL schema (schema.graphql) wired to the resolvers of its resource modules.

The one place that assembles the schema. A resource module (orders, refunds, ...) builds on the
core (store, clock, faults, access, cost, relay, money) and never on another resource module or on
this one; it declares RESOLVERS, {"Type.field": resolver}, and COMPUTED, the fields it works out
rather than reads from the stored order, and may give `install(schema)` what it adds to the built
schema. Two exceptions to "never on another resource", both because Shopify's model is one: returns
is three modules (returns, returns_flow, returns_processing) building on each other, and
returnProcess makes its refund through refunds.refund_apply. Adding a resource is: its types in schema.graphql, its
module, and one entry in RESOURCES.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from graphql import build_schema

from . import (
    app_installation,
    draft_orders,
    fulfillments,
    money,
    order_cancel,
    orders,
    refunds,
    returns,
    returns_flow,
    returns_processing,
    shipping,
)
from .access import AccessLayer
from .faults import FaultLayer
from .relay import gid_type
from .validation import RULES

__all__ = ["MIDDLEWARE", "RESOURCES", "RULES", "computed_fields", "schema"]

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")
RESOURCES = (
    app_installation,
    money,
    orders,
    refunds,
    order_cancel,
    returns,
    returns_flow,
    returns_processing,
    shipping,
    draft_orders,
    fulfillments,
)
# Every resolver is called through these; graphql-core calls the last one first, so a field the
# app has no access scope for is denied before a fault answers for it, as Shopify checks access
# first.
MIDDLEWARE = (FaultLayer(), AccessLayer())


@cache
def schema():
    built = build_schema(SCHEMA_PATH.read_text())
    for module in RESOURCES:
        for path, resolver in module.RESOLVERS.items():
            type_name, field = path.split(".")
            built.type_map[type_name].fields[field].resolve = resolver
    for module in RESOURCES:
        if hasattr(module, "install"):
            module.install(built)
    built.type_map["Node"].resolve_type = lambda obj, *_: gid_type(obj["id"])
    return built


def computed_fields() -> set[str]:
    """ "Type.field" of every field a resource works out instead of reading it from the order."""
    return {path for module in RESOURCES for path in module.COMPUTED}
