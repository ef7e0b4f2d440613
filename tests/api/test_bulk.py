"""Bulk submission: one request, many values, all or nothing, with the file import's row checks;
a dry run that writes nothing; submit after saving; safe retries with an Idempotency-Key."""

from __future__ import annotations

import json

import pytest

from measurement.choices import SubmissionStatus
from measurement.models import AuditEntry, DataValue, Submission

from ..permission_matrix import module_world
from .conftest import BASE, as_token, build_api_mworld

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_api_mworld)

URL = BASE + "submissions/bulk/"


def year_values(mworld, **overrides) -> list[dict]:
    """Partner Org's current year, complete and valid (as mworld.valid_year)."""
    period = mworld.periods["year"].code
    values = [
        {"measure": "enrolled", "period": period, "breakdown_1": "dalet", "value": "110"},
        {"measure": "enrolled", "period": period, "breakdown_1": "hey", "value": 100},
        {"measure": "enrolled", "period": period, "breakdown_1": "vav", "value": "105"},
        {"measure": "ready-pct", "period": period, "value": 55.5},
        {"measure": "spend", "period": period, "value": "1,234.50", "comment": "Audited"},
        {"measure": "attended", "period": period, "value": "200"},
    ]
    for index, changes in overrides.items():
        values[int(index.removeprefix("row"))].update(changes)
    return values


