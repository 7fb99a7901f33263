from datetime import UTC, datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from returns import models
from returns.shopify.orders import order_from_graphql
from tests import shop


class ShopifyOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ShopifyOrder

    shopify_id = factory.Sequence(lambda n: f"gid://shopify/Order/{5000000000 + n}")
    name = factory.Sequence(lambda n: f"#{2000 + n}")
    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    customer_locale = "nl"
    currency = "EUR"
    # A snapshot as the portal stores one: an order in Shopify's shape, read by the portal's own
    # parser, so selectors.order_snapshot() can read it back.
    data = factory.LazyAttribute(
        lambda o: order_from_graphql(
            {**shop.order(o.name, email=o.email, locale=o.customer_locale), "id": o.shopify_id}
        ).to_json()
    )
    fetched_at = factory.LazyFunction(lambda: datetime.now(UTC))


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReturnRequest

    order = factory.SubFactory(ShopifyOrderFactory)
    sequence = 1
    number = factory.LazyAttribute(lambda o: f"R-{o.order.name.lstrip('#')}-{o.sequence}")
    kind = models.ReturnKind.RETURN
    reason = models.ReturnReason.NOT_SATISFIED
    locale = "nl"
    customer_email = factory.LazyAttribute(lambda o: o.order.email)


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ReturnLine

    request = factory.SubFactory(ReturnRequestFactory)
    line_item_id = factory.Sequence(lambda n: f"gid://shopify/LineItem/{13000000000 + n}")
    title = "Linen shirt"
    quantity = 1
    unit_price = Decimal("39.95")
    currency = "EUR"


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Refund

    request = factory.SubFactory(ReturnRequestFactory)
    amount = Decimal("29.00")
    currency = "EUR"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
