"""Access scopes: the ones the merchant granted the app, and the fields that need one.

Shopify checks a scope per field: a field the app has no scope for resolves to null with an
ACCESS_DENIED error naming the scope ("Access denied for returnRequest field. Required access:
`write_returns` access scope or `write_marketplace_returns` access scope."), and the rest of the
document runs as usual. `AccessLayer` does that for the fields below; a mutation it denies never
runs, so nothing changes. A write scope grants its read scope too, as on Shopify.

The option "access_scopes" (a comma-separated string) stands for a merchant who installed the app
with fewer scopes than it asks for.
"""

from __future__ import annotations

from graphql import GraphQLError

# What the portal asks for (README: Connecting a real shop): orders to read and annotate (note,
# tags, refunds), product tags, returns to move through Shopify's own states, the locations
# units are restocked at, and draft orders for replacements. fulfillmentCreate is the warehouse's
# (its own app or Shopify's admin), not the portal's, so devshop asks no scope for it.
ACCESS_SCOPES = (
    "read_all_orders,read_orders,write_orders,read_products,read_returns,write_returns,"
    "read_locations,write_draft_orders"
)
DOCUMENTATION = "https://shopify.dev/api/usage/access-scopes"

_ORDERS = ("read_orders", "read_marketplace_orders")
_WRITE_ORDERS = ("write_orders", "write_marketplace_orders")
_RETURNS = ("read_returns", "read_marketplace_returns")
_WRITE_RETURNS = ("write_returns", "write_marketplace_returns")
# "Type.field": the scopes of which the app needs one (Shopify's "Requires ... access scope").
REQUIRED_ACCESS = {
    "QueryRoot.order": _ORDERS,
    "QueryRoot.orders": _ORDERS,
    "QueryRoot.return": _RETURNS,
    "QueryRoot.returnableFulfillments": _RETURNS,
    "Order.returns": _RETURNS,
    # Location fields need read_locations since API version 2024-07 (Shopify's migration guide
    # "Migrate to read_locations scope").
    "QueryRoot.locations": ("read_locations",),
    "QueryRoot.draftOrder": ("read_draft_orders",),
    "QueryRoot.draftOrders": ("read_draft_orders",),
    "Mutation.draftOrderCreate": ("write_draft_orders",),
    "Mutation.draftOrderComplete": ("write_draft_orders",),
    "Mutation.orderUpdate": _WRITE_ORDERS,
    "Mutation.tagsAdd": _WRITE_ORDERS,
    "Mutation.refundCreate": _WRITE_ORDERS,
    "Mutation.orderCancel": _WRITE_ORDERS,
    "Mutation.returnRequest": _WRITE_RETURNS,
    "Mutation.returnApproveRequest": _WRITE_RETURNS,
    "Mutation.returnDeclineRequest": _WRITE_RETURNS,
    "Mutation.returnCancel": _WRITE_RETURNS,
    "Mutation.returnClose": _WRITE_RETURNS,
    "Mutation.returnReopen": _WRITE_RETURNS,
    "Mutation.returnProcess": _WRITE_RETURNS,
    "Mutation.reverseFulfillmentOrderDispose": _WRITE_RETURNS,
}


def access_scopes(store) -> list[str]:
    """The scopes the merchant granted, as the token endpoint and accessScopes list them."""
    granted = store.option("access_scopes", ACCESS_SCOPES)
    return [scope.strip() for scope in str(granted).split(",") if scope.strip()]


def effective_scopes(store) -> frozenset[str]:
    """What the app may do: the granted scopes, and each write scope's read scope."""
    granted = set(access_scopes(store))
    reads = {"read_" + s.removeprefix("write_") for s in granted if s.startswith("write_")}
    return frozenset(granted | reads)


def denied(field: str, required: tuple[str, ...]) -> GraphQLError:
    needed = " or ".join(f"`{scope}` access scope" for scope in required)
    return GraphQLError(
        f"Access denied for {field} field. Required access: {needed}.",
        extensions={
            "code": "ACCESS_DENIED",
            "documentation": DOCUMENTATION,
            "requiredAccess": needed,
        },
    )


class AccessLayer:
    """graphql-core middleware: a field whose scope the app lacks is denied, its resolver not run.

    The request's scopes are read once, into the context (`scopes`), by the server.
    """

    def resolve(self, next_, root, info, **args):
        required = REQUIRED_ACCESS.get(f"{info.parent_type.name}.{info.field_name}")
        scopes = info.context.get("scopes")
        if required and scopes is not None and not scopes.intersection(required):
            raise denied(info.field_name, required)
        return next_(root, info, **args)
