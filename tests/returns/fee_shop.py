"""A shop whose policy charges return fees, for the fee tests: the policy put in force, an order
in devshop, a request filed, received and refunded as staff would, and what devshop kept."""

import dataclasses
import itertools
from decimal import Decimal

from returns import services
from returns.models import ReturnReason, ReturnRequest
from returns.policy import Fee, ReturnPolicy
from returns.shopify.orders import order_get, order_gid
from tests import shop

_numbers = itertools.count(2001)


def fee_policy(base: ReturnPolicy, *, shipping=None, restocking=None) -> ReturnPolicy:
    """`base` with these fees on every reason, the defect's too (which must never charge them)."""
    reasons = tuple(
        dataclasses.replace(option, return_shipping_fee=shipping, restocking_fee=restocking)
        for option in base.reasons
    )
    return dataclasses.replace(base, reasons=reasons)


def policy_in_force(monkeypatch, policy: ReturnPolicy) -> None:
    """What ReturnPolicy.from_settings gives every service and view: the shop's policy."""
    monkeypatch.setattr(ReturnPolicy, "from_settings", classmethod(lambda cls: policy))


def flat(amount: str) -> Fee:
    return Fee(amount=Decimal(amount))


def percent(value: str) -> Fee:
    return Fee(percent=Decimal(value))


def load_order(devshop, items, *, currency="EUR", rate=Decimal("1"), delivered_days_ago=8):
    """An order in devshop with `items` [(title, quantity, price)], paid in `currency`."""
    name = f"#{next(_numbers)}"
    lines = [shop.line_item(title, quantity=q, price=price) for title, q, price in items]
    data = shop.order(
        name,
        email="anna@example.com",
        locale="nl",
        items=lines,
        shipped_days_ago=delivered_days_ago + 2,
        delivered_days_ago=delivered_days_ago,
    )
    if currency != "EUR":
        data = shop.presented_in(data, currency, rate)
    devshop.load_orders([data])
    return data


def local_order(data):
    return services.shopify_order_lookup(
        order_number=data["name"].lstrip("#"), email="anna@example.com"
    )


def file(data, quantities: dict[int, int], capture, *, reason=ReturnReason.NOT_SATISFIED, **kw):
    order = local_order(data)
    nodes = data["lineItems"]["nodes"]
    chosen = {nodes[i]["id"]: q for i, q in quantities.items()}
    shown = services.return_fees_preview(order=order, quantities=chosen, reason=reason)
    with capture(execute=True):
        request = services.return_request_create(
            order=order,
            quantities=chosen,
            reason=reason,
            remedy="replacement" if reason == ReturnReason.DEFECT else "",
            comment="Broken." if reason == ReturnReason.DEFECT else "",
            locale="nl",
            fees_shown=shown.total,
            **kw,
        )
    return ReturnRequest.objects.get(pk=request.pk), shown


def receive(request, staff, capture):
    with capture(execute=True):
        services.return_receive(
            request_id=request.pk,
            user=staff,
            received={line.pk: line.quantity for line in request.lines.all()},
            restock=True,
        )
    return ReturnRequest.objects.get(pk=request.pk)


def refund(request, staff, capture, amount=None):
    """A refund of `amount`, by default the one the refund form proposes."""
    quote = services.refund_quote(request=request)
    with capture(execute=True):
        made = services.refund_request(
            request_id=request.pk,
            user=staff,
            amount=quote.suggested if amount is None else Decimal(amount),
            currency=quote.currency,
            restock=True,
            notify=False,
            shopify_maximum=quote.shopify_maximum,
        )
    made.refresh_from_db()
    return made


def refunded_in_shopify(request) -> Decimal:
    """What Shopify's order says was refunded, in the customer's currency."""
    return order_get(request.order.shopify_id).total_refunded.amount


def shopify_return(devshop, request) -> dict:
    request = ReturnRequest.objects.get(pk=request.pk)
    order = devshop.order_by_id(order_gid(request.order.shopify_id))
    return next(r for r in order["returns"] if r["id"] == request.shopify_return_id)
