"""One permission suite for every page and endpoint (NetBox's habit).

A concrete test module lists its Endpoints; `permission_cases` expands each into one test per
persona. The persona decides the expected answer:

* anonymous                      -> sent to sign in (pages) or 401/403 (API)
* outsider / other_member        -> 404: an initiative you are not in does not exist for you
* a member whose role lacks it   -> 403
* a member whose role has it     -> the endpoint's success status

`permission_cases` also registers its endpoints (`REGISTERED`): tests/test_routes_declared.py walks
the URLconf and fails for any named route or API endpoint that no registered Endpoint reaches and no
entry of its lists explains. The route an Endpoint tests is found by building its address from a
stand-in world (`route_of`); one whose address cannot be built that way (a model's
get_absolute_url(), say) names it: `Endpoint(..., route="measurement:submission")`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    route: str | None = None  # the URL name it tests, when `url` cannot be built from a stand-in world


# Every Endpoint given to permission_cases, in the order the test modules were imported.
REGISTERED: list[Endpoint] = []


def permission_cases(endpoints: list[Endpoint]):
    REGISTERED.extend(endpoints)
    return [pytest.param(e, p, id=f"{e.name}-{e.method}-{p}") for e in endpoints for p in PERSONAS]


class StandIn:
    """A world (or any object reached from it) for building an Endpoint's address without a
    database: every attribute, item and call is another stand-in, and it reads as "1", which fits
    every path converter (a pk, a slug, a code)."""

    def __getattr__(self, name: str) -> StandIn:
        if name.startswith("__"):
            raise AttributeError(name)
        return StandIn()

    def __getitem__(self, key) -> StandIn:
        return StandIn()

    def __call__(self, *args, **kwargs) -> StandIn:
        return StandIn()

    def __str__(self) -> str:
        return "1"

    def __format__(self, spec: str) -> str:
        return "1"

    def __int__(self) -> int:
        return 1


def route_of(endpoint: Endpoint) -> str | None:
    """The URL name ("app:name" or "app-api:basename-action") an Endpoint tests, or None when its
    address cannot be built from a stand-in world or reaches no named route."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    if endpoint.route:
        return endpoint.route
    try:
        url = endpoint.url(StandIn())
    except Exception:  # an address built from real rows: the Endpoint must name its route
        return None
    if not isinstance(url, str):
        return None
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name if match.url_name else None


def expected_status(endpoint: Endpoint, persona: str) -> tuple[int, ...]:
    if persona == "anonymous":
        return (401, 403) if endpoint.api else (302,)
    if persona in ("outsider", "other_member"):
        return (404,)
    return endpoint.ok if persona in endpoint.allowed else (403,)


def check_permission(client, world, endpoint: Endpoint, persona: str) -> None:
    if persona != "anonymous":
        sign_in_as(client, world, persona)
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


# --- A world built once per module ----------------------------------------------------------------
#
# Each test module builds its world in a module-scoped fixture on `module_db` (tests/conftest.py):
# every test runs in a savepoint of the module's transaction, so what a POST or DELETE case writes is
# rolled back before the next case, and each test gets its own deep copy of the world's Python
# objects, so that nothing a test does to an instance in memory reaches the next one.


class World:
    pass


def sign_in_as(client, world, persona: str) -> None:
    """Sign the test client in as a persona of the world: with the persona's session made once
    with a module's world (`signed_in`), or else with Django's `force_login`, which makes a session
    and records the sign-in (a session row, `last_login`, django-axes' log): a quarter of each
    permission case's time when it ran before every case (measured on 6 December 2026)."""
    from django.conf import settings

    session = getattr(world, "sessions", {}).get(persona)
    if session is None:
        client.force_login(world.people[persona])
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = session


