"""The benchmark: `python3 dev.py bench` (or `.venv/bin/python -m tests.bench`).

1. counts: SQL queries per page and Shopify requests per page and flow, in this process;
2. load: the status page, a warm lookup and a bare view under gunicorn (two workers) with a
   Celery worker running, against PostgreSQL and Redis, driven by wrk;
3. refunds: 500 queued refunds drained by the Celery worker through a throttled devshop;
4. the returns report over 100,000 requests: figures, admin page and CSV (report_timing.py).

It needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL; defaults on 127.0.0.1) and
creates, and at the end drops, a database of its own. It prints two tables; the exit status is 1
if a target does not hold.
"""

from __future__ import annotations

import os
import sys
import time
from urllib.parse import urlsplit

from .stack import DATABASE_URL, GUNICORN_WORKERS, Stack, preflight

LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "6"))
# More status pages than the first-visits run can request, so none is requested twice.
FIRST_VISITS = 4000


def main() -> int:
    started = time.monotonic()
    preflight()
    with Stack() as stack:
        os.environ.update(stack.env)
        _database_create()
        try:
            return _run(stack, started)
        finally:
            from django.db import connections

            connections.close_all()
            stack.stop_all()
            _database_drop()


def _run(stack: Stack, started: float) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from . import counts, drain, report, report_timing
    from .load import load_tool

    say("migrating the benchmark database, collecting static files")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    stack.start_devshop()

    say("counting queries and Shopify requests per page and flow")
    measured = counts.measure()

    say(f"starting gunicorn ({GUNICORN_WORKERS} workers), a Celery worker; load: {load_tool()}")
    stack.start_web()
    stack.start_worker()
    loads = _load(stack, measured["status_url"])

    say(f"draining {drain.REFUNDS} refunds through devshop at {drain.RESTORE_RATE:g} points/s")
    ids = drain.seed()
    drained = drain.drain(ids, stack=stack)

    stack.stop_all()
    say(f"timing the returns report over {report_timing.REQUESTS:,} requests")
    report_figures = report_timing.measure()

    table, ok = report.render(measured, loads, drained, cpus=os.cpu_count())
    report_table = report.Table()
    report_timing.rows(report_table, report_figures)
    print(table)
    print(report_table.render())
    ok = ok and report_table.ok
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


def _load(stack: Stack, status_url: str) -> dict:
    """Warm up; then the bare view, the status page (one page, again and again), the status page
    on first visits (a different page each time, none cached), a warm lookup, the bare view again.
    """
    from .counts import seed_requests
    from .load import run_load

    first_visits = [f"/r/{r.token}/" for r in seed_requests(FIRST_VISITS, prefix="F")]
    lookup = _lookup_request(stack)
    runs = {
        "bare": (f"{stack.web_url}/bench/bare/", {}),
        "status": (f"{stack.web_url}{status_url}", {}),
        "first": (stack.web_url, {"paths": first_visits}),
        "lookup": (f"{stack.web_url}/", lookup),
    }
    for name in ("bare", "status", "lookup"):
        url, options = runs[name]
        run_load(url, 2, **options)  # warm-up: imports, template caches, connections
    results = {}
    for name in ("bare", "status", "first", "lookup", "bare2"):
        url, options = runs[name.rstrip("2")]
        results[name] = run_load(url, LOAD_SECONDS, **options)
        stack.check_alive()
    results["first_visits"] = len(first_visits)
    return results


def _lookup_request(stack: Stack) -> dict:
    """A lookup POST as a browser sends it: CSRF cookie and token from the start page."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{stack.web_url}/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "order_number": "1001",
            "email": "anna.jansen@example.com",
        }
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
    }

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    check = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(
        f"{stack.web_url}/", data=body.encode(), headers=headers, method="POST"
    )
    try:
        check.open(request)
        raise RuntimeError("the benchmark's lookup did not find its order")
    except urllib.error.HTTPError as answer:
        if answer.code != 302 or not answer.headers["Location"].endswith("/order/"):
            raise RuntimeError(f"the benchmark's lookup answered {answer.code}") from None
    return {"method": "POST", "body": body, "headers": headers}


def _admin_connection():
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    return psycopg.connect(admin, autocommit=True), name


def _database_create() -> None:
    conn, name = _admin_connection()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _database_drop() -> None:
    if os.environ.get("BENCH_KEEP_DATABASE"):
        return
    conn, name = _admin_connection()
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
