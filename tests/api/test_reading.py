"""Reading at scale: cursor pages that are complete, stable and as cheap deep as at the start;
filters; lean values; aggregates and the public report card with conditional GET; one error
shape; throttling."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from measurement import services
from measurement.models import DataValue, ReportCard
from tests.queries import assert_max_queries, assert_num_queries, assert_queries_constant, count_queries

from ..permission_matrix import module_world
from .conftest import BASE, as_token, build_api_mworld, compute_aggregates

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_api_mworld)


@pytest.fixture
def world(mworld):
    return mworld.world


def pages(client, url: str) -> list[list[dict]]:
    out = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        out.append(body["results"])
        url = body["next"]
        assert len(out) < 1000
    return out


@pytest.fixture
def many_values(mworld):
    """A measure with a 40 × 30 breakdown: 1,200 more values of Partner Org's current year."""
    initiative, backbone = mworld.initiative, mworld.backbone
    rows = services.dimension_create(
        initiative=initiative,
        by=backbone,
        code="school",
        name_en="School",
        name_he="",
        members=[(f"s{i}", f"S{i}", "") for i in range(40)],
    )
    cols = services.dimension_create(
        initiative=initiative,
        by=backbone,
        code="grade",
        name_en="Grade",
        name_he="",
        members=[(f"g{i}", f"G{i}", "") for i in range(30)],
    )
    measure = services.measure_save(
        initiative=initiative,
        by=backbone,
        dimensions=[rows, cols],
        code="pupils",
        name_en="Pupils",
        definition="d",
        unit="count",
        value_type="integer",
        direction="up",
        level="population",
        aggregation="sum",
        frequency="yearly",
    )
    submission = mworld.submission("year")
    DataValue.objects.bulk_create(
        DataValue(
            submission=submission,
            measure=measure,
            period=submission.period,
            organization=mworld.org,
            member1=r,
            member2=c,
            value=Decimal(i),
        )
        for i, (r, c) in enumerate((r, c) for r in rows.members.all() for c in cols.members.all())
    )
    return measure


class TestCursorPages:
    @pytest.mark.parametrize("ordering", ["id", "-id", "updated_at", "-updated_at"])
    def test_complete_without_repeats_even_with_ties(self, tokens, mworld, many_values, ordering):
        # Half the values share one moment: the tie-break on id must neither skip nor repeat.
        moment = timezone.now() - timedelta(hours=1)
        ids = list(DataValue.objects.order_by("id").values_list("id", flat=True))
        DataValue.objects.filter(id__in=ids[::2]).update(updated_at=moment)
        got = [
            v["id"]
            for page in pages(as_token(tokens, "read"), f"{BASE}values/?ordering={ordering}&page_size=97")
            for v in page
        ]
        assert len(got) == len(set(got)) == DataValue.objects.count() == 1209
        key = ordering.lstrip("-")
        expected = list(
            DataValue.objects.order_by(
                *([ordering] if key == "id" else [ordering, ordering[: -len(key)] + "id"])
            ).values_list("id", flat=True)
        )
        assert got == expected

    def test_previous_goes_back(self, tokens, mworld, many_values):
        client = as_token(tokens, "read")
        first = client.get(BASE + "values/?page_size=50").json()
        assert first["previous"] is None
        second = client.get(first["next"]).json()
        third = client.get(second["next"]).json()
        back = client.get(third["previous"]).json()
        assert [v["id"] for v in back["results"]] == [v["id"] for v in second["results"]]
        assert [v["id"] for v in client.get(back["previous"]).json()["results"]] == [
            v["id"] for v in first["results"]
        ]

    def test_changes_while_paging_come_at_the_end(self, tokens, mworld, many_values):
        """Incremental sync: ordered by updated_at, a row changed after it was read comes again."""
        client = as_token(tokens, "read")
        first = client.get(BASE + "values/?ordering=updated_at&page_size=100").json()
        seen = first["results"][0]
        DataValue.objects.filter(pk=seen["id"]).update(
            value=Decimal(999), updated_at=timezone.now() + timedelta(seconds=1)
        )
        rest = [v for page in pages(client, first["next"]) for v in page]
        assert rest[-1]["id"] == seen["id"] and rest[-1]["value"] == "999.000000"

    def test_deep_pages_cost_what_the_first_does(self, tokens, mworld, many_values):
        client = as_token(tokens, "read")
        client.get(BASE + "periods/")  # warm: the token's first use is recorded once
        responses = []
        first = count_queries(lambda: responses.append(client.get(BASE + "values/?page_size=10")))
        url = responses[0].json()["next"]
        for _ in range(60):
            url = client.get(url).json()["next"]
        with assert_num_queries(len(first)) as deep:
            assert client.get(url).status_code == 200
        sql = " ".join(q["sql"] for q in deep.captured_queries).upper()
        assert " OFFSET " not in sql and "COUNT(" not in sql

    def test_a_page_of_1000_values_is_well_under_a_second(self, tokens, mworld, many_values):
        client = as_token(tokens, "read")
        client.get(BASE + "values/?page_size=10")  # warm: the token's first use is recorded
        start = time.perf_counter()
        # Authentication, the initiative, the values: a handful of queries, never one per row.
        with assert_max_queries(6):
            response = client.get(BASE + "values/?page_size=1000")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and len(response.json()["results"]) == 1000
        assert elapsed < 1.0, f"{elapsed:.3f}s"

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("cursor=garbage", "cursor"),
            ("cursor=eyJvIjoiaWQiLCJrIjpbIngiXSwiYiI6ZmFsc2V9", "cursor"),  # {"o":"id","k":["x"],"b":false}
            ("ordering=value", "ordering"),
            ("page_size=0", "page_size"),
            ("page_size=1001", "page_size"),
            ("page_size=ten", "page_size"),
        ],
    )
    def test_bad_paging_is_400(self, tokens, mworld, query, field):
        response = as_token(tokens, "read").get(BASE + "values/?" + query)
        assert response.status_code == 400
        assert field in response.json()["errors"]

    def test_a_cursor_is_bound_to_its_ordering(self, tokens, mworld, many_values):
        client = as_token(tokens, "read")
        nxt = client.get(BASE + "values/?ordering=updated_at&page_size=5").json()["next"]
        assert client.get(nxt.replace("ordering=updated_at", "ordering=id")).status_code == 400


