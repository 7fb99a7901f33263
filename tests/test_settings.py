"""Production settings refuse to start half-configured, and say why in one line."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "ALLOWED_HOSTS": "returns.example.com",
    "SHOPIFY_SHOP": "example-shop",
    "SHOPIFY_ACCESS_TOKEN": "shpat_example",
}


def manage(*args, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHOPIFY_"))}
    env.pop("DEVSHOP_ENABLED", None)
    env.update(PRODUCTION)
    env.update(overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_complete_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_a_missing_secret_key_is_named_without_a_traceback():
    result = manage("check", DJANGO_SECRET_KEY=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_needs_shopify_credentials():
    result = manage("check", SHOPIFY_ACCESS_TOKEN=None)
    assert result.returncode != 0
    assert "SHOPIFY_ACCESS_TOKEN" in result.stderr and "SHOPIFY_CLIENT_ID" in result.stderr
    assert "Traceback" not in result.stderr


def test_devshop_can_never_run_under_production_settings():
    result = manage("check", DEVSHOP_ENABLED="true")
    assert result.returncode != 0
    assert "DEVSHOP_ENABLED" in result.stderr
    assert "Traceback" not in result.stderr
