"""Settings for the test suite: fast, isolated, devshop standing in for Shopify."""

import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "en"

CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = True

SHOP_NAME = "Test Shop"
SHOPIFY_SHOP = "test-shop"
SHOPIFY_ACCESS_TOKEN = "shpat_test_static_token"
SHOPIFY_CLIENT_ID = ""
SHOPIFY_CLIENT_SECRET = ""
SHOPIFY_TIMEOUT = 3.0

DEVSHOP_ENABLED = True
# The test suite starts its own devshop server on a free port and points DEVSHOP_URL at it.
DEVSHOP_URL = "http://127.0.0.1:9"
DEVSHOP_STATE = tempfile.mkstemp(prefix="devshop-test-", suffix=".sqlite3")[1]
# Serve static files from the source folders, as in development: no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
