"""The status page every email links to, in a real Chromium: its language switch works, and its
secret link stays on the portal."""

import pytest

from returns.models import ReturnRequest
from tests import shop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a_return(devshop, client):
    items = [shop.line_item("Merino scarf", quantity=1, price="49.00")]
    data = shop.order("#1043", email="lena.becker@example.org", locale="en", items=items)
    devshop.load_orders([data])
    client.post("/", {"order_number": "1043", "email": "lena.becker@example.org"})
    line_id = data["lineItems"]["nodes"][0]["id"].rsplit("/", 1)[1]
    client.post(
        "/order/",
        {
            f"quantity_{line_id}": "1",
            "reason": "not_satisfied",
            "comment": "",
            "submission_key": "6f1d3c1e-8d4a-4f57-9d3f-3c6f0c1f2a11",
        },
    )
    return ReturnRequest.objects.get()


def test_the_language_switch_on_the_status_page_works(page, live_server, a_return):
    page.goto(f"{live_server.url}/r/{a_return.token}/")
    assert page.get_by_role("heading", name="Withdrawal R-1043-1").is_visible()

    page.get_by_role("button", name="Nederlands").click()

    page.wait_for_url(f"**/r/{a_return.token}/")
    assert page.get_by_role("heading", name="Herroeping R-1043-1").is_visible()
    page.get_by_role("button", name="Deutsch").click()
    assert page.get_by_role("heading", name="Widerruf R-1043-1").is_visible()


def test_the_status_link_is_not_sent_to_other_sites(page, live_server, a_return):
    page.goto(f"{live_server.url}/r/{a_return.token}/")
    policy = page.evaluate("() => document.querySelector('meta[name=referrer]')?.content || ''")
    response = page.request.get(f"{live_server.url}/r/{a_return.token}/")
    assert response.headers["referrer-policy"] in ("same-origin", "strict-origin")
    assert policy in ("", "same-origin", "strict-origin")
