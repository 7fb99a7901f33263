import pytest
from django.core.management import CommandError, call_command


def test_shopify_check_reports_a_working_connection(devshop, capsys):
    call_command("shopify_check")
    assert (
        "Connected to shop test-shop (Admin API 2026-10, static token)" in capsys.readouterr().out
    )


def test_shopify_check_names_a_missing_scope_in_one_line(devshop):
    devshop.set_option("access_scopes", "read_all_orders,read_orders,write_orders,read_products")

    with pytest.raises(CommandError) as raised:
        call_command("shopify_check")

    message = str(raised.value)
    assert "read_returns, write_returns, read_locations" in message
    assert "\n" not in message


def test_shopify_check_takes_write_as_granting_read(devshop, capsys):
    devshop.set_option(
        "access_scopes",
        "read_all_orders,write_orders,read_products,write_returns,read_locations,write_draft_orders",
    )

    call_command("shopify_check")

    assert "every access scope the portal needs is granted" in capsys.readouterr().out


def test_shopify_check_names_a_missing_setting(settings):
    settings.SHOPIFY_ACCESS_TOKEN = ""
    with pytest.raises(CommandError, match="SHOPIFY_ACCESS_TOKEN"):
        call_command("shopify_check")


def test_shopify_check_explains_an_unreachable_shop(settings):
    settings.DEVSHOP_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("shopify_check")
