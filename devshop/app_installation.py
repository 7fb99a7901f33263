"""The app's own installation: the access scopes the merchant granted it.

`currentAppInstallation { accessScopes }` is how an app learns what it may do; the token endpoint
reports the same list. The option "access_scopes" (a comma-separated string) stands for a merchant
who installed the app with fewer scopes, so the portal's check for a missing scope can be tested.
"""

from __future__ import annotations

# What the portal asks for (README: Connecting a real shop): orders to read and annotate (note,
# tags, refunds), product tags, and returns to move through Shopify's own states.
ACCESS_SCOPES = "read_all_orders,read_orders,write_orders,read_products,read_returns,write_returns"
INSTALLATION_ID = "gid://shopify/AppInstallation/1"


def access_scopes(store) -> list[str]:
    granted = store.option("access_scopes", ACCESS_SCOPES)
    return [scope.strip() for scope in str(granted).split(",") if scope.strip()]


def resolve_current_app_installation(_root, info):
    return {"id": INSTALLATION_ID}


def resolve_access_scopes(_installation, info):
    return [
        {"handle": handle, "description": handle} for handle in access_scopes(info.context["store"])
    ]


RESOLVERS = {
    "QueryRoot.currentAppInstallation": resolve_current_app_installation,
    "AppInstallation.accessScopes": resolve_access_scopes,
}
# Nothing read from the stored order.
COMPUTED: set[str] = set()
