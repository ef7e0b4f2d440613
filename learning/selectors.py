"""Reads of learning. Objects of other components (measures, periods, decisions, documents,
activities) are read through their own apps' selectors or relations; one query per list, whatever
its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from communication import selectors as communication_selectors
from initiatives.models import Initiative
from measurement import selectors as measurement_selectors
from measurement.choices import Level
from measurement.models import ReportingPeriod, SharedMeasure

from .catalogue import LEVEL_REASONS, STARTING_RISKS, StartingRisk
from .choices import AssumptionStatus, RiskStatus
from .models import (
    Assumption,
    CurveStory,
    CurveWorksheet,
    LearningEntry,
    Risk,
    RiskReview,
    WorksheetAction,
    WorksheetPartner,
)

# --- The risk register ----------------------------------------------------------------------------


def risks_of(initiative: Initiative) -> QuerySet[Risk]:
    return initiative.risks.select_related("initiative", "owner__user", "owner__organization").order_by(
        "status", "review_on", "id"
    )


def risks_due(initiative: Initiative, today: date | None = None) -> QuerySet[Risk]:
    """Open risks whose review date has come: what a digest or the overview lists."""
    return risks_of(initiative).filter(status=RiskStatus.OPEN, review_on__lte=today or timezone.localdate())


def risk_detail(initiative: Initiative, pk: int) -> Risk:
    return get_object_or_404(
        risks_of(initiative).prefetch_related(
            Prefetch("reviews", queryset=RiskReview.objects.select_related("by").order_by("-at", "-id"))
        ),
        pk=pk,
    )


def starting_list(initiative: Initiative) -> list[tuple[StartingRisk, bool]]:
    """The source's starting list, each entry with whether the register already holds it."""
    taken = set(initiative.risks.exclude(catalogue_key="").values_list("catalogue_key", flat=True))
    return [(entry, entry.key in taken) for entry in STARTING_RISKS]


# --- The learning log -----------------------------------------------------------------------------


def _entries() -> QuerySet[LearningEntry]:
    return LearningEntry.objects.select_related("by", "measure", "period", "decision", "document").order_by(
        "-at", "-id"
    )


def assumptions_of(initiative: Initiative) -> QuerySet[Assumption]:
    return initiative.assumptions.select_related("initiative").prefetch_related(
        Prefetch("entries", queryset=_entries())
    )


def assumption_detail(initiative: Initiative, pk: int) -> Assumption:
    return get_object_or_404(assumptions_of(initiative), pk=pk)


