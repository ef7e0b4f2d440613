"""Every named route and API endpoint has a declared permission expectation (NetBox's habit).

The cases are derived, not listed: the URLconf is walked (the DRF routers' routes included) and
every route must be reached by an Endpoint of the permission matrix (tests/permission_matrix.py: any
test module that builds its cases with `permission_cases` declares the routes its Endpoints reach),
or be named below with the reason it is not in the matrix. A page or endpoint added without either
fails here, on SQLite and PostgreSQL alike (no database is used).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from . import permission_matrix

TESTS = Path(__file__).resolve().parent

# Whole namespaces outside the initiative's permission model.
EXEMPT_NAMESPACES = {
    "admin": "Django's admin: staff only, checked by the admin site itself (tests/test_admin.py)",
}

# Routes that are not in the matrix, each with its reason: no initiative behind them (sign-in,
# language, health, the schema), or their access is not a role's (a token in the address, the
# public report card), or they are permission-tested by hand where the matrix cannot express the
# case (an object whose audience is narrower than the initiative). A reason that names a test
# names one that exists (`test_tested_by_hand_names_real_tests`).
EXEMPT = {
    "home": "the list of one's own initiatives: any signed-in person (tests/initiatives/test_views.py)",
    "healthz": "the load balancer's health check: no data, no sign-in (docs/reliability.md)",
    "login": "Django's sign-in (sso.views.SignInView: password sign-in may be turned off, tests/sso/test_sso.py)",
    "sso:start": "single sign-on's start: no initiative behind it, a POST that redirects to the provider (tests/sso/test_sso.py)",
    "sso:callback": "single sign-on's return from the provider: state, nonce and the signed token are the "
    "permission (tests/sso/test_sso.py)",
    "logout": "Django's sign-out",
    "password_change": "Django's auth: the signed-in person's own password",
    "password_change_done": "Django's auth: the signed-in person's own password",
    "password_reset": "Django's auth: by email address, no sign-in",
    "password_reset_done": "Django's auth: by email address, no sign-in",
    "password_reset_confirm": "Django's auth: the emailed token is the permission",
    "password_reset_complete": "Django's auth: by email address, no sign-in",
    "set_language": "Django's language switch: a cookie, no data",
    "service_worker": "the grid's service worker: a script, no data (tests/measurement/test_offline.py::test_the_service_worker_is_served_with_workbox_from_static)",
    "web_manifest": "the web app manifest: names and an icon, no data (tests/measurement/test_offline.py::test_the_manifest_is_in_the_readers_language)",
    "invitation_accept": "the invitation's token is the permission (tests/initiatives/test_views.py)",
    "initiatives:create": "any signed-in person may start an initiative (ALLOW_USERS_TO_CREATE_INITIATIVES)",
    "report_card": "the public Community Report Card: no sign-in by design, 404 until published "
    "(tests/measurement/test_dashboards.py::test_unpublished_report_card_is_404)",
    "public-api:report-card": "the public report card's API: no sign-in by design, 404 until published",
    "report_card_pdf": "the public report card as PDF: no sign-in by design, 404 until published "
    "(tests/communication/test_report_pdf.py::test_the_report_card_pdf_is_404_until_published)",
    "embeds:chart": "a published report card measure's embeddable chart: no sign-in by design, 404 until "
    "published (tests/measurement/test_embeds.py::test_unpublished_or_unlisted_is_404)",
    "embeds:csv": "the embeddable chart's numbers as CSV: as embeds:chart (tests/measurement/test_embeds.py)",
    "embeds:json": "the embeddable chart's numbers as JSON: as embeds:chart (tests/measurement/test_embeds.py)",
    "communication:unsubscribe": "the emailed token is the permission (tests/communication/test_notifications.py)",
    "backbone:respond": "a survey respondent's emailed token is the permission (tests/backbone/test_surveys.py)",
    "initiatives-api:api-root": "DRF's API root: links only, no data",
    "initiatives-api:initiative-list": "the list of one's own initiatives "
    "(tests/initiatives/test_permissions.py::test_api_initiative_list_shows_only_own_initiatives)",
    "api-schema": "the OpenAPI schema: describes the API, no data",
    "api-docs": "Swagger UI over the schema: no data",
    "^api/[\\s\\S]*/$": "the API's JSON 404 for any other address: nothing to permit",
}

# Routes permission-tested outside the matrix, by a test that checks them by hand or derives its
# cases from the OpenAPI schema (tests/api/test_uniform.py: anonymous 401, an outsider and another
# initiative's token 404, a write by a role without its action 403 -- but no member's read). Each
# names the test first (it must exist). Moving them into their app's Endpoint lists (with `route=`
# where the address is built from real rows) lets these entries go; test_exemptions_... says when.
UNIFORM = "tests/api/test_uniform.py::test_an_outsider_is_404 (and the file's other schema-wide checks)"
TESTED_BY_HAND = {
    "measurement:import_preview": "tests/measurement/test_permissions.py::test_an_import_preview_is_its_uploaders_only",
    "measurement:submission": "tests/measurement/test_permissions.py::test_measurement_page_permissions "
    "(Endpoints submission-partner-org, -partner-b, -approve: the address is get_absolute_url())",
    "measurement-api:submission-detail": "tests/measurement/test_permissions.py::"
    "test_api_submission_detail_is_404_for_those_who_may_not_read_it",
    "measurement-api:value-detail": "tests/measurement/test_permissions.py::test_objects_of_another_initiative_are_404",
    "measurement-api:submission-bulk": "tests/api/test_bulk.py::TestWrite::test_a_partner_session_submits_its_own_organisation "
    "(and " + UNIFORM + ")",
    "initiatives:invitation_revoke": "tests/initiatives/test_permissions.py::test_other_initiatives_objects_are_404_for_backbone",
    "initiatives:api_token_revoke": "tests/api/test_tokens.py::test_tokens_page_permissions "
    "(Endpoint api_token_revoke: the address is built from a real token)",
    "communication:notification_open": "tests/communication/test_notifications.py::TestInApp::test_opening_is_for_members_only",
    "communication-api:notification-detail": "tests/communication/test_api.py::"
    "test_a_notification_is_read_by_its_person_only (each person's own: an audience narrower than a role)",
    "workgroups-api:tie-detail": "tests/workgroups/test_api.py::TestTies::"
    "test_a_tie_is_read_by_the_backbone_and_its_own_organisation (ratings are confidential to them)",
}


def walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    """(name, pattern) of every route below `patterns`."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            # An unnamed route goes by its pattern, within its namespace (admin:admin/(?P<url>.*)$).
            yield (
                ":".join((*namespaces, pattern.name or prefix + str(pattern.pattern))),
                prefix + str(pattern.pattern),
            )


