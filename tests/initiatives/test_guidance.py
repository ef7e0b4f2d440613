"""The overview's guidance: time in phases I to III (line 314), the three preconditions (lines
137–141) and the funding runway (line 140), in the page and the API."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backbone import services as backbone_services
from initiatives import guidance, services
from initiatives.choices import MilestoneStatus, Phase
from initiatives.models import Initiative

READY = {
    "champion": "met",
    "champion_evidence": "a",
    "funding": "met",
    "funding_evidence": "b",
    "urgency": "met",
    "urgency_evidence": "c",
}


def _advice(initiative, code, today=None):
    return next(a for a in guidance.guidance_for(initiative, today=today) if a.code == code)


def _started(initiative, days_ago):
    Initiative.objects.filter(pk=initiative.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    initiative.refresh_from_db()


def _fund(world, year, amount="100000", funder="Southern Families Foundation"):
    return backbone_services.funding_entry_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        funder_name=funder,
        funder_type="philanthropy",
        recipient="initiative",
        kind="new",
        amount=amount,
        year=year,
        committed_on=date(year, 1, 15),
    )


class TestPhaseTime:
    def test_within_two_years_is_in_line(self, world):
        _started(world.initiative, 400)
        advice = _advice(world.initiative, "phase_time")
        assert (advice.level, advice.lines, advice.data["months"]) == ("ok", "314", 13)
        assert "within the six months to two years" in advice.message

    def test_past_two_years_warns_with_the_sources_reasoning(self, world):
        _started(world.initiative, 800)
        advice = _advice(world.initiative, "phase_time")
        assert advice.level == "warning" and "more than the two years" in advice.message
        assert "cannot be shortened" in advice.reasoning and "publish successes" in advice.reasoning

    def test_in_phase_iv_it_says_how_long_they_took(self, world):
        i, by = world.initiative, world.people["backbone"]
        _started(i, 900)
        services.readiness_assess(initiative=i, by=by, **READY)
        for to_phase in (2, 3, 4):
            services.phase_change(initiative=i, by=by, to_phase=to_phase, reason="go")
        i.refresh_from_db()
        advice = _advice(i, "phase_time")
        assert advice.level == "info" and "decade or more" in advice.message


class TestPreconditions:
    def test_in_pre_launch_unassessed_warns(self, world):
        advice = _advice(world.initiative, "preconditions")
        assert advice.level == "warning" and advice.lines == "137–141"
        assert advice.data["unmet"] == ["champion", "funding", "urgency"]

    def test_all_met_is_in_line(self, world):
        services.readiness_assess(initiative=world.initiative, by=world.people["backbone"], **READY)
        assert _advice(world.initiative, "preconditions").level == "ok"

    def test_leaving_without_them_is_remembered_with_the_reason(self, client, world):
        i, by = world.initiative, world.people["backbone"]
        services.readiness_assess(initiative=i, by=by, **{**READY, "funding": "not_met"})
        services.phase_change(initiative=i, by=by, to_phase=2, reason="הקרן תחתום בחודש הבא")
        i.refresh_from_db()
        advice = _advice(i, "preconditions")
        assert advice.level == "warning"
        assert advice.data["left_without"] == ["funding"]
        assert "adequate financial resources" in advice.message
        client.force_login(world.people["viewer"])
        body = client.get(i.get_absolute_url()).content.decode()
        assert '<span dir="auto">הקרן תחתום בחודש הבא</span>' in body
        assert 'data-advice="preconditions" data-level="warning"' in body


class TestFundingRunway:
    def test_an_empty_ledger_warns(self, world):
        advice = _advice(world.initiative, "funding_runway")
        assert (advice.level, advice.data["years_covered"], advice.lines) == ("warning", 0, "140")
        assert "No anchor funder" in advice.message

    def test_two_years_meets_the_minimum_three_are_in_line(self, world):
        year = timezone.localdate().year
        _fund(world, year)
        _fund(world, year + 1)
        _fund(world, year + 3)  # a gap: the runway stops at the first year without money
        advice = _advice(world.initiative, "funding_runway")
        assert (advice.level, advice.data["years_covered"]) == ("info", 2)
        _fund(world, year + 2)
        advice = _advice(world.initiative, "funding_runway")
        assert (advice.level, advice.data["years_covered"]) == ("ok", 4)

    def test_past_years_do_not_count(self, world):
        year = timezone.localdate().year
        _fund(world, year - 2)
        _fund(world, year - 1)
        assert _advice(world.initiative, "funding_runway").data["years_covered"] == 0

    def test_the_anchor_funder_is_named(self, world):
        entry = _fund(world, timezone.localdate().year)
        backbone_services.funder_update(
            funder=entry.funder, by=world.people["backbone"], is_anchor=True, funder_type="philanthropy"
        )
        assert (
            "Anchor funder: \u2068Southern Families Foundation\u2069."
            in _advice(world.initiative, "funding_runway").message
        )


def test_overview_shows_the_three_pieces_of_advice(client, world):
    client.force_login(world.people["partner"])
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    for code in ("phase_time", "preconditions", "funding_runway"):
        assert f'data-advice="{code}"' in body
    assert "source, lines <bdi>137–141</bdi>" in body


def test_overview_guidance_in_hebrew(client, world):
    client.force_login(world.people["viewer"])
    client.cookies["django_language"] = "he"
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "שלושת השלבים הראשונים יכולים להימשך בין שישה חודשים לשנתיים" in body


def test_phase_change_page_lists_unmet_preconditions(client, world):
    client.force_login(world.people["backbone"])
    url = reverse("initiatives:phase_change", kwargs={"slug": world.initiative.slug})
    assert 'id="unmet-preconditions"' in client.get(url).content.decode()
    for m in world.initiative.milestones.filter(phase=1):
        services.milestone_update(
            milestone=m, by=world.people["backbone"], status=MilestoneStatus.DONE, evidence=""
        )
    response = client.post(url, {"to_phase": 2, "reason": ""})
    assert response.status_code == 200 and "preconditions" in response.context["form"].errors["reason"][0]
    world.initiative.refresh_from_db()
    assert world.initiative.phase == Phase.PRE_LAUNCH


def test_guidance_api(client, world):
    client.force_login(world.people["viewer"])
    data = client.get(f"/api/v1/initiatives/{world.initiative.slug}/guidance/").json()
    assert [a["code"] for a in data] == ["phase_time", "preconditions", "funding_runway"]
    assert data[1]["data"]["unmet"] == ["champion", "funding", "urgency"]


class TestFitApi:
    ANSWERS = {
        "solution_exists": "unknown",
        "solution_copyable": "no",
        "solver": "no_single_body",
        "problem_traits": "changing",
        "solution_knowable": "unknowable",
        "solution_traits": "everyone",
        "social_problem": "yes",
    }

    def url(self, world):
        return f"/api/v1/initiatives/{world.initiative.slug}/fit-assessments/"

    def test_create_and_list_with_reasons_in_the_readers_language(self, client, world):
        client.force_login(world.people["backbone"])
        created = client.post(self.url(world), self.ANSWERS, content_type="application/json")
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["verdict"], body["complexity"], body["nature"], body["is_suited"]) == (
            "complex_adaptive",
            "complex",
            "adaptive",
            True,
        )
        assert [r["line"] for r in body["reasons"]] == ["96", "98", "131", "112"]
        client.force_login(world.people["partner"])
        listed = client.get(self.url(world), HTTP_ACCEPT_LANGUAGE="he").json()["results"]
        assert "השפעה רחבה" in listed[0]["reasons"][2]["text"]

    def test_an_unanswered_row_is_400_and_saves_nothing(self, client, world):
        client.force_login(world.people["backbone"])
        response = client.post(
            self.url(world), {**self.ANSWERS, "solver": ""}, content_type="application/json"
        )
        assert response.status_code == 400 and "solver" in response.json()["errors"]
        assert not world.initiative.fit_assessments.exists()

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer"])
    def test_only_backbone_creates(self, client, world, persona):
        client.force_login(world.people[persona])
        assert client.post(self.url(world), self.ANSWERS, content_type="application/json").status_code == 403


def test_fit_assessments_api_queries_do_not_grow(client, world):
    from ..queries import assert_queries_constant

    client.force_login(world.people["viewer"])
    url = f"/api/v1/initiatives/{world.initiative.slug}/fit-assessments/"
    by = world.people["backbone"]
    services.fit_assess(initiative=world.initiative, by=by, **TestFitApi.ANSWERS)

    def grow():
        for _ in range(5):
            services.fit_assess(initiative=world.initiative, by=by, **TestFitApi.ANSWERS)

    assert_queries_constant(lambda: client.get(url), grow)
