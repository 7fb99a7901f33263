from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from returns.shopify.errors import ShopifyError
from returns.shopify.orders import orders_readable
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
        except (ImproperlyConfigured, ShopifyError) as exc:
            raise CommandError(str(exc)) from None
        if missing:
            raise CommandError(
                f"The app lacks the access scope(s) {', '.join(missing)} on shop {client.shop}: "
                "add them to the app's access scopes, release the version and approve it in the "
                "shop (README: Connecting a real shop)."
            )
        mode = "client credentials" if client.uses_client_credentials else "static token"
        self.stdout.write(
            f"Connected to shop {client.shop} (Admin API {client.api_version}, {mode}): "
            "orders can be read, and every access scope the portal needs is granted."
        )
