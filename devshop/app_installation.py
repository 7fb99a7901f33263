"""The app's own installation: the access scopes the merchant granted it.

`currentAppInstallation { accessScopes }` is how an app learns what it may do; the token endpoint
reports the same list. The option "access_scopes" (devshop/access.py, which also denies the fields
a missing scope guards) stands for a merchant who installed the app with fewer scopes.
"""

from __future__ import annotations

from .access import access_scopes

INSTALLATION_ID = "gid://shopify/AppInstallation/1"


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
