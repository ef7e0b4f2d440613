"""A world for learning, built through the services where they exist: a published agenda with a
key strategy, a working group with an activity, two shared measures (population and process) with
yearly periods, a decision and two documents (one for the leadership only), and in learning: a
risk from the starting list with a review, an assumption with a log entry, a worksheet and a
story. The other initiative gets its own of each, to prove that they are 404 here."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from communication import services as communication
from communication.choices import Visibility
from communication.models import Decision
from learning import services
from learning.choices import AssumptionStatus
from workgroups import services as workgroups

from ..measurement.factories import ReportingPeriodFactory
from ..workgroups.conftest import make_measure, publish_agenda


def make_decision(initiative, by, title: str) -> Decision:
    return Decision.objects.create(
        initiative=initiative, title=title, decided_on=timezone.localdate(), created_by=by
    )


def build(initiative, by, organization, prefix: str = ""):
    """One initiative's learning objects; returns them in a namespace."""

    class Objects:
        pass

    o = Objects()
    o.strategies = publish_agenda(initiative, by, [f"{prefix}Early literacy"])
    o.group = workgroups.working_group_create(
        initiative=initiative, by=by, name=f"{prefix}Literacy", strategy=o.strategies[0]
    )
    o.activity = workgroups.activity_create(
        group=o.group,
        by=by,
        title=f"{prefix}Reading camps",
        lead_organization=organization,
        start_date=date(2026, 1, 1),
    )
    code = "their-" if prefix else ""
    o.measure = make_measure(initiative, f"{code}read")
    o.process = make_measure(initiative, f"{code}hours")
    o.process.level = "process"
    o.process.save(update_fields=["level"])
    o.period = ReportingPeriodFactory(initiative=initiative, year=2025)
    o.next_period = ReportingPeriodFactory(initiative=initiative, year=2026)
    o.decision = make_decision(initiative, by, f"{prefix}Extend the camps")
    o.document = communication.document_add(
        initiative=initiative, by=by, title=f"{prefix}Camp evaluation", url="https://example.org/eval"
    )
    (o.risk,) = services.risks_adopt(initiative=initiative, by=by, keys=["local_politics"])
    o.review = services.risk_review(
        risk=o.risk,
        by=by,
        note=f"{prefix}Quiet before the elections.",
        next_review_on=timezone.localdate() + timedelta(days=30),
    )
    o.assumption = services.assumption_create(
        initiative=initiative, by=by, statement=f"{prefix}Camps lift reading.", strategy=o.strategies[0]
    )
    o.entry = services.learning_record(
        assumption=o.assumption,
        by=by,
        note=f"{prefix}Reading rose where camps ran.",
        status=AssumptionStatus.TESTED,
        measure=o.measure,
        period=o.period,
        decision=o.decision,
        document=o.document,
    )
    o.worksheet = services.worksheet_save(
        initiative=initiative,
        by=by,
        measure=o.measure,
        period=o.period,
        revision=None,
        story=f"{prefix}The curve is flat.",
        what_works="Camps.",
        partners=[services.PartnerRole(organization, "Runs the camps.")],
        actions=[services.PlannedAction("More camps", o.activity, date(2026, 6, 1))],
    )
    o.story = services.story_tell(
        initiative=initiative,
        by=by,
        measure=o.measure,
        period=o.period,
        title=f"{prefix}Dana's summer",
        text="She read.",
    )
    return o


@pytest.fixture
def lw(world):
    """The learning world: `world` plus the objects of both initiatives (the other's prefixed
    "Their ", a word that must never appear in this initiative's pages)."""
    return build_lw(world)


def build_lw(world):
    """`lw` on any world (a module that builds it once: permission_matrix.module_world)."""
    w = world
    w.mine = build(w.initiative, w.people["backbone"], w.orgs["partner"])
    w.theirs = build(w.other, w.people["other_member"], w.orgs["other"], prefix="Their ")
    w.private_document = communication.document_add(
        initiative=w.initiative,
        by=w.people["backbone"],
        title="PRIVATE-LEADERSHIP-DOC",
        url="https://example.org/private",
        visibility=Visibility.LEADERSHIP,
    )
    return w
