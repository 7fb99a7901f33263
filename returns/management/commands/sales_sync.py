from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from returns.services.common import ReturnError
from returns.services.sales import sales_sync
from returns.shopify.errors import ShopifyError


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise CommandError(f"Not a date as YYYY-MM-DD: {value!r}") from None


class Command(BaseCommand):
    help = (
        "Read the shop's orders from Shopify and store what they sold, for the returns report's "
        "return rate. By default from where the last run left off (the first run: 400 days "
        "back). Safe to run again: each line item is stored once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", type=_date, help="orders created on or after this day (YYYY-MM-DD, UTC)"
        )

    def handle(self, *args, since=None, **options):
        try:
            done = sales_sync(since=since)
        except ReturnError as error:
            raise CommandError(str(error.message)) from None
        except ShopifyError as error:
            raise CommandError(f"Shopify could not be asked: {error.message}") from None
        self.stdout.write(
            f"Read {done.orders} orders created since {done.since.astimezone(UTC):%Y-%m-%d %H:%M} UTC; "
            f"{done.lines} line items stored."
        )
