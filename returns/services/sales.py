"""The units the shop sold, kept for the returns report: from the portal's order copies, and
from Shopify's orders where the app may read them (`manage.py sales_sync`, the periodic task)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import SalesSync, SoldLine
from ..shopify import sales as shopify_sales
from ..shopify.client import ShopifyClient, get_client
from ..shopify.scopes import scopes_missing
from ..shopify.types import Order
from .common import ReturnError

CANNOT_READ_ORDERS = _(
    "The Shopify app may not read the shop's orders (access scope read_orders): the report "
    "counts units sold from the orders the portal has seen only."
)
# A first sync reads this far back; later ones from a little before the last one began, so an
# order created while the last one ran is not missed.
FIRST_SYNC_DAYS = 400
OVERLAP = timedelta(days=2)
_UPDATED = [
    "order_shopify_id",
    "product_id",
    "variant_id",
    "title",
    "sku",
    "quantity",
    "ordered_at",
]


def sold_lines_record(*, order: Order) -> None:
    """Keep the order copy's line items as sold (none for a cancelled order)."""
    items = [
        SoldLine(
            line_item_id=item.id,
            order_shopify_id=order.id,
            product_id=item.product_id or "",
            variant_id=item.variant_id or "",
            title=item.title[:255],
            sku=(item.sku or "")[:255],
            quantity=item.quantity,
            ordered_at=order.created_at,
            source=SoldLine.Source.PORTAL,
        )
        for item in order.line_items
    ]
    _store(order.id, cancelled=order.cancelled_at is not None, lines=items)


def _store(order_id: str, *, cancelled: bool, lines: Iterable[SoldLine]) -> int:
    if cancelled:
        SoldLine.objects.filter(order_shopify_id=order_id).delete()
        return 0
    lines = [line for line in lines if line.quantity > 0]
    SoldLine.objects.bulk_create(
        lines, update_conflicts=True, unique_fields=["line_item_id"], update_fields=_UPDATED
    )
    return len(lines)


def sales_sync(*, since: datetime | None = None, client: ShopifyClient | None = None) -> SalesSync:
    """Read the shop's orders created since `since` (by default: since the last sync) and store
    what they sold. Raises ReturnError when the app may not read orders; ShopifyError when
    Shopify cannot be asked (what was stored by then stays: each page is stored whole)."""
    client = client or get_client()
    if "read_orders" in scopes_missing(client=client):
        raise ReturnError(CANNOT_READ_ORDERS)
    if since is None:
        last = SalesSync.objects.first()
        since = (
            last.finished_at - OVERLAP if last else timezone.now() - timedelta(days=FIRST_SYNC_DAYS)
        )
    orders = lines = 0
    for page in shopify_sales.orders_created_since(since, client=client):
        with transaction.atomic():
            for order in page:
                lines += _store(
                    order.id,
                    cancelled=order.cancelled,
                    lines=(_line(order, item) for item in order.items),
                )
        orders += len(page)
    return SalesSync.objects.create(since=since, orders=orders, lines=lines)


def _line(order: shopify_sales.SoldOrder, item: shopify_sales.SoldItem) -> SoldLine:
    return SoldLine(
        line_item_id=item.line_item_id,
        order_shopify_id=order.id,
        product_id=item.product_id,
        title=item.title[:255],
        sku=item.sku[:255],
        quantity=item.quantity,
        ordered_at=order.created_at,
        source=SoldLine.Source.SHOPIFY,
    )
