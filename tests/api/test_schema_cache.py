"""`/api/schema/` is generated once per process for each language (ci_platform.api.schema_view.SchemaView):
the same document for everyone who asks, each language its own, a new one when the settings change."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from ci_platform.api import schema_view as api_schema


@pytest.fixture
def generations(monkeypatch):
    api_schema._forget_schemas()
    calls = []
    real = SchemaGenerator.get_schema

    def counted(self, request=None, public=False):
        calls.append(request)
        return real(self, request=request, public=public)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    yield calls
    api_schema._forget_schemas()


@pytest.mark.django_db
def test_the_schema_is_generated_once_and_is_the_same_for_everyone(client, world, generations):
    anonymous = client.get("/api/schema/?format=json")
    client.force_login(world.people["backbone"])
    backbone = client.get("/api/schema/?format=json")
    yaml = client.get("/api/schema/")

    assert anonymous.status_code == backbone.status_code == yaml.status_code == 200
    assert anonymous.json() == backbone.json()
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"openapi: 3" in yaml.content
    assert generations == [None]  # once, from no request: it cannot depend on who asks
    # What the view serves is what `manage.py spectacular` writes.
    assert anonymous.json() == SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.django_db
def test_each_language_has_its_own_schema(client, generations):
    english = client.get("/api/schema/?format=json").json()
    hebrew = client.get("/api/schema/?format=json&lang=he").json()
    client.get("/api/schema/?format=json&lang=he")

    assert len(generations) == 2
    assert english["info"]["title"] == "Collective Impact Platform API"
    assert english != hebrew


@pytest.mark.django_db
def test_a_change_of_settings_generates_it_again(client, settings, generations):
    client.get("/api/schema/?format=json")
    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS, "VERSION": "9.9.9"}
    client.get("/api/schema/?format=json")

    assert len(generations) == 2


@pytest.mark.django_db
def test_no_address_makes_another_copy(client, generations):
    """`?lang=` and `?version=` are the caller's: a language the site does not speak is the default
    one, a version the API does not list is none; neither is kept as a copy of its own."""
    english = client.get("/api/schema/?format=json").json()
    for query in (
        "lang=xx",
        "lang=%0A",
        "lang=" + "en" * 200,
        "lang=../../etc",
        "version=v9",
        "version=x%0Ay",
    ):
        response = client.get(f"/api/schema/?format=json&{query}")
        assert response.status_code == 200, query
        assert response.json() == english, query
    assert client.get("/api/schema/?format=json&lang=he-IL").json() != english  # Hebrew, by its variant

    assert len(generations) == 2 and len(api_schema._SCHEMAS) == 2


@pytest.mark.django_db
def test_each_format_is_rendered_once_and_as_drf_would(client, world, monkeypatch, generations):
    from drf_spectacular.renderers import OpenApiYamlRenderer

    renders = []
    real = OpenApiYamlRenderer.render

    def counted(self, data, media_type=None, renderer_context=None):
        renders.append(media_type)
        return real(self, data, media_type, renderer_context)

    monkeypatch.setattr(OpenApiYamlRenderer, "render", counted)
    first = client.get("/api/schema/")
    client.force_login(world.people["backbone"])
    second = client.get("/api/schema/")

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert renders == ["application/vnd.oai.openapi"]  # once for everyone
    assert first["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert "Accept" in first["Vary"]
    assert first["Content-Disposition"] == second["Content-Disposition"]
    # The bytes are those DRF's own rendering of the document gives.
    schema = api_schema._SCHEMAS[next(iter(api_schema._SCHEMAS))]
    assert first.content == OpenApiYamlRenderer().render(schema, "application/vnd.oai.openapi", {})


@pytest.mark.django_db
def test_a_format_with_parameters_of_its_own_is_rendered_for_its_request_only(client, generations):
    plain = client.get("/api/schema/?format=json")
    indented = client.get("/api/schema/", HTTP_ACCEPT="application/json; indent=2")

    assert plain.status_code == indented.status_code == 200
    assert indented.json() == plain.json()
    assert b'\n  "openapi"' in indented.content and b'\n  "openapi"' not in plain.content
    assert len(api_schema._RENDERED) == 1  # the plain JSON only
