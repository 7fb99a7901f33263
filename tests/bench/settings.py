"""The portal's own settings, plus the bare view's URL and where the benchmark parks follow-ups.

Everything else comes from the environment exactly as in a deployment (tests/bench/run.py sets
DATABASE_URL, CACHE_URL, CELERY_BROKER_URL, CONN_MAX_AGE, ...), so the status page and the bare
view are served by the same gunicorn, settings and middleware.
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

ROOT_URLCONF = "tests.bench.urls"
STATIC_ROOT = env("BENCH_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))  # noqa: F405

# The refund drain times refunds alone: the write-backs, order refreshes and emails a settled
# refund queues go to a queue no benchmark worker reads, and are counted, not run.
BENCH_PARKED_QUEUE = "bench-parked"
CELERY_TASK_ROUTES = {
    name: {"queue": BENCH_PARKED_QUEUE}
    for name in (
        "returns.tasks.shopify_order_write_back",
        "returns.tasks.shopify_order_refresh",
        "returns.tasks.customer_email_send",
    )
}
