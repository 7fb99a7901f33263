"""Arbitrary input to every shopper form: never a 500, never a half-saved request."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returns.models import ReturnLine, ReturnRequest
from tests import shop

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
anything = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        ["", " ", "-1", "999999999999999999999", "1e3", "0x10", "<b>x</b>", "\x00", "NaN"]
    ),
)


@pytest.fixture
def order(devshop):
    data = shop.order("#1001", email="anna@example.com", locale="en")
    devshop.load_orders([data])
    return data


@FUZZ
@given(number=anything, email=anything, language=anything)
def test_the_lookup_form_survives_anything(client, order, number, email, language, django_settings):
    django_settings.LOOKUP_FAILURES_PER_IP_PER_MINUTE = 10**6
    django_settings.LOOKUP_FAILURES_PER_IP_PER_HOUR = 10**6
    django_settings.LOOKUP_FAILURES_PER_ORDER_PER_HOUR = 10**6
    response = client.post(
        "/", {"order_number": number, "email": email}, HTTP_ACCEPT_LANGUAGE=language[:50]
    )
    assert response.status_code in (200, 302)
    assert not ReturnRequest.objects.exists()


@FUZZ
@given(
    quantity=anything,
    other_quantity=st.dictionaries(st.text(max_size=20), anything, max_size=3),
    reason=anything,
    comment=anything,
    key=anything,
)
def test_the_return_form_survives_anything(
    client, order, quantity, other_quantity, reason, comment, key
):
    client.post("/", {"order_number": "1001", "email": "anna@example.com"})
    line_id = order["lineItems"]["nodes"][0]["id"].rsplit("/", 1)[1]
    data = {
        **{f"quantity_{k}": v for k, v in other_quantity.items()},
        f"quantity_{line_id}": quantity,
        "reason": reason,
        "comment": comment,
        "submission_key": key,
    }
    response = client.post("/order/", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert ReturnRequest.objects.count() == 0 or ReturnLine.objects.count() > 0
    for request in ReturnRequest.objects.all():
        assert request.lines.exists()


@pytest.fixture
def django_settings(settings):
    return settings