@pytest.mark.parametrize("path", ["values/", "aggregates/", "submissions/", "audit/"])
def test_query_counts_do_not_grow_with_the_rows(tokens, mworld, path):
    client = as_token(tokens, "read")
    client.get(BASE + "periods/")  # the token's first use is recorded once
    pages = []

    def page():
        response = client.get(BASE + path + "?page_size=1000")
        assert response.status_code == 200
        pages.append(response.json())

    def grow():
        # More of everything: a partner's year entered and submitted (values, audit, a submission),
        # then approved and recomputed (aggregates).
        submission = mworld.submission("year")
        services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), submit=True)
        services.submission_approve(submission=submission, by=mworld.backbone)
        compute_aggregates(mworld.initiative)

    assert_queries_constant(page, grow, exact=True)
    assert pages[-1]["results"]


def test_one_value_by_id(tokens, mworld):
    value = DataValue.objects.filter(organization=mworld.org_b, measure__code="pop-rate").get()
    body = as_token(tokens, "read").get(BASE + f"values/{value.pk}/").json()
    assert (body["id"], body["measure"], body["value"], body["comment"]) == (
        value.pk,
        "pop-rate",
        "12.500000",
        "B-ONLY-COMMENT",
    )
    # Partner Org's token: Partner B's value does not exist for it.
    assert as_token(tokens, "submit").get(BASE + f"values/{value.pk}/").status_code == 404