def signed_in(world) -> None:
    """Give the world, and any world it holds (an API world's `world`, say), one session per
    persona, made with `force_login` on the module's transaction: every test of the module signs in
    with it, and what a test does to it (a logout, a session written) is rolled back with the test."""
    from django.conf import settings
    from django.test import Client

    for holder in (world, *getattr(world, "__dict__", {}).values()):
        people = getattr(holder, "people", None)
        if not isinstance(people, dict) or hasattr(holder, "sessions"):
            continue
        holder.sessions = {}
        for persona, user in people.items():
            client = Client()
            client.force_login(user)
            holder.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value


def build_orgs() -> dict:
    """The four organisations of the worlds: the backbone's, a funder, a partner, another's."""
    from initiatives.choices import Sector

    from .factories import OrganizationFactory

    return {
        "backbone": OrganizationFactory(name="Backbone Org", sector=Sector.NONPROFIT),
        "funder": OrganizationFactory(name="Funder Org", sector=Sector.PHILANTHROPY),
        "partner": OrganizationFactory(name="Partner Org", sector=Sector.NONPROFIT),
        "other": OrganizationFactory(name="Other Org", sector=Sector.GOVERNMENT),
    }


def build_world(orgs: dict | None = None) -> World:
    """An initiative with one person per role, an outsider, and another initiative's member: the
    `world` fixture of tests/conftest.py, and the module-scoped worlds of the matrices."""
    from django.utils import translation

    from initiatives.choices import Role, Topic

    from .factories import InitiativeFactory, MembershipFactory, UserFactory

    translation.activate("en")
    orgs = orgs if orgs is not None else build_orgs()
    people = {
        name: UserFactory(username=name)
        for name in ("backbone", "steering", "partner", "viewer", "outsider", "other_member")
    }
    initiative = InitiativeFactory(
        by=people["backbone"], organization=orgs["backbone"], name="Cradle to Career", slug="c2c"
    )
    for name, role, org in (
        ("steering", Role.STEERING, "funder"),
        ("partner", Role.PARTNER, "partner"),
        ("viewer", Role.VIEWER, "partner"),
    ):
        MembershipFactory(initiative=initiative, user=people[name], organization=orgs[org], role=role)
    other = InitiativeFactory(
        by=people["other_member"],
        organization=orgs["other"],
        name="Other Initiative",
        slug="other",
        issue="Health",
        place="Haifa",
        topic=Topic.HEALTH,
    )
    w = World()
    w.initiative = initiative
    w.other = other
    w.people = people
    w.orgs = orgs
    return w


def fresh(world: World) -> World:
    """A test's own copy of a module's world: the same rows, its own Python objects."""
    import copy

    return copy.deepcopy(world)


@contextmanager
def module_savepoint(world_once: World, django_db_blocker, **settings) -> Iterator[World]:
    """A copy of a module's world (`fresh`) to change in a module fixture: in English, with
    `settings`, inside a savepoint of the module's transaction that is rolled
    back when the block ends. For a module fixture that builds more than its tests may keep: the
    data grown once for every page's query count, say."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    with (
        override_settings(**settings),
        translation.override("en"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield fresh(world_once)
        transaction.set_rollback(True)


def module_world(name: str, build: Callable[[], World]):
    """The two fixtures of a world built once per module: `<name>_once`, `build()` run once on
    `module_db`, and `<name>`, each test's own copy of it (`fresh`). A module
    assigns both: `agenda_world_once, agenda_world = module_world("agenda_world", build)`; its tests
    stay on one xdist worker (tests/conftest.py's WIDE_SHARED_FIXTURE), so it is built once."""

    @pytest.fixture(scope="module", name=f"{name}_once")
    def once(module_db, django_db_blocker):
        with django_db_blocker.unblock():
            world = build()
            signed_in(world)
            return world

    def each(**fixtures):
        return fresh(fixtures[f"{name}_once"])

    # Asked for by name in the signature, not with request.getfixturevalue: pytest then sets up the
    # module's transaction before the test's own savepoint, not inside it.
    each.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(f"{name}_once", inspect.Parameter.KEYWORD_ONLY)]
    )
    return once, pytest.fixture(name=name)(each)
