"""The back office's pages cost as many SQL queries with 1,000 requests as with 10.

The to-do start page, each to-do list's queue and a request's screen: what staff open all day.
The benchmark (`python3 dev.py bench`) prints the same counts.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns import todo
from tests.returns.test_performance import (
    CHANGELIST,
    requests_in_bulk,
    spread_over_the_todo_lists,
    start_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def page_queries(client, url) -> int:
    client.get(url)  # content types and permissions are cached after the first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def every_page(client, request) -> dict[str, int]:
    screen = reverse("admin:returns_returnrequest_change", args=[request.pk])
    pages = {"start page": start_page(client)[0]}
    for listed in todo.LISTS:
        pages[f"queue: {listed.key}"] = page_queries(client, f"{CHANGELIST}?todo={listed.key}")
    pages["request screen"] = page_queries(client, screen)
    pages["request screen from a to-do list"] = page_queries(client, f"{screen}?todo=decide")
    return pages


def test_the_staff_pages_cost_as_many_queries_for_1000_requests_as_for_10(
    a_claim, staff, admin_client
):
    requests_in_bulk(9)
    spread_over_the_todo_lists()
    few = every_page(admin_client, a_claim)
    requests_in_bulk(990)
    spread_over_the_todo_lists()
    many = every_page(admin_client, a_claim)
    assert many == few
    assert few["request screen"] <= 20, few
