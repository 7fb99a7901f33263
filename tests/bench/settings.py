"""The portal's own settings, plus the bare view's URL and where the benchmark parks follow-ups.

Everything else comes from the environment exactly as in a deployment (tests/bench/run.py sets
DATABASE_URL, CACHE_URL, CELERY_BROKER_URL, CONN_MAX_AGE, ...), so the status page and the bare
view are served by the same gunicorn, settings and middleware.
"""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import INSTALLED_APPS, env

ROOT_URLCONF = "tests.bench.urls"
# devshop serves on a port of its own (`manage.py devshop serve`); the portal reaches it there.
INSTALLED_APPS = [*INSTALLED_APPS, "devshop"]
DEVSHOP_ENABLED = True
DEVSHOP_URL = env("DEVSHOP_URL")
DEVSHOP_STATE = env("DEVSHOP_STATE")
DEVSHOP_WEBHOOK_URL = ""
STATIC_ROOT = env("BENCH_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))  # noqa: F405

# The refund drain times refunds alone: the write-backs, order refreshes, emails and steps on the
# Shopify Return a settled refund queues go to a queue no benchmark worker reads, and are counted,
# not run.
BENCH_PARKED_QUEUE = "bench-parked"
CELERY_TASK_ROUTES = {
    name: {"queue": BENCH_PARKED_QUEUE}
    for name in (
        "returns.tasks.shopify_order_write_back",
        "returns.tasks.shopify_order_refresh",
        "returns.tasks.customer_email_send",
        "returns.tasks.shopify_return_step",
    )
}
