import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devshop.clock import iso
from devshop.loading import OrderFileError, read_orders
from devshop.loading import shift_dates as shift_order_dates
from devshop.readable import missing_fields
from devshop.store import StoreError, get_store

EXPORT_HINT = (
    "Export orders with the query in devshop/export_orders.graphql (README: devshop) to get "
    "every field the portal reads."
)


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
        clock = commands.add_parser("clock", help="Show, stop, move or restart devshop's clock.")
        clock.add_argument("clock_action", choices=("show", "freeze", "advance", "resume"))
        clock.add_argument("seconds", nargs="?", type=float, default=0.0, help="for advance")
        fulfil = commands.add_parser(
            "fulfil", help="Fulfil an order as the warehouse does (fulfillmentCreate)."
        )
        fulfil.add_argument("order_name", metavar="ORDER_NAME")
        fulfil.add_argument("--company", default="", help="tracking company, e.g. DHL")
        fulfil.add_argument("--number", default="", help="tracking number")
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
        problems = [
            f"  {order['name']}: {', '.join(missing)}"
            for order in orders
            if (missing := missing_fields(order))
        ]
        if problems:
            raise CommandError(
                f"{file}: nothing loaded; the portal reads fields these orders lack:\n"
                + "\n".join(problems)
                + f"\n{EXPORT_HINT}"
            )
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

    def do_clock(self, clock_action, seconds=0.0, **_):
        clock = get_store().clock
        if clock_action == "freeze":
            clock.freeze()
        elif clock_action == "advance":
            clock.advance(seconds)
        elif clock_action == "resume":
            clock.resume()
        state = "stopped" if clock.frozen() else "running"
        self.stdout.write(f"devshop's clock is {state} at {iso(clock.now())}.")

    def do_fulfil(self, order_name, company="", number="", **_):
        from devshop.fulfillments import order_fulfil

        try:
            result = order_fulfil(get_store(), order_name, company=company, number=number)
        except LookupError as error:
            raise CommandError(str(error)) from None
        if result["userErrors"]:
            raise CommandError("; ".join(e["message"] for e in result["userErrors"]))
        self.stdout.write(f"Fulfilled {order_name}: {result['fulfillment']['name']}.")

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
