"""The API of learning: in the OpenAPI schema, reads at a constant number of queries, writes
through the services with the pages' clear messages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from learning import services
from tests.learning.conftest import build_lw
from tests.permission_matrix import build_world, module_world

from ..measurement.factories import ReportingPeriodFactory
from ..queries import assert_queries_constant

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
lw_once, lw = module_world("lw", lambda: build_lw(build_world()))


def api(lw, path: str) -> str:
    return f"/api/v1/initiatives/{lw.initiative.slug}/{path}"


def test_every_endpoint_is_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    base = "/api/v1/initiatives/{initiative_slug}/"
    for path in (
        "risks/",
        "risks/{id}/",
        "risks/{id}/reviews/",
        "risk-starting-list/",
        "assumptions/",
        "assumptions/{id}/learned/",
        "curve-worksheets/",
        "curve-worksheets/{id}/",
        "curve-stories/",
        "measure-coverage/",
    ):
        assert base + path in paths, path


def test_the_starting_list_quotes_the_source_and_says_what_is_taken(client, lw):
    client.force_login(lw.people["viewer"])
    rows = client.get(api(lw, "risk-starting-list/")).json()
    assert len(rows) == 13
    politics = next(r for r in rows if r["key"] == "local_politics")
    assert politics["taken"] and politics["line"] == "402" and "הפוליטיקה המקומית" in politics["quote"]


def test_a_risk_reads_in_the_readers_language_with_its_source(client, lw):
    client.force_login(lw.people["viewer"])
    risk = client.get(api(lw, f"risks/{lw.mine.risk.pk}/")).json()
    assert risk["title"] == "Obstacles set by local politics" and risk["own_title"] == ""
    assert risk["category"] == "pitfall" and risk["source_line"] == "402"
    client.cookies["django_language"] = "he"
    hebrew = client.get(api(lw, f"risks/{lw.mine.risk.pk}/"), HTTP_ACCEPT_LANGUAGE="he").json()
    assert hebrew["title"] == "המכשולים שמציבה הפוליטיקה המקומית"


def test_due_filter(client, lw):
    by = lw.people["backbone"]
    due = services.risk_create(initiative=lw.initiative, by=by, title="Due", review_on=timezone.localdate())
    client.force_login(by)
    ids = [r["id"] for r in client.get(api(lw, "risks/?due=true")).json()["results"]]
    assert ids == [due.pk]
    assert client.get(api(lw, "risks/?due=maybe")).status_code == 400


def test_a_stale_worksheet_save_is_409_like_refused_with_a_message(client, lw):
    client.force_login(lw.people["backbone"])
    body = {"measure": lw.mine.measure.pk, "period": lw.mine.period.pk, "revision": 1, "story": "A"}
    first = client.post(api(lw, "curve-worksheets/"), body, content_type="application/json")
    assert first.status_code == 200 and first.json()["revision"] == 2
    stale = client.post(api(lw, "curve-worksheets/"), {**body, "story": "B"}, content_type="application/json")
    assert stale.status_code == 400 and "Someone else saved" in stale.content.decode()


def test_a_worksheet_saved_whole_with_partners_and_actions(client, lw):
    client.force_login(lw.people["backbone"])
    response = client.post(
        api(lw, "curve-worksheets/"),
        {
            "measure": lw.mine.measure.pk,
            "period": lw.mine.next_period.pk,
            "story": "Rising.",
            "show_on_report_card": True,
            "partners": [{"organization": lw.orgs["partner"].pk, "role": "Camps"}],
            "actions": [
                {"description": "Camps in Hey", "activity": lw.mine.activity.pk, "due_on": "2026-07-01"}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["carried_from"] == lw.mine.worksheet.pk
    assert data["partners"][0]["organization"]["name"] == "Partner Org"
    assert data["actions"][0]["activity_title"] == "Reading camps"
    listed = client.get(api(lw, "curve-worksheets/?show_on_report_card=true")).json()["results"]
    assert [w["id"] for w in listed] == [data["id"]]


def test_a_private_document_is_not_named_to_those_outside_its_audience(client, lw):
    services.learning_record(
        assumption=lw.mine.assumption,
        by=lw.people["backbone"],
        note="n",
        status="tested",
        document=lw.private_document,
    )
    for who, sees in (("backbone", True), ("partner", False)):
        client.force_login(lw.people[who])
        entries = client.get(api(lw, f"assumptions/{lw.mine.assumption.pk}/")).json()["entries"]
        assert (lw.private_document.pk in [e["document"] for e in entries]) is sees
        assert "PRIVATE-LEADERSHIP-DOC" not in str(entries)


def test_coverage(client, lw):
    client.force_login(lw.people["viewer"])
    data = client.get(api(lw, "measure-coverage/")).json()
    assert data["complete"] is False
    assert [(level["level"], level["covered"]) for level in data["levels"]] == [
        ("population", True),
        ("process", True),
        ("interaction", False),
    ]
    assert data["levels"][2]["line"] == "192" and data["levels"][2]["reason"]


def _grow(lw):
    by = lw.people["backbone"]
    today = timezone.localdate()
    for n in range(3):
        services.risk_create(
            initiative=lw.initiative,
            by=by,
            title=f"R{n}",
            review_on=today + timedelta(days=n),
            owner=lw.initiative.memberships.first(),
        )
        a = services.assumption_create(
            initiative=lw.initiative, by=by, statement=f"A{n}", strategy=lw.mine.strategies[0]
        )
        services.learning_record(
            assumption=a,
            by=by,
            note="n",
            status="revised",
            measure=lw.mine.measure,
            document=lw.mine.document,
        )
        period = ReportingPeriodFactory(initiative=lw.initiative, year=2010 + n)
        services.worksheet_save(
            initiative=lw.initiative,
            by=by,
            measure=lw.mine.measure,
            period=period,
            revision=None,
            partners=[services.PartnerRole(lw.orgs["partner"], "r")],
            actions=[services.PlannedAction("a", lw.mine.activity)],
        )
        services.story_tell(
            initiative=lw.initiative, by=by, measure=lw.mine.measure, period=period, title="t", text="x"
        )


@pytest.mark.parametrize(
    "path", ["risks/", "assumptions/", "curve-worksheets/", "curve-stories/", "risk-starting-list/"]
)
def test_lists_cost_a_constant_number_of_queries(client, lw, path):
    client.force_login(lw.people["backbone"])

    def get():
        assert client.get(api(lw, path)).status_code == 200

    get()
    assert_queries_constant(get, lambda: _grow(lw))
