"""The services of learning: what they refuse, and what they keep."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from learning import selectors, services
from learning.catalogue import LEVEL_REASONS, STARTING_RISKS
from learning.choices import AssumptionStatus, RiskCategory, RiskStatus
from learning.models import CurveWorksheet, Risk
from tests.learning.conftest import build_lw
from tests.permission_matrix import build_world, module_world

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
lw_once, lw = module_world("lw", lambda: build_lw(build_world()))

SOURCE = Path(settings.BASE_DIR).resolve().parent / "shared" / "reference" / "000_88d2c8dd380a7319.txt"


def test_the_starting_list_cites_the_source():
    keys = {e.key for e in STARTING_RISKS}
    assert len(keys) == len(STARTING_RISKS) == 13
    by_category = {c: [e for e in STARTING_RISKS if e.category == c] for c in RiskCategory.values}
    assert len(by_category["pitfall"]) == 6 and {e.line for e in by_category["pitfall"]} == {"402"}
    assert len(by_category["measurement"]) == 5
    assert {e.line for e in by_category["measurement"]} == {"198", "199", "200", "208", "209"}
    assert len(by_category["backbone"]) == 2
    source = SOURCE.read_text(encoding="utf-8").splitlines()
    for entry in STARTING_RISKS:
        first = int(entry.line.split("–")[0])
        assert entry.quote in source[first - 1], entry.key  # the source's own words, on its line
    for reason in LEVEL_REASONS:
        assert reason.quote in source[int(reason.line) - 1]


def test_adopting_the_starting_list_twice_keeps_one_of_each(lw):
    by = lw.people["backbone"]
    created = services.risks_adopt(initiative=lw.initiative, by=by, keys=["local_politics", "wrong_results"])
    assert [r.catalogue_key for r in created] == ["wrong_results"]  # local_politics was already taken
    assert lw.initiative.risks.filter(catalogue_key="local_politics").count() == 1
    with pytest.raises(ValidationError):
        services.risks_adopt(initiative=lw.initiative, by=by, keys=["not_in_the_source"])
    with pytest.raises(IntegrityError):
        Risk.objects.create(
            initiative=lw.initiative, catalogue_key="wrong_results", review_on=date(2027, 1, 1)
        )


def test_a_risk_from_the_list_is_shown_in_the_readers_language(lw):
    from django.utils import translation

    risk = lw.mine.risk
    assert risk.title == "" and risk.display_title == "Obstacles set by local politics"
    assert risk.category == RiskCategory.PITFALL and risk.starting_entry.line == "402"
    with translation.override("he"):
        assert risk.display_title != "Obstacles set by local politics"


def test_only_backbone_staff_keep_the_register(lw):
    for name in ("steering", "partner", "viewer", "other_member"):
        with pytest.raises(PermissionDenied):
            services.risk_create(
                initiative=lw.initiative, by=lw.people[name], title="x", review_on=date(2027, 1, 1)
            )
        with pytest.raises(PermissionDenied):
            services.assumption_create(initiative=lw.initiative, by=lw.people[name], statement="x")


def test_a_review_moves_the_scores_and_the_date_and_is_kept(lw):
    risk = lw.mine.risk
    later = timezone.localdate() + timedelta(days=40)
    services.risk_review(
        risk=risk, by=lw.people["backbone"], note="Worse.", likelihood=5, impact=5, next_review_on=later
    )
    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.review_on, risk.severity) == (5, 5, later, "high")
    assert risk.reviews.count() == 2
    with pytest.raises(ValidationError) as refused:
        services.risk_review(
            risk=risk, by=lw.people["backbone"], note="x", next_review_on=timezone.localdate()
        )
    assert "next_review_on" in refused.value.message_dict
    services.risk_review(
        risk=risk,
        by=lw.people["backbone"],
        note="Gone.",
        status=RiskStatus.CLOSED,
        next_review_on=timezone.localdate(),
    )


def test_risks_due_are_the_open_ones_whose_date_has_come(lw):
    by = lw.people["backbone"]
    today = timezone.localdate()
    due = services.risk_create(initiative=lw.initiative, by=by, title="Due", review_on=today)
    services.risk_create(initiative=lw.initiative, by=by, title="Later", review_on=today + timedelta(days=1))
    closed = services.risk_create(
        initiative=lw.initiative, by=by, title="Closed", review_on=today - timedelta(days=3)
    )
    services.risk_update(risk=closed, by=by, status=RiskStatus.CLOSED)
    assert list(selectors.risks_due(lw.initiative)) == [due]
    assert list(selectors.risks_due(lw.other)) == []


def test_an_owner_from_another_initiative_is_refused(lw):
    with pytest.raises(ValidationError):
        services.risk_create(
            initiative=lw.initiative,
            by=lw.people["backbone"],
            title="x",
            review_on=date(2027, 1, 1),
            owner=lw.other.memberships.first(),
        )


def test_the_log_moves_the_status_and_keeps_how(lw):
    assumption = lw.mine.assumption
    assert assumption.status == AssumptionStatus.TESTED
    entry = services.learning_record(
        assumption=assumption,
        by=lw.people["backbone"],
        note="Only in summer.",
        status=AssumptionStatus.REVISED,
    )
    assert (entry.previous_status, entry.status) == (AssumptionStatus.TESTED, AssumptionStatus.REVISED)
    assumption.refresh_from_db()
    assert assumption.status == AssumptionStatus.REVISED
    assert [e.status for e in assumption.entries.order_by("at", "id")] == ["tested", "revised"]


def test_the_log_refuses_evidence_it_cannot_stand_on(lw):
    by, assumption = lw.people["backbone"], lw.mine.assumption
    for evidence in (
        {"measure": lw.theirs.measure},
        {"decision": lw.theirs.decision},
        {"document": lw.theirs.document},
        {"period": lw.mine.period},  # a period without its measure
        {"note": ""},
    ):
        kwargs = {"note": "n", "status": "tested", **evidence}
        with pytest.raises(ValidationError):
            services.learning_record(assumption=assumption, by=by, **kwargs)
    assert assumption.entries.count() == 1


def test_a_private_document_stays_private_in_the_log(lw):
    entry = services.learning_record(
        assumption=lw.mine.assumption,
        by=lw.people["backbone"],
        note="See the leadership's note.",
        status="tested",
        document=lw.private_document,
    )
    assert selectors.visible_document_ids(lw.people["backbone"], lw.initiative, [entry]) == {
        lw.private_document.pk
    }
    assert selectors.visible_document_ids(lw.people["partner"], lw.initiative, [entry]) == set()


def test_a_new_periods_worksheet_is_a_new_version_started_from_the_last(lw):
    by, measure = lw.people["backbone"], lw.mine.measure
    first = lw.mine.worksheet
    assert selectors.worksheet_to_start_from(measure, lw.mine.next_period) == first
    second = services.worksheet_save(
        initiative=lw.initiative,
        by=by,
        measure=measure,
        period=lw.mine.next_period,
        revision=0,
        story="Rising.",
    )
    assert second.carried_from == first and second.revision == 1
    assert [w.period.code for w in selectors.worksheet_history(measure)] == ["2026", "2025"]
    first.refresh_from_db()
    assert first.story == "The curve is flat."  # the earlier version is kept as it was


def test_a_stale_save_is_refused_and_loses_nothing(lw):
    by, worksheet = lw.people["backbone"], lw.mine.worksheet
    saved = services.worksheet_save(
        initiative=lw.initiative,
        by=by,
        measure=worksheet.measure,
        period=worksheet.period,
        revision=1,
        story="A",
    )
    assert saved.revision == 2
    with pytest.raises(ValidationError, match="Someone else saved"):
        services.worksheet_save(
            initiative=lw.initiative,
            by=by,
            measure=worksheet.measure,
            period=worksheet.period,
            revision=1,
            story="B",
        )
    assert CurveWorksheet.objects.get(pk=worksheet.pk).story == "A"


def test_a_worksheet_refuses_what_is_not_the_initiatives(lw):
    by, m = lw.people["backbone"], lw.mine
    common = {
        "initiative": lw.initiative,
        "by": by,
        "measure": m.measure,
        "period": m.next_period,
        "revision": None,
    }
    with pytest.raises(ValidationError):
        services.worksheet_save(**common, partners=[services.PartnerRole(lw.orgs["other"], "x")])
    with pytest.raises(ValidationError):
        services.worksheet_save(**common, actions=[services.PlannedAction("x", lw.theirs.activity)])
    with pytest.raises(ValidationError):
        services.worksheet_save(
            **common,
            partners=[
                services.PartnerRole(lw.orgs["partner"], "a"),
                services.PartnerRole(lw.orgs["partner"], "b"),
            ],
        )
    quarterly = m.period
    quarterly.frequency = "quarterly"
    with pytest.raises(ValidationError):
        services.worksheet_save(**{**common, "period": quarterly})
    assert not CurveWorksheet.objects.filter(period=m.next_period).exists()


def test_a_partner_tells_stories_for_their_own_organisation_only(lw):
    m = lw.mine
    story = services.story_tell(
        initiative=lw.initiative,
        by=lw.people["partner"],
        measure=m.measure,
        period=m.period,
        title="t",
        text="x",
    )
    assert story.organization == lw.orgs["partner"]
    with pytest.raises(PermissionDenied):
        services.story_tell(
            initiative=lw.initiative,
            by=lw.people["partner"],
            measure=m.measure,
            period=m.period,
            title="t",
            text="x",
            organization=lw.orgs["funder"],
        )
    with pytest.raises(PermissionDenied):
        services.story_tell(
            initiative=lw.initiative,
            by=lw.people["viewer"],
            measure=m.measure,
            period=m.period,
            title="t",
            text="x",
        )


def test_coverage_names_the_missing_level_with_the_sources_reason(lw):
    coverage = selectors.coverage(lw.initiative)
    assert [level.level for level in coverage.levels] == ["population", "process", "interaction"]
    assert not coverage.complete
    (missing,) = coverage.missing
    assert missing.level == "interaction" and missing.line == "192" and "relationships" in missing.reason
    # A measure whose active period ended no longer covers its level.
    lw.mine.process.active_to = timezone.localdate() - timedelta(days=1)
    lw.mine.process.save(update_fields=["active_to"])
    assert {level.level for level in selectors.coverage(lw.initiative).missing} == {"process", "interaction"}


def test_the_report_card_reads_only_flagged_worksheets(lw):
    m = lw.mine
    assert selectors.report_card_worksheets(lw.initiative) == {}
    services.worksheet_save(
        initiative=lw.initiative,
        by=lw.people["backbone"],
        measure=m.measure,
        period=m.next_period,
        revision=None,
        story="Public story.",
        show_on_report_card=True,
    )
    shown = selectors.report_card_worksheets(lw.initiative, [m.measure.pk])
    assert shown[m.measure.pk].story == "Public story."
