"""`manage.py devshop load|show|reset`: loading orders in the shapes Shopify returns them."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devshop.loading import SAMPLE_SHOP
from tests import shop


def run(*args) -> str:
    out = StringIO()
    call_command("devshop", *args, stdout=out)
    return out.getvalue()


def an_order(number=1001, **fields):
    """A whole order as the Admin API returns it, its line items as edges with cursors."""
    order = shop.order(f"#{number}")
    item = order["lineItems"]["nodes"][0]
    return {
        **order,
        "id": f"gid://shopify/Order/{number}",
        "lineItems": {"edges": [{"cursor": "abc", "node": item}]},
        **fields,
    }


def write(tmp_path, payload, name="orders.json") -> str:
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return str(path)


def test_load_the_sample_shop(devshop):
    output = run("load", str(SAMPLE_SHOP))

    assert output.strip() == "Loaded 13 orders into devshop."
    assert devshop.order_by_name("#1001") is not None


def test_loading_the_same_file_twice_replaces_and_never_duplicates(devshop):
    run("load", str(SAMPLE_SHOP))
    devshop.save_order({**devshop.order_by_name("#1003"), "note": "changed in between"})

    run("load", str(SAMPLE_SHOP))

    assert len(devshop.orders()) == 13
    assert devshop.order_by_name("#1003")["note"].startswith("Graag bij de buren")


@pytest.mark.parametrize(
    "shape",
    [
        lambda o: {"data": {"orders": {"nodes": [o]}}},
        lambda o: {"data": {"orders": {"edges": [{"cursor": "x", "node": o}]}}},
        lambda o: {"data": {"order": o}},
        lambda o: {"orders": [o]},
        lambda o: [o],
    ],
    ids=["data.orders.nodes", "data.orders.edges", "data.order", "orders", "list"],
)
def test_every_shape_the_admin_api_returns_loads(devshop, tmp_path, shape):
    order = an_order()
    run("load", write(tmp_path, shape(order)))

    stored = devshop.order_by_name("#1001")
    # Connections are kept as nodes, whatever the file used.
    assert stored["lineItems"] == {"nodes": [order["lineItems"]["edges"][0]["node"]]}


def test_shift_dates_makes_the_newest_order_two_days_old(devshop):
    run("load", str(SAMPLE_SHOP), "--shift-dates")

    orders = devshop.orders()
    newest = max(datetime.fromisoformat(o["processedAt"]) for o in orders)
    assert abs(newest - (datetime.now(UTC) - timedelta(days=2))) < timedelta(minutes=1)
    # Every timestamp moved by the same amount: #1002 still arrived 5 days after it was placed.
    o = devshop.order_by_name("#1002")
    delivered = datetime.fromisoformat(o["fulfillments"][0]["deliveredAt"])
    processed = datetime.fromisoformat(o["processedAt"])
    assert delivered - processed == timedelta(days=5, hours=4, minutes=7, seconds=30)


def test_show_prints_the_stored_order_with_note_tags_and_refunds(devshop):
    run("load", str(SAMPLE_SHOP))

    shown = json.loads(run("show", "1003"))

    assert shown["name"] == "#1003"
    assert shown["note"].startswith("Graag bij de buren")
    assert shown["tags"] == ["webshop"]
    assert shown["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"] == "14.95"


def test_reset_empties_the_shop(devshop):
    run("load", str(SAMPLE_SHOP))

    output = run("reset")

    assert "empty" in output
    assert devshop.orders() == []


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"orders": [', r"not valid JSON: Expecting value at line 1, column 13"),
        (
            '{"orders": [\n  {"id": 1,}\n]}',
            r"not valid JSON: Expecting property name .* line 2, column 12",
        ),
        ({"orders": [{"name": "#1001"}]}, r"order 1 \(#1001\) has no id"),
        (
            {"orders": [{"id": "gid://shopify/Order/1"}]},
            r"order 1 \(gid://shopify/Order/1\) has no name",
        ),
        (
            [{"id": "1001", "name": "#1001"}],
            r"order 1 has id '1001'; expected gid://shopify/Order/<number>",
        ),
        (
            [{"id": "gid://shopify/Customer/1", "name": "#1001"}],
            r"expected gid://shopify/Order/<number>",
        ),
        ({"order": {"id": "gid://shopify/Order/1"}}, r"expected .*found an object with keys order"),
        ({"data": {"products": {"nodes": []}}}, r"expected .*found an object with keys data"),
        ('"just a string"', r"expected .*found a JSON str"),
        ([an_order(), "not an order"], r"order 2 is not a JSON object"),
        ([an_order(1001), an_order(1002, name="#1001")], r"more than one order named #1001"),
    ],
    ids=[
        "truncated json",
        "json syntax with line and column",
        "no id",
        "no name",
        "id not a gid",
        "gid of another type",
        "unknown wrapper",
        "data without orders",
        "not an object",
        "a non-object order",
        "duplicate names",
    ],
)
def test_a_bad_file_is_refused_with_one_clear_message(devshop, tmp_path, content, message):
    path = write(tmp_path, content)

    with pytest.raises(CommandError, match=message) as refused:
        run("load", path)

    assert str(refused.value).startswith(path)
    assert devshop.orders() == []


def test_a_missing_file_is_named(tmp_path):
    path = str(tmp_path / "nope.json")

    with pytest.raises(CommandError, match=f"^{path}: no such file$"):
        run("load", path)


def test_an_order_name_taken_by_another_id_is_refused(devshop, tmp_path):
    run("load", str(SAMPLE_SHOP))
    clash = write(tmp_path, [an_order(99, name="#1001")])

    with pytest.raises(
        CommandError, match="order name #1001 already belongs to gid://shopify/Order/"
    ):
        run("load", clash)

    assert devshop.order_by_name("#1001")["id"] != "gid://shopify/Order/99"


def test_showing_an_unknown_order_says_so(devshop):
    run("load", str(SAMPLE_SHOP))

    with pytest.raises(CommandError, match=r"No order named #9999 in devshop \(13 orders loaded\)"):
        run("show", "#9999")


def test_the_command_refuses_to_run_when_devshop_is_disabled(settings):
    settings.DEVSHOP_ENABLED = False

    with pytest.raises(CommandError, match="devshop is disabled"):
        run("reset")


def test_an_order_lacking_what_the_portal_reads_is_refused_naming_each_field(devshop, tmp_path):
    # As pasted from a GraphiQL query that asked for less than the portal reads.
    order = an_order(1001)
    del order["processedAt"]
    order["lineItems"]["edges"][0]["node"].pop("refundableQuantity")
    complete = an_order(1002)
    path = write(tmp_path, {"data": {"orders": {"nodes": [order, complete]}}})

    with pytest.raises(CommandError) as refused:
        run("load", path)

    message = str(refused.value)
    assert "nothing loaded" in message
    assert (
        "#1001: processedAt (missing), lineItems.nodes[0].refundableQuantity (missing)" in message
    )
    assert "#1002" not in message
    assert "devshop/export_orders.graphql" in message
    assert devshop.orders() == []


def test_an_order_in_any_of_shopifys_currencies_loads_and_reads(devshop, tmp_path, gql):
    order = an_order(1001, currencyCode="NZD", presentmentCurrencyCode="NZD")
    run("load", write(tmp_path, [order]))

    body = gql('{ order(id: "gid://shopify/Order/1001") { currencyCode presentmentCurrencyCode } }')

    assert body.json()["data"]["order"] == {"currencyCode": "NZD", "presentmentCurrencyCode": "NZD"}


def test_a_currency_shopify_does_not_know_is_refused(devshop, tmp_path):
    path = write(tmp_path, [an_order(1001, currencyCode="XYZ")])

    with pytest.raises(CommandError, match=r"#1001: currencyCode \('XYZ' is not a CurrencyCode\)"):
        run("load", path)


def test_the_clock_can_be_stopped_and_moved_from_the_shell(devshop):
    assert "running" in run("clock", "show")

    stopped = run("clock", "freeze")
    at = devshop.clock.now()
    moved = run("clock", "advance", "3600")

    assert "stopped" in stopped and "stopped" in moved
    assert devshop.clock.now() == at + 3600
    assert "running" in run("clock", "resume")
