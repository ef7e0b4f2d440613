"""The grid offline, server side (docs/measurement.md, "Offline data entry"): the manifest, the
service worker and Workbox served from STATIC, sign-out that clears the browser's offline data,
the rules and messages the grid page carries, and the save at a version: a draft kept offline
that meets a submission changed on the server overwrites nothing. The browser side is in
tests/test_browser_offline.py."""

import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from measurement import services
from measurement.choices import SubmissionStatus
from measurement.models import DataValue, Submission
from measurement.offline import version_of

from ..permission_matrix import module_world
from .conftest import build_mworld, grid_fields
from .test_views import entry_url, flashed, values_of

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

JSON = {"HTTP_ACCEPT": "application/json"}


def page_json(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, element_id
    return json.loads(match.group(1))


def filled(client, mworld, overrides=None, period="year") -> tuple[str, dict]:
    """The grid's form as the page gives it, with a valid year typed in."""
    page = entry_url(mworld, period)
    form = grid_fields(client.get(page)).fields
    from .conftest import field_name

    typed = {field_name(c): v for c, v in mworld.valid_year().items()}
    return page, {**form, **typed, **(overrides or {})}


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Collective Impact Platform"), ("he", "פלטפורמת קולקטיב אימפקט")]
)
def test_the_manifest_is_in_the_readers_language(client, language, name):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("web_manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == name
    assert manifest["lang"] == language
    assert manifest["dir"] == ("rtl" if language == "he" else "ltr")
    icon = manifest["icons"][0]["src"]
    assert icon.startswith(settings.STATIC_URL)
    assert finders.find(icon.removeprefix(settings.STATIC_URL).split("?")[0])


def test_the_manifests_png_icons_are_the_size_they_declare(client):
    """Chromium wants 192 and 512 pixel icons (tests/test_pwa_installable.py asks it); each PNG
    the manifest names is a PNG of the size it says."""
    import struct

    manifest = json.loads(client.get(reverse("web_manifest")).content)
    pngs = [icon for icon in manifest["icons"] if icon["type"] == "image/png"]
    assert {icon["sizes"] for icon in pngs} == {"192x192", "512x512"}
    assert {icon["purpose"] for icon in pngs} == {"any", "maskable"}
    for icon in pngs:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL).split("?")[0])
        with open(path, "rb") as file:
            head = file.read(24)
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", head[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_served_with_workbox_from_static(client):
    response = client.get("/sw.js")  # at the root: its scope covers every grid page
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    scripts = re.search(r"importScripts\((.*?)\);", body).group(1)
    urls = json.loads(f"[{scripts}]")
    assert [u.rsplit("/", 1)[1] for u in urls] == [
        "workbox-core.prod.js",
        "workbox-routing.prod.js",
        "workbox-strategies.prod.js",
    ]
    for url in urls:
        assert url.startswith(settings.STATIC_URL)  # local, never a CDN
        found = finders.find(url.removeprefix(settings.STATIC_URL))
        assert found and "node_modules" in found
    assert "http://" not in body and "https://" not in body
    assert client.post("/sw.js").status_code == 405


