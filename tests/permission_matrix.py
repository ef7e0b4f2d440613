"""One permission suite for every page and endpoint (NetBox's habit).

A concrete test module lists its Endpoints; `permission_cases` expands each into one test per
persona. The persona decides the expected answer:

* anonymous                      -> sent to sign in (pages) or 401/403 (API)
* outsider / other_member        -> 404: an initiative you are not in does not exist for you
* a member whose role lacks it   -> 403
* a member whose role has it     -> the endpoint's success status
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

MEMBER_ROLES = ("backbone", "steering", "partner", "viewer")
PERSONAS = ("anonymous", "outsider", "other_member", *MEMBER_ROLES)
EVERY_MEMBER = frozenset(MEMBER_ROLES)
BACKBONE_ONLY = frozenset({"backbone"})


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable  # world -> str
    allowed: frozenset[str]
    method: str = "get"
    data: Callable | None = None  # world -> dict
    ok: tuple[int, ...] = (200,)
    api: bool = False
    extra: dict = field(default_factory=dict)


def permission_cases(endpoints: list[Endpoint]):
    return [pytest.param(e, p, id=f"{e.name}-{e.method}-{p}") for e in endpoints for p in PERSONAS]


def expected_status(endpoint: Endpoint, persona: str) -> tuple[int, ...]:
    if persona == "anonymous":
        return (401, 403) if endpoint.api else (302,)
    if persona in ("outsider", "other_member"):
        return (404,)
    return endpoint.ok if persona in endpoint.allowed else (403,)


def check_permission(client, world, endpoint: Endpoint, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.people[persona])
    url = endpoint.url(world)
    data = endpoint.data(world) if endpoint.data else {}
    if endpoint.api and endpoint.method in ("patch", "put", "post"):
        response = getattr(client, endpoint.method)(url, data=data, content_type="application/json")
    else:
        response = getattr(client, endpoint.method)(url, data=data)
    expected = expected_status(endpoint, persona)
    assert response.status_code in expected, (
        f"{persona} {endpoint.method.upper()} {url}: got {response.status_code}, expected {expected}"
    )
    if persona == "anonymous" and not endpoint.api:
        assert "/accounts/login/" in response["Location"]
    if persona in ("outsider", "other_member"):
        # A 404 must not leak the initiative's name.
        assert world.initiative.name.encode() not in response.content
