"""A small data set whose report is known: two orders, five requests, two refunds (Amsterdam time).

October 2026: order #3001 sold 10 shirts (30.00) and 5 mugs (10.00). Requests on it:
  - a withdrawal of 2 shirts on 15 Oct, refunded 60.00 three days later;
  - a claim for 1 shirt (defect) on 20 Oct;
  - a withdrawal of 3 shirts on 21 Oct, cancelled (not counted);
  - a withdrawal of 1 shirt and 1 mug on 22 Oct, refunded 20.00 a day later (15.00 + 5.00).
November 2026: order #3002 sold 4 shirts, placed 1 Nov 00:10 in Amsterdam (still 31 Oct in UTC);
  - a withdrawal of 1 shirt on 1 Nov 00:30 in Amsterdam (31 Oct 23:30 UTC).
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from returns.models import RefundState, ReturnKind, ReturnReason, ReturnRequest, ReturnStatus
from returns.services import shopify_order_store
from returns.shopify.orders import order_from_graphql
from tests import shop
from tests.factories import RefundFactory, ReturnLineFactory, ReturnRequestFactory

SHIRT = "gid://shopify/Product/910001"
MUG = "gid://shopify/Product/910002"


def item(title, product, sku, quantity, price, number):
    data = shop.line_item(title, quantity=quantity, price=price, variant=None)
    data["id"] = f"gid://shopify/LineItem/{number}"
    data["sku"] = sku
    data["product"] = {**data["product"], "id": product}
    return data


def order_data(name, created, items):
    data = shop.order(name, email="anna@example.com", items=items)
    stamp = created.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {**data, "createdAt": stamp, "processedAt": stamp, "updatedAt": stamp}


def _request(order, created, kind, items, *, status=ReturnStatus.REQUESTED, sequence):
    request = ReturnRequestFactory(
        order=order,
        sequence=sequence,
        kind=kind,
        reason=ReturnReason.DEFECT if kind == ReturnKind.CLAIM else ReturnReason.NOT_SATISFIED,
        status=status,
    )
    ReturnRequest.objects.filter(pk=request.pk).update(created_at=created)
    value = {line["id"]: _price(line) * quantity for line, quantity in items}
    for line, quantity in items:
        ReturnLineFactory(
            request=request,
            line_item_id=line["id"],
            title=line["title"],
            sku=line["sku"],
            product_id=line["product"]["id"],
            quantity=quantity,
            unit_price=_price(line),
            value_share=value[line["id"]] / sum(value.values()),
        )
    request.refresh_from_db()
    return request


def _price(line) -> Decimal:
    return Decimal(line["originalUnitPriceSet"]["shopMoney"]["amount"])


def _refund(request, amount, after):
    RefundFactory(
        request=request,
        amount=Decimal(amount),
        state=RefundState.SUCCEEDED,
        succeeded_at=request.created_at + after,
    )


def load(devshop=None):
    """The data set; with devshop, its two orders are in the shop too."""
    shirt = item("Linen shirt", SHIRT, "SHIRT-M", 10, "30.00", 920001)
    mug = item("Mug", MUG, "MUG", 5, "10.00", 920002)
    shirt_nov = item("Linen shirt", SHIRT, "SHIRT-M", 4, "30.00", 920003)
    october = order_data("#3001", datetime(2026, 10, 10, 12, tzinfo=UTC), [shirt, mug])
    november = order_data("#3002", datetime(2026, 10, 31, 23, 10, tzinfo=UTC), [shirt_nov])
    if devshop is not None:
        devshop.load_orders([october, november])
    first = shopify_order_store(order=order_from_graphql(october))
    second = shopify_order_store(order=order_from_graphql(november))
    r1 = _request(first, datetime(2026, 10, 15, 10, tzinfo=UTC), "return", [(shirt, 2)], sequence=1)
    _refund(r1, "60.00", timedelta(days=3))
    _request(first, datetime(2026, 10, 20, 10, tzinfo=UTC), "claim", [(shirt, 1)], sequence=2)
    _request(
        first,
        datetime(2026, 10, 21, 10, tzinfo=UTC),
        "return",
        [(shirt, 3)],
        status=ReturnStatus.CANCELLED,
        sequence=3,
    )
    r4 = _request(
        first, datetime(2026, 10, 22, 10, tzinfo=UTC), "return", [(shirt, 1), (mug, 1)], sequence=4
    )
    _refund(r4, "20.00", timedelta(days=1))
    _request(
        second, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "return", [(shirt_nov, 1)], sequence=1
    )
    return {"shirt": shirt, "mug": mug}
