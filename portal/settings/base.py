"""Settings shared by every environment; everything that differs comes from the environment.

Defaults are chosen so a fresh clone runs on a laptop: SQLite, an in-process cache and Celery
running tasks eagerly when no broker is configured. devshop, the local Shopify, is not here: the
demo and test settings add it (portal/settings/demo.py, test.py); production cannot have it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------------------------------------
# Django core: secrets, hosts, apps, requests
# ---------------------------------------------------------------------------------------------

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "portal",
    "returns",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
# The admin lives at a configurable path so it is not where every scanner looks first.
ADMIN_URL = env("ADMIN_URL", default="admin/")
# The portal's public address, for links in emails.
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "returns.context_processors.shop",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Shared state: database and cache
# ---------------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. IMMEDIATE takes the write lock when a transaction begins,
    # so a second process (the demo's web server and worker) waits its turn instead of
    # interleaving a read-check-write, or failing with "database is locked" when its read turns
    # into a write; select_for_update() is a no-op on SQLite, so this is its lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shopify tokens, lookup rate limits and remembered unknown orders live here: production must
# name one cache for all processes (portal/checks.py refuses an in-process one there).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# production.py turns this on: then the system checks refuse a missing broker and a per-process
# cache, which would work on one laptop process and quietly misbehave with several.
REQUIRE_SHARED_SERVICES = False

# ---------------------------------------------------------------------------------------------
# Staff logins
# ---------------------------------------------------------------------------------------------

# The admin login's brute-force limit (django-axes): failures are counted per username *from one
# address*, so an attacker guessing passwords locks only their own attempts, never the staff
# member at the office; after the cool-off the count starts again. Attempts are stored in the
# database, which every web process shares.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The same address the shopper lookup limits count: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "returns.ratelimit.client_ip"
# A successful login and every logout are not worth a row each; failures are.
AXES_DISABLE_ACCESS_LOG = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------------------------------------
# Languages and time
# ---------------------------------------------------------------------------------------------

LANGUAGE_CODE = env("LANGUAGE_CODE", default="nl")
LANGUAGES = [("nl", _("Dutch")), ("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dutch and German dates come from Django ("1 december 2026", "1. Dezember 2026"); English ones
# are written the European way ("1 December 2026").
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------------
# Static files and uploads
# ---------------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Claim photos: private files, never served from a URL of their own (no MEDIA_URL, not under
# static/); the portal streams each one through a signed, expiring link.
PHOTOS_ROOT = env.path("PHOTOS_ROOT", default=BASE_DIR / "var" / "photos")


def photos_s3_storage(
    *, bucket, endpoint_url="", region="", access_key="", secret_key="", prefix="", style=""
):
    """An S3-compatible bucket for claim photos, private: objects are sent without an ACL (so
    they belong to the bucket's owner alone, and buckets with ACLs disabled accept them), every
    URL the storage hands out is signed and short-lived, and no upload replaces another."""
    from botocore.config import Config

    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "client_config": Config(
            s3={"addressing_style": style or None},
            # Checksums only where S3 requires one: stores that merely speak S3's API (MinIO,
            # Ceph, most hosting providers) refuse the newer default ones.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    }
    # Empty: boto3's own lookup (AWS_* variables, an instance role, ~/.aws).
    for key, value in {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,
        "secret_key": secret_key,
    }.items():
        if value:
            options[key] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# With a bucket named, photos go to S3 (or any store that speaks its API); else to PHOTOS_ROOT.
PHOTOS_S3_BUCKET = env("PHOTOS_S3_BUCKET", default="")
if PHOTOS_S3_BUCKET:
    PHOTOS_STORAGE = photos_s3_storage(
        bucket=PHOTOS_S3_BUCKET,
        endpoint_url=env("PHOTOS_S3_ENDPOINT_URL", default=""),
        region=env("PHOTOS_S3_REGION", default=""),
        access_key=env("PHOTOS_S3_ACCESS_KEY_ID", default=""),
        secret_key=env("PHOTOS_S3_SECRET_ACCESS_KEY", default=""),
        prefix=env("PHOTOS_S3_PREFIX", default=""),
        style=env("PHOTOS_S3_ADDRESSING_STYLE", default=""),
    )
else:
    PHOTOS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(PHOTOS_ROOT),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "photos": PHOTOS_STORAGE,
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ---------------------------------------------------------------------------------------------
# Security headers
# ---------------------------------------------------------------------------------------------

# No inline scripts or styles anywhere; product images may come from Shopify's CDN.
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data: https://cdn.shopify.com; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
)

# ---------------------------------------------------------------------------------------------
# Email
# ---------------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="returns@example.com")

# ---------------------------------------------------------------------------------------------
# Background jobs (Celery)
# ---------------------------------------------------------------------------------------------

# With no broker configured, tasks run in-process (eagerly) so a laptop needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
# With Redis, a task whose worker died (acks late) is handed out again once this many seconds
# have passed since it was first handed out. It must exceed the longest retry countdown
# (returns.tasks.backoff: 15 minutes) plus the time limit, or a waiting retry runs twice: harmless,
# as every task is idempotent, but wasteful.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
# A worker that loses the broker stops its running acks-late tasks: the broker hands them out again.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
# Pending refunds and failed Shopify writes quiet for this long are sent again by the sweep; a
# refund still pending this long after it was asked for is listed as stalled Shopify work.
STALLED_WORK_MINUTES = env.int("STALLED_WORK_MINUTES", default=15)
# Claim photos are deleted this many days after their request was resolved, rejected or
# cancelled, by the hourly photo sweep (which also retries deletions a failing store refused).
PHOTOS_RETENTION_DAYS = env.int("PHOTOS_RETENTION_DAYS", default=180)
CELERY_BEAT_SCHEDULE = {
    "resume-stalled-work": {"task": "returns.tasks.stalled_work_resume", "schedule": 5 * 60.0},
    "delete-expired-photos": {"task": "returns.tasks.photos_sweep", "schedule": 60 * 60.0},
    "sync-sales-for-report": {"task": "returns.tasks.sales_sync", "schedule": 6 * 60 * 60.0},
}

# ---------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "portal.logging.RedactFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        # Django's DEFAULT_LOGGING gives "django" a console handler of its own (active with DEBUG
        # on) that would print request paths, status links among them, past the redaction.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # The development server's access log goes through the same redaction.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# ---------------------------------------------------------------------------------------------
# The shop
# ---------------------------------------------------------------------------------------------

SHOP_NAME = env("SHOP_NAME", default="Demo Shop")
SHOP_RETURN_ADDRESS = env(
    "SHOP_RETURN_ADDRESS",
    default="Demo Shop Returns\nRetourstraat 1\n1011 AB Amsterdam\nNetherlands",
)

# ---------------------------------------------------------------------------------------------
# Shopify
# ---------------------------------------------------------------------------------------------

# SHOPIFY_SHOP is the store's handle: the part before .myshopify.com.
SHOPIFY_SHOP = env("SHOPIFY_SHOP", default="")
SHOPIFY_API_VERSION = env("SHOPIFY_API_VERSION", default="2026-10")
SHOPIFY_ACCESS_TOKEN = env("SHOPIFY_ACCESS_TOKEN", default="")
SHOPIFY_CLIENT_ID = env("SHOPIFY_CLIENT_ID", default="")
SHOPIFY_CLIENT_SECRET = env("SHOPIFY_CLIENT_SECRET", default="")
# Shopify webhooks are signed with SHOPIFY_CLIENT_SECRET. While a rotated secret is being rolled
# out, deliveries signed with the previous one are accepted too.
SHOPIFY_OLD_CLIENT_SECRET = env("SHOPIFY_OLD_CLIENT_SECRET", default="")
SHOPIFY_TIMEOUT = env.float("SHOPIFY_TIMEOUT", default=10.0)
# Renew a client-credentials token this many seconds before Shopify says it expires.
SHOPIFY_TOKEN_RENEW_MARGIN = env.int("SHOPIFY_TOKEN_RENEW_MARGIN", default=300)
# Where returned units marked for restocking go back in stock: one of the shop's active
# locations, by name or id; empty: the first active location Shopify lists.
SHOPIFY_RESTOCK_LOCATION = env("SHOPIFY_RESTOCK_LOCATION", default="")
# How long the local copy of an order answers a shopper's lookup before it is fetched again.
# Webhooks keep it fresh in between.
ORDER_COPY_MAX_AGE = env.int("ORDER_COPY_MAX_AGE", default=900)

# devshop answers instead of Shopify only where the demo or test settings install it.
DEVSHOP_ENABLED = False

# ---------------------------------------------------------------------------------------------
# Return policy
# ---------------------------------------------------------------------------------------------

RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)
GUARANTEE_YEARS = env.int("GUARANTEE_YEARS", default=2)
FINAL_SALE_TAGS = env.list("FINAL_SALE_TAGS", default=["final-sale"])
# A withdrawal from an order not shipped yet: cancel it in Shopify (refund and restock) at once,
# instead of leaving the cancellation to staff.
WITHDRAWAL_CANCEL_AUTOMATICALLY = env.bool("WITHDRAWAL_CANCEL_AUTOMATICALLY", default=False)
# How long one attempt to send a refund may be in flight before another may start: past the
# task's hard time limit its worker has surely stopped, even one killed without a word.
REFUND_LEASE_SECONDS = env.int("REFUND_LEASE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 30)

# ---------------------------------------------------------------------------------------------
# Shopper-facing limits and speed
# ---------------------------------------------------------------------------------------------

# Failed order lookups allowed before the start page answers 429 Too Many Requests.
LOOKUP_FAILURES_PER_IP_PER_MINUTE = env.int("LOOKUP_FAILURES_PER_IP_PER_MINUTE", default=5)
LOOKUP_FAILURES_PER_IP_PER_HOUR = env.int("LOOKUP_FAILURES_PER_IP_PER_HOUR", default=20)
LOOKUP_FAILURES_PER_ORDER_PER_HOUR = env.int("LOOKUP_FAILURES_PER_ORDER_PER_HOUR", default=10)
# A failed lookup is answered no sooner than this after it started, so that an unknown order
# number (which may cost a request to Shopify) and a known one with a wrong email take as long.
# Keep it above Shopify's usual answer time.
LOOKUP_FAILURE_MIN_SECONDS = env.float("LOOKUP_FAILURE_MIN_SECONDS", default=0.5)
# Seconds a one-time link, mailed when an order number has been guessed at too often, stays valid.
LOOKUP_LINK_MAX_AGE = env.int("LOOKUP_LINK_MAX_AGE", default=3600)
# Addresses of reverse proxies whose X-Forwarded-For may be believed (e.g. 127.0.0.1 for nginx).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# How long an unknown order number is remembered, so probing it does not cost Shopify requests.
UNKNOWN_ORDER_CACHE_SECONDS = env.int("UNKNOWN_ORDER_CACHE_SECONDS", default=60)
# Seconds each web process reuses a status page it rendered (0: never). A change made meanwhile
# shows this much later, at most; a reload or a burst on one page costs no query.
STATUS_PAGE_CACHE_SECONDS = env.float("STATUS_PAGE_CACHE_SECONDS", default=2.0)

# ---------------------------------------------------------------------------------------------
# Claim photos
# ---------------------------------------------------------------------------------------------

# Photos a shopper may add to a defect claim (and again each time staff ask for more), and each
# one's limit in megabytes as sent. Withdrawals ("not satisfied") take none: no reason is needed.
CLAIM_PHOTOS_MAX = env.int("CLAIM_PHOTOS_MAX", default=5)
CLAIM_PHOTO_MAX_MB = env.int("CLAIM_PHOTO_MAX_MB", default=10)
# A claim needs at least one photo.
CLAIM_PHOTOS_REQUIRED = env.bool("CLAIM_PHOTOS_REQUIRED", default=False)
# Larger images are refused before they are decoded (a small file can unpack into gigabytes): 50
# megapixels is above any phone's camera (48 MP is the most a phone takes today).
CLAIM_PHOTO_MAX_MEGAPIXELS = env.int("CLAIM_PHOTO_MAX_MEGAPIXELS", default=50)
# The kept copy's longest side, in pixels: plenty to see a scratch, far less to store.
CLAIM_PHOTO_MAX_SIDE = env.int("CLAIM_PHOTO_MAX_SIDE", default=2048)
# Seconds a link to a photo (on the admin's request screen, on the status page) keeps working.
PHOTO_LINK_MAX_AGE = env.int("PHOTO_LINK_MAX_AGE", default=3600)
