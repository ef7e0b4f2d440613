"""Scoring against hand-computed fixtures, one kind of evidence at a time, then together.

Every expected number below is worked out in the comment next to it, from the method in
backbone/scoring.py (and docs/backbone.md): ratings map to (r − 1) × 25; a survey counts from 5
respondents; a record signal from 3 records; survey and records weigh half each when both count.
"""

from datetime import date, datetime, time

import pytest
from django.db import DatabaseError
from django.utils import timezone

from backbone import records, scoring, selectors, services
from backbone.choices import (
    Alignment,
    CommunityEventKind,
    Confidence,
    FunderType,
    FundingKind,
    FundingRecipient,
    PolicyKind,
    RespondentGroup,
)
from backbone.models import FunctionScore, IndicatorScore
from tests.permission_matrix import build_world, module_world

from .helpers import PERIOD, answer, invite, make_wave, open_wave, recompute, score

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


# --- The method, as pure functions -------------------------------------------------------------------


def test_likert_mapping_and_mean():
    assert scoring.rating_to_score(1) == 0 and scoring.rating_to_score(5) == 100
    assert scoring.likert_score([1, 0, 0, 0, 1]) == 50.0  # (0 + 100) / 2
    assert scoring._round(scoring.likert_score([0, 0, 0, 2, 1])) == 83.3  # (75 + 75 + 100) / 3
    assert scoring.likert_score([0, 0, 0, 0, 0]) is None


def test_growth_and_share():
    assert scoring.growth(5, 10) == 25.0  # half of last period
    assert scoring.growth(10, 10) == 50.0
    assert scoring.growth(30, 10) == 100.0  # capped
    assert scoring.growth(10, 0) == 100.0  # something where there was nothing
    assert scoring.growth(0, 0) is None
    assert scoring.share(1, 3) == pytest.approx(33.333, abs=0.001)
    assert scoring.share(1, 0) is None


def _survey(distribution, *, invited=None, responded=None, dont_know=0):
    n = sum(distribution)
    return scoring.SurveyEvidence(
        distribution=distribution,
        dont_know=dont_know,
        responses=n,
        invited=invited if invited is not None else n,
        responded=responded if responded is not None else n,
    )


def test_survey_alone_is_low_confidence_below_ten_responses():
    result = scoring.score_indicator(_survey([0, 1, 2, 2, 0]), [])  # (25 + 50 + 50 + 75 + 75) / 5 = 55
    assert (result.score, result.confidence) == (55.0, Confidence.LOW)


def test_four_responses_and_no_records_are_insufficient():
    result = scoring.score_indicator(_survey([0, 0, 2, 2, 0]), [scoring.Signal("x", 80.0, 2)])
    assert result.score is None and result.confidence == Confidence.NONE
    assert result.evidence()["survey"]["used"] is False
    assert result.evidence()["records"][0]["used"] is False  # 2 records < 3


def test_one_record_signal_alone_is_low_two_are_medium():
    one = scoring.score_indicator(_survey([0, 0, 0, 0, 0]), [scoring.Signal("x", 80.0, 3)])
    assert (one.score, one.confidence) == (80.0, Confidence.LOW)
    two = scoring.score_indicator(
        _survey([0, 0, 0, 0, 0]), [scoring.Signal("x", 80.0, 3), scoring.Signal("y", 40.0, 9)]
    )
    assert (two.score, two.record_score, two.confidence) == (60.0, 60.0, Confidence.MEDIUM)


def test_a_solid_survey_backed_by_records_is_high_and_weighs_half():
    survey = _survey([0, 0, 0, 10, 0], invited=12, responded=10)  # 75, rate 83 %
    result = scoring.score_indicator(survey, [scoring.Signal("x", 25.0, 4)])
    assert (result.score, result.confidence) == (50.0, Confidence.HIGH)  # 0.5 × 75 + 0.5 × 25
    alone = scoring.score_indicator(survey, [])
    assert alone.confidence == Confidence.MEDIUM
    low_rate = scoring.score_indicator(_survey([0, 0, 0, 10, 0], invited=30, responded=10), [])
    assert low_rate.confidence == Confidence.LOW  # 33 % answered: not solid


