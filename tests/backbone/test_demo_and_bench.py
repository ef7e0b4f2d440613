"""The demo's backbone part, on its own: two waves answered through personal links, a ledger, a
log, community events, and scores computed by the scoring service for all six functions and 27
indicators in both periods; and the benchmark, at a small size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backbone import bench, demo, selectors
from backbone.models import (
    FunctionScore,
    FundingEntry,
    IndicatorScore,
    PolicyEntry,
    Response,
    ScoreRun,
    SurveyWave,
)
from initiatives import services as initiative_services
from initiatives.choices import Role, Topic
from initiatives.management.commands import seed_demo
from initiatives.models import Organization

pytestmark = pytest.mark.django_db

# The demo's Hebrew organisations (the anchor funder is at index 2).
ORGS = [
    (name, sector)
    for (name, _website), sector in zip(
        seed_demo.CONTENT["he"]["organizations"], seed_demo.SECTORS, strict=True
    )
]
PEOPLE = [
    ("steering", 2, Role.STEERING),
    ("partner", 4, Role.PARTNER),
    ("viewer", 6, Role.VIEWER),
    ("mayor.office", 1, Role.STEERING),
    ("university", 3, Role.STEERING),
    ("employers", 5, Role.PARTNER),
    ("youth", 7, Role.PARTNER),
]


def test_the_demo_shows_all_six_functions_and_27_indicators_with_trend(make_user):
    orgs = [Organization.objects.create(name=name, sector=sector) for name, sector in ORGS]
    users = {"backbone": make_user("backbone")}
    initiative = initiative_services.initiative_create(
        by=users["backbone"],
        organization=orgs[0],
        name="Demo",
        slug="demo",
        issue="i",
        place="p",
        topic=Topic.EDUCATION,
    )
    for username, index, role in PEOPLE:
        users[username] = make_user(username)
        initiative.participations.get_or_create(organization=orgs[index])
        initiative.memberships.create(user=users[username], organization=orgs[index], role=role)
    demo.seed(initiative=initiative, users=users, organizations=orgs, now=timezone.now(), language="he")

    waves = SurveyWave.objects.filter(initiative=initiative)
    assert waves.count() == 2 and set(waves.values_list("status", flat=True)) == {"closed"}
    assert Response.objects.filter(wave__initiative=initiative).count() > 60
    assert FundingEntry.objects.filter(initiative=initiative).count() >= 10
    assert PolicyEntry.objects.filter(initiative=initiative).count() >= 10
    assert ScoreRun.objects.filter(initiative=initiative, status="done").exists()
    periods = list(initiative.backbone_periods.order_by("start"))
    assert len(periods) == 2
    for period in periods:
        scores = IndicatorScore.objects.filter(period=period)
        assert scores.count() == 27 and not scores.filter(score__isnull=True).exists(), period.code
        functions = FunctionScore.objects.filter(period=period)
        assert functions.count() == 6 and not functions.filter(score__isnull=True).exists()
    # Every wave closed in the past, within its period.
    assert not waves.filter(closed_at__gt=timezone.now() + timedelta(minutes=1)).exists()
    # Funders (issue 20): one anchor funder among the founders, others joined later, a multi-year
    # commitment that carries the backbone three years, and the backbone's profile.
    anchor = initiative.funders.get(is_anchor=True)
    assert (anchor.name, anchor.joined) == (ORGS[2][0], "founding")
    assert initiative.funders.filter(joined="later").count() >= 3
    assert not initiative.funders.filter(joined="").exists()
    years = sorted(
        FundingEntry.objects.filter(initiative=initiative, commitment__isnull=False).values_list(
            "year", flat=True
        )
    )
    assert set(years) == {timezone.localdate().year + 1, timezone.localdate().year + 2}
    assert selectors.funding_runway(initiative, timezone.localdate().year).years_covered == 3
    assert FundingEntry.objects.filter(initiative=initiative, purpose="measurement").exists()
    summary = selectors.funding_summary(initiative)
    assert 0 < summary.backbone_share < 10
    profile = selectors.backbone_profile_of(initiative)
    assert profile.kind == "nonprofit" and [o.name for o in profile.organizations.all()] == [ORGS[0][0]]
    assert selectors.backbone_partner_funding(initiative, profile) > 0  # an interest it declares


def test_the_benchmark_runs_at_a_small_size():
    figure = bench.bench_recompute(partners=5, waves=2, responses=20, slug="bench-test")
    assert figure["figure"] == "backbone full score recompute" and figure["unit"] == "s"
    assert figure["detail"]["indicator_scores"] == 54 and figure["n"] > 200
    assert figure["met"] is True
