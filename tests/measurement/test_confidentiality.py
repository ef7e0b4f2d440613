"""Confidentiality alongside transparency: an organisation's raw values are seen by that
organisation and by the backbone; another partner sees none of them, by page, by export or by
API, unless the initiative opts in to named sharing.

Partner Org's values: last year (approved). Partner B's: this year (submitted), with the comment
B-ONLY-COMMENT and pop-rate 12.5.
"""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.choices import Role
from measurement import services
from measurement.exports import HEADER
from measurement.models import DataValue

from ..permission_matrix import module_world
from .conftest import build_mworld

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

API = "/api/v1/initiatives/c2c/"


def url(name: str, **kwargs) -> str:
    return reverse(f"measurement:{name}", kwargs={"slug": "c2c", **kwargs})


def entry_kwargs(mworld, org) -> dict:
    p = mworld.periods["year"]
    return {"org": org.pk, "frequency": p.frequency, "period": p.code}


def export_rows(client) -> list[list[str]]:
    response = client.get(url("export", fmt="csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def api_list(client, path: str) -> list[dict]:
    response = client.get(API + path)
    assert response.status_code == 200
    return response.json()["results"]


def login(client, mworld, persona: str):
    client.force_login(mworld.partner_b if persona == "partner_b" else mworld.world.people[persona])
    return client


class TestPartnerAGetsNothingOfPartnerB:
    @pytest.mark.parametrize(
        ("name", "extra"),
        [("entry", {}), ("import", {}), ("template", {"fmt": "csv"}), ("template", {"fmt": "xlsx"})],
    )
    def test_by_page(self, client, mworld, name, extra):
        login(client, mworld, "partner")
        response = client.get(url(name, **entry_kwargs(mworld, mworld.org_b), **extra))
        assert response.status_code == 403
        assert b"B-ONLY-COMMENT" not in response.content
        assert b"12.5" not in response.content

    def test_by_posting_to_the_grid(self, client, mworld):
        login(client, mworld, "partner")
        before = list(DataValue.objects.filter(organization=mworld.org_b).values_list("id", "value"))
        response = client.post(url("entry", **entry_kwargs(mworld, mworld.org_b)), {"save": ""})
        assert response.status_code == 403
        assert list(DataValue.objects.filter(organization=mworld.org_b).values_list("id", "value")) == before

    def test_by_submission_page(self, client, mworld):
        login(client, mworld, "partner")
        response = client.get(url("submission", pk=mworld.b_submission.pk))
        assert response.status_code == 403
        assert b"B-ONLY-COMMENT" not in response.content
        # Its own is readable.
        response = client.get(url("submission", pk=mworld.closed_submission.pk))
        assert response.status_code == 200

    def test_by_export(self, client, mworld):
        rows = export_rows(login(client, mworld, "partner"))
        assert rows[0] == HEADER
        assert {r[2] for r in rows[1:]} == {"Partner Org"}
        assert len(rows) == 1 + 5  # last year's five values
        assert "B-ONLY-COMMENT" not in str(rows)
        sheet = load_workbook(io.BytesIO(client.get(url("export", fmt="xlsx")).content)).active
        assert {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Partner Org"}

    def test_by_api(self, client, mworld):
        login(client, mworld, "partner")
        values = api_list(client, "values/")
        assert {v["organization_id"] for v in values} == {mworld.org.pk}
        assert len(values) == 5
        assert api_list(client, f"values/?organization={mworld.org_b.pk}") == []
        assert api_list(client, "values/?measure=pop-rate") == []
        submissions = api_list(client, "submissions/")
        assert [s["id"] for s in submissions] == [mworld.closed_submission.pk]
        assert api_list(client, f"submissions/?organization={mworld.org_b.pk}") == []
        assert client.get(f"{API}submissions/{mworld.b_submission.pk}/").status_code == 404
        b_value = DataValue.objects.filter(organization=mworld.org_b).first()
        assert client.get(f"{API}values/{b_value.pk}/").status_code == 404

    def test_partner_b_sees_its_own_and_not_partner_as(self, client, mworld):
        login(client, mworld, "partner_b")
        assert {v["organization_id"] for v in api_list(client, "values/")} == {mworld.org_b.pk}
        assert {r[2] for r in export_rows(client)[1:]} == {"Partner B"}
        assert client.get(url("submission", pk=mworld.closed_submission.pk)).status_code == 403
        assert client.get(url("entry", **entry_kwargs(mworld, mworld.org))).status_code == 403


class TestNamedSharing:
    @pytest.fixture
    def shared(self, mworld):
        services.measurement_settings_update(
            initiative=mworld.initiative, by=mworld.backbone, share_named_values=True
        )
        return mworld

    def test_others_read_named_values(self, client, shared):
        login(client, shared, "partner")
        assert {r[2] for r in export_rows(client)[1:]} == {"Partner Org", "Partner B"}
        assert {v["organization_id"] for v in api_list(client, "values/")} == {shared.org.pk, shared.org_b.pk}
        assert len(api_list(client, "submissions/")) == 2
        response = client.get(url("submission", pk=shared.b_submission.pk))
        assert response.status_code == 200
        assert b"B-ONLY-COMMENT" in response.content
        assert b'name="action"' not in response.content  # reading, not reviewing

    def test_sharing_does_not_let_others_enter_or_review(self, client, shared):
        login(client, shared, "partner")
        assert client.get(url("entry", **entry_kwargs(shared, shared.org_b))).status_code == 403
        assert (
            client.post(url("submission", pk=shared.b_submission.pk), {"action": "approve"}).status_code
            == 403
        )

    def test_steering_reads_named_values_too(self, client, shared):
        login(client, shared, "steering")
        assert {r[2] for r in export_rows(client)[1:]} == {"Partner Org", "Partner B"}

    def test_only_the_backbone_turns_it_on(self, mworld):
        with pytest.raises(services.PermissionDenied):
            services.measurement_settings_update(
                initiative=mworld.initiative, by=mworld.partner, share_named_values=True
            )


class TestOtherRoles:
    def test_the_backbone_sees_every_organisation(self, client, mworld):
        login(client, mworld, "backbone")
        assert {r[2] for r in export_rows(client)[1:]} == {"Partner Org", "Partner B"}
        assert len(api_list(client, "values/")) == 9
        assert client.get(url("submission", pk=mworld.b_submission.pk)).status_code == 200

    def test_steering_sees_no_raw_values(self, client, mworld):
        login(client, mworld, "steering")
        assert export_rows(client) == [HEADER]  # the header only
        assert api_list(client, "values/") == []
        assert api_list(client, "submissions/") == []
        for submission in (mworld.b_submission, mworld.closed_submission):
            assert client.get(url("submission", pk=submission.pk)).status_code == 403
            assert client.get(f"{API}submissions/{submission.pk}/").status_code == 404

    def test_a_viewer_sees_only_its_own_organisations_values(self, client, mworld):
        # The viewer reads on behalf of Partner Org: that organisation's values, never Partner B's.
        login(client, mworld, "viewer")
        rows = export_rows(client)
        assert {r[2] for r in rows[1:]} == {"Partner Org"}
        assert {v["organization_id"] for v in api_list(client, "values/")} == {mworld.org.pk}
        assert client.get(url("submission", pk=mworld.b_submission.pk)).status_code == 403
        assert client.get(url("entry", **entry_kwargs(mworld, mworld.org))).status_code == 403

    def test_a_viewer_of_a_non_reporting_organisation_sees_no_raw_values(self, client, mworld, make_user):
        reader = make_user("reader")
        mworld.initiative.memberships.create(
            user=reader, organization=mworld.world.orgs["funder"], role=Role.VIEWER
        )
        client.force_login(reader)
        assert export_rows(client) == [HEADER]
        assert api_list(client, "values/") == []
