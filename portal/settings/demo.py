"""The demo (`python3 dev.py demo`): the portal on a laptop, devshop standing in for Shopify.

Everything the demo needs is here, so `python3 dev.py manage ...` (manage.py with these settings)
sees the same shop and database as the running demo from any shell. The demo keeps its own
SQLite file, whatever DATABASE_URL says, because every start empties it (dev.py: a fresh world).
DEMO_ADDRESS moves it off 127.0.0.1:8000, DEMO_STATE_DIR its two SQLite files out of var/; give
them to `dev.py manage` too.
"""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS

DEMO_ADDRESS = os.environ.get("DEMO_ADDRESS", "127.0.0.1:8000")
DEMO_STATE_DIR = Path(os.environ.get("DEMO_STATE_DIR", BASE_DIR / "var"))

DEBUG = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # The demo's photos sit next to its databases, private like everywhere else.
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DEMO_STATE_DIR / "photos")},
    },
}
PORTAL_URL = f"http://{DEMO_ADDRESS}"

DEMO_STATE_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DEMO_STATE_DIR / "demo.sqlite3",
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 0,
        # The same one-writer-at-a-time transactions as base's SQLite default.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}

INSTALLED_APPS = [*INSTALLED_APPS, "devshop"]
ROOT_URLCONF = "portal.devshop_urls"

# The demo uses the Dev Dashboard flow: client id + secret exchanged for a token (by devshop).
SHOPIFY_SHOP = "demo-shop"
SHOPIFY_ACCESS_TOKEN = ""
SHOPIFY_CLIENT_ID = "demo-client-id"
SHOPIFY_CLIENT_SECRET = "demo-client-secret"

DEVSHOP_ENABLED = True
DEVSHOP_URL = f"http://{DEMO_ADDRESS}/devshop"
# devshop's shop lives in a file of its own, so the web server and every command see one shop.
DEVSHOP_STATE = str(DEMO_STATE_DIR / "devshop.sqlite3")
# devshop tells the portal about changes the way Shopify does: signed webhooks.
DEVSHOP_WEBHOOK_URL = f"http://{DEMO_ADDRESS}/webhooks/shopify/"