def test_roll_up_needs_half_the_indicators_and_takes_the_lower_median_confidence():
    def result(value, confidence):
        return scoring.IndicatorResult(value, None, None, confidence, scoring.SurveyEvidence(), [])

    high, low, none = (
        result(80.0, Confidence.HIGH),
        result(40.0, Confidence.LOW),
        result(None, Confidence.NONE),
    )
    rolled = scoring.roll_up([high, high, low, none])  # ranks 0,1,3,3: lower median 1
    assert (rolled.score, rolled.confidence, rolled.scored, rolled.total) == (66.7, Confidence.LOW, 3, 4)
    assert scoring.roll_up([high, high, none, none]).confidence == Confidence.LOW  # 0,0,3,3 -> at least low
    assert scoring.roll_up([high, none, none]).score is None  # 1 of 3 is less than half
    assert scoring.roll_up([high, high, high]).confidence == Confidence.HIGH


# --- Survey evidence through the service ----------------------------------------------------------------


def test_survey_score_response_rate_and_dont_know(world):
    wave = make_wave(world, "partner-10")
    people = invite(world, wave, RespondentGroup.PARTNER, 7)
    open_wave(world, wave)
    for person, rating in zip(people, (5, 4, 4, 3, 2), strict=False):
        answer(person, rating)
    answer(people[5], None)  # don't know
    recompute(world)
    s = score(world, 10)
    # (100 + 75 + 75 + 50 + 25) / 5 = 65; 6 of 7 answered = 85.7 %; 5 rated it.
    assert float(s.score) == 65.0 and float(s.survey_score) == 65.0
    assert (s.responses, s.invited, float(s.response_rate)) == (5, 7, 85.7)
    assert s.confidence == Confidence.LOW  # fewer than 10
    assert s.evidence["survey"]["distribution"] == [0, 1, 1, 2, 1]
    assert s.evidence["survey"]["dont_know"] == 1
    assert s.evidence["records"] == []


def test_four_ratings_are_insufficient_evidence_not_a_number(world):
    wave = make_wave(world, "partner-11")
    people = invite(world, wave, RespondentGroup.PARTNER, 6)
    open_wave(world, wave)
    for person in people[:4]:
        answer(person, 5)
    answer(people[4], None)  # answered, but "don't know": not a rating
    recompute(world)
    s = score(world, 11)
    assert s.score is None and s.confidence == Confidence.NONE
    assert s.responses == 4 and float(s.response_rate) == 83.3  # 5 of 6 sent the form
    function = FunctionScore.objects.get(initiative=world.initiative, period__code=PERIOD, function__code="B")
    assert function.score is None and function.indicators_scored == 0 and function.indicators_total == 8


def test_groups_are_pooled_and_each_is_counted_once(world):
    # Indicator 4 has one partner statement and two steering statements.
    wave = make_wave(world, "partner-4", "steering-4a", "steering-4b")
    partners = invite(world, wave, RespondentGroup.PARTNER, 5)
    steering = invite(world, wave, RespondentGroup.STEERING, 5)
    open_wave(world, wave)
    for person in partners:
        answer(person, 3)  # 5 × 50
    for person in steering:
        answer(person, steering_4a=5, steering_4b=4)  # 5 × 100 and 5 × 75
    recompute(world)
    s = score(world, 4)
    # Ratings: 5 × 50 + 5 × 100 + 5 × 75 = 1125 over 15 ratings = 75.0; 10 people rated it.
    assert float(s.survey_score) == 75.0 and s.responses == 10 and s.invited == 10
    assert s.evidence["survey"]["by_group"]["steering"] == {
        "responses": 5,
        "distribution": [0, 0, 0, 5, 5],
        "dont_know": 0,
        "score": 87.5,
    }


