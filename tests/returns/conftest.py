import pytest

from returns import services
from tests import shop
from tests.factories import UserFactory
from tests.webhooks import SECRET, deliverer


@pytest.fixture
def staff(db):
    return UserFactory(username="anne", is_superuser=True)


@pytest.fixture
def shop_order(devshop):
    """An order in devshop, delivered a week ago: a shirt (2), a lamp (1)."""
    items = [
        shop.line_item("Linen shirt", quantity=2, price="39.95"),
        shop.line_item("Desk lamp", quantity=1, price="89.00"),
    ]
    data = shop.order("#1001", email="anna@example.com", locale="nl", items=items, note="Gift wrap")
    devshop.load_orders([data])
    return data


def _file(shop_order, reason, quantities, comment=""):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    lines = shop_order["lineItems"]["nodes"]
    return services.return_request_create(
        order=order,
        quantities={lines[i]["id"]: q for i, q in quantities.items()},
        reason=reason,
        remedy="replacement" if reason == "defect" else "",
        comment=comment,
        locale="nl",
    )


@pytest.fixture
def file_request(shop_order, django_capture_on_commit_callbacks):
    def file(reason="not_satisfied", quantities=None, comment=""):
        with django_capture_on_commit_callbacks(execute=True):
            return _file(shop_order, reason, quantities or {0: 1}, comment)

    return file


@pytest.fixture
def a_return(file_request):
    return file_request("not_satisfied", {0: 2})


@pytest.fixture
def a_claim(file_request):
    return file_request("defect", {1: 1}, comment="The switch is broken.")


@pytest.fixture
def app_secret(settings):
    """The secret Shopify signs the app's webhooks with, as tests/webhooks.py signs them."""
    settings.SHOPIFY_CLIENT_SECRET = SECRET


@pytest.fixture
def deliver(app_secret, client, django_capture_on_commit_callbacks):
    return deliverer(client, django_capture_on_commit_callbacks)
