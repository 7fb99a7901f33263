"""Orders in the shape Shopify's Admin GraphQL API returns them, for loading into devshop."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

_ids = iter(range(7_000_000, 8_000_000))


def money(amount, currency="EUR"):
    """A MoneyBag of an order paid in the shop's currency: shop and presentment money agree."""
    value = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": dict(value)}


def line_item(
    title="Linen shirt",
    *,
    quantity=2,
    refundable=None,
    price="39.95",
    tags=(),
    variant="M",
    product_type="",
    collections=(),
):
    number = next(_ids)
    return {
        "id": f"gid://shopify/LineItem/{number}",
        "name": f"{title} - {variant}" if variant else title,
        "title": title,
        "variantTitle": variant,
        "variant": {"id": f"gid://shopify/ProductVariant/{number}", "title": variant or "Default"},
        "sku": f"SKU-{number}",
        "quantity": quantity,
        "currentQuantity": quantity,
        "refundableQuantity": quantity if refundable is None else refundable,
        "originalUnitPriceSet": money(price),
        "discountedUnitPriceAfterAllDiscountsSet": money(price),
        "image": None,
        "product": {
            "id": f"gid://shopify/Product/{number}",
            "title": title,
            "tags": list(tags),
            "productType": product_type,
            "collections": {
                "nodes": [
                    {"id": f"gid://shopify/Collection/{n}", "handle": handle, "title": handle}
                    for n, handle in enumerate(collections, start=1)
                ]
            },
        },
    }


def order(
    name="#1001",
    *,
    email="anna.jansen@example.com",
    locale="nl",
    items=None,
    shipped_days_ago=10,
    delivered_days_ago=8,
    financial_status="PAID",
    note=None,
    tags=(),
    customer=("Anna", "Jansen"),
    address=("Keizersgracht 12", "1015 CS", "Amsterdam", "NL"),
):
    now = datetime.now(UTC)
    items = items or [line_item()]
    number = next(_ids)
    fulfillments = []
    if shipped_days_ago is not None:
        delivered = delivered_days_ago is not None
        fulfillments.append(
            {
                "id": f"gid://shopify/Fulfillment/{number}",
                "name": f"{name}-F1",
                "totalQuantity": sum(i["quantity"] for i in items),
                "updatedAt": _iso(now - timedelta(days=delivered_days_ago or shipped_days_ago)),
                "status": "SUCCESS",
                "displayStatus": "DELIVERED" if delivered else "FULFILLED",
                "createdAt": _iso(now - timedelta(days=shipped_days_ago)),
                "inTransitAt": None,
                "deliveredAt": _iso(now - timedelta(days=delivered_days_ago))
                if delivered
                else None,
            }
        )
    total = sum(
        (Decimal(i["originalUnitPriceSet"]["shopMoney"]["amount"]) * i["quantity"] for i in items),
        Decimal("0.00"),
    )
    created = _iso(now - timedelta(days=(shipped_days_ago or 0) + 2))
    return {
        "id": f"gid://shopify/Order/{number}",
        "name": name,
        "email": email,
        "createdAt": created,
        "processedAt": created,
        "updatedAt": created,
        "cancelledAt": None,
        "closed": False,
        "customerLocale": locale,
        "displayFinancialStatus": financial_status,
        "displayFulfillmentStatus": "FULFILLED" if fulfillments else "UNFULFILLED",
        "currencyCode": "EUR",
        "presentmentCurrencyCode": "EUR",
        "note": note,
        "tags": list(tags),
        "shippingAddress": _address(customer, address),
        "billingAddress": _address(customer, address),
        "totalPriceSet": money(f"{total:.2f}"),
        "totalRefundedSet": money("0.00"),
        "lineItems": {"nodes": items},
        "fulfillments": fulfillments,
        "transactions": [
            {
                "id": f"gid://shopify/OrderTransaction/{number}",
                "kind": "SALE",
                "status": "SUCCESS",
                "gateway": "shopify_payments",
                "test": False,
                "createdAt": created,
                "processedAt": created,
                "amountSet": money(f"{total:.2f}"),
                "parentTransaction": None,
            }
        ],
        "refunds": [],
    }


def _iso(moment):
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def refunds_landed(devshop, order_name: str, count: int = 1, within: float = 10.0) -> bool:
    """Wait for devshop to finish refunds the portal stopped waiting for (mutation_timeout)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if len(devshop.order_by_name(order_name)["refunds"]) >= count:
            return True
        time.sleep(0.05)
    return False


def presented_in(data, currency: str, rate: Decimal):
    """The order as a shop in EUR sells it to a customer paying in `currency`: every MoneyBag's
    presentment money is its shop money times `rate` (units of `currency` per euro), at cents,
    as Shopify Markets converts prices at checkout."""

    def convert(value):
        if isinstance(value, dict):
            if "shopMoney" in value:
                amount = (Decimal(value["shopMoney"]["amount"]) * rate).quantize(Decimal("0.01"))
                return {
                    **value,
                    "presentmentMoney": {"amount": f"{amount:.2f}", "currencyCode": currency},
                }
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    return {**convert(data), "presentmentCurrencyCode": currency}


def _address(customer, address):
    if customer is None:
        return None
    first, last = customer
    street, postcode, city, country = address
    return {
        "name": f"{first} {last}",
        "firstName": first,
        "lastName": last,
        "company": None,
        "address1": street,
        "address2": None,
        "zip": postcode,
        "city": city,
        "province": None,
        "provinceCode": None,
        "countryCodeV2": country,
        "phone": None,
    }
