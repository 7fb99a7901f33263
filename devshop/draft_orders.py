"""Draft orders: draftOrderCreate, draftOrderComplete and the draftOrder and draftOrders queries.

A draft order is kept as a document of its own (not an order: the orders query never lists it),
named #D1, #D2, ... as Shopify names them. Completing one makes a real order in the same
transaction, named after the shop's last order (#1042), with the draft's line items, email,
shipping address, note and tags, its total at the draft's prices (a replacement's: zero), paid, and
one open fulfillment order holding every unit, which fulfillments.py fulfils. A variant line takes
its title and SKU from the shop's orders, where devshop knows the variant from; a price override
replaces its price, as on Shopify. Completing a completed draft is refused in userErrors, so a
client that retries must read the draft first.
"""

from __future__ import annotations

from decimal import Decimal

from graphql import GraphQLError

from .money import CENT
from .relay import gid_type, missing, new_gid, paginate, resolve_connection, user_error
from .search import matches, parse_search

KIND = "DraftOrder"
NO_LINE_ITEMS = "Add at least 1 product"
UNKNOWN_VARIANT = "Product variant with id {id} does not exist"
NO_TITLE = "Title can't be blank"
ALREADY_COMPLETED = "This order has been paid"
DEFAULT_CURRENCY = "EUR"


