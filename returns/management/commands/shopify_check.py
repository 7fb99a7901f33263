from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from returns.services.restock import location_named
from returns.shopify.errors import ShopifyError
from returns.shopify.orders import orders_readable
from returns.shopify.returns import shop_return_setup
from returns.shopify.scopes import scopes_missing


class Command(BaseCommand):
    help = (
        "Check that the portal can reach the configured Shopify shop, read its orders, and has "
        "every access scope it needs."
    )

    def handle(self, *args, **options):
        try:
            client = orders_readable()
            missing = scopes_missing(client=client)
            locations = {} if missing else shop_return_setup(client=client).locations
        except (ImproperlyConfigured, ShopifyError) as exc:
            raise CommandError(str(exc)) from None
        if missing:
            raise CommandError(
                f"The app lacks the access scope(s) {', '.join(missing)} on shop {client.shop}: "
                "add them to the app's access scopes, release the version and approve it in the "
                "shop (README: Connecting a real shop)."
            )
        restock = _restock_line(client.shop, locations)
        mode = "client credentials" if client.uses_client_credentials else "static token"
        self.stdout.write(
            f"Connected to shop {client.shop} (Admin API {client.api_version}, {mode}): "
            "orders can be read, and every access scope the portal needs is granted."
        )
        self.stdout.write(restock)


def _restock_line(shop: str, locations: dict[str, str]) -> str:
    """One line on where returned items are restocked; CommandError if nowhere."""
    wanted = settings.SHOPIFY_RESTOCK_LOCATION.strip()
    listed = ", ".join(f"{name} ({gid.rsplit('/', 1)[-1]})" for gid, name in locations.items())
    found = location_named(wanted, locations)
    if found is None and not locations:
        raise CommandError(
            f"Shop {shop} has no active location to restock returned items at "
            "(SHOPIFY_RESTOCK_LOCATION): activate one in Shopify's admin."
        )
    if found is None:
        raise CommandError(
            f"SHOPIFY_RESTOCK_LOCATION ({wanted!r}) is none of shop {shop}'s active locations "
            f"({listed}): set it to one of them, by name or id, or leave it empty for the first."
        )
    how = "SHOPIFY_RESTOCK_LOCATION" if wanted else "SHOPIFY_RESTOCK_LOCATION is empty: the first"
    return (
        f"Returned items are restocked at {locations[found]} ({how}); the shop's active "
        f"locations: {listed}."
    )
