"""Every route, with hostile values in its URL parameters, as a stranger and as staff: never a 500.

The routes are read from the URL resolver, so a route added later is fuzzed too. Each parameter
(a path converter or a regex group) gets values an attacker or a mangled link would send: NUL,
numbers beyond any column, words where ids go, unicode, path traversal, very long strings.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ReturnRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "%00",
    "a\x00b",
    "99999999999999999999999999",
    "-1",
    "0",
    "1e9",
    "abc",
    "1; DROP TABLE x",
    "ñandú-✓-€",
    "\U0001f4a9",
    "../../etc/passwd",
    "..%2f..%2f",
    "x" * 5000,
    " ",
]

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<group>\w+)>")


def _regex_template(regex: str) -> str:
    """A URL template from a regex route: named groups become {}, anchors and escapes go."""
    out, depth, i = [], 0, 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            # Skip the whole group, nested parentheses included.
            depth, j = 1, regex.index(">", i) + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out.append("{}")
            i = j
            continue
        char = regex[i]
        if char == "\\" and i + 1 < len(regex):
            out.append(regex[i + 1])
            i += 2
            continue
        if char not in "^$":
            out.append(char)
        i += 1
    return "".join(out)


def _route_template(route: str) -> str:
    return PARAMETER.sub("{}", route)


def url_templates(patterns=None, prefix=""):
    """Every route as a template with one {} per parameter, e.g. '/r/{}/submitted/'."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    templates = []
    for pattern in patterns:
        if isinstance(pattern.pattern, RoutePattern):
            part = _route_template(str(pattern.pattern._route))
        else:
            assert isinstance(pattern.pattern, RegexPattern)
            part = _regex_template(pattern.pattern._regex)
        if isinstance(pattern, URLResolver):
            templates += url_templates(pattern.url_patterns, prefix + part)
        elif isinstance(pattern, URLPattern):
            templates.append("/" + prefix + part)
    # A parameterless route is fuzzed through a hostile suffix instead.
    return sorted({t if "{}" in t else t + "{}" for t in templates})


TEMPLATES = url_templates()


def fill(template: str, value: str) -> str:
    return template.replace("{}", quote(value, safe=""))


@pytest.fixture
def staff(db):
    return UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)


@pytest.fixture
def users(client, staff):
    """(name, client) for a stranger and for a logged-in superuser."""
    from django.test import Client

    staff_client = Client(raise_request_exception=False)
    staff_client.force_login(staff)
    return [("anonymous", Client(raise_request_exception=False)), ("staff", staff_client)]


def assert_no_server_error(users, url):
    for who, client in users:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code < 500, (who, method.__name__, url, response.status_code)


def test_the_resolver_yields_every_kind_of_route():
    assert "/r/{}/" in TEMPLATES and "/r/{}/submitted/" in TEMPLATES
    assert any(t.endswith("/{}/approve/") for t in TEMPLATES)
    assert any(t.endswith("/{}/refund/") for t in TEMPLATES)
    assert len(TEMPLATES) > 30


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_every_route_survives_hostile_values(users, value):
    ReturnRequestFactory()  # a real row, so ids near real ones are tried against data
    for template in TEMPLATES:
        assert_no_server_error(users, fill(template, value))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    template=st.sampled_from(TEMPLATES),
    value=st.one_of(
        st.text(min_size=1, max_size=60),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(HOSTILE),
    ),
)
def test_any_value_in_any_route_is_never_a_server_error(users, template, value):
    assert_no_server_error(users, fill(template, value))
