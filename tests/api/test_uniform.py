"""One suite for every operation in the OpenAPI schema (NetBox's habit), whoever wrote the
endpoint: what the scoping layer (InitiativeScopedMixin and the token authentication) guarantees
is checked on all of them, for every method.

* anonymous                         -> 401 (the public report card excepted)
* an expired or revoked token       -> 401
* another initiative's token        -> 404, writes included
* a signed-in outsider              -> 404, writes included
* a read-only token writing         -> 403
* a submit token writing anywhere but data submission -> 403
* a member whose role lacks the endpoint's write permission -> 403
* everyone else: never a server error
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from django.test import Client
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from initiatives import permissions
from initiatives.choices import Role

from ..permission_matrix import module_world
from .conftest import as_token, build_api_mworld

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_api_mworld)

WRITES = ("post", "put", "patch", "delete")


@cache
def operations() -> list[tuple[str, str, bool]]:
    """(method, concrete url, public) for every operation of the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, item in schema["paths"].items():
        url = path.replace("{initiative_slug}", "c2c").replace("{slug}", "c2c")
        url = re.sub(r"\{[^}]+\}", "1", url)
        for method, operation in item.items():
            if method in ("get", *WRITES):
                ops.append((method, url, {} in operation.get("security", [{}])))
    return sorted(ops)


def scoped() -> list[tuple[str, str]]:
    return [(m, u) for m, u, _public in operations() if u.startswith("/api/v1/initiatives/c2c/")]


def call(client: Client, method: str, url: str):
    if method in WRITES:
        return getattr(client, method)(url, {}, content_type="application/json")
    return client.get(url)


def write_permission(url: str) -> str:
    view = resolve(url).func
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return getattr(cls, "write_permission", permissions.MANAGE)


def check(cases, expect) -> None:
    """Run every case, then report all the operations that broke the rule at once."""
    failures = []
    for case in cases:
        try:
            expect(*case)
        except AssertionError as exc:
            failures.append(f"{case[0].upper()} {case[1]}: {exc}")
    assert not failures, f"{len(failures)} of {len(cases)} operations:\n" + "\n".join(failures)


def test_the_schema_has_every_component():
    urls = {u for _m, u, _p in operations()}
    for part in ("values/", "aggregates/", "submissions/bulk/", "audit/", "agenda-versions/", "milestones/"):
        assert any(u.endswith(part) for u in urls), part
    assert "/api/v1/public/c2c/report-card/" in urls
    assert len(operations()) > 40


def test_anonymous_is_401(mworld):
    def expect(method, url, public):
        response = call(Client(), method, url)
        if public:
            assert response.status_code in (200, 404), response.status_code
        else:
            assert response.status_code == 401, response.status_code
            assert response.json()["code"] == "not_authenticated", response.json()

    check(operations(), expect)


@pytest.mark.parametrize("token", ["expired", "revoked"])
def test_expired_and_revoked_tokens_are_401(tokens, token):
    def expect(method, url, public):
        response = call(as_token(tokens, token), method, url)
        if not public:
            assert response.status_code == 401, response.status_code
            # The error shape and nothing else: no data comes with the refusal.
            body = response.json()
            assert set(body) == {"code", "message", "errors"} and body["errors"] == {}, body
            assert body["code"] == "authentication_failed", body

    check(operations(), expect)


def test_another_initiatives_token_is_404(tokens):
    def expect(method, url):
        response = call(as_token(tokens, "other"), method, url)
        assert response.status_code == 404, response.status_code
        assert b"Cradle" not in response.content

    check(scoped(), expect)


def test_an_outsider_is_404(mworld):
    client = Client()
    client.force_login(mworld.world.people["outsider"])

    def expect(method, url):
        assert call(client, method, url).status_code == 404

    check(scoped(), expect)


def write_ops():
    return [(m, u) for m, u in scoped() if m in WRITES]


def test_a_read_token_writing_is_403(tokens):
    def expect(method, url):
        response = call(as_token(tokens, "read"), method, url)
        assert response.status_code == 403, response.status_code
        assert response.json()["message"] == "This API token is read only."

    check(write_ops(), expect)


def test_a_submit_token_writes_data_only(tokens):
    def expect(method, url):
        response = call(as_token(tokens, "submit"), method, url)
        if write_permission(url) == permissions.TOKEN_WRITE_ACTION:
            assert response.status_code not in (401, 403) and response.status_code < 500, response.status_code
        else:
            assert response.status_code == 403, response.status_code

    check(write_ops(), expect)
    assert any(write_permission(u) == permissions.TOKEN_WRITE_ACTION for _m, u in write_ops())


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STEERING, Role.PARTNER])
def test_a_role_without_the_write_permission_is_403(mworld, role):
    person = mworld.initiative.memberships.filter(role=role).first().user
    client = Client()
    client.force_login(person)

    def expect(method, url):
        response = call(client, method, url)
        if write_permission(url) in permissions.ROLE_ACTIONS[role]:
            # The component decides (e.g. a partner edits its own activities): never a crash.
            assert response.status_code < 500, response.status_code
        else:
            assert response.status_code == 403, response.status_code

    check(write_ops(), expect)


@pytest.mark.parametrize("who", ["read", "submit", "backbone", "viewer"])
def test_reads_never_fail_on_the_server(tokens, mworld, who):
    if who in ("read", "submit"):
        client = as_token(tokens, who)
    else:
        client = Client()
        client.force_login(mworld.world.people[who])
    backbone = Client()
    backbone.force_login(mworld.backbone)

    def expect(method, url):
        response = client.get(url)
        assert response.status_code < 500 and response.status_code not in (401, 405), response.status_code
        if who == "read":
            # A read token reads what backbone staff read.
            assert response.status_code == backbone.get(url).status_code

    check([(m, u) for m, u in scoped() if m == "get"], expect)
