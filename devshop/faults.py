"""Fault injection: the one layer every devshop request and resolver goes through.

A test queues faults on the store (`store.add_fault("http_503")`); each GraphQL request takes the
oldest one that applies to it. Transport faults (5xx, 429, THROTTLED, a timeout) are answered by
`before_execution()` before the document runs; `user_errors` is answered by `FaultLayer`, the
graphql-core middleware every resolver is called through, which makes the mutation's payload
carry a userError and leaves the shop unchanged. A resource module never checks for faults
itself, so a new one gets them all.
"""

from __future__ import annotations

import time

from graphql import get_named_type

FAULT_KINDS = (
    "http_500",
    "http_502",
    "http_503",
    "http_429",
    "throttled",
    "timeout",
    "mutation_timeout",
    "user_errors",
)
# Faults that only make sense for a mutation: a query leaves them queued for the next mutation.
MUTATION_FAULTS = ("user_errors", "mutation_timeout")

HTTP_FAULTS = {
    "http_500": (500, {}, "Internal Server Error"),
    "http_502": (502, {}, "Bad Gateway"),
    "http_503": (503, {}, "Service Unavailable"),
    "http_429": (
        429,
        {"Retry-After": "2"},
        "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
    ),
}
INJECTED_USER_ERROR = {
    "field": None,
    "message": "Something went wrong (a userErrors fault injected by devshop); nothing was changed.",
}


def before_execution(store, *, mutation: bool) -> tuple[str | None, tuple | None]:
    """(the fault this request takes, an HTTP answer (status, headers, message) or None)."""
    fault = store.take_fault(mutation=mutation)
    if fault in HTTP_FAULTS:
        return fault, HTTP_FAULTS[fault]
    if fault == "timeout":
        # The client has given up by now, but Shopify still carries the request out. This waits
        # in real time on purpose: it is the client's own timeout that is being tested. A
        # mutation_timeout waits while the mutation is carried out (devshop/server.py).
        time.sleep(float(store.option("timeout_seconds")))
    return fault, None


class FaultLayer:
    """graphql-core middleware: a `user_errors` fault answers the mutation in place of its resolver."""

    def resolve(self, next_, root, info, **args):
        if (
            info.context.get("fault") == "user_errors"
            and info.parent_type is info.schema.mutation_type
        ):
            payload = get_named_type(info.return_type)
            return {
                name: ([INJECTED_USER_ERROR] if name == "userErrors" else None)
                for name in payload.fields
            }
        return next_(root, info, **args)
