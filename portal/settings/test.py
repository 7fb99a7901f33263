"""Settings for the test suite: fast, isolated, devshop standing in for Shopify."""

import tempfile

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env, photos_s3_storage

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # A folder of this test run's own; PHOTOS_ROOT may name another.
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env("PHOTOS_ROOT", default="") or tempfile.mkdtemp(prefix="photos-test-")
        },
    },
}
# The photo tests run once more in CI against S3's API (moto's server, started by .ci/run), in
# a bucket they create (conftest.py): TEST_PHOTOS_S3_ENDPOINT_URL names that server.
TEST_PHOTOS_S3_ENDPOINT_URL = env("TEST_PHOTOS_S3_ENDPOINT_URL", default="")
if TEST_PHOTOS_S3_ENDPOINT_URL:
    STORAGES["photos"] = photos_s3_storage(
        bucket="photos-test",
        endpoint_url=TEST_PHOTOS_S3_ENDPOINT_URL,
        region="eu-central-1",
        access_key="testing",
        secret_key="testing",
    )
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "en"

CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="")
# Tasks run in-process, unless a test starts a real worker with a broker (tests/integration/).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Such a test kills a worker mid-task: Redis hands the task out again after a few seconds instead
# of an hour, and the next worker looks for such tasks every second.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("TEST_CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

# Every test sees a change on the status page at once; tests/returns/test_performance.py turns the
# reuse of rendered status pages on where it tests it.
STATUS_PAGE_CACHE_SECONDS = 0

# No test waits for the failed-lookup floor; tests/returns/test_lookup_limits.py checks it with a
# controlled clock.
LOOKUP_FAILURE_MIN_SECONDS = 0

SHOP_NAME = "Test Shop"
SHOPIFY_SHOP = "test-shop"
SHOPIFY_ACCESS_TOKEN = "shpat_test_static_token"
SHOPIFY_CLIENT_ID = ""
SHOPIFY_CLIENT_SECRET = ""
SHOPIFY_TIMEOUT = 3.0

INSTALLED_APPS = [*INSTALLED_APPS, "devshop"]
ROOT_URLCONF = "portal.devshop_urls"
DEVSHOP_ENABLED = True
# The test suite starts its own devshop server on a free port and points DEVSHOP_URL at it.
# A worker started by a test is told the test's devshop address and state file.
DEVSHOP_URL = env("TEST_DEVSHOP_URL", default="http://127.0.0.1:9")
DEVSHOP_STATE = (
    env("TEST_DEVSHOP_STATE", default="")
    or tempfile.mkstemp(prefix="devshop-test-", suffix=".sqlite3")[1]
)
# Serve static files from the source folders, as in development: no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# devshop sends webhooks only in the tests that ask for them, whatever a local .env says.
DEVSHOP_WEBHOOK_URL = ""
