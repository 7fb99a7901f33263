"""Real Celery workers and a request's steps on its Shopify Return.

Killed: each of the four steps wired to the Returns API (request, approve, decline, cancel) is
queued on Redis for a worker. devshop takes a while over every mutation (below SHOPIFY_TIMEOUT, so
the worker waits) and carries it out first, like Shopify finishing a request whose client has gone.
The worker is killed (SIGKILL) as soon as devshop has changed the Return, so Shopify has done the
step but the portal never heard. The task was not acknowledged; Redis hands it to the next worker,
which reads the Return and sends nothing: one Return per request, in the step's state, each
mutation sent once.

Denied: a step Shopify denies for a missing access scope is tried once, waits for the scope, and
leaves nothing queued or scheduled behind it.
"""

import re
from dataclasses import dataclass

import pytest

from devshop.access import ACCESS_SCOPES
from returns import services, steps
from returns.models import ReturnEvent, ReturnRequest
from tests import shop

from .worker import Workers, queued_on_redis, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_MUTATION = 2.0  # seconds devshop takes over each mutation: the window to kill the worker in
# Every mutation the worker sends is slow: the write-back's (note, tags) and then the Return's.
SLOW_MUTATIONS = 6


@dataclass(frozen=True)
class Case:
    step: str
    operation: str  # the GraphQL operation the step sends, once
    status: str  # the Return's status once the step is done


CASES = [
    Case("request", "ReturnRequest", "REQUESTED"),
    Case("approve", "ReturnApprove", "OPEN"),
    Case("reject", "ReturnDecline", "DECLINED"),
    Case("cancel", "ReturnCancel", "CANCELED"),
]


@pytest.fixture
def shirts(devshop):
    """Order #1001 (two shirts, a lamp) in devshop; returns the shirts' line item."""
    shirts = shop.line_item("Linen shirt", quantity=2, price="39.95")
    lamp = shop.line_item("Desk lamp", quantity=1, price="89.00")
    devshop.load_orders([shop.order("#1001", email="anna@example.com", items=[shirts, lamp])])
    return shirts


def file_request(shirts):
    order = services.shopify_order_lookup(order_number="1001", email="anna@example.com")
    return services.return_request_create(
        order=order, quantities={shirts["id"]: 2}, reason="not_satisfied", comment="", locale="nl"
    )


def take_step(case: Case, shirts, staff) -> ReturnRequest:
    """The case's step, its tasks queued on Redis; the steps before it done in-process."""
    if case.step == "request":
        with queued_on_redis():
            return file_request(shirts)
    request = file_request(shirts)  # requested in Shopify here, in-process
    with queued_on_redis():
        if case.step == "approve":
            services.return_approve(request_id=request.pk, user=staff)
        elif case.step == "reject":
            services.return_reject(request_id=request.pk, user=staff, reason="Worn.")
        else:
            services.return_cancel(request_id=request.pk)
    return request


def shopify_returns(devshop):
    return devshop.order_by_name("#1001").get("returns") or []


def sent(devshop, operation):
    return [r["outcome"] for r in devshop.request_log() if r["operation_name"] == operation]


def drained(broker):
    """Nothing queued, nothing handed out and unacknowledged, no retry waiting for its time."""
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def ran(workers, name, task):
    log = (workers.log_dir / f"{name}.log").read_text()
    return re.search(rf"returns\.tasks\.{task}\[[^\]]+\] succeeded", log) is not None


@pytest.mark.parametrize("case", CASES, ids=[case.step for case in CASES])
def test_a_worker_killed_mid_step_leaves_the_next_one_to_finish_it_once(
    case, hard_timeout, shirts, staff, devshop, broker, workers
):
    request = take_step(case, shirts, staff)
    assert broker.llen("celery") >= 1  # queued after commit, for a worker
    devshop.set_option("timeout_seconds", SLOW_MUTATION)  # below SHOPIFY_TIMEOUT: the worker waits
    devshop.add_fault("mutation_timeout", count=SLOW_MUTATIONS)

    first = workers.start("first")
    # devshop has carried the step out and is taking its time to answer: the worker waits.
    wait_for(
        lambda: [r["status"] for r in shopify_returns(devshop)] == [case.status],
        f"{case.operation} reaching devshop",
        workers,
    )
    Workers.kill(first)
    assert broker.hlen("unacked") >= 1  # acknowledged late: the killed worker never acked it
    if case.step == "request":
        assert ReturnRequest.objects.get(pk=request.pk).shopify_return_id == ""  # never heard

    workers.start("second")
    wait_for(lambda: ran(workers, "second", "shopify_return_step"), "the redelivered step", workers)
    wait_for(lambda: drained(broker), "every task acknowledged", workers)

    [made] = shopify_returns(devshop)
    assert made["status"] == case.status
    assert ReturnRequest.objects.get(pk=request.pk).shopify_return_id == made["id"]
    assert sent(devshop, case.operation) == ["ok"]
    assert not ReturnEvent.objects.filter(
        request=request, type=steps.SHOPIFY_RETURN_REFUSED.event_type
    ).exists()


def test_a_step_denied_for_a_missing_scope_is_tried_once_and_waits(
    hard_timeout, shirts, staff, devshop, broker, workers
):
    devshop.set_option("access_scopes", ACCESS_SCOPES.replace("write_returns,", ""))
    with queued_on_redis():
        request = file_request(shirts)

    workers.start("worker")
    waiting = ReturnEvent.objects.filter(
        request=request, type=steps.SHOPIFY_RETURN_WAITING.event_type
    )
    wait_for(waiting.exists, "the step recorded as waiting for write_returns", workers)
    wait_for(lambda: drained(broker), "every task acknowledged", workers)

    assert waiting.get().data["scopes"] == ["write_returns"]
    assert sent(devshop, "ReturnRequest") == ["errors"]  # once: no retry, none scheduled
    assert shopify_returns(devshop) == []
    request.refresh_from_db()
    assert request.status == "requested"