def _bag(amount: Decimal, currency: str) -> dict:
    value = {"amount": str(amount.quantize(CENT)), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": dict(value)}


def _variant_line(store, variant_id: str) -> tuple[dict, dict] | None:
    """(an order line item of this variant, its order), from the shop's orders."""
    for order in store.orders():
        for item in (order.get("lineItems") or {}).get("nodes") or []:
            if (item.get("variant") or {}).get("id") == variant_id:
                return item, order
    return None


def _line(store, given: dict, index: int) -> tuple[dict | None, dict | None]:
    """(the draft's line item, a userError)."""
    quantity = given["quantity"]
    if quantity < 1:
        return None, user_error(["lineItems", str(index), "quantity"], "Quantity must be positive")
    override = given.get("priceOverride")
    variant_id = given.get("variantId")
    if variant_id:
        found = _variant_line(store, variant_id)
        if found is None:
            return None, user_error(
                ["lineItems", str(index), "variantId"], UNKNOWN_VARIANT.format(id=variant_id)
            )
        item, order = found
        price = item["originalUnitPriceSet"]["shopMoney"]
        line = {
            "title": item["title"],
            "name": item.get("name") or item["title"],
            "sku": item.get("sku"),
            "variant": item["variant"],
            "variantTitle": item.get("variantTitle"),
            "product": item.get("product"),
            "currency": order["currencyCode"],
            "unitPrice": price["amount"],
        }
    else:
        title = (given.get("title") or "").strip()
        if not title:
            return None, user_error(["lineItems", str(index), "title"], NO_TITLE)
        custom = given.get("originalUnitPriceWithCurrency") or {}
        line = {
            "title": title,
            "name": title,
            "sku": given.get("sku"),
            "variant": None,
            "variantTitle": None,
            "product": None,
            "currency": custom.get("currencyCode") or DEFAULT_CURRENCY,
            "unitPrice": str(custom.get("amount") or "0.00"),
        }
    if override:
        line["unitPrice"], line["currency"] = str(override["amount"]), override["currencyCode"]
    line.update(
        id=new_gid("DraftOrderLineItem"),
        quantity=quantity,
        priceOverride=override
        and {"amount": str(override["amount"]), "currencyCode": override["currencyCode"]},
    )
    return line, None


def resolve_draft_order_create(_root, info, input):
    store = info.context["store"]
    given = input.get("lineItems") or []
    if not given:
        return {"draftOrder": None, "userErrors": [user_error(["lineItems"], NO_LINE_ITEMS)]}
    lines = []
    for index, item in enumerate(given):
        line, error = _line(store, item, index)
        if error:
            return {"draftOrder": None, "userErrors": [error]}
        lines.append(line)
    currency = lines[0]["currency"]
    total = sum((Decimal(line["unitPrice"]) * line["quantity"] for line in lines), Decimal(0))

    def create(_none, shop):
        now = shop.now_iso()
        return {
            "id": new_gid(KIND),
            "name": f"#D{shop.count(KIND) + 1}",
            "status": "OPEN",
            "email": input.get("email"),
            "note2": input.get("note"),
            "tags": [t.strip() for tag in input.get("tags") or [] for t in tag.split(",") if t],
            "shippingAddress": input.get("shippingAddress"),
            "currencyCode": currency,
            "totalPriceSet": _bag(total, currency),
            "lineItems": {"nodes": lines},
            "createdAt": now,
            "updatedAt": now,
            "completedAt": None,
            "orderId": None,
        }

    draft = store.change_document(KIND, None, create)
    return {"draftOrder": draft, "userErrors": []}


def _order_from(draft: dict, shop, *, paid: bool) -> dict:
    now, currency = shop.now_iso(), draft["currencyCode"]
    order_id = new_gid("Order")
    items = []
    for line in draft["lineItems"]["nodes"]:
        price = _bag(Decimal(line["unitPrice"]), currency)
        items.append(
            {
                "id": new_gid("LineItem"),
                "name": line["name"],
                "title": line["title"],
                "variantTitle": line["variantTitle"],
                "variant": line["variant"],
                "sku": line["sku"],
                "quantity": line["quantity"],
                "currentQuantity": line["quantity"],
                "refundableQuantity": line["quantity"],
                "originalUnitPriceSet": price,
                "discountedUnitPriceAfterAllDiscountsSet": price,
                "image": None,
                "product": line["product"],
            }
        )
    total = draft["totalPriceSet"]
    fulfillment_order = {
        "id": new_gid("FulfillmentOrder"),
        "orderId": order_id,
        "status": "OPEN",
        "lineItems": {
            "nodes": [
                {
                    "id": new_gid("FulfillmentOrderLineItem"),
                    "lineItem": item,
                    "remainingQuantity": item["quantity"],
                    "totalQuantity": item["quantity"],
                }
                for item in items
            ]
        },
    }
    return {
        "id": order_id,
        "name": shop.next_order_name(),
        "email": draft["email"],
        "createdAt": now,
        "processedAt": now,
        "updatedAt": now,
        "cancelledAt": None,
        "closed": False,
        "customerLocale": None,
        "displayFinancialStatus": "PAID" if paid else "PENDING",
        "displayFulfillmentStatus": "UNFULFILLED",
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "note": draft["note2"],
        "tags": list(draft["tags"]),
        "shippingAddress": draft["shippingAddress"],
        "totalPriceSet": total,
        "totalRefundedSet": _bag(Decimal(0), currency),
        "lineItems": {"nodes": items},
        "fulfillments": [],
        "fulfillmentOrders": {"nodes": [fulfillment_order]},
        "transactions": [],
        "refunds": [],
    }


def resolve_draft_order_complete(_root, info, id, paymentPending=False, **_options):
    if gid_type(id) != KIND:
        raise GraphQLError(f"Invalid global id '{id}'")
    store = info.context["store"]
    refused: list[dict] = []

    def complete(draft, shop):
        if draft["status"] == "COMPLETED":
            refused.append(user_error(None, ALREADY_COMPLETED))
            return draft
        order = _order_from(draft, shop, paid=not paymentPending)
        shop.add_order(order)
        now = shop.now_iso()
        return {**draft, "status": "COMPLETED", "orderId": order["id"], "completedAt": now}

    draft = store.change_document(KIND, id, complete)
    if draft is None:
        return {"draftOrder": None, "userErrors": [missing(id)]}
    if refused:
        return {"draftOrder": None, "userErrors": refused}
    return {"draftOrder": draft, "userErrors": []}


def resolve_draft_order(_root, info, id):
    if gid_type(id) is None:
        raise GraphQLError(f"Invalid global id '{id}'")
    return info.context["store"].document(KIND, id)


def resolve_draft_orders(_root, info, query=None, sortKey="NUMBER", reverse=False, **page):
    page.pop("savedSearchId", None)
    terms = parse_search(query or "")
    drafts = [
        d for d in info.context["store"].documents(KIND) if all(matches(d, f, v) for f, v in terms)
    ]
    return paginate(drafts, reverse=reverse, **page)


def resolve_draft_order_order(draft, info):
    return draft.get("orderId") and info.context["store"].order_by_id(draft["orderId"])


RESOLVERS = {
    "QueryRoot.draftOrder": resolve_draft_order,
    "QueryRoot.draftOrders": resolve_draft_orders,
    "Mutation.draftOrderCreate": resolve_draft_order_create,
    "Mutation.draftOrderComplete": resolve_draft_order_complete,
    "DraftOrder.lineItems": resolve_connection,
    "DraftOrder.order": resolve_draft_order_order,
}
COMPUTED = {"DraftOrder.order"}