def post(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", headers=headers)


def snapshot():
    return (
        sorted(DataValue.objects.values_list("id", "value", "comment", "updated_at")),
        AuditEntry.objects.count(),
        sorted(Submission.objects.values_list("id", "status")),
    )


@pytest.fixture
def partner(tokens):
    return as_token(tokens, "submit")


class TestDryRun:
    def test_reports_without_writing(self, partner, mworld):
        before = snapshot()
        response = post(partner, {"dry_run": True, "values": year_values(mworld)})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["dry_run"] is True
        assert body["summary"] == {"created": 6, "updated": 0, "cleared": 0, "unchanged": 0, "rejected": 0}
        assert [r["status"] for r in body["rows"]] == ["create"] * 6
        assert snapshot() == before
        assert not Submission.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_reports_rejections_with_the_import_messages(self, partner, mworld):
        values = year_values(
            mworld, row0={"value": "=SUM(A1)"}, row3={"value": "140"}, row5={"breakdown_1": "dalet"}
        )
        before = snapshot()
        body = post(partner, {"dry_run": True, "values": values}).json()
        assert body["summary"] == {"created": 3, "updated": 0, "cleared": 0, "unchanged": 0, "rejected": 3}
        reasons = {r["index"]: r["reasons"] for r in body["rows"] if r["status"] == "reject"}
        assert reasons[0] == ["Formulas are not accepted; enter the number itself."]  # as the grid says
        assert reasons[3] == ["Enter a percentage between 0 and 100."]
        assert "no breakdown 1" in reasons[5][0]
        assert snapshot() == before

    def test_a_dry_run_with_submit_reports_what_submitting_lacks(self, partner, mworld):
        values = [v for v in year_values(mworld) if v["measure"] != "attended"]
        body = post(partner, {"dry_run": True, "submit": True, "values": values}).json()
        assert body["submitted"] == []
        assert any("attended" in p and "Required." in p for p in body["problems"])
        assert not Submission.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()


class TestWrite:
    def test_saves_and_reports(self, partner, mworld):
        response = post(partner, {"values": year_values(mworld)})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["summary"] == {"created": 6, "updated": 0, "cleared": 0, "unchanged": 0, "rejected": 0}
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert submission.status == SubmissionStatus.DRAFT
        stored = {(v.measure.code, v.member1.code if v.member1 else None): v for v in submission.values.all()}
        assert stored[("spend", None)].value == 1234.5 and stored[("spend", None)].comment == "Audited"
        assert stored[("ready-pct", None)].value == 55.5
        # Again with one change: updated, unchanged, nothing else touched.
        again = post(partner, {"values": year_values(mworld, row1={"value": "101"})}).json()
        assert again["summary"] == {"created": 0, "updated": 1, "cleared": 0, "unchanged": 5, "rejected": 0}

    def test_one_bad_row_and_nothing_is_written(self, partner, mworld):
        before = snapshot()
        response = post(
            partner, {"values": year_values(mworld, row5={"value": "500"})}
        )  # attended > enrolled
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert body["message"] == "1 of 6 values are rejected; nothing was saved."
        assert body["errors"] == {"values.5": ["More children attended than were enrolled."]}
        assert body["summary"] == {"created": 5, "updated": 0, "cleared": 0, "unchanged": 0, "rejected": 1}
        assert [r["status"] for r in body["rows"]] == ["create"] * 5 + ["reject"]
        assert snapshot() == before

    def test_submit_after_saving(self, partner, mworld):
        response = post(partner, {"submit": True, "values": year_values(mworld)})
        assert response.status_code == 200, response.content
        assert response.json()["submitted"] == [mworld.periods["year"].code]
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert submission.status == SubmissionStatus.SUBMITTED
        assert submission.submitted_by.api_token == partner_token(mworld)

    def test_submit_with_a_required_value_missing_writes_nothing(self, partner, mworld):
        values = [v for v in year_values(mworld) if v["measure"] != "attended"]
        before = snapshot()
        response = post(partner, {"submit": True, "values": values})
        assert response.status_code == 400
        assert any("Required." in m for m in response.json()["errors"]["non_field_errors"])
        assert snapshot() == before

    def test_locked_data_is_409(self, client, mworld):
        client.force_login(mworld.backbone)
        period = mworld.periods["year_closed"].code
        before = snapshot()
        response = post(
            client,
            {
                "organization": mworld.org.pk,
                "values": [{"measure": "attended", "period": period, "value": "10"}],
            },
        )
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "locked" and period in body["message"]
        assert snapshot() == before

    def test_backbone_staff_say_whose_data(self, client, mworld):
        client.force_login(mworld.backbone)
        response = post(client, {"values": year_values(mworld)})
        assert response.status_code == 400 and "organization" in response.json()["errors"]
        response = post(client, {"organization": mworld.org.pk, "values": year_values(mworld)})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "values"),
            ({"values": []}, "values"),
            ({"values": [{"measure": "x"}]}, "values.0.period"),
            ({"values": [{"measure": "spend", "period": "2026", "value": True}]}, "values.0.value"),
            ({"values": "nope"}, "values"),
            ({"values": [], "dry_run": "perhaps"}, "dry_run"),
        ],
    )
    def test_bad_input_is_400_with_field_paths(self, partner, mworld, body, field):
        response = post(partner, body)
        assert response.status_code == 400
        assert field in response.json()["errors"], response.json()

    def test_too_many_values(self, partner, mworld, settings):
        settings.API_BULK_MAX_VALUES = 3
        response = post(partner, {"values": year_values(mworld)})
        assert response.status_code == 400
        assert response.json()["errors"]["values"] == ["At most 3 values per request; split the data."]

    def test_too_large_a_body_is_413(self, partner, mworld, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
        response = post(partner, {"values": year_values(mworld)})
        assert response.status_code == 413
        assert response.json()["code"] == "too_large"
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_a_partner_session_submits_its_own_organisation(self, client, mworld):
        client.force_login(mworld.partner)
        assert post(client, {"values": year_values(mworld)}).status_code == 200
        client.force_login(mworld.world.people["viewer"])
        assert post(client, {"values": year_values(mworld)}).status_code == 403


def partner_token(mworld):
    from initiatives.models import ApiToken

    return ApiToken.objects.get(organization=mworld.org)


class TestIdempotency:
    def test_a_retry_returns_the_first_answer_and_writes_nothing(self, partner, mworld):
        body = {"submit": True, "values": year_values(mworld)}
        first = post(partner, body, **{"Idempotency-Key": "sync-2026-run-1"})
        assert first.status_code == 200
        after_first = snapshot()
        second = post(partner, body, **{"Idempotency-Key": "sync-2026-run-1"})
        assert second.status_code == 200
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert snapshot() == after_first
        # Without the key, the same request is a new one: the submission is now locked.
        assert post(partner, body).status_code == 409

    def test_the_same_key_with_another_body_is_409(self, partner, mworld):
        key = {"Idempotency-Key": "k-1"}
        assert post(partner, {"values": year_values(mworld)}, **key).status_code == 200
        before = snapshot()
        response = post(partner, {"values": year_values(mworld, row1={"value": "102"})}, **key)
        assert response.status_code == 409
        assert response.json()["code"] == "idempotency_key_reused"
        assert snapshot() == before

    def test_keys_belong_to_their_caller(self, tokens, mworld):
        key = {"Idempotency-Key": "shared-name"}
        assert post(as_token(tokens, "submit"), {"values": year_values(mworld)}, **key).status_code == 200
        period = mworld.periods["year"].code
        b_values = [{"measure": "pop-rate", "period": period, "value": "3"}]
        # Partner B's year is submitted (locked): its own request under the same key is its own.
        response = post(as_token(tokens, "submit_b"), {"values": b_values}, **key)
        assert response.status_code == 409 and response.json()["code"] == "locked"

    def test_a_refused_request_is_not_kept(self, partner, mworld):
        key = {"Idempotency-Key": "fix-and-retry"}
        assert post(partner, {"values": year_values(mworld, row3={"value": "140"})}, **key).status_code == 400
        assert post(partner, {"values": year_values(mworld)}, **key).status_code == 200

    def test_dry_runs_are_not_kept(self, partner, mworld):
        key = {"Idempotency-Key": "try-then-do"}
        assert post(partner, {"dry_run": True, "values": year_values(mworld)}, **key).status_code == 200
        assert post(partner, {"values": year_values(mworld)}, **key).json()["dry_run"] is False
        assert DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).count() == 6

    @pytest.mark.parametrize("key", ["", "x" * 201, "has space"])
    def test_a_malformed_key_is_400(self, partner, mworld, key):
        response = partner.post(
            URL,
            json.dumps({"values": year_values(mworld)}),
            content_type="application/json",
            headers={"Idempotency-Key": key},
        )
        assert response.status_code == 400
        assert "Idempotency-Key" in response.json()["errors"]
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()


