"""dev.py: how `python3 dev.py test` gets a browser, and the demo's commands in a new shell."""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import dev
from devshop.loading import SAMPLE_SHOP, read_orders

ROOT = Path(__file__).resolve().parent.parent


def step(*, chromium=None, chromium_ok=True, has_apt=True, is_root=False, sudo_ok=False, tried=()):
    return dev.browser_step(
        chromium=chromium,
        chromium_ok=chromium_ok,
        has_apt=has_apt,
        is_root=is_root,
        sudo_ok=sudo_ok,
        tried=set(tried),
    )


def which_of(*present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


# Where Chromium is looked for: the same places for dev.py and tests/e2e/conftest.py.


def test_chromium_path_wins_over_what_is_on_path():
    found = dev.system_chromium({"CHROMIUM_PATH": "/opt/chrome/chrome"}, which_of("chromium"))
    assert found == "/opt/chrome/chrome"


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (("chromium", "google-chrome"), "/usr/bin/chromium"),
        (("chromium-browser",), "/usr/bin/chromium-browser"),
        (("google-chrome",), "/usr/bin/google-chrome"),
        ((), None),
    ],
)
def test_chromium_on_path_is_found_in_order(present, expected):
    assert dev.system_chromium({}, which_of(*present)) == expected


def test_the_end_to_end_tests_launch_the_chromium_dev_py_found(monkeypatch):
    from tests.e2e.conftest import chromium_path

    monkeypatch.setenv("CHROMIUM_PATH", "/opt/chrome/chrome")
    assert chromium_path() == "/opt/chrome/chrome"


# What to do next.


def test_a_system_chromium_is_used_and_nothing_installed():
    assert step(chromium="/usr/bin/chromium", is_root=True) == ("use", "/usr/bin/chromium")


def test_root_on_debian_installs_the_package_after_updating_the_index():
    kind, commands = step(is_root=True)
    assert kind == "apt"
    assert commands[0] == ["apt-get", "update"]
    assert commands[1][-3:] == ["install", "-y", "chromium"]
    assert "sudo" not in commands[1]


def test_passwordless_sudo_installs_the_package_through_sudo():
    kind, commands = step(sudo_ok=True)
    assert kind == "apt"
    assert all(command[:2] == ["sudo", "-n"] for command in commands)


def test_without_root_or_sudo_playwright_downloads_its_own():
    assert step() == ("download", ["-m", "playwright", "install", "chromium"])


def test_without_apt_get_even_root_uses_playwrights_download():
    assert step(has_apt=False, is_root=True)[0] == "download"


def test_a_failed_package_install_falls_back_to_the_download():
    assert step(is_root=True, tried={"apt"})[0] == "download"


def test_when_nothing_works_one_line_says_what_to_install():
    kind, line = step(tried={"download"})
    assert kind == "none"
    assert "\n" not in line
    assert "sudo apt-get install chromium" in line and "CHROMIUM_PATH" in line


def test_when_the_package_and_the_download_failed_it_says_so():
    kind, line = step(is_root=True, tried={"apt", "download"})
    assert kind == "none"
    assert "apt-get install chromium failed" in line and "CHROMIUM_PATH" in line


def test_off_debian_it_asks_for_any_chromium():
    kind, line = step(has_apt=False, tried={"download"})
    assert kind == "none"
    assert "apt-get" not in line and "CHROMIUM_PATH" in line


def test_a_chromium_path_that_is_not_there_is_named_not_replaced():
    kind, line = step(chromium="/nowhere/chrome", chromium_ok=False, is_root=True)
    assert kind == "none"
    assert "CHROMIUM_PATH=/nowhere/chrome" in line


def test_without_a_browser_only_the_end_to_end_tests_are_left_out():
    assert dev.without_e2e(["-q", "-x"]) == ["-q", "-x", "-m", "not e2e"]
    assert dev.without_e2e(["-m", "slow"]) == ["-m", "(slow) and not e2e"]


# The demo's commands, as printed.


def test_the_banners_sample_order_can_go_through_the_flow(settings):
    """Delivered, paid, nothing refunded, and within the return window on the day of the demo."""
    orders = read_orders(SAMPLE_SHOP)
    order = next(o for o in orders if o["name"] == f"#{dev.DEMO_ORDER}")
    newest = max(datetime.fromisoformat(o["processedAt"]) for o in orders)
    demo_day = newest + timedelta(days=2)  # --shift-dates puts the newest order two days back

    assert order["email"] == dev.DEMO_EMAIL
    assert order["displayFulfillmentStatus"] == "FULFILLED"
    assert order["displayFinancialStatus"] == "PAID"
    assert not order.get("refunds")
    age = demo_day - datetime.fromisoformat(order["processedAt"])
    assert age < timedelta(days=settings.RETURN_WINDOW_DAYS)


def test_dev_py_manage_reaches_the_demos_shop_from_a_new_shell():
    """`python3 dev.py manage devshop show 1012`, as the README and the banner print it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEVSHOP_"))}
    result = subprocess.run(
        [sys.executable, "dev.py", "manage", "devshop", "show", "9999"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # The demo's settings are found: devshop answers (about an order it does not hold), rather
    # than "devshop is disabled".
    assert "devshop is disabled" not in result.stderr
    assert "No order named 9999 in devshop" in result.stderr


def test_a_second_demo_start_leaves_portal_and_shop_fresh_together(tmp_path):
    """Both worlds start over: no request in the portal whose refund devshop forgot, or back."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEVSHOP_"))}
    env["DEMO_STATE_DIR"] = str(tmp_path)

    def python(*args):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    # A generated password may begin with "-" (one start in 64): the staff login still gets it.
    setup = "import dev; dev.demo_setup(password='-starts-with-a-dash')"
    count = (
        "from django.contrib.auth.models import User; from devshop.store import get_store; "
        "print(User.objects.get(username='staff').check_password('-starts-with-a-dash'), "
        "User.objects.count(), len(get_store().orders()), "
        "'return-requested' in get_store().order_by_name('1012')['tags'])"
    )
    python("-c", setup)
    python(
        "dev.py", "manage", "shell", "--no-imports", "-c",
        "from django.contrib.auth.models import User; from devshop.store import get_store; "
        "User.objects.create(username='earlier-run'); "
        "store = get_store(); order = store.order_by_name('1012'); "
        "order['tags'].append('return-requested'); store.load_orders([order])",
    )  # fmt: skip
    shell = ("dev.py", "manage", "shell", "--no-imports", "-c", count)
    assert python(*shell).split() == ["True", "2", "13", "True"]

    python("-c", setup)

    # Only the demo's staff login, the thirteen sample orders, and #1012 without the earlier tag.
    assert python(*shell).split() == ["True", "1", "13", "False"]
