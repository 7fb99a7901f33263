"""devshop's Store: the shop state every process shares."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devshop.store import FAULT_KINDS, Store, StoreError, parse_search

ROOT = Path(__file__).resolve().parents[2]


def order(number=1001, **fields):
    return {
        "id": f"gid://shopify/Order/{number}",
        "name": f"#{number}",
        "email": f"customer{number}@example.com",
        "tags": [],
        "updatedAt": "2026-11-01T10:00:00Z",
        **fields,
    }


def test_loading_the_same_order_twice_replaces_it(devshop):
    devshop.load_orders([order(note="first")])
    devshop.load_orders([order(note="second")])

    assert len(devshop.orders()) == 1
    assert devshop.order_by_id("gid://shopify/Order/1001")["note"] == "second"


def test_an_order_name_belongs_to_one_order(devshop):
    devshop.load_orders([order(1001)])

    with pytest.raises(StoreError, match="#1001 already belongs to gid://shopify/Order/1001"):
        devshop.load_orders([{**order(2002), "name": "#1001"}])
    assert [o["id"] for o in devshop.orders()] == ["gid://shopify/Order/1001"]


@pytest.mark.parametrize("name", ["#1001", "1001", " #1001 "])
def test_an_order_is_found_by_name_with_or_without_hash(devshop, name):
    devshop.load_orders([order(1001), order(1002)])

    assert devshop.order_by_name(name)["id"] == "gid://shopify/Order/1001"


def test_an_unknown_order_is_none(devshop):
    assert devshop.order_by_name("#9999") is None
    assert devshop.order_by_id("gid://shopify/Order/9999") is None


@pytest.mark.parametrize(
    "query, names",
    [
        ("name:#1001", ["#1001", "#10010"]),
        ("name:1001", ["#1001", "#10010"]),
        ('name:"#1001"', ["#1001", "#10010"]),
        ("name:#1002", ["#1002"]),
        ("email:Customer1002@Example.com", ["#1002"]),
        ("name:1001 email:customer10010@example.com", ["#10010"]),
        ("1002", ["#1002"]),
        ("tag:vip", ["#1002"]),
        ("fulfillment_status:shipped", []),
        ("", ["#1001", "#10010", "#1002"]),
    ],
)
def test_search_understands_shopify_search_syntax(devshop, query, names):
    devshop.load_orders([order(1001), order(10010), order(1002, tags=["VIP"])])

    assert sorted(o["name"] for o in devshop.search_orders(query)) == sorted(names)


def test_search_terms_are_split_like_shopify_does():
    assert parse_search('name:"#1001" email:a@b.c word') == [
        ("name", "#1001"),
        ("email", "a@b.c"),
        (None, "word"),
    ]


def test_saving_an_order_stamps_updated_at(devshop):
    devshop.load_orders([order()])

    saved = devshop.save_order({**devshop.order_by_name("#1001"), "note": "changed"})

    stored = devshop.order_by_name("#1001")
    assert stored["note"] == "changed"
    assert stored["updatedAt"] == saved["updatedAt"] > "2026-11-01T10:00:00Z"


def test_update_order_changes_one_order_and_stamps_it(devshop):
    devshop.load_orders([order()])

    devshop.update_order("gid://shopify/Order/1001", lambda o: {**o, "tags": ["a"]})

    assert devshop.order_by_name("#1001")["tags"] == ["a"]
    assert devshop.order_by_name("#1001")["updatedAt"] > "2026-11-01T10:00:00Z"
    assert devshop.update_order("gid://shopify/Order/9", lambda o: o) is None


def test_an_issued_token_is_valid_until_it_expires(devshop):
    token = devshop.issue_token(60)
    expired = devshop.issue_token(-1)

    assert token.startswith("shpat_")
    assert devshop.token_valid(token)
    assert not devshop.token_valid(expired)
    assert not devshop.token_valid("shpat_never_issued")


def test_faults_come_out_in_the_order_they_were_added(devshop):
    devshop.add_fault("http_503", count=2)
    devshop.add_fault("timeout")

    assert [devshop.take_fault() for _ in range(4)] == ["http_503", "http_503", "timeout", None]


def test_a_user_errors_fault_waits_for_a_mutation(devshop):
    devshop.add_fault("user_errors")
    devshop.add_fault("http_500")

    assert devshop.take_fault(mutation=False) == "http_500"
    assert devshop.take_fault(mutation=False) is None
    assert devshop.take_fault(mutation=True) == "user_errors"


def test_an_unknown_fault_is_refused(devshop):
    with pytest.raises(ValueError, match="unknown fault 'http_418'"):
        devshop.add_fault("http_418")
    assert set(FAULT_KINDS) >= {"http_500", "http_429", "throttled", "timeout", "user_errors"}


def test_options_have_defaults_and_can_be_set(devshop):
    assert devshop.option("restore_rate") == 100.0
    assert devshop.option("no_such_option", 7) == 7

    devshop.set_option("timeout_seconds", 0.5)

    assert devshop.option("timeout_seconds") == 0.5


def test_the_request_log_records_operations_and_costs(devshop):
    devshop.log_request("OrderGet", 35)
    devshop.log_request(None, None, "http_500")

    log = devshop.request_log()
    assert [(r["operation_name"], r["cost"], r["outcome"]) for r in log] == [
        ("OrderGet", 35, "ok"),
        (None, None, "http_500"),
    ]


def test_the_bucket_refuses_what_it_does_not_hold_and_refills(devshop, devshop_clock):
    devshop.set_option("bucket_size", 100)
    devshop.set_option("restore_rate", 100)

    taken, status = devshop.take_from_bucket(80)
    assert taken and status["currentlyAvailable"] == 20
    refused, status = devshop.take_from_bucket(80)
    assert not refused and status["currentlyAvailable"] == 20

    devshop_clock.advance(0.5)
    assert devshop.throttle_status()["currentlyAvailable"] == 70
    devshop_clock.advance(0.5)
    assert devshop.throttle_status()["currentlyAvailable"] == 100


def test_reset_empties_the_shop(devshop):
    devshop.load_orders([order()])
    devshop.add_fault("http_500")
    devshop.set_option("restore_rate", 1)
    devshop.set_bucket(0)
    devshop.log_request("OrderGet", 3)

    devshop.reset()

    assert devshop.orders() == []
    assert devshop.pending_faults() == []
    assert devshop.request_log() == []
    assert devshop.option("restore_rate") == 100.0
    assert devshop.throttle_status()["currentlyAvailable"] == 2000


def test_another_process_sees_the_same_shop(devshop):
    devshop.load_orders([order(1001)])
    script = (
        "import sys; from devshop.store import Store; s = Store(sys.argv[1]);"
        "print(s.order_by_name('#1001')['email']);"
        "s.load_orders([{'id': 'gid://shopify/Order/2002', 'name': '#2002'}]); s.add_fault('http_502')"
    )

    result = subprocess.run(
        [sys.executable, "-c", script, str(devshop.path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )

    assert result.stdout.strip() == "customer1001@example.com"
    assert devshop.order_by_name("#2002") is not None
    assert devshop.take_fault() == "http_502"


def test_the_state_file_and_its_directory_are_created(tmp_path):
    path = tmp_path / "nested" / "devshop.sqlite3"

    store = Store(path)
    store.load_orders([order()])

    assert path.exists()
    assert Store(path).order_by_name("#1001")["id"] == "gid://shopify/Order/1001"
