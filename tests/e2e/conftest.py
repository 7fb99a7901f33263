"""A real Chromium, driven by Playwright, against the portal served by pytest-django's live server.

Chromium is the system's (CHROMIUM_PATH, else the first of dev.py's CHROMIUM_NAMES on PATH); where
there is none, Playwright's own build is used. `python3 dev.py test` finds or installs one first,
and looks in the same places (dev.system_chromium).
"""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from dev import system_chromium

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (arranging data, checking results) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path():
    return system_chromium(os.environ, shutil.which)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


STAFF_PASSWORD = "a-long-secret"


@pytest.fixture
def staff_login(db):
    """Log a superuser in on a page: `staff_login(page, live_server)`."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    user = get_user_model().objects.create_superuser("sam", "sam@example.com", STAFF_PASSWORD)

    def login(page, live_server):
        page.goto(live_server.url + reverse("admin:login"))
        page.locator('input[name="username"]').fill(user.get_username())
        page.locator('input[name="password"]').fill(STAFF_PASSWORD)
        page.locator('input[type="submit"]').click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return user

    return login
