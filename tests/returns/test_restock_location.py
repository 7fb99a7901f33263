"""SHOPIFY_RESTOCK_LOCATION, checked by `manage.py shopify_check` against the shop's active
locations (devshop's: Magazijn Utrecht and Winkel Amsterdam; Oud magazijn is closed)."""

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_shopify_check_says_where_returned_items_are_restocked(devshop, capsys):
    call_command("shopify_check")
    out = capsys.readouterr().out
    assert (
        "Returned items are restocked at Magazijn Utrecht (SHOPIFY_RESTOCK_LOCATION is empty: "
        "the first); the shop's active locations: Magazijn Utrecht (70123456001), "
        "Winkel Amsterdam (70123456002)."
    ) in out


def test_the_setting_may_name_a_location_by_its_id(devshop, capsys, settings):
    settings.SHOPIFY_RESTOCK_LOCATION = "gid://shopify/Location/70123456002"
    call_command("shopify_check")
    assert "restocked at Winkel Amsterdam (SHOPIFY_RESTOCK_LOCATION)" in capsys.readouterr().out


def test_a_location_the_shop_does_not_have_active_is_one_line_naming_the_setting(devshop, settings):
    settings.SHOPIFY_RESTOCK_LOCATION = "Oud magazijn"
    with pytest.raises(CommandError) as refused:
        call_command("shopify_check")
    message = str(refused.value)
    assert message.startswith("SHOPIFY_RESTOCK_LOCATION ('Oud magazijn') is none of shop")
    assert "Magazijn Utrecht (70123456001), Winkel Amsterdam (70123456002)" in message
    assert "\n" not in message


def test_a_shop_without_an_active_location_is_named(devshop):
    devshop.set_option(
        "locations",
        [
            {
                "id": "gid://shopify/Location/9",
                "name": "Dicht",
                "isActive": False,
                "fulfillsOnlineOrders": False,
            }
        ],
    )
    with pytest.raises(CommandError, match="no active location .*SHOPIFY_RESTOCK_LOCATION"):
        call_command("shopify_check")
