"""Faults injected into devshop, seen by an HTTP client as it would see them from Shopify."""

import time

import httpx
import pytest

from tests.devshop.documents import GID, ORDER_QUERY, ORDER_UPDATE, TAGS_ADD, THROTTLED_ERRORS


@pytest.mark.parametrize("kind, status", [("http_500", 500), ("http_502", 502), ("http_503", 503)])
def test_a_server_error_fault_answers_once_with_that_status(
    gql, sample_shop, devshop, kind, status
):
    devshop.add_fault(kind)

    assert gql(ORDER_QUERY, {"id": GID}).status_code == status
    assert gql(ORDER_QUERY, {"id": GID}).status_code == 200
    assert [r["outcome"] for r in devshop.request_log()] == [kind, "ok"]


def test_a_429_fault_says_when_to_retry(gql, sample_shop, devshop):
    devshop.add_fault("http_429", count=2)

    responses = [gql(ORDER_QUERY, {"id": GID}) for _ in range(3)]

    assert [r.status_code for r in responses] == [429, 429, 200]
    assert responses[0].headers["Retry-After"] == "2"


def test_a_throttled_fault_answers_with_shopifys_throttled_body(gql, sample_shop, devshop):
    devshop.add_fault("throttled")

    body = gql(TAGS_ADD, {"id": GID, "tags": ["not-yet"]}).json()

    assert body["errors"] == THROTTLED_ERRORS
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert "not-yet" not in devshop.order_by_id(GID)["tags"]
    assert (
        gql(TAGS_ADD, {"id": GID, "tags": ["not-yet"]}).json()["data"]["tagsAdd"]["userErrors"]
        == []
    )


def test_a_timeout_fault_still_carries_the_request_out(gql, sample_shop, devshop):
    devshop.set_option("timeout_seconds", 0.6)
    devshop.add_fault("timeout")

    with pytest.raises(httpx.ReadTimeout):
        gql(TAGS_ADD, {"id": GID, "tags": ["late-tag"]}, timeout=0.2)

    deadline = time.monotonic() + 5
    while "late-tag" not in devshop.order_by_id(GID)["tags"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "late-tag" in devshop.order_by_id(GID)["tags"]


def test_a_user_errors_fault_makes_the_next_mutation_fail_and_change_nothing(
    gql, sample_shop, devshop
):
    devshop.add_fault("user_errors")
    before = devshop.order_by_id(GID)

    # A query in between does not use up the fault: only a mutation can answer with userErrors.
    assert gql(ORDER_QUERY, {"id": GID}).json()["data"]["order"]["name"] == "#1003"
    payload = gql(ORDER_UPDATE, {"input": {"id": GID, "note": "R-1003-1"}}).json()["data"][
        "orderUpdate"
    ]

    assert payload["order"] is None
    assert payload["userErrors"][0]["message"]
    assert devshop.order_by_id(GID) == before