def test_a_small_group_is_not_shown_on_its_own_nor_by_subtraction(world):
    # Indicator 27: five steering committee members and one funder answered.
    wave = make_wave(world, "steering-27", "funder-27")
    steering = invite(world, wave, RespondentGroup.STEERING, 5)
    funder = invite(world, wave, RespondentGroup.FUNDER, 1)
    open_wave(world, wave)
    for person in steering:
        answer(person, 4)
    answer(funder[0], 1)
    recompute(world)
    survey = score(world, 27).evidence["survey"]
    assert survey["responses"] == 6 and survey["score"] == 62.5  # (5 × 75 + 0) / 6
    assert survey["by_group"]["funder"] == {
        "responses": 1,
        "distribution": None,
        "dont_know": None,
        "score": None,
    }
    assert survey["by_group"]["steering"]["score"] is None  # else 62.5 and 75 give the funder's answer away


def test_below_five_responses_no_distribution_is_stored(world):
    wave = make_wave(world, "partner-12")
    people = invite(world, wave, RespondentGroup.PARTNER, 3)
    open_wave(world, wave)
    for person in people:
        answer(person, 5)
    recompute(world)
    survey = score(world, 12).evidence["survey"]
    assert (survey["responses"], survey["distribution"], survey["score"]) == (3, None, None)


# --- Record evidence: the backbone's own records ----------------------------------------------------------


def _policy(world, day, kind, policymakers=0, alignment=""):
    services.policy_entry_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        occurred_on=day,
        kind=kind,
        title=f"{kind} {day}",
        description="",
        level="local",
        policymakers=policymakers,
        alignment=alignment,
        source_url="",
    )


def test_policy_log(world):
    # 2024-H2 (the previous half-year): 6 policymakers engaged in 2 entries.
    _policy(world, date(2024, 10, 1), PolicyKind.BRIEFING, 4)
    _policy(world, date(2024, 11, 1), PolicyKind.ADVOCACY, 2)
    # 2025-H1: 9 engaged in 2 entries, 3 advocated, 3 policy changes.
    _policy(world, date(2025, 2, 1), PolicyKind.BRIEFING, 5)
    _policy(world, date(2025, 3, 1), PolicyKind.ADVOCACY, 4)
    _policy(world, date(2025, 4, 1), PolicyKind.CHAMPION, 3)
    _policy(world, date(2025, 5, 1), PolicyKind.POLICY_CHANGE, alignment=Alignment.ALIGNED)
    _policy(world, date(2025, 6, 1), PolicyKind.POLICY_CHANGE, alignment=Alignment.PARTLY)
    _policy(world, date(2025, 6, 2), PolicyKind.POLICY_CHANGE, alignment=Alignment.NOT_ALIGNED)
    _policy(world, date(2025, 7, 1), PolicyKind.POLICY_CHANGE, alignment=Alignment.ALIGNED)  # next period
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    recompute(world)
    assert float(score(world, 22).score) == 75.0  # 50 × 9 / 6
    assert float(score(world, 23).score) == 33.3  # 3 of 9
    assert float(score(world, 24).score) == 50.0  # (1 + 0.5 + 0) / 3
    assert score(world, 22).evidence["records"][0] == {
        "key": "policymakers_engaged_growth",
        "value": 75.0,
        "n": 4,
        "used": True,
        "current": 9,
        "previous": 6,
    }
    assert score(world, 24).confidence == Confidence.LOW  # one signal, no survey
    # Function E rolls up from the three: (75.0 + 33.3 + 50.0) / 3 = 52.77 -> 52.8.
    e = FunctionScore.objects.get(initiative=world.initiative, period__code=PERIOD, function__code="E")
    assert float(e.score) == 52.8 and e.confidence == Confidence.LOW and e.indicators_scored == 3


def _fund(
    world, funder, funder_type, kind, amount, day, *, recipient=FundingRecipient.INITIATIVE, aligns=False
):
    services.funding_entry_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        funder_name=funder,
        funder_type=funder_type,
        recipient=recipient,
        kind=kind,
        amount=amount,
        year=day.year,
        committed_on=day,
        requires_alignment=aligns,
    )