class TestFilters:
    def ids(self, client, query) -> set[int]:
        return {v["id"] for page in pages(client, BASE + "values/?" + query) for v in page}

    def test_value_filters(self, tokens, mworld):
        client = as_token(tokens, "read")
        q = DataValue.objects
        year, closed = mworld.periods["year"], mworld.periods["year_closed"]
        cases = {
            "measure=enrolled": q.filter(measure__code="enrolled"),
            f"organization={mworld.org_b.pk}": q.filter(organization=mworld.org_b),
            f"period={closed.code}": q.filter(period=closed),
            f"period_from={year.start}": q.filter(period__start__gte=year.start),
            f"period_to={closed.end}": q.filter(period__end__lte=closed.end),
            "breakdown=dalet": q.filter(member1__code="dalet"),
            "breakdown=area:hey": q.filter(member1__code="hey"),
            "breakdown=gender:hey": q.none(),
            "status=approved": q.filter(submission__status="approved"),
            "status=submitted&measure=enrolled": q.filter(
                submission__status="submitted", measure__code="enrolled"
            ),
        }
        for query, expected in cases.items():
            assert self.ids(client, query) == set(expected.values_list("id", flat=True)), query

    def test_updated_since(self, tokens, mworld):
        client = as_token(tokens, "read")
        old = timezone.now() - timedelta(days=10)
        DataValue.objects.update(updated_at=old)
        changed = DataValue.objects.filter(organization=mworld.org_b, measure__code="pop-rate")
        changed.update(updated_at=timezone.now())
        since = (timezone.now() - timedelta(days=1)).isoformat()
        assert self.ids(client, "updated_since=" + since.replace("+", "%2B")) == set(
            changed.values_list("id", flat=True)
        )
        response = client.get(BASE + "values/?updated_since=yesterday")
        assert response.status_code == 400 and "updated_since" in response.json()["errors"]
        assert client.get(BASE + "values/?updated_since=0001-01-01T00:00:00%2B05:00").status_code == 400
        # An offset ISO 8601 allows and PostgreSQL does not (beyond ±15:59): the same moment in UTC.
        far = client.get(BASE + "values/?updated_since=2539-02-08T12:36:37%2B16:42")
        assert far.status_code == 200 and far.json()["results"] == []
        assert self.ids(
            client,
            "updated_since="
            + (timezone.now() - timedelta(days=1))
            .astimezone(timezone.get_fixed_timezone(16 * 60 + 42))
            .isoformat()
            .replace("+", "%2B"),
        ) == set(changed.values_list("id", flat=True))

    @pytest.mark.parametrize(
        "query",
        [
            "organization=abc",
            "organization=0",
            "organization=99999999999999999999",
            "status=lost",
            "period_from=2026-02-30",
        ],
    )
    def test_bad_filters_are_400(self, tokens, mworld, query):
        response = as_token(tokens, "read").get(BASE + "values/?" + query)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_submission_filters(self, tokens, mworld):
        client = as_token(tokens, "read")
        got = client.get(BASE + f"submissions/?status=approved&organization={mworld.org.pk}").json()[
            "results"
        ]
        assert [s["id"] for s in got] == [mworld.closed_submission.pk]
        assert (
            client.get(
                BASE + "submissions/?updated_since=2000-01-01T00:00:00Z&ordering=-updated_at"
            ).status_code
            == 200
        )


class TestAudit:
    def test_a_partner_reads_its_own_trail_and_deletions_show(self, tokens, mworld):
        submission = mworld.submission("year")
        services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year())
        services.values_save(
            submission=submission,
            by=mworld.partner,
            raw={k: v for k, v in mworld.valid_year().items() if k != mworld.cell("spend")},
        )
        entries = [
            e for page in pages(as_token(tokens, "submit"), BASE + "audit/?action=delete") for e in page
        ]
        assert [(e["measure"], e["old_value"], e["organization_id"]) for e in entries] == [
            ("spend", "1234.500000", mworld.org.pk)
        ]
        everything = [e for page in pages(as_token(tokens, "submit"), BASE + "audit/") for e in page]
        assert {e["organization_id"] for e in everything} == {mworld.org.pk}
        read_all = [e for page in pages(as_token(tokens, "read"), BASE + "audit/") for e in page]
        assert {e["organization_id"] for e in read_all} == {mworld.org.pk, mworld.org_b.pk}