def test_sign_out_tells_the_browser_to_clear_the_offline_data(client, mworld):
    client.force_login(mworld.partner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


class TestThePageCarriesTheRules:
    def test_rules_per_measure_with_the_servers_messages(self, client, mworld):
        client.force_login(mworld.partner)
        response = client.get(entry_url(mworld))
        rules = page_json(response, "offline-rules")
        spend = rules["measures"][str(mworld.measures["spend"].pk)]
        assert spend["type"] == "decimal"
        assert (spend["min"], spend["max"]) == ("0", "1000000")
        assert spend["maxMessage"] == "The highest valid value is 1000000."
        enrolled = rules["measures"][str(mworld.measures["enrolled"].pk)]
        assert enrolled["nonNegative"] is True
        assert enrolled["maxChange"] == 50
        assert enrolled["previous"] == "300"  # last year's approved total
        assert len(enrolled["cells"]) == 3
        assert rules["rules"] == [
            {
                "left": str(mworld.measures["attended"].pk),
                "op": "<=",
                "right": str(mworld.measures["enrolled"].pk),
                "message": "More children attended than were enrolled.",
            }
        ]
        assert rules["messages"]["percent"] == "Enter a percentage between 0 and 100."
        texts = page_json(response, "offline-texts")
        assert texts["savedHere"] == "Saved on this device, not yet sent."
        # The open periods' grids, to keep for offline use.
        grids = page_json(response, "offline-grids")
        assert entry_url(mworld) in grids and entry_url(mworld, "quarter") in grids
        assert entry_url(mworld, "year_closed") not in grids
        form = grid_fields(response)
        assert form.fields["loaded_at"] == ""  # nothing saved yet
        assert f'data-draft-key="{mworld.partner.pk}:{mworld.initiative.pk}:{mworld.org.pk}:yearly:' in (
            response.content.decode()
        )

    def test_in_hebrew(self, client, mworld):
        client.force_login(mworld.partner)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"
        response = client.get(entry_url(mworld))
        rules = page_json(response, "offline-rules")
        assert rules["messages"]["percent"] != "Enter a percentage between 0 and 100."
        assert re.search("[\u0590-\u05ff]", rules["messages"]["percent"])
        texts = page_json(response, "offline-texts")
        assert all(re.search("[\u0590-\u05ff]", t) for t in texts.values()), texts


class TestSaveAtAVersion:
    def test_the_version_is_the_submissions_last_change(self, client, mworld):
        client.force_login(mworld.partner)
        page, data = filled(client, mworld)
        assert client.post(page, {**data, "save": ""}).status_code == 302
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert grid_fields(client.get(page)).fields["loaded_at"] == version_of(submission) != ""

    def test_a_change_in_between_overwrites_nothing(self, client, mworld):
        client.force_login(mworld.partner)
        page, mine = filled(client, mworld)  # loaded before anything was saved
        from .conftest import field_name

        # A colleague saves first.
        colleague = {**mine, field_name(mworld.cell("attended")): "150"}
        assert client.post(page, {**colleague, "save": ""}).status_code == 302
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        stored = values_of(submission)

        # My save, at the version I loaded: refused whole, the page shows mine beside theirs.
        response = client.post(page, {**mine, field_name(mworld.cell("attended")): "190", "save": ""})
        assert response.status_code == 409
        assert values_of(submission) == stored
        body = response.content.decode()
        assert 'id="conflict"' in body
        row = re.search(
            rf'<tr data-field="{field_name(mworld.cell("attended"))}">(.*?)</tr>', body, re.S
        ).group(1)
        assert "190" in row and "150" in row
        assert body.count("<tr data-field=") == 1  # only the cell that differs
        assert any("changed on the server" in m for m in flashed(response))
        # Mine is kept in the fields, at the current version: saving again is the choice.
        form = grid_fields(response).fields
        assert form[field_name(mworld.cell("attended"))] == "190"
        submission.refresh_from_db()
        assert form["loaded_at"] == version_of(submission)
        assert client.post(page, {**form, "save": ""}).status_code == 302
        assert values_of(submission)[("attended", None)] == (Decimal("190"), "")

    def test_a_first_save_that_meets_an_existing_submission_is_a_change(self, client, mworld):
        client.force_login(mworld.partner)
        page, data = filled(client, mworld)
        services.values_save(
            submission=mworld.submission(by=mworld.partner), by=mworld.partner, raw=mworld.valid_year()
        )
        response = client.post(page, {**data, "loaded_at": "", "save": ""}, **JSON)
        assert response.status_code == 409
        assert response.json()["status"] == "conflict"

    def test_without_a_version_the_save_is_as_before(self, client, mworld):
        client.force_login(mworld.partner)
        page, data = filled(client, mworld)
        data.pop("loaded_at")
        assert client.post(page, {**data, "save": ""}).status_code == 302
        assert DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).count() == 6


class TestTheDraftsSync:
    """What static/measurement/offline.js gets back from the grid's save (Accept: JSON)."""

    def test_saved(self, client, mworld):
        client.force_login(mworld.partner)
        page, data = filled(client, mworld)
        response = client.post(page, {**data, "save": "1"}, **JSON)
        assert response.status_code == 200
        assert response.json() == {"status": "saved"}
        assert flashed(response) == ["Draft saved: 6 new, 0 changed, 0 cleared."]
        assert DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).count() == 6

    def test_refused_with_the_servers_messages(self, client, mworld):
        from .conftest import field_name

        client.force_login(mworld.partner)
        page, data = filled(client, mworld, {field_name(mworld.cell("ready-pct")): "120"})
        response = client.post(page, {**data, "save": "1"}, **JSON)
        assert response.status_code == 400
        assert response.json() == {
            "status": "invalid",
            "general": [],
            "cells": {field_name(mworld.cell("ready-pct")): ["Enter a percentage between 0 and 100."]},
        }
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_a_locked_submission_is_a_change_and_then_refused(self, client, mworld):
        client.force_login(mworld.partner)
        page, data = filled(client, mworld)
        submission = mworld.submission(by=mworld.partner)
        services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), submit=True)
        response = client.post(page, {**data, "save": "1"}, **JSON)
        assert response.status_code == 409
        answer = response.json()
        assert answer["editable"] is False
        assert "Save mine instead" not in answer["html"]
        assert "locked" in answer["html"]
        # At the current version the pipeline itself refuses it: locked.
        response = client.post(page, {**data, "loaded_at": answer["version"], "save": "1"}, **JSON)
        assert response.status_code == 400
        assert "locked" in response.json()["general"][0]
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.SUBMITTED

    def test_another_organisations_grid_is_refused(self, client, mworld):
        client.force_login(mworld.partner)
        page = entry_url(mworld, org=mworld.org_b)
        assert client.post(page, {"loaded_at": "", "save": "1"}, **JSON).status_code == 403
