"""A staff member with the report permission opens the returns report in Chromium: the charts
are drawn, coloured by the portal's stylesheet, and the page breaks no rule of the CSP."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests import report_data
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Chromium reports every violation as a securitypolicyviolation event; an init script runs
# before the page's own and is not subject to its CSP.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def analyst(db):
    user = UserFactory(username="ria")
    user.set_password("a-long-secret")
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_report"))
    return user


def test_the_report_shows_its_charts_without_a_csp_violation(browser, live_server, analyst):
    report_data.load()
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH_CSP)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.goto(live_server.url + reverse("admin:login"))
    page.locator('input[name="username"]').fill("ria")
    page.locator('input[name="password"]').fill("a-long-secret")
    page.locator('input[type="submit"]').click()
    page.wait_for_url("**/admin/")

    page.get_by_role("link", name="Returns report").click()
    page.wait_for_url("**/admin/returns/report/")
    page.locator('input[name="first_month"]').fill("2026-10")
    page.locator('input[name="last_month"]').fill("2026-11")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**first_month=2026-10**")

    months = page.get_by_role("img", name="Units returned and claimed per month")
    assert months.is_visible()
    rates = page.get_by_role("img", name="Return rate per product (units returned ÷ units sold)")
    assert rates.is_visible()
    bar = page.locator("svg.chart-months rect.chart-bar-return").first
    assert bar.evaluate("e => getComputedStyle(e).fill") == "rgb(47, 111, 159)"
    assert "Linen shirt" in page.locator("svg.chart-rates").inner_html()
    assert page.locator("table.report-table").first.is_visible()

    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m], console
    context.close()
