"""Where returned units go back in stock: the setting SHOPIFY_RESTOCK_LOCATION, checked against
the shop's active locations each time units are restocked, so a location closed in Shopify since
is noticed then and not taken for granted."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..shopify.errors import ShopifyRejected
from ..shopify.returns import ReturnSetup

RESTOCK_LOCATION_UNKNOWN = _(
    "Returned items were not restocked: the setting SHOPIFY_RESTOCK_LOCATION (“%(wanted)s”) is "
    "none of the shop's active locations (%(locations)s). Set it to one of them, by name or id, "
    "or leave it empty for the first."
)
NO_ACTIVE_LOCATION = _(
    "Returned items were not restocked: the shop has no active location to restock them at "
    "(setting SHOPIFY_RESTOCK_LOCATION)."
)


class RestockLocationUnknown(ShopifyRejected):
    """The setting names none of the shop's active locations: configuration to fix, not retry."""


def location_named(wanted: str, locations: dict[str, str]) -> str | None:
    """The id of the location `wanted` names (its name, its gid or the number ending it), of
    `locations` (id -> name, in Shopify's order); the first when `wanted` is empty."""
    wanted = wanted.strip()
    if not wanted:
        return next(iter(locations), None)
    for gid, name in locations.items():
        if wanted in (gid, gid.rsplit("/", 1)[-1]) or wanted.casefold() == name.casefold():
            return gid
    return None


def restock_location(setup: ReturnSetup) -> str:
    """The id of the location returned units are restocked at; RestockLocationUnknown, with a
    message for staff, when the setting names none of the shop's active locations."""
    found = location_named(settings.SHOPIFY_RESTOCK_LOCATION, setup.locations)
    if found:
        return found
    if not setup.locations:
        raise RestockLocationUnknown(str(NO_ACTIVE_LOCATION))
    listed = ", ".join(
        f"{name} ({gid.rsplit('/', 1)[-1]})" for gid, name in setup.locations.items()
    )
    raise RestockLocationUnknown(
        str(
            RESTOCK_LOCATION_UNKNOWN
            % {"wanted": settings.SHOPIFY_RESTOCK_LOCATION, "locations": listed}
        )
    )
