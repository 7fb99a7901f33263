"""How long a throttled Shopify request may wait, per thread: long in a worker, never on the web.

Celery tasks set a patience (returns/tasks.py); web requests keep the default of 0 and fail fast
with ShopifyThrottled, which a task then retries.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Seconds a throttled request may still wait in total before ShopifyThrottled is raised; 0 outside
# throttle_patience(), so web requests never wait.
_patience: ContextVar[float] = ContextVar("shopify_throttle_patience", default=0.0)
# Up to this many seconds are added to each wait, so clients throttled together do not all come
# back at the same moment to find points for only one of them. Waiting longer than needed costs
# nothing while the bucket is below its maximum: the points wait in it (tests/bench/ measures it).
THROTTLE_JITTER = 0.5


@contextmanager
def throttle_patience(seconds: float) -> Iterator[None]:
    """Within this block, a throttled request waits and is sent again, for `seconds` in total."""
    token = _patience.set(seconds)
    try:
        yield
    finally:
        _patience.reset(token)


def patience() -> float:
    return _patience.get()


def set_throttle_patience(seconds: float) -> None:
    """throttle_patience() from here on, in this thread, for hooks that cannot wrap a block."""
    _patience.set(seconds)