class TestAggregates:
    def test_the_numbers_behind_the_charts(self, tokens, mworld):
        client = as_token(tokens, "read")
        closed = mworld.periods["year_closed"].code
        rows = client.get(BASE + f"aggregates/?measure=enrolled&period={closed}").json()["results"]
        cells = {(r["breakdown_1"], r["breakdown_2"]): (r["value"], r["organizations"]) for r in rows}
        assert cells == {
            (None, None): ("300.000000", 1),
            ("dalet", None): ("100.000000", 1),
            ("hey", None): ("100.000000", 1),
            ("vav", None): ("100.000000", 1),
        }
        totals = client.get(BASE + "aggregates/?total=true&measure=enrolled").json()["results"]
        assert [(r["period"], r["frequency"], r["value"]) for r in totals] == [
            (closed, "yearly", "300.000000")
        ]
        # Submitted, not approved: Partner B's year is in no aggregate.
        assert client.get(BASE + f"aggregates/?period={mworld.periods['year'].code}").json()["results"] == []
        assert len(client.get(BASE + "aggregates/?breakdown=area:dalet").json()["results"]) == 1

    def test_every_member_reads_them(self, client, mworld):
        client.force_login(mworld.world.people["viewer"])
        assert client.get(BASE + "aggregates/").status_code == 200

    def test_conditional_get(self, tokens, mworld):
        client = as_token(tokens, "read")
        first = client.get(BASE + "aggregates/")
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag and modified
        again = client.get(BASE + "aggregates/", headers={"If-None-Match": etag})
        assert (again.status_code, again.content) == (304, b"")
        assert again["ETag"] == etag
        assert client.get(BASE + "aggregates/", headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(BASE + "aggregates/", headers={"If-None-Match": '"other"'}).status_code == 200
        # Another filter is another representation.
        assert client.get(BASE + "aggregates/?total=true", headers={"If-None-Match": etag}).status_code == 200
        # A new computation changes the tag.
        compute_aggregates(mworld.initiative)
        changed = client.get(BASE + "aggregates/", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed["ETag"] != etag

    def test_a_new_threshold_is_a_new_version_for_if_modified_since_too(self, tokens, mworld):
        """`provisional` follows the completeness threshold: changing it must move Last-Modified,
        or a client polling with If-Modified-Since keeps a stale copy."""
        from datetime import timedelta

        from measurement import services as measurement_services

        client = as_token(tokens, "read")
        first = client.get(BASE + "aggregates/")
        modified = first["Last-Modified"]
        assert client.get(BASE + "aggregates/", headers={"If-Modified-Since": modified}).status_code == 304
        measurement_services.measurement_settings_update(
            initiative=mworld.initiative, by=mworld.backbone, complete_pct=50
        )
        from measurement.models import MeasurementSettings

        # HTTP dates have whole seconds: the change is stamped a little later than the copy.
        MeasurementSettings.objects.filter(initiative=mworld.initiative).update(
            updated_at=timezone.now() + timedelta(seconds=2)
        )
        again = client.get(BASE + "aggregates/", headers={"If-Modified-Since": modified})
        assert again.status_code == 200 and again["Last-Modified"] != modified

    def test_no_computation_yet(self, tokens, mworld):
        from measurement.models import AggregateRun

        AggregateRun.objects.all().delete()
        response = as_token(tokens, "read").get(BASE + "aggregates/")
        assert response.status_code == 200 and response.json()["results"] == []


def _half_is_complete(mworld):
    """Partner B never reported the closed year: enrolled has 1 of 2 organisations approved, which
    the report card publishes only once half is enough (tests/measurement/test_provisional.py
    checks that it does not at the default threshold)."""
    services.measurement_settings_update(initiative=mworld.initiative, by=mworld.backbone, complete_pct=50)


class TestPublicReportCard:
    URL = "/api/v1/public/c2c/report-card/"

    def test_no_sign_in_and_the_pages_numbers(self, client, mworld):
        _half_is_complete(mworld)
        response = client.get(self.URL)
        assert response.status_code == 200
        body = response.json()
        assert (body["initiative"], body["title"], body["suppression_threshold"]) == (
            "c2c",
            "Our children",
            10,
        )
        measures = {m["code"]: m for m in body["measures"]}
        assert set(measures) == {"enrolled", "attended"}
        closed = mworld.periods["year_closed"].code
        assert measures["enrolled"]["history"] == [{"period": closed, "value": 300.0}]
        assert measures["enrolled"]["latest"] == 300.0
        assert measures["enrolled"]["breakdown"]["dimensions"] == "Neighbourhood"
        assert measures["enrolled"]["breakdown"]["cells"] == [
            {"label": "Dalet", "value": 100.0, "suppressed": False},
            {"label": "Hey", "value": 100.0, "suppressed": False},
            {"label": "Vav", "value": 100.0, "suppressed": False},
        ]
        # Nothing of the partners' raw data.
        assert (
            "pop-rate" not in response.content.decode() and "B-ONLY-COMMENT" not in response.content.decode()
        )

    def test_the_published_turn_the_curve_worksheet(self, client, mworld):
        """As the page shows it: the latest worksheet the backbone chose to publish, its story and
        what works, never the evidence, the partners' roles or the plan (learning, #20)."""
        from learning.models import CurveWorksheet

        _half_is_complete(mworld)
        enrolled, closed = mworld.measures["enrolled"], mworld.periods["year_closed"]
        worksheet = CurveWorksheet.objects.create(
            initiative=mworld.initiative,
            measure=enrolled,
            period=closed,
            story="Fewer families moved away",
            what_works="Home visits",
            what_works_evidence="INTERNAL-EVIDENCE",
            show_on_report_card=False,
        )
        measures = {m["code"]: m for m in client.get(self.URL).json()["measures"]}
        assert measures["enrolled"]["worksheet"] is None and measures["attended"]["worksheet"] is None
        CurveWorksheet.objects.filter(pk=worksheet.pk).update(show_on_report_card=True)
        response = client.get(self.URL)
        measures = {m["code"]: m for m in response.json()["measures"]}
        shown = measures["enrolled"]["worksheet"]
        assert (shown["period"], shown["story"], shown["what_works"]) == (
            closed.code,
            "Fewer families moved away",
            "Home visits",
        )
        assert shown["updated_at"] and measures["attended"]["worksheet"] is None
        assert "INTERNAL-EVIDENCE" not in response.content.decode()

    def test_small_numbers_are_suppressed(self, client, mworld):
        _half_is_complete(mworld)
        ReportCard.objects.filter(initiative=mworld.initiative).update(suppression_threshold=101)
        cells = client.get(self.URL).json()["measures"][1]["breakdown"]["cells"]
        assert all(c["suppressed"] and c["value"] is None for c in cells)
        assert b"100.0" not in client.get(self.URL).content.split(b'"breakdown"')[1]

    def test_in_hebrew(self, client, mworld):
        body = client.get(self.URL, headers={"Accept-Language": "he"}).json()
        assert {m["name"] for m in body["measures"]} == {"מדד enrolled", "מדד attended"}

    def test_unpublished_or_unknown_is_404(self, client, mworld):
        ReportCard.objects.filter(initiative=mworld.initiative).update(published=False)
        response = client.get(self.URL)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert client.get("/api/v1/public/nope/report-card/").status_code == 404

    def test_conditional_get(self, client, mworld):
        first = client.get(self.URL)
        again = client.get(self.URL, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        ReportCard.objects.filter(initiative=mworld.initiative).update(title="Renamed")
        assert client.get(self.URL, headers={"If-None-Match": first["ETag"]}).status_code == 200


class TestErrors:
    def test_one_shape(self, tokens, mworld):
        client = as_token(tokens, "read")
        for response, status, code in [
            (client.get(BASE + "measures/nope/"), 404, "not_found"),
            (client.get(BASE + "values/?organization=x"), 400, "invalid"),
            (
                client.post(BASE + "submissions/bulk/", {}, content_type="application/json"),
                403,
                "permission_denied",
            ),
            (client.delete(BASE + "measures/enrolled/"), 405, "method_not_allowed"),
            (client.get(BASE + "no-such-thing/"), 404, "not_found"),
            # A line break in the address (schemathesis found it: the catch-all's `.` stopped at it
            # and the site's HTML 404 answered).
            (client.get(BASE + "backbone/indicators/%C3%86%0A%C2%AB/"), 404, "not_found"),
            (client.get(BASE + "a%0Ab/"), 404, "not_found"),
            (Client().get(BASE + "values/"), 401, "not_authenticated"),
        ]:
            assert response.status_code == status
            body = response.json()
            assert set(body) == {"code", "message", "errors"} and body["code"] == code and body["message"]

    def test_a_services_refusal_is_400_in_the_shape(self, client, mworld):
        client.force_login(mworld.backbone)
        response = client.post(BASE + f"submissions/{mworld.closed_submission.pk}/approve/")
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "A submission that is approved cannot be approved.",
            "errors": {"detail": ["A submission that is approved cannot be approved."]},
        }

    def test_a_stale_agenda_revision_is_409_in_the_shape(self, client, world):
        client.force_login(world.people["backbone"])
        draft = client.post("/api/v1/initiatives/c2c/agenda-draft/").json()
        assert (
            client.put(
                "/api/v1/initiatives/c2c/agenda-draft/",
                {**draft, "goal": "A"},
                content_type="application/json",
            ).status_code
            == 200
        )
        response = client.put(
            "/api/v1/initiatives/c2c/agenda-draft/", {**draft, "goal": "B"}, content_type="application/json"
        )
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["current"]["goal"]) == ("conflict", "A")
        assert body["message"] and "revision" in body["errors"]

    def test_a_non_json_body_is_400(self, tokens, mworld):
        response = as_token(tokens, "submit").post(
            BASE + "submissions/bulk/", "{not json", content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["code"] == "parse_error"


class TestThrottling:
    def test_per_token_with_retry_after(self, tokens, mworld, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "user": "100/minute", "anon": "100/minute"},
        }
        client = as_token(tokens, "read")
        assert [client.get(BASE + "periods/").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(BASE + "periods/")
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60
        assert refused.json()["code"] == "throttled"
        # Another token, and the people, keep their own budgets.
        assert as_token(tokens, "submit").get(BASE + "periods/").status_code == 200
        browser = Client()
        browser.force_login(mworld.backbone)
        assert browser.get(BASE + "periods/").status_code == 200

    def test_per_person(self, client, mworld, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": "100/minute", "user": "2/minute", "anon": "100/minute"},
        }
        client.force_login(mworld.partner)
        assert [client.get(BASE + "periods/").status_code for _ in range(3)] == [200, 200, 429]
        other = Client()
        other.force_login(mworld.backbone)
        assert other.get(BASE + "periods/").status_code == 200

    def test_anonymous_by_address(self, client, mworld, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": "100/minute", "user": "100/minute", "anon": "1/minute"},
        }
        assert client.get("/api/v1/public/c2c/report-card/").status_code == 200
        refused = client.get("/api/v1/public/c2c/report-card/")
        assert refused.status_code == 429 and refused["Retry-After"]


class TestPagesStayInTheInitiative:
    """The values' pages are bounded by the initiative's first and last value id
    (selectors.visible_values): with another initiative's values before, between and after its
    own, every one of its values is read once, and none of the other's."""

    def test_interleaved_initiatives(self, tokens, mworld):
        from ..measurement.conftest import make_measure

        other, by = mworld.world.other, mworld.world.people["other_member"]
        theirs = make_measure(other, by, "their-count")
        period = mworld.periods["year"]
        their_period = type(period).objects.create(
            initiative=other,
            frequency=period.frequency,
            code=period.code,
            start=period.start,
            end=period.end,
            opens_on=period.opens_on,
            closes_on=period.closes_on,
            due_on=period.due_on,
        )
        their_org = mworld.world.orgs["other"]
        submission = mworld.submission("year")
        their_submission = type(submission).objects.create(
            initiative=other, organization=their_org, period=their_period
        )
        ours = make_measure(mworld.initiative, mworld.backbone, "our-later-count")
        # Theirs, then ours, then theirs: their ids fall between and after ours.
        for submitted, measure, in_period, organization in (
            (their_submission, theirs, their_period, their_org),
            (submission, ours, period, mworld.org),
            (their_submission, make_measure(other, by, "their-second"), their_period, their_org),
        ):
            DataValue.objects.create(
                submission=submitted, measure=measure, period=in_period, organization=organization, value=1
            )
        expected = set(
            DataValue.objects.filter(measure__initiative=mworld.initiative).values_list("id", flat=True)
        )
        assert max(expected) < max(DataValue.objects.values_list("id", flat=True))  # theirs after ours
        got = [
            v["id"] for page in pages(as_token(tokens, "read"), f"{BASE}values/?page_size=2") for v in page
        ]
        assert len(got) == len(set(got)) and set(got) == expected