def routes(patterns=None) -> dict[str, str]:
    """Every route of the URLconf by its name: name -> pattern. The format-suffix copies of DRF's
    routes share their route's name."""
    found: dict[str, str] = {}
    for name, pattern in walk(get_resolver().url_patterns if patterns is None else patterns):
        found.setdefault(name, pattern)
    return found


def matrix_modules() -> list[str]:
    """The test modules that build permission cases: each declares the routes its Endpoints reach."""
    names = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name in ("permission_matrix.py", Path(__file__).name):
            continue
        if "permission_cases(" in path.read_text(encoding="utf-8"):
            relative = path.relative_to(TESTS.parent).with_suffix("")
            names.append(".".join(relative.parts))
    return names


def declared() -> tuple[dict[str, list[str]], list[str]]:
    """The routes the matrix reaches (route -> its Endpoints' names), and the Endpoints whose route
    could not be found."""
    for module in matrix_modules():
        importlib.import_module(module)  # its permission_cases(...) registers its Endpoints
    reached: dict[str, list[str]] = {}
    unknown = []
    for endpoint in permission_matrix.REGISTERED:
        route = permission_matrix.route_of(endpoint)
        if route is None:
            unknown.append(f"{endpoint.name} ({endpoint.method.upper()})")
        else:
            reached.setdefault(route, []).append(endpoint.name)
    return reached, unknown


def _exempt(name: str) -> bool:
    return name in EXEMPT or name in TESTED_BY_HAND or name.split(":", 1)[0] in EXEMPT_NAMESPACES


def test_the_matrix_is_found():
    modules = matrix_modules()
    assert "tests.initiatives.test_permissions" in modules, modules
    reached, _unknown = declared()
    assert "initiatives:overview" in reached and "initiatives-api:milestone-detail" in reached


def test_every_route_has_a_declared_permission_expectation():
    reached, unknown = declared()
    missing = sorted(
        f"{name}  ({pattern})"
        for name, pattern in routes().items()
        if name not in reached and not _exempt(name)
    )
    hint = (
        f"\nEndpoints whose route could not be found (give them route=...): {', '.join(unknown)}"
        if unknown
        else ""
    )
    assert not missing, (
        "These routes have no permission expectation. Add an Endpoint for each to its app's "
        "tests/<app>/test_permissions.py (PAGES / API, through permission_cases), or, if access to "
        "it is not an initiative role's, an entry with its reason to EXEMPT in "
        "tests/test_routes_declared.py:\n  " + "\n  ".join(missing) + hint
    )


def test_exemptions_are_routes_that_exist_and_are_not_in_the_matrix():
    """An exemption of a route that is gone, or that the matrix now covers, is dropped."""
    all_routes = routes()
    reached, _unknown = declared()
    stale = sorted(name for name in (*EXEMPT, *TESTED_BY_HAND) if name not in all_routes)
    assert not stale, f"exempted routes that no longer exist: {stale}"
    covered = sorted(name for name in TESTED_BY_HAND if name in reached)
    assert not covered, f"in the matrix now, drop them from TESTED_BY_HAND: {covered}"


@pytest.mark.parametrize("route", sorted(TESTED_BY_HAND))
def test_tested_by_hand_names_real_tests(route):
    module_path, *names = TESTED_BY_HAND[route].split(" ", 1)[0].split("::")
    target = importlib.import_module(".".join(Path(module_path).with_suffix("").parts))
    for name in names:
        target = getattr(target, name, None)
    assert callable(target), f"{route}: {TESTED_BY_HAND[route]}"


def test_a_new_route_without_a_declaration_is_found():
    """The check itself: a route added to the URLconf and declared nowhere is reported."""
    from django.urls import include, path

    def view(request):
        raise AssertionError("never called")

    added = [
        *get_resolver().url_patterns,
        path("nowhere/", view, name="nowhere"),
        path("initiatives/<slug:slug>/new-app/", include(([path("", view, name="home")], "new-app"))),
    ]
    found = routes(added)
    reached, _unknown = declared()
    assert {"nowhere", "new-app:home"} <= set(found)
    assert not any(_exempt(name) or name in reached for name in ("nowhere", "new-app:home"))
