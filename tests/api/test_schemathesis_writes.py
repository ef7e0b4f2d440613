"""Schemathesis over every write of the API as backbone staff, who may make them all: bodies
generated from the schema really reach the components' validation (tests/api/test_schemathesis.py
writes with a submit token, which most writes refuse before reading the body). The browser's way
in: a session cookie and the CSRF token. No server error, answers as the schema says."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from hypothesis import HealthCheck, settings

from .test_schemathesis import _keep_the_test_transaction, _node_id_for_schemathesis  # noqa: F401 - fixtures

CONFIG = {
    "generation": {"max-examples": 4, "deterministic": True, "database": "none"},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
    "parameters": {"initiative_slug": "c2c", "slug": "c2c"},
    # The session signs every call in: the calls without credentials are tests/api/test_uniform.py's.
    # Schema-valid bodies are refused for good reasons the schema cannot say (ids generated at
    # random are not this initiative's meeting or measure), so positive acceptance is not checked;
    # every answer must still match the schema, and invalid bodies must be refused.
    "checks": {
        "positive_data_acceptance": {"enabled": False},
        "ignored_auth": {"enabled": False},
    },
    "operations": [{"include-method-regex": "^(GET|HEAD)$", "enabled": False}],
}
STATUSES: list[int] = []
CSRF = "sec" * 10 + "ab"  # any 32-character secret: the cookie and the header must agree


@pytest.fixture
def write_schema(mworld):
    loaded = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", WSGIHandler(), config=schemathesis.Config.from_dict(CONFIG)
    )
    client = Client()
    client.force_login(mworld.backbone)
    loaded.session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return loaded


schema = schemathesis.pytest.from_fixture("write_schema")


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.django_db
def test_api_writes_as_backbone(case, write_schema):
    cookies = {django_settings.SESSION_COOKIE_NAME: write_schema.session_cookie, "csrftoken": CSRF}
    if case.headers:
        case.headers.pop("Authorization", None)  # a generated token would be refused before the session
    response = case.call(headers={"X-CSRFToken": CSRF}, cookies=cookies)
    # Really signed in, and past the CSRF check: the body reached the endpoint.
    assert response.status_code != 401, response.text
    assert response.status_code != 403 or "CSRF" not in response.text, response.text
    STATUSES.append(response.status_code)
    case.validate_response(response)


def test_the_writes_were_carried_out_not_only_refused():
    """Runs after the fuzzing above (pytest keeps the file's order): some writes succeeded."""
    assert STATUSES, "the write fuzzing did not run"
    assert any(200 <= s < 300 for s in STATUSES), sorted(set(STATUSES))
