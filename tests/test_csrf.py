"""CSRF on every form and every write (OWASP ASVS 3.5): a POST without the token is refused, on
every URL pattern of the site, walked from the URL resolver so that a new view is covered the day
it is added. The API refuses a session-authenticated write without the token too (a token-
authenticated one needs no CSRF token: a browser never sends a Bearer header by itself).

Every rendered POST form carries the token (or posts to a view of EXEMPT below): checked on every
page, for every persona, by tests/test_crawl.py's crawl.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

# Views that accept a POST without a CSRF token, and why that is safe.
EXEMPT = {
    "communication.views.UnsubscribeView": (
        "RFC 8058 one-click unsubscribe from a mail client: the signed per-person token in the "
        "address is the credential, and the only effect is fewer emails"
    ),
    "ci_platform.api.views.api_not_found": "answers 404 to every method; changes nothing",
    "measurement.embeds.views.EmbedCsvView": (
        "the public embed's numbers, read only (no POST handler: 405, nothing changes); served without "
        "a session, as an embed's data is fetched from other sites"
    ),
    "measurement.embeds.views.EmbedJsonView": "the same numbers as JSON; read only, 405 to a POST",
}
# Patterns without a usable example address (a catch-all), and why.
NO_EXAMPLE = {
    "django.contrib.admin.sites.AdminSite.catch_all_view": "the admin's catch-all; its siblings are walked",
}

EXAMPLE = {"int": "1", "slug": "c2c", "str": "x", "path": "1", "uuid": "00000000-0000-0000-0000-000000000001"}


def _regex_example(regex: str) -> str:
    regex = regex.lstrip("^").rstrip("$")
    # (?P<app_label>auth|axes|…) -> auth; (?P<pk>[^/.]+) -> 1
    regex = re.sub(r"\(\?P<\w+>(\w+)\|[^)]*\)", r"\1", regex)
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    return regex.replace("\\.", ".").replace("/?", "/").replace(".*", "x")


def _example(parts) -> str:
    path = ""
    for part in parts:
        route = getattr(part, "_route", None)
        if route is not None:
            path += re.sub(r"<(?:(\w+):)?\w+>", lambda m: EXAMPLE[m.group(1) or "str"], route)
        else:
            path += _regex_example(part.regex.pattern)
    return "/" + path


def _walk(resolver=None, prefix=()):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, (*prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*prefix, entry.pattern), entry


def every_route() -> list[tuple[str, str]]:
    """(example path, view) for every URL pattern; format-suffix duplicates left out."""
    out = []
    for parts, pattern in _walk():
        if any("format>" in str(part) for part in parts):
            continue
        if pattern.lookup_str in NO_EXAMPLE:
            continue
        out.append((_example(parts), pattern.lookup_str))
    return out


def test_every_route_has_a_working_example():
    routes = every_route()
    assert len(routes) > 300  # the admin's included
    wrong = []
    for path, view in routes:
        match = resolve(path)
        if match._func_path != view and f"{match.func.__module__}.{match.func.__qualname__}" != view:
            wrong.append(f"{path}: resolves to {match._func_path}, not {view}")
    # Two patterns may share an address (the first wins); those are few and known.
    assert len(wrong) < 5, wrong


@pytest.fixture
def signed_in(world) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["backbone"])
    return client


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def test_a_post_without_the_token_is_refused_everywhere(world, signed_in):
    """Signed in as backbone staff (who may do everything): every POST without a token is 403."""
    failures = []
    checked = 0
    for path, view in every_route():
        if view in EXEMPT or is_api(path):
            continue
        response = signed_in.post(path, {"name": "x"})
        checked += 1
        if response.status_code != 403 or b"CSRF verification failed" not in response.content:
            failures.append(f"POST {path} ({view}): {response.status_code}")
    assert checked > 200
    assert not failures, f"{len(failures)} routes take a POST without a CSRF token:\n" + "\n".join(failures)


def test_anonymous_posts_need_the_token_too(world):
    """Sign-in, password reset and the invitation page are forms for people not signed in."""
    client = Client(enforce_csrf_checks=True)
    for path in ("/accounts/login/", "/accounts/password_reset/", "/i18n/setlang/", "/accounts/logout/"):
        response = client.post(path, {"username": "backbone", "password": "x", "email": "a@example.org"})
        assert response.status_code == 403, path
        assert b"CSRF verification failed" in response.content


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_refuses_a_session_write_without_the_token(world, signed_in, method):
    failures = []
    checked = 0
    for path, view in every_route():
        if not is_api(path) or view in EXEMPT or "/public/" in path or path.startswith("/api/docs"):
            continue
        if path.startswith("/api/schema"):
            continue
        response = getattr(signed_in, method)(path, {}, content_type="application/json")
        checked += 1
        body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
        if response.status_code != 403 or "CSRF" not in body.get("message", ""):
            failures.append(f"{method.upper()} {path}: {response.status_code} {body}")
    assert checked > 60
    assert not failures, "\n".join(failures)


def test_exempt_views_are_still_there():
    """An exemption names a real view: a renamed one must not leave a stale hole in the list."""
    views = {view for _path, view in every_route()}
    assert set(EXEMPT) <= views