def test_funding_ledger(world):
    phil, public, business = FunderType.PHILANTHROPY, FunderType.PUBLIC, FunderType.BUSINESS
    _fund(world, "F1", phil, FundingKind.REDIRECTED, "100000", date(2024, 9, 1))
    _fund(world, "F1", phil, FundingKind.NEW, "50000", date(2024, 10, 1))
    _fund(world, "F1", phil, FundingKind.NEW, "10000", date(2025, 1, 5), recipient=FundingRecipient.BACKBONE)
    _fund(world, "F1", phil, FundingKind.REDIRECTED, "150000", date(2025, 2, 1), aligns=True)
    _fund(world, "F1", phil, FundingKind.NEW, "40000", date(2025, 3, 1))
    _fund(world, "F2", public, FundingKind.NEW, "60000", date(2025, 4, 1), aligns=True)
    _fund(world, "F2", public, FundingKind.REDIRECTED, "30000", date(2025, 4, 15))
    _fund(world, "F3", business, FundingKind.NEW, "20000", date(2025, 5, 1))
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    recompute(world)
    assert float(score(world, 25).score) == 66.7  # F1 and F2 ask for alignment, of 3 funders
    # Redirected: 180,000 now against 100,000 before: 50 × 1.8 = 90; 3 entries.
    assert float(score(world, 26).score) == 90.0
    # New money 130,000 against 50,000: capped at 100; new funders F2 and F3 of 3: 66.7. Mean 83.3.
    s27 = score(world, 27)
    assert float(s27.score) == 83.3 and s27.confidence == Confidence.MEDIUM
    summary = selectors.funding_summary(world.initiative)
    assert summary.years == [2024, 2025]
    assert summary.total == [150000.0, 310000.0]
    assert summary.backbone == [0.0, 10000.0]
    assert summary.share == [0.0, 3.23]
    assert summary.by_type == {
        "public": [0.0, 90000.0],
        "philanthropy": [150000.0, 200000.0],
        "business": [0.0, 20000.0],
    }


def _event(world, day, reached, supporters=0, acted=0, led=False):
    services.community_event_save(
        initiative=world.initiative,
        by=world.people["backbone"],
        held_on=day,
        kind=CommunityEventKind.PUBLIC_MEETING,
        title=f"Event {day}",
        reached=reached,
        supporters=supporters,
        took_action=acted,
        community_led=led,
        notes="",
    )


def test_community_engagement(world):
    _event(world, date(2024, 9, 1), 100, acted=10)
    _event(world, date(2024, 11, 1), 100, acted=10)
    _event(world, date(2025, 2, 1), 150, 60, 15, led=True)
    _event(world, date(2025, 3, 1), 100, 20, 10)
    _event(world, date(2025, 4, 1), 50, 20, 5, led=True)
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    recompute(world)
    assert float(score(world, 18).score) == 75.0  # 300 reached against 200: 50 × 1.5
    assert float(score(world, 19).score) == 33.3  # 100 supporters of 300 reached
    assert float(score(world, 20).score) == 66.7  # 2 of 3 events led by the community
    assert float(score(world, 21).score) == 75.0  # 30 took action against 20
    assert score(world, 19).evidence["records"][0]["n"] == 3  # three events, not 300 people


# --- Record evidence: the other components' records ----------------------------------------------------------


