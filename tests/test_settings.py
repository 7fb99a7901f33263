"""Production settings refuse to start half-configured, and say why in one line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "ALLOWED_HOSTS": "returns.example.com",
    "SHOPIFY_SHOP": "example-shop",
    "SHOPIFY_ACCESS_TOKEN": "shpat_example",
    # Nothing connects to them here; the checks only need them named.
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def environment(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SHOPIFY_"))}
    for name in ("DEVSHOP_ENABLED", "CELERY_BROKER_URL", "CACHE_URL"):
        env.pop(name, None)
    env.update(PRODUCTION)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, **overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(**overrides),
        capture_output=True,
        text=True,
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


def test_without_a_broker_the_deploy_check_fails_in_one_line():
    result = manage("check", "--deploy", CELERY_BROKER_URL=None)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "portal.E" in line]
    assert len(errors) == 1
    assert "(portal.E001) CELERY_BROKER_URL is not set" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("cache_url", [None, "locmemcache://", "dummycache://"])
def test_a_per_process_cache_fails_the_deploy_check(cache_url):
    result = manage("check", "--deploy", CACHE_URL=cache_url)
    assert result.returncode != 0
    assert "(portal.E002) CACHE_URL is not set or names a per-process cache" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_refuses_too_so_a_release_stops_before_it_starts():
    result = manage("migrate", "--plan", CELERY_BROKER_URL=None, CACHE_URL=None)
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "portal.E002" in result.stderr


def test_a_web_process_refuses_to_start_without_broker_and_shared_cache():
    # gunicorn loads portal.wsgi and runs no system checks: the module itself refuses.
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=ROOT,
        env=environment(CELERY_BROKER_URL=None),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: (portal.E001) CELERY_BROKER_URL is not set" in result.stderr


def test_a_fully_configured_web_process_starts():
    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_production_does_not_install_devshop():
    result = manage("devshop", "show", "1012")
    assert result.returncode != 0
    assert "Unknown command: 'devshop'" in result.stderr


def test_laptop_settings_need_no_broker_or_cache():
    # The shared-services rule is production's: base settings (manage.py's default) run alone.
    env = environment(DJANGO_SETTINGS_MODULE="portal.settings.base", CACHE_URL=None)
    env.pop("CELERY_BROKER_URL")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("module", "has_devshop"),
    [
        ("portal.settings.base", False),
        ("portal.settings.production", False),
        ("portal.settings.demo", True),
        ("portal.settings.test", True),
    ],
)
def test_only_demo_and_test_settings_install_and_mount_devshop(module, has_devshop):
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.urls import resolve, Resolver404\n"
        "try: resolve('/devshop/admin/oauth/access_token'); mounted = True\n"
        "except Resolver404: mounted = False\n"
        "print('devshop' in settings.INSTALLED_APPS, settings.DEVSHOP_ENABLED, mounted)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment(DJANGO_SETTINGS_MODULE=module),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(has_devshop)] * 3


PHOTOS_VARIABLES = [
    f"PHOTOS_S3_{name}"
    for name in (
        "BUCKET",
        "ENDPOINT_URL",
        "REGION",
        "ACCESS_KEY_ID",
        "SECRET_ACCESS_KEY",
        "PREFIX",
        "ADDRESSING_STYLE",
    )
]


def settings_in_a_fresh_process(**variables) -> dict:
    """STORAGES["photos"] as portal.settings.production reads the environment."""
    # Each set, even if empty: a local .env may not fill them in.
    env = environment(**{**dict.fromkeys(PHOTOS_VARIABLES, ""), **variables})
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "s = settings.STORAGES['photos']; o = dict(s.get('OPTIONS', {})); "
        "c = o.pop('client_config', None); "
        "o['addressing_style'] = c.s3['addressing_style'] if c else None; "
        "print(json.dumps({'BACKEND': s['BACKEND'], 'OPTIONS': o}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_photos_go_to_s3_when_a_bucket_is_named_and_to_the_filesystem_otherwise(tmp_path):
    s3 = settings_in_a_fresh_process(
        PHOTOS_S3_BUCKET="shop-photos",
        PHOTOS_S3_ENDPOINT_URL="https://s3.example.net",
        PHOTOS_S3_REGION="eu-central-1",
        PHOTOS_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        PHOTOS_S3_SECRET_ACCESS_KEY="secret-example",
        PHOTOS_S3_PREFIX="/returns/photos/",
        PHOTOS_S3_ADDRESSING_STYLE="path",
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"] == {
        "bucket_name": "shop-photos",
        "endpoint_url": "https://s3.example.net",
        "region_name": "eu-central-1",
        "access_key": "AKIAEXAMPLE",
        "secret_key": "secret-example",
        "location": "returns/photos",
        # Private: no ACL that could make an object public, every URL signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "addressing_style": "path",
    }

    # Only a bucket is required: the rest is AWS's defaults and boto3's credential lookup.
    minimal = settings_in_a_fresh_process(PHOTOS_S3_BUCKET="shop-photos")["OPTIONS"]
    assert "endpoint_url" not in minimal and "access_key" not in minimal
    assert minimal["location"] == "" and minimal["addressing_style"] is None

    local = settings_in_a_fresh_process(PHOTOS_ROOT=str(tmp_path / "photos"))
    assert local["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert local["OPTIONS"]["location"] == str(tmp_path / "photos")