def visible_document_ids(user, initiative: Initiative, entries) -> set[int]:
    """Of the documents the entries cite, those this person may see (one query): a private
    document of the library stays private in the learning log."""
    ids = {e.document_id for e in entries if e.document_id}
    if not ids:
        return set()
    return set(
        communication_selectors.documents_visible_to(user, initiative)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def strategy_titles(initiative: Initiative) -> dict[int, str]:
    from agenda.selectors import current_strategy_titles

    return current_strategy_titles(initiative)


def assumption_counts(initiative: Initiative) -> dict[str, int]:
    counts = dict(
        initiative.assumptions.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in AssumptionStatus.values}


# --- Turn the curve -------------------------------------------------------------------------------


def measures(initiative: Initiative) -> list[SharedMeasure]:
    return list(measurement_selectors.measures_of(initiative))


def measure(initiative: Initiative, code: str) -> SharedMeasure:
    found = measurement_selectors.measure_by_code(initiative, code)
    if found is None:
        from django.http import Http404

        raise Http404
    return found


def periods_of(measure: SharedMeasure, today: date | None = None) -> list[ReportingPeriod]:
    """The periods of the measure's frequency that have started, latest first."""
    return list(
        ReportingPeriod.objects.filter(
            initiative_id=measure.initiative_id,
            frequency=measure.frequency,
            start__lte=today or timezone.localdate(),
        ).order_by("-start")
    )


def period_of(measure: SharedMeasure, pk: int) -> ReportingPeriod:
    return get_object_or_404(
        ReportingPeriod, pk=pk, initiative_id=measure.initiative_id, frequency=measure.frequency
    )


def _worksheets() -> QuerySet[CurveWorksheet]:
    return CurveWorksheet.objects.select_related(
        "initiative", "measure", "period", "updated_by"
    ).prefetch_related(
        Prefetch("partners", queryset=WorksheetPartner.objects.select_related("organization").order_by("id")),
        Prefetch(
            "actions",
            queryset=WorksheetAction.objects.select_related(
                "activity__working_group__initiative", "activity__lead_organization"
            ).order_by("order", "id"),
        ),
    )


def worksheet_queryset(initiative: Initiative) -> QuerySet[CurveWorksheet]:
    return _worksheets().filter(initiative=initiative).order_by("measure__code", "-period__start", "id")


def worksheet_of(measure: SharedMeasure, period: ReportingPeriod) -> CurveWorksheet | None:
    return _worksheets().filter(measure=measure, period=period).first()


def worksheet_to_start_from(measure: SharedMeasure, period: ReportingPeriod) -> CurveWorksheet | None:
    """The latest worksheet of an earlier period: a new period's version starts from it."""
    return (
        _worksheets()
        .filter(measure=measure, period__start__lt=period.start)
        .order_by("-period__start")
        .first()
    )


def worksheet_history(measure: SharedMeasure) -> list[CurveWorksheet]:
    return list(_worksheets().filter(measure=measure).order_by("-period__start"))


def latest_worksheets(initiative: Initiative) -> dict[int, CurveWorksheet]:
    """Measure id -> its worksheet of the latest period that has one (one query)."""
    latest: dict[int, CurveWorksheet] = {}
    for worksheet in (
        CurveWorksheet.objects.filter(initiative=initiative)
        .select_related("period")
        .order_by("measure_id", "-period__start")
    ):
        latest.setdefault(worksheet.measure_id, worksheet)
    return latest


def report_card_worksheets(initiative: Initiative, measure_ids=None) -> dict[int, CurveWorksheet]:
    """For the public report card: per measure, its latest worksheet flagged to be shown there.
    Only the story and what works are meant for the public (not partners' roles or the plan)."""
    queryset = CurveWorksheet.objects.filter(initiative=initiative, show_on_report_card=True).select_related(
        "period"
    )
    if measure_ids is not None:
        queryset = queryset.filter(measure_id__in=list(measure_ids))
    shown: dict[int, CurveWorksheet] = {}
    for worksheet in queryset.order_by("measure_id", "-period__start"):
        shown.setdefault(worksheet.measure_id, worksheet)
    return shown


def stories_of(initiative: Initiative) -> QuerySet[CurveStory]:
    return initiative.curve_stories.select_related(
        "initiative", "measure", "period", "organization", "told_by"
    )


def stories_for(measure: SharedMeasure, period: ReportingPeriod | None = None) -> list[CurveStory]:
    queryset = CurveStory.objects.filter(measure=measure).select_related(
        "measure", "period", "organization", "told_by"
    )
    if period is not None:
        queryset = queryset.filter(period=period)
    return list(queryset.order_by("-created_at", "-id"))


def story_counts(initiative: Initiative) -> dict[int, int]:
    return dict(
        initiative.curve_stories.values_list("measure_id")
        .annotate(n=Count("id"))
        .values_list("measure_id", "n")
    )


def activities_for(initiative: Initiative):
    """The working groups' activities an action may point to."""
    from workgroups.selectors import activity_queryset

    return activity_queryset(initiative).select_related("working_group")


# --- Coverage of the three levels ------------------------------------------------------------------


@dataclass
class LevelCoverage:
    level: str
    label: str
    line: str
    quote: str
    reason: str
    measures: list[SharedMeasure] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.measures)


@dataclass
class Coverage:
    levels: list[LevelCoverage]

    @property
    def complete(self) -> bool:
        return all(level.covered for level in self.levels)

    @property
    def missing(self) -> list[LevelCoverage]:
        return [level for level in self.levels if not level.covered]


def coverage(initiative: Initiative, today: date | None = None) -> Coverage:
    """Do the shared measures cover the three levels the source requires (lines 188-192):
    population outcomes, the joint work's process, and partner relationships? A measure whose
    active period has ended does not count. Each missing level carries the source's reason."""
    today = today or timezone.localdate()
    active = measurement_selectors.measures_of(initiative).filter(
        Q(active_to__isnull=True) | Q(active_to__gte=today)
    )
    by_level: dict[str, list[SharedMeasure]] = {}
    for m in active:
        by_level.setdefault(m.level, []).append(m)
    return Coverage(
        levels=[
            LevelCoverage(
                level=reason.level,
                label=str(Level(reason.level).label),
                line=reason.line,
                quote=reason.quote,
                reason=str(reason.reason),
                measures=by_level.get(reason.level, []),
            )
            for reason in LEVEL_REASONS
        ]
    )
