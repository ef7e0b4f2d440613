"""Shared measurement's REST endpoints: measures, periods, data sets, submissions and values with
their filters, and the review actions of the backbone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from measurement import services
from measurement.choices import AuditAction, SubmissionStatus
from measurement.models import AuditEntry, DataValue
from tests.queries import assert_queries_constant, count_queries

from ..permission_matrix import module_world
from .conftest import build_mworld, make_measure

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

BASE = "/api/v1/initiatives/c2c/"


def get(client, path: str, status: int = 200):
    response = client.get(BASE + path)
    assert response.status_code == status, response.content
    return response.json()


def results(client, path: str, page_size: int = 1000) -> list[dict]:
    """Every row of a list, following `next` links (whatever the pagination: offset or keyset)."""
    sep = "&" if "?" in path else "?"
    response = client.get(BASE + path + f"{sep}limit={page_size}&page_size={page_size}")
    rows = []
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        rows += data["results"]
        if not data.get("next"):
            return rows
        response = client.get(data["next"])


def messages_in(response) -> set[str]:
    """Every text in an error response, whatever its envelope."""
    found, stack = set(), [response.json()]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found.add(item)
    return found


@pytest.fixture
def backbone(client, mworld):
    client.force_login(mworld.backbone)
    return client


class TestMeasures:
    def test_list_with_breakdowns_targets_and_denominator(self, client, mworld):
        services.measure_save(
            initiative=mworld.initiative,
            by=mworld.backbone,
            measure=mworld.measures["ready-pct"],
            targets={"2027": Decimal("58.5")},
        )
        client.force_login(mworld.world.people["viewer"])
        by_code = {m["code"]: m for m in results(client, "measures/")}
        assert sorted(by_code) == ["attended", "enrolled", "pop-rate", "ready-pct", "sessions", "spend"]
        assert by_code["sessions"]["breakdowns"] == [
            {"position": 1, "code": "area", "members": ["dalet", "hey", "vav"]},
            {"position": 2, "code": "gender", "members": ["girls", "boys"]},
        ]
        assert by_code["spend"]["breakdowns"] == []
        ready = by_code["ready-pct"]
        assert (ready["value_type"], ready["aggregation"], ready["denominator"]) == (
            "percent",
            "weighted_mean",
            "enrolled",
        )
        assert ready["targets"] == {"2027": "58.5"}
        assert by_code["spend"]["required"] is False
        assert by_code["spend"]["min_value"] == "0.000000"

    def test_detail_by_code(self, client, mworld):
        client.force_login(mworld.partner)
        data = get(client, "measures/enrolled/")
        assert (data["code"], data["frequency"], data["name_he"]) == ("enrolled", "yearly", "מדד enrolled")
        get(client, "measures/no-such/", status=404)

    def test_read_only(self, backbone, mworld):
        response = backbone.post(BASE + "measures/", {"code": "x"}, content_type="application/json")
        assert response.status_code == 405

    def test_query_count_does_not_grow(self, backbone, mworld):
        pages = []

        def grow():
            for i in range(5):
                make_measure(
                    mworld.initiative, mworld.backbone, f"more-{i}", dimensions=[mworld.dimensions["area"]]
                )

        assert_queries_constant(lambda: pages.append(get(backbone, "measures/")), grow)
        assert len(pages[-1]["results"]) == 11


class TestPeriodsAndAssignments:
    def test_periods_with_filters(self, client, mworld):
        client.force_login(mworld.partner)
        data = results(client, "periods/")
        in_order = sorted(mworld.periods.values(), key=lambda p: (p.start, p.frequency))
        assert [p["id"] for p in data] == [p.pk for p in in_order]
        year = mworld.periods["year"]
        assert results(client, "periods/?frequency=yearly") == [
            {
                "id": p.pk,
                "frequency": "yearly",
                "code": p.code,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "opens_on": p.opens_on.isoformat(),
                "closes_on": p.closes_on.isoformat(),
                "due_on": p.due_on.isoformat(),
            }
            for p in (mworld.periods["year_closed"], year)
        ]
        assert [p["id"] for p in results(client, f"periods/?code={year.code}")] == [year.pk]

    def test_assignments(self, client, mworld):
        client.force_login(mworld.world.people["steering"])
        rows = {(a["organization"], a["measure"]) for a in results(client, "assignments/")}
        assert rows == {
            ("Partner B", "enrolled"),
            ("Partner B", "pop-rate"),
            ("Partner B", "sessions"),
            ("Partner Org", "attended"),
            ("Partner Org", "enrolled"),
            ("Partner Org", "ready-pct"),
            ("Partner Org", "sessions"),
            ("Partner Org", "spend"),
        }


class TestSubmissions:
    def test_list_and_filters(self, backbone, mworld):
        draft = mworld.submission("quarter")
        listed = results(backbone, "submissions/")
        assert {s["id"] for s in listed} == {mworld.closed_submission.pk, mworld.b_submission.pk, draft.pk}
        b = next(s for s in listed if s["id"] == mworld.b_submission.pk)
        assert (b["organization"], b["organization_id"], b["period"], b["frequency"], b["status"]) == (
            "Partner B",
            mworld.org_b.pk,
            mworld.periods["year"].code,
            "yearly",
            "submitted",
        )
        assert b["submitted_at"] is not None
        assert [s["id"] for s in results(backbone, "submissions/?status=approved")] == [
            mworld.closed_submission.pk
        ]
        assert [s["id"] for s in results(backbone, f"submissions/?organization={mworld.org_b.pk}")] == [
            mworld.b_submission.pk
        ]
        assert [
            s["id"] for s in results(backbone, f"submissions/?period={mworld.periods['quarter'].code}")
        ] == [draft.pk]
        assert results(backbone, "submissions/?period=1999") == []

    def test_approve(self, backbone, mworld):
        response = backbone.post(BASE + f"submissions/{mworld.b_submission.pk}/approve/")
        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        mworld.b_submission.refresh_from_db()
        assert (mworld.b_submission.status, mworld.b_submission.reviewed_by) == (
            SubmissionStatus.APPROVED,
            mworld.backbone,
        )
        assert (
            AuditEntry.objects.filter(submission=mworld.b_submission, action=AuditAction.APPROVE).count() == 1
        )

    def test_return_with_a_message(self, backbone, mworld):
        response = backbone.post(
            BASE + f"submissions/{mworld.b_submission.pk}/return/",
            {"message": "Check vav."},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["message"]) == ("returned", "Check vav.")
        mworld.b_submission.refresh_from_db()
        assert mworld.b_submission.status == SubmissionStatus.RETURNED

    def test_unlock_with_a_reason(self, backbone, mworld):
        response = backbone.post(
            BASE + f"submissions/{mworld.closed_submission.pk}/unlock/",
            {"message": "Dalet was double counted."},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["status"] == "draft"
        unlock = AuditEntry.objects.get(submission=mworld.closed_submission, action=AuditAction.UNLOCK)
        assert unlock.reason == "Dalet was double counted."

    @pytest.mark.parametrize(
        ("which", "action", "body", "error"),
        [
            ("draft", "approve", {}, "A submission that is draft cannot be approved."),
            ("closed", "approve", {}, "A submission that is approved cannot be approved."),
            (
                "b",
                "unlock",
                {"message": "x"},
                "A submission that is submitted cannot be unlocked.",
            ),
            (
                "draft",
                "return",
                {"message": "x"},
                "A submission that is draft cannot be returned.",
            ),
            ("b", "return", {"message": "  "}, "Tell the organization what to fix."),
            ("b", "return", {}, "Tell the organization what to fix."),
            ("closed", "unlock", {"message": ""}, "Say why approved data is reopened."),
        ],
    )
    def test_bad_transitions_are_400(self, backbone, mworld, which, action, body, error):
        submission = {
            "draft": mworld.submission("quarter"),
            "closed": mworld.closed_submission,
            "b": mworld.b_submission,
        }[which]
        status, audit = submission.status, AuditEntry.objects.count()
        response = backbone.post(
            BASE + f"submissions/{submission.pk}/{action}/", body, content_type="application/json"
        )
        assert response.status_code == 400
        assert error in messages_in(response)
        submission.refresh_from_db()
        assert submission.status == status
        assert AuditEntry.objects.count() == audit

    @pytest.mark.parametrize("persona", ["partner", "partner_b", "steering", "viewer"])
    @pytest.mark.parametrize("action", ["approve", "return", "unlock"])
    def test_only_the_backbone_reviews(self, client, mworld, persona, action):
        client.force_login(mworld.partner_b if persona == "partner_b" else mworld.world.people[persona])
        submission = mworld.closed_submission if action == "unlock" else mworld.b_submission
        status = submission.status
        response = client.post(
            BASE + f"submissions/{submission.pk}/{action}/", {"message": "x"}, content_type="application/json"
        )
        assert response.status_code == 403
        submission.refresh_from_db()
        assert submission.status == status

    def test_read_only_otherwise(self, backbone, mworld):
        for method in ("post", "delete", "patch"):
            path = "submissions/" if method == "post" else f"submissions/{mworld.b_submission.pk}/"
            assert (
                getattr(backbone, method)(BASE + path, {}, content_type="application/json").status_code == 405
            )


class TestValues:
    def test_list(self, backbone, mworld):
        rows = results(backbone, "values/")
        assert len(rows) == 9
        pop = next(v for v in rows if v["measure"] == "pop-rate")
        assert {
            k: pop[k] for k in ("measure", "period", "organization_id", "breakdown_1", "breakdown_2")
        } == {
            "measure": "pop-rate",
            "period": mworld.periods["year"].code,
            "organization_id": mworld.org_b.pk,
            "breakdown_1": None,
            "breakdown_2": None,
        }
        assert (Decimal(pop["value"]), pop["comment"]) == (Decimal("12.5"), "B-ONLY-COMMENT")
        assert pop["updated_at"]
        dalet = next(v for v in rows if v["breakdown_1"] == "dalet" and v["organization_id"] == mworld.org.pk)
        assert (dalet["measure"], Decimal(dalet["value"])) == ("enrolled", Decimal(100))

    def test_the_measure_filter_reads_the_measure_by_id(self, backbone, mworld):
        """`?measure=code` is resolved to this initiative's measure, so that PostgreSQL reads its
        values in id order from the (measure, id) index; another initiative's measure of the same
        code changes nothing."""
        from initiatives.models import Initiative

        other = Initiative.objects.get(slug="other")
        make_measure(other, mworld.world.people["other_member"], "enrolled")
        enrolled = mworld.measures["enrolled"]
        pages = []
        queries = count_queries(
            lambda: pages.append(results(backbone, "values/?measure=enrolled&ordering=id"))
        )
        rows = pages[0]
        assert [r["id"] for r in rows] == sorted(
            DataValue.objects.filter(measure=enrolled).values_list("id", flat=True)
        )
        sql = [q["sql"] for q in queries.captured_queries]
        # One read of the initiative's id range (selectors.value_id_range), then the pages.
        assert sum(s.startswith("SELECT MIN((SELECT") for s in sql) == 1
        read = [
            s for s in sql if 'FROM "measurement_datavalue"' in s and not s.startswith("SELECT MIN((SELECT")
        ]
        assert read and all(f'"measurement_datavalue"."measure_id" = {enrolled.pk}' in sql for sql in read)
        assert all('"measurement_sharedmeasure"."code" =' not in sql for sql in read)

    def test_filters(self, backbone, mworld):
        def ids(query):
            return sorted(v["id"] for v in results(backbone, "values/?" + query))

        def expected(**lookup):
            return sorted(DataValue.objects.filter(**lookup).values_list("id", flat=True))

        assert ids("measure=enrolled") == expected(measure__code="enrolled")
        assert len(ids("measure=enrolled")) == 6
        assert ids(f"period={mworld.periods['year_closed'].code}") == expected(
            period=mworld.periods["year_closed"]
        )
        assert ids(f"organization={mworld.org_b.pk}") == expected(organization=mworld.org_b)
        assert ids(f"measure=enrolled&organization={mworld.org_b.pk}") == expected(
            measure__code="enrolled", organization=mworld.org_b
        )
        assert ids("measure=no-such") == []
        # updated_since: only what changed after the moment given.
        old = timezone.now() - timedelta(days=10)
        DataValue.objects.update(updated_at=old)
        changed = DataValue.objects.filter(organization=mworld.org_b, measure__code="pop-rate")
        changed.update(updated_at=timezone.now())
        since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
        assert ids(f"updated_since={since}") == list(changed.values_list("id", flat=True))
        assert len(ids("updated_since=" + (old - timedelta(days=1)).isoformat().replace("+00:00", "Z"))) == 9
        response = backbone.get(BASE + "values/?updated_since=yesterday")
        assert response.status_code == 400

    def test_paginated(self, backbone, mworld):
        first = get(backbone, "values/?limit=4&page_size=4")
        assert len(first["results"]) == 4 and first["next"]
        ids = [v["id"] for v in results(backbone, "values/", page_size=4)]
        assert len(ids) == len(set(ids)) == 9
        assert set(ids) == set(DataValue.objects.values_list("id", flat=True))

    def test_query_count_does_not_grow(self, backbone, mworld):
        values, submissions = [], []

        def more_values():
            submission = mworld.submission("quarter", by=mworld.partner)
            services.values_save(
                submission=submission,
                by=mworld.partner,
                raw={
                    mworld.cell("sessions", a, g): "3"
                    for a in ("area:dalet", "area:hey", "area:vav")
                    for g in ("gender:girls", "gender:boys")
                },
            )

        assert_queries_constant(lambda: values.append(get(backbone, "values/")), more_values)
        assert len(values[-1]["results"]) == 15
        assert_queries_constant(
            lambda: submissions.append(get(backbone, "submissions/")),
            lambda: mworld.submission("quarter", org=mworld.org_b),
        )
        assert len(submissions[-1]["results"]) == 4


def test_the_schema_lists_the_endpoints(client, mworld):
    client.force_login(mworld.backbone)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/initiatives/{initiative_slug}/measures/",
        "/api/v1/initiatives/{initiative_slug}/periods/",
        "/api/v1/initiatives/{initiative_slug}/assignments/",
        "/api/v1/initiatives/{initiative_slug}/submissions/{id}/approve/",
        "/api/v1/initiatives/{initiative_slug}/submissions/{id}/return/",
        "/api/v1/initiatives/{initiative_slug}/submissions/{id}/unlock/",
        "/api/v1/initiatives/{initiative_slug}/values/",
    ):
        assert path in paths