class TestItemsReadDirectly:
    """The bulk items a request holds are read without DRF's per-field run when they are plain
    (BulkValueSerializer._plain); the result must be what the fields give, and anything the
    fields would refuse or change must go to them."""

    @staticmethod
    def through_fields(item):
        from rest_framework.exceptions import ValidationError

        from measurement.api.serializers import BulkValueSerializer

        serializer = BulkValueSerializer()
        try:
            return dict(super(BulkValueSerializer, serializer).run_validation(item))
        except ValidationError as error:
            return ("refused", error.detail)

    @pytest.mark.parametrize(
        "item",
        [
            {"measure": "spend", "period": "2026", "value": "12"},
            {"measure": " spend ", "period": "2026 ", "value": " 1,234.5 ", "comment": "  kept as is "},
            {"measure": "enrolled", "period": "2026", "breakdown_1": "dalet", "value": 7, "clear": False},
            {"measure": "ready-pct", "period": "2026", "value": 55.5},
            {"measure": "x", "period": "2026", "value": "", "clear": True},
            {"measure": "x", "period": "2026", "breakdown_2": "  "},
            {"measure": "מדד", "period": "2026", "comment": "הערה"},
        ],
    )
    def test_a_plain_item_is_read_as_the_fields_read_it(self, item):
        from measurement.api.serializers import BulkValueSerializer

        plain = BulkValueSerializer._plain(item)
        assert plain is not None
        assert plain == self.through_fields(item)

    @pytest.mark.parametrize(
        "item",
        [
            {"period": "2026"},
            {"measure": "  ", "period": "2026"},
            {"measure": "x" * 41, "period": "2026"},
            {"measure": "x", "period": "2026-Q1-long"},
            {"measure": "x", "period": "2026", "value": True},
            {"measure": "x", "period": "2026", "value": None},
            {"measure": "x", "period": "2026", "value": float("nan")},
            {"measure": "x", "period": "2026", "value": "1" * 41},
            {"measure": "x\x00", "period": "2026"},
            {"measure": "x", "period": "2026", "comment": "bad \ud800"},
            {"measure": "x", "period": "2026", "clear": "true"},
            {"measure": 5, "period": "2026"},
            ["not", "an", "object"],
        ],
    )
    def test_anything_else_goes_through_the_fields(self, item):
        from measurement.api.serializers import BulkValueSerializer

        assert BulkValueSerializer._plain(item) is None

    def test_a_request_of_plain_items_gives_what_the_fields_give(self):
        from hypothesis import given, settings
        from hypothesis import strategies as st

        from measurement.api.serializers import BulkValueSerializer

        text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
        item = st.fixed_dictionaries(
            {"measure": text, "period": text},
            optional={
                "breakdown_1": text,
                "breakdown_2": text,
                "value": st.one_of(text, st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
                "comment": text,
                "clear": st.booleans(),
            },
        )

        @settings(max_examples=300, deadline=None)
        @given(item)
        def same(data):
            plain = BulkValueSerializer._plain(data)
            if plain is not None:
                assert plain == self.through_fields(data)

        same()
