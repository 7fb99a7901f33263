"""System checks for a deployment: the shared services several processes need.

They apply where settings.REQUIRE_SHARED_SERVICES is on (production settings). `manage.py check`,
`check --deploy`, `migrate` and `runserver` report them; the WSGI application refuses to start
on them too (refuse_unsafe_start), since gunicorn runs no system checks.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "portal"

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}

NO_BROKER = checks.Error(
    "CELERY_BROKER_URL is not set: tasks would run inside web requests and a failed Shopify "
    "write or refund would never be retried; set it to your Redis, e.g. redis://127.0.0.1:6379/0.",
    id="portal.E001",
)
PER_PROCESS_CACHE = checks.Error(
    "CACHE_URL is not set or names a per-process cache: every process would keep its own rate "
    "limits and Shopify token; set it to one Redis for all processes, e.g. redis://127.0.0.1:6379/1.",
    id="portal.E002",
)


@checks.register(TAG)
def shared_services_check(app_configs=None, **kwargs):
    if not settings.REQUIRE_SHARED_SERVICES:
        return []
    errors = []
    if not settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(NO_BROKER)
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        errors.append(PER_PROCESS_CACHE)
    return errors


def refuse_unsafe_start():
    """Raise ImproperlyConfigured, in one line, when a check of this module fails: for start-up."""
    errors = [m for m in checks.run_checks(tags=[TAG]) if m.is_serious()]
    if errors:
        raise ImproperlyConfigured(" ".join(f"({e.id}) {e.msg}" for e in errors))
