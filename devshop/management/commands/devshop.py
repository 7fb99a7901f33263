import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devshop.loading import OrderFileError, read_orders
from devshop.loading import shift_dates as shift_order_dates
from devshop.store import StoreError, get_store


class Command(BaseCommand):
    help = "Manage devshop, the local Shopify: load orders, show one, reset the shop, serve it."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = commands.add_parser("load", help="Load orders from a JSON file (replaces by id).")
        load.add_argument("file")
        load.add_argument(
            "--shift-dates",
            action="store_true",
            help="Move all timestamps so the newest processedAt is two days ago.",
        )
        commands.add_parser("reset", help="Empty the shop: orders, tokens, faults, options, log.")
        show = commands.add_parser("show", help="Print a stored order as JSON.")
        show.add_argument("order_name", metavar="ORDER_NAME")
        serve = commands.add_parser("serve", help="Serve devshop on its own port.")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8001)

    def handle(self, *args, action, **options):
        if not settings.DEVSHOP_ENABLED:
            raise CommandError("devshop is disabled (DEVSHOP_ENABLED is off in these settings).")
        getattr(self, f"do_{action}")(**options)

    def do_load(self, file, shift_dates=False, **_):
        try:
            orders = read_orders(file)
        except OrderFileError as error:
            raise CommandError(str(error)) from None
        if shift_dates:
            orders = shift_order_dates(orders)
        try:
            count = get_store().load_orders(orders)
        except StoreError as error:
            raise CommandError(f"{file}: {error}") from None
        self.stdout.write(f"Loaded {count} order{'s' if count != 1 else ''} into devshop.")

    def do_reset(self, **_):
        get_store().reset()
        self.stdout.write("devshop is empty: no orders, tokens, faults or options.")

    def do_show(self, order_name, **_):
        store = get_store()
        order = store.order_by_name(order_name)
        if order is None:
            count = len(store.orders())
            raise CommandError(f"No order named {order_name} in devshop ({count} orders loaded).")
        self.stdout.write(json.dumps(order, indent=2, ensure_ascii=False))

    def do_serve(self, host, port, **_):
        from devshop.server import make_devshop_server

        httpd = make_devshop_server(host, port)
        self.stdout.write(f"devshop serving on http://{host}:{httpd.server_port} (Ctrl-C stops it)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