def test_agenda_endorsements(world, make_user):
    from agenda import services as agenda
    from agenda.choices import Decision
    from initiatives.choices import Role

    from ..agenda.helpers import publish

    p2, s2 = make_user("partner2"), make_user("steering2")
    world.initiative.participations.get_or_create(organization=world.orgs["other"])
    world.initiative.memberships.create(user=p2, organization=world.orgs["partner"], role=Role.PARTNER)
    world.initiative.memberships.create(user=s2, organization=world.orgs["other"], role=Role.STEERING)
    version = publish(world)
    agenda.agenda_endorse(version=version, by=world.people["steering"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(version=version, by=world.people["partner"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(version=version, by=p2, decision=Decision.DECLINE, comment="Not yet")
    period = services.current_period(world.initiative)
    recompute(world)
    assert float(score(world, 1, period.code).score) == 50.0  # 2 of 4 steering and partner members
    assert float(score(world, 2, period.code).score) == 66.7  # their organisations: funder, partner of 3


def test_no_published_agenda_is_no_evidence_not_a_zero(world):
    period = services.current_period(world.initiative)
    recompute(world)
    s = score(world, 1, period.code)
    assert s.score is None and s.evidence["records"][0]["used"] is False


def test_data_submissions(world):
    from measurement import services as measurement
    from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
    from measurement.models import ReportingPeriod, Submission

    by, w = world.people["backbone"], world
    measure = measurement.measure_save(
        initiative=w.initiative,
        by=by,
        code="readers",
        name_en="Readers",
        definition="d",
        level=Level.POPULATION,
        unit=Unit.COUNT,
        value_type=ValueType.INTEGER,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.YEARLY,
        aggregation=Aggregation.SUM,
    )
    measurement.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.YEARLY,
        first=date(2024, 1, 1),
        last=date(2024, 12, 31),
    )
    orgs = [w.orgs["partner"], w.orgs["funder"], w.orgs["backbone"]]
    measurement.assignments_set(initiative=w.initiative, by=by, pairs={(o.pk, measure.pk) for o in orgs})
    period = ReportingPeriod.objects.get(initiative=w.initiative, code="2024")
    for org, approve in ((w.orgs["partner"], True), (w.orgs["funder"], False)):
        submission = measurement.submission_for(
            initiative=w.initiative, organization=org, period=period, by=by
        )
        measurement.values_save(
            submission=submission, by=by, raw={(measure.pk, None, None): "5"}, submit=True
        )
        if approve:
            measurement.submission_approve(submission=submission, by=by)
    # The funder sent its data a week late.
    Submission.objects.filter(organization=w.orgs["funder"]).update(
        submitted_at=_at(period.due_on) + timezone.timedelta(days=7)
    )
    Submission.objects.filter(organization=w.orgs["partner"]).update(submitted_at=_at(period.due_on))
    from backbone.models import AssessmentPeriod
    from measurement.models import SharedMeasure

    SharedMeasure.objects.filter(pk=measure.pk).update(created_at=_at(date(2024, 1, 1)))
    AssessmentPeriod.objects.create(
        initiative=w.initiative,
        code="T",
        start=period.due_on.replace(day=1),
        end=period.due_on.replace(day=28),
    )
    recompute(world)
    assert float(score(world, 14, "T").score) == 66.7  # 2 of 3 expected submissions
    s15 = score(world, 15, "T")  # 1 on time of 3, 1 approved of 3: 33.3 and 33.3
    assert float(s15.score) == 33.3 and s15.confidence == Confidence.MEDIUM
    signal = score(world, 13, "T").evidence["records"][0]
    assert (signal["key"], signal["value"], signal["n"], signal["used"]) == (
        "measures_with_data",
        100.0,
        1,
        False,
    )


def test_meetings_and_decisions(world):
    pytest.importorskip("communication.models")
    from communication.choices import AttendanceStatus, Body
    from communication.models import Attendance, Decision, Meeting

    w = world
    steering = Meeting.objects.create(
        initiative=w.initiative, title="Steering", body=Body.STEERING, starts_at=_at(date(2025, 3, 3))
    )
    group = Meeting.objects.create(
        initiative=w.initiative, title="Group", body=Body.WORKING_GROUP, starts_at=_at(date(2025, 4, 3))
    )
    for meeting, who in (
        (steering, [("steering", True), ("backbone", True), ("viewer", False)]),
        (group, [("partner", True), ("viewer", True)]),
    ):
        for name, came in who:
            Attendance.objects.create(
                meeting=meeting,
                user=w.people[name],
                organization=w.orgs["partner"],
                status=AttendanceStatus.ATTENDED if came else AttendanceStatus.ABSENT,
            )
    Decision.objects.create(
        initiative=w.initiative, title="A", decided_on=date(2025, 3, 3), links=["https://x.org"]
    )
    Decision.objects.create(initiative=w.initiative, title="B", decided_on=date(2025, 3, 4))
    cited = Decision.objects.create(initiative=w.initiative, title="C", decided_on=date(2025, 3, 5))
    from measurement.models import SharedMeasure

    cited.measures.add(
        SharedMeasure.objects.create(
            initiative=w.initiative,
            code="m",
            name_en="m",
            definition="d",
            unit="count",
            value_type="integer",
            direction="up",
            level="process",
            aggregation="sum",
            frequency="yearly",
        )
    )
    services.period_ensure(initiative=w.initiative, code=PERIOD)
    recompute(world)
    assert float(score(world, 4).score) == 66.7  # 2 of 3 at the steering committee
    meetings = next(r for r in score(world, 7).evidence["records"] if r["key"] == "meeting_attendance")
    assert (meetings["value"], meetings["n"]) == (80.0, 5)  # 4 of 5 across meetings
    assert float(score(world, 16).score) == 66.7  # 2 of 3 decisions cite a source
    assert float(score(world, 17).score) == 33.3  # 1 of 3 cites a shared measure


def test_working_groups_and_the_network(world):
    pytest.importorskip("workgroups.models")
    from agenda.models import Strategy
    from workgroups.models import (
        Activity,
        NetworkMetrics,
        SteeringCommitteeSeat,
        TieSurveyWave,
        WorkingGroup,
        WorkingGroupMember,
    )

    w = world
    strategy = Strategy.objects.create(initiative=w.initiative)
    group = WorkingGroup.objects.create(
        initiative=w.initiative, name="Reading", strategy=strategy, formed_on=date(2024, 1, 1)
    )
    partner_membership = w.initiative.memberships.get(user=w.people["partner"])
    WorkingGroupMember.objects.create(group=group, membership=partner_membership, joined_on=date(2024, 1, 1))
    WorkingGroupMember.objects.create(group=group, organization=w.orgs["funder"], joined_on=date(2024, 1, 1))
    SteeringCommitteeSeat.objects.create(
        initiative=w.initiative,
        person_name="Deputy mayor",
        organization=w.orgs["other"],
        since=date(2024, 1, 1),
    )
    joint = Activity.objects.create(
        working_group=group,
        title="Tutors",
        lead_organization=w.orgs["partner"],
        start_date=date(2025, 1, 1),
        strategy=strategy,
    )
    joint.contributing_organizations.add(w.orgs["funder"])
    Activity.objects.create(
        working_group=group,
        title="Books",
        lead_organization=w.orgs["partner"],
        start_date=date(2025, 2, 1),
        strategy=strategy,
    )
    old = Activity.objects.create(
        working_group=group,
        title="Old",
        lead_organization=w.orgs["funder"],
        start_date=date(2023, 1, 1),
        end_date=date(2023, 6, 1),
        strategy=strategy,
    )
    old.contributing_organizations.add(w.orgs["partner"])
    wave = TieSurveyWave.objects.create(
        initiative=w.initiative,
        name="Spring",
        opened_at=_at(date(2025, 3, 1)),
        closed_at=_at(date(2025, 4, 1)),
    )
    NetworkMetrics.objects.create(
        wave=wave, status="done", respondents=4, ties=8, density=0.5, mean_trust=3.4, cross_sector_share=0.25
    )
    services.period_ensure(initiative=w.initiative, code=PERIOD)
    recompute(world)
    # Participating: backbone, funder and partner organisations (3).
    assert float(score(world, 3).score) == 66.7  # partner and funder in an active activity
    assert float(score(world, 5).score) == 66.7  # partner and funder hold a working-group seat
    assert float(score(world, 6).score) == 60.0  # nonprofit, philanthropy, government of 5 sectors
    assert float(score(world, 8).score) == 60.0  # (3.4 − 1) × 25
    density = next(r for r in score(world, 7).evidence["records"] if r["key"] == "network_density")
    assert (density["value"], density["used"]) == (50.0, True)
    nine = {r["key"]: r for r in score(world, 9).evidence["records"]}
    assert (nine["collaborative_activities"]["value"], nine["collaborative_activities"]["used"]) == (
        50.0,
        False,
    )
    assert float(score(world, 9).score) == 25.0  # only the network's cross-sector share counts (8 ties)


# --- Together, idempotent, robust -------------------------------------------------------------------------


def test_survey_and_records_together_weigh_half_each_with_high_confidence(world):
    _policy(world, date(2024, 10, 1), PolicyKind.BRIEFING, 4)
    _policy(world, date(2024, 11, 1), PolicyKind.ADVOCACY, 2)
    _policy(world, date(2025, 2, 1), PolicyKind.BRIEFING, 5)
    _policy(world, date(2025, 3, 1), PolicyKind.ADVOCACY, 4)
    wave = make_wave(world, "policymaker-22")
    people = invite(world, wave, RespondentGroup.POLICYMAKER, 12)
    open_wave(world, wave)
    for person in people[:10]:
        answer(person, 5)
    recompute(world)
    s = score(world, 22)
    # Survey 100 (10 of 12 answered), records 75 (9 against 6): 0.5 × 100 + 0.5 × 75 = 87.5.
    assert (float(s.survey_score), float(s.record_score), float(s.score)) == (100.0, 75.0, 87.5)
    assert s.confidence == Confidence.HIGH


def test_recompute_is_idempotent(world):
    wave = make_wave(world, "partner-10")
    people = invite(world, wave, RespondentGroup.PARTNER, 5)
    open_wave(world, wave)
    for person in people:
        answer(person, 4)
    recompute(world)
    first = list(
        IndicatorScore.objects.order_by("indicator__number").values_list(
            "indicator_id", "score", "confidence"
        )
    )
    recompute(world)
    recompute(world)
    second = list(
        IndicatorScore.objects.order_by("indicator__number").values_list(
            "indicator_id", "score", "confidence"
        )
    )
    assert first == second and len(second) == 27
    assert FunctionScore.objects.count() == 6
    assert float(score(world, 10).score) == 75.0


def test_a_broken_component_is_skipped_not_fatal(world, monkeypatch):
    def broken(initiative, window):
        raise DatabaseError("relation does not exist")

    monkeypatch.setattr(records, "COMPONENT_SOURCES", [("agenda", broken), *records.COMPONENT_SOURCES[1:]])
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    run = recompute(world)
    assert run.status == "done"
    assert IndicatorScore.objects.filter(initiative=world.initiative).count() == 27


def test_an_uninstalled_component_is_not_read(world, monkeypatch):
    from django.apps import apps

    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "communication" and real(name))
    period = services.period_ensure(initiative=world.initiative, code=PERIOD)
    signals = records.collect(world.initiative, period.start, period.end)
    keys = {s.key for values in signals.values() for s in values}
    assert "meeting_attendance" not in keys and "policymakers_engaged_growth" in keys


def test_what_changed_since_the_last_period(world):
    first = make_wave(world, "partner-10", "partner-11", "partner-12", period="2024-H2")
    second = make_wave(world, "partner-10", "partner-11", "partner-12", period="2025-H1")
    for wave, ratings in (
        (first, {"partner_10": 2, "partner_11": 5, "partner_12": 4}),
        (second, {"partner_10": 4, "partner_11": 5}),
    ):
        people = invite(world, wave, RespondentGroup.PARTNER, 5)
        open_wave(world, wave)
        for person in people:
            answer(person, None, **ratings)
    recompute(world)
    card = selectors.scorecard(world.initiative, with_indicators=True)
    assert [p.code for p in card.periods] == ["2024-H2", "2025-H1"]
    changes = {c.indicator.number: (c.kind, c.before, c.after) for c in card.changes}
    assert changes[10][0] == "rose" and float(changes[10][1]) == 25.0 and float(changes[10][2]) == 75.0
    assert changes[12][0] == "lost"  # everyone said "don't know" this time
    assert 11 not in changes  # 100 both times
