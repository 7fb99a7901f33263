from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from returns.shopify.errors import ShopifyError
from returns.shopify.orders import orders_readable


class Command(BaseCommand):
    help = "Check that the portal can reach the configured Shopify shop and read its orders."

    def handle(self, *args, **options):
        try:
            client = orders_readable()
        except (ImproperlyConfigured, ShopifyError) as exc:
            raise CommandError(str(exc)) from None
        mode = "client credentials" if client.uses_client_credentials else "static token"
        self.stdout.write(
            f"Connected to shop {client.shop} (Admin API {client.api_version}, {mode}): "
            "orders can be read."
        )
