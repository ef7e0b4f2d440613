"""Pages of learning: what they show, in English and Hebrew, at a constant number of queries; a
refused form keeps what was typed; a GET writes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.models import CurveWorksheet, Risk
from tests.learning.conftest import build_lw
from tests.permission_matrix import build_world, module_world

from ..measurement.factories import ReportingPeriodFactory
from ..queries import assert_max_queries, assert_queries_constant

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
lw_once, lw = module_world("lw", lambda: build_lw(build_world()))


def url(lw, name, **kwargs):
    return reverse(f"learning:{name}", kwargs={"slug": lw.initiative.slug, **kwargs})


def test_overview_shows_coverage_due_risks_and_the_assumptions(client, lw):
    by = lw.people["backbone"]
    services.risk_create(initiative=lw.initiative, by=by, title="Due today", review_on=timezone.localdate())
    client.force_login(lw.people["viewer"])
    body = client.get(url(lw, "home")).content.decode()
    assert 'data-level="interaction" data-covered="no"' in body
    assert 'data-level="population" data-covered="yes"' in body
    assert "Without a measure of partner relationships" in body  # the source's reason
    assert "מדידת יחסי הגומלין בין השותפים" in body and 'lang="he" dir="rtl"' in body
    assert "Due today" in body and "Dana&#x27;s summer" in body
    assert "Their" not in body


def test_overview_in_hebrew(client, lw):
    client.force_login(lw.people["viewer"])
    client.cookies["django_language"] = "he"
    body = client.get(url(lw, "home")).content.decode()
    assert 'dir="rtl"' in body
    assert "סיכונים" in body and "לוח סיכונים" in body
    assert "Risks due for review" not in body and "Risk register" not in body


def test_risk_page_quotes_the_source(client, lw):
    client.force_login(lw.people["partner"])
    body = client.get(url(lw, "risk", pk=lw.mine.risk.pk)).content.decode()
    assert "המכשולים שמציבה הפוליטיקה המקומית" in body and "402" in body
    assert "Quiet before the elections." in body
    assert "/edit/" not in body  # a partner reads; backbone staff keep the register


def test_learning_log_hides_a_private_document_from_those_outside_its_audience(client, lw):
    services.learning_record(
        assumption=lw.mine.assumption,
        by=lw.people["backbone"],
        note="The leadership's note.",
        status="tested",
        document=lw.private_document,
    )
    for who, sees in (("backbone", True), ("steering", True), ("partner", False), ("viewer", False)):
        client.force_login(lw.people[who])
        for page in (url(lw, "assumptions"), url(lw, "assumption", pk=lw.mine.assumption.pk)):
            body = client.get(page).content.decode()
            assert ("PRIVATE-LEADERSHIP-DOC" in body) is sees, (who, page)
            assert "Camp evaluation" in body or page.endswith("assumptions/")


def test_worksheet_page_shows_the_conversation_and_the_stories(client, lw):
    client.force_login(lw.people["steering"])
    body = client.get(
        url(lw, "worksheet", code=lw.mine.measure.code, period=lw.mine.period.pk)
    ).content.decode()
    for text in (
        "The curve is flat.",
        "Runs the camps.",
        "More camps",
        "Reading camps",
        "Dana&#x27;s summer",
    ):
        assert text in body
    assert "Tell a story" in body and "Edit the worksheet" not in body


def test_a_new_period_starts_from_the_last_version_without_writing(client, lw):
    client.force_login(lw.people["backbone"])
    edit = url(lw, "worksheet_edit", code=lw.mine.measure.code, period=lw.mine.next_period.pk)
    body = client.get(edit).content.decode()
    assert "The curve is flat." in body and "Runs the camps." in body
    assert not CurveWorksheet.objects.filter(period=lw.mine.next_period).exists()
    response = client.post(
        edit,
        {
            "revision": "0",
            "story": "Rising now.",
            "partners-TOTAL_FORMS": "1",
            "partners-INITIAL_FORMS": "0",
            "partners-0-organization": str(lw.orgs["partner"].pk),
            "partners-0-role": "Runs the camps.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Camps in Hey",
            "actions-0-activity": str(lw.mine.activity.pk),
            "actions-0-due_on": "2026-07-01",
        },
    )
    assert response.status_code == 302
    saved = CurveWorksheet.objects.get(period=lw.mine.next_period)
    assert saved.carried_from == lw.mine.worksheet and saved.actions.get().activity == lw.mine.activity


def test_a_stale_worksheet_form_is_refused_and_keeps_the_text(client, lw):
    client.force_login(lw.people["backbone"])
    edit = url(lw, "worksheet_edit", code=lw.mine.measure.code, period=lw.mine.period.pk)
    data = {
        "revision": "1",
        "story": "My careful words.",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    assert client.post(edit, {**data, "story": "First."}).status_code == 302
    response = client.post(edit, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else saved this worksheet" in body and "My careful words." in body
    assert CurveWorksheet.objects.get(pk=lw.mine.worksheet.pk).story == "First."


def test_a_forged_row_count_is_refused_without_building_a_thousand_rows(client, lw):
    """TOTAL_FORMS is the client's: Django built up to max_num + 1,000 rows of each formset, each with
    its query for the partners (24 s of a worker for one post, found by posting bad input to every
    form). The rows built are bounded (absolute_max, twice max_num) and read their choices once; the
    refusal keeps the text."""
    client.force_login(lw.people["backbone"])
    edit = url(lw, "worksheet_edit", code=lw.mine.measure.code, period=lw.mine.period.pk)
    data = {
        "revision": str(lw.mine.worksheet.revision),
        "story": "Kept words.",
        "partners-TOTAL_FORMS": "99999999999999999999",
        "partners-INITIAL_FORMS": "0",
        "actions-TOTAL_FORMS": "5000",
        "actions-INITIAL_FORMS": "0",
    }
    with assert_max_queries(40):  # 5,161 before
        response = client.post(edit, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Kept words." in body and "Please submit at most 30 forms." in body
    assert CurveWorksheet.objects.get(pk=lw.mine.worksheet.pk).story != "Kept words."


def test_a_refused_risk_form_keeps_the_input(client, lw):
    client.force_login(lw.people["backbone"])
    response = client.post(
        url(lw, "risk_create"),
        {
            "title": "",
            "description": "Typed with care",
            "likelihood": "3",
            "impact": "3",
            "review_on": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert "Typed with care" in response.content.decode()
    assert not Risk.objects.filter(description="Typed with care").exists()


def test_the_measure_page_opens_a_period_of_its_own_measure_only(client, lw):
    client.force_login(lw.people["viewer"])
    base = url(lw, "curve_measure", code=lw.mine.measure.code)
    response = client.get(base + f"?period={lw.mine.next_period.pk}")
    assert response.status_code == 302 and response["Location"].endswith(f"/{lw.mine.next_period.pk}/")
    assert client.get(base + f"?period={lw.theirs.period.pk}").status_code == 404


def _grow(lw):
    by = lw.people["backbone"]
    today = timezone.localdate()
    for n in range(4):
        risk = services.risk_create(
            initiative=lw.initiative,
            by=by,
            title=f"Risk {n}",
            review_on=today,
            owner=lw.initiative.memberships.first(),
        )
        services.risk_review(risk=risk, by=by, note="x", next_review_on=today + timedelta(days=3))
        assumption = services.assumption_create(
            initiative=lw.initiative, by=by, statement=f"A{n}", strategy=lw.mine.strategies[0]
        )
        services.learning_record(
            assumption=assumption,
            by=by,
            note="n",
            status="tested",
            measure=lw.mine.measure,
            period=lw.mine.period,
            decision=lw.mine.decision,
            document=lw.mine.document,
        )
        period = ReportingPeriodFactory(initiative=lw.initiative, year=2010 + n)
        services.worksheet_save(
            initiative=lw.initiative,
            by=by,
            measure=lw.mine.measure,
            period=period,
            revision=None,
            story="s",
            partners=[services.PartnerRole(lw.orgs["partner"], "r")],
            actions=[services.PlannedAction("a", lw.mine.activity)],
        )
        services.story_tell(
            initiative=lw.initiative,
            by=by,
            measure=lw.mine.measure,
            period=lw.mine.period,
            title="t",
            text="x",
        )


def test_the_worksheet_form_costs_the_same_with_more_partners_and_actions(client, lw):
    """Each row's selects (the partner, the activity) share one reading of their choices."""
    client.force_login(lw.people["backbone"])
    edit = url(lw, "worksheet_edit", code=lw.mine.measure.code, period=lw.mine.period.pk)

    def get():
        assert client.get(edit).status_code == 200

    def grow():  # from one partner and one action to three partners and four actions
        worksheet = CurveWorksheet.objects.get(pk=lw.mine.worksheet.pk)
        services.worksheet_save(
            initiative=lw.initiative,
            by=lw.people["backbone"],
            measure=lw.mine.measure,
            period=lw.mine.period,
            revision=worksheet.revision,
            story=worksheet.story,
            partners=[
                services.PartnerRole(lw.orgs[name], f"Role of {name}")
                for name in ("partner", "funder", "backbone")
            ],
            actions=[services.PlannedAction(f"Action {n}", lw.mine.activity) for n in range(4)],
        )

    get()  # warm up (the session, the caches)
    assert_queries_constant(get, grow)


@pytest.mark.parametrize(
    "name",
    ["home", "risks", "assumptions", "curve", "curve_measure", "worksheet", "risk", "assumption"],
)
def test_pages_cost_a_constant_number_of_queries(client, lw, name):
    client.force_login(lw.people["backbone"])
    kwargs = {
        "curve_measure": {"code": lw.mine.measure.code},
        "worksheet": {"code": lw.mine.measure.code, "period": lw.mine.period.pk},
        "risk": {"pk": lw.mine.risk.pk},
        "assumption": {"pk": lw.mine.assumption.pk},
    }.get(name, {})
    page = url(lw, name, **kwargs)

    def get():
        assert client.get(page).status_code == 200

    get()  # warm up (the session, the caches)
    assert_queries_constant(get, lambda: _grow(lw))
